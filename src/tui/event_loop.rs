//! The lab's event loop: waits on the one event channel, maps events to
//! actions, lets the app update its state, carries out the effects the app
//! returns (the shell, the check worker, the clipboard, the progress file;
//! a course's effects in `course_effects`) and redraws when something
//! changed — at most every [`FRAME`] during an output flood, never while
//! idle (a course's timer wakes it once a second while it shows).

mod class_sender;
mod course_effects;

use super::LabError;
use super::app::{Action, App, Effect, Seen};
use super::event::{self, Event};
use super::shell::{Shell, ShellSpec};
use super::shell_init::{self, ShellHome, ShellInitError};
use super::terminal::copy_to_clipboard;
use super::{
    CheckRequest, Ending, Lab, code_kind, input, jobs, spawn_check_worker, tabs, ui, watch, windows,
};
use crate::checks::StepReport;
use crate::lesson::Course;
use crate::progress::{Progress, Resume};
use crate::session::Session;
use crate::workspace::Workspace;
use ratatui::DefaultTerminal;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::time::{Duration, Instant, SystemTime};

/// Shortest time between two frames while output pours in.
const FRAME: Duration = Duration::from_millis(16);
/// Events handled before a redraw, so a flood cannot starve the screen.
const BATCH: usize = 256;

pub(super) struct EventLoop {
    app: App,
    shell: Shell,
    shell_setup: ShellSetup,
    tx: SyncSender<Event>,
    rx: Receiver<Event>,
    checks: mpsc::Sender<CheckRequest>,
    progress: Progress,
    /// The course: its challenges' slugs key their progress (and the
    /// course runtime runs their scripts).
    course: Course,
    workspace: Workspace,
    _watcher: Option<notify::RecommendedWatcher>,
    session: Session,
    ending: Ending,
    /// The class's sender, when the workspace joined one.
    class: Option<class_sender::LabSender>,
}

impl EventLoop {
    pub(super) fn new(lab: Lab, terminal: &mut DefaultTerminal) -> Result<EventLoop, LabError> {
        let size = terminal.size()?;
        let Lab {
            course,
            challenge,
            workspace,
            session,
            shell_home,
        } = lab;
        let shell_setup = ShellSetup {
            base: shell_spec(&session, &workspace),
            dir: workspace
                .root
                .join(crate::workspace::STATE_DIR)
                .join("shell"),
            home: shell_home,
        };
        let (spec, shell_init_failed) = shell_setup.spec();
        // Code blocks are commands when the shell would find their program.
        let path = spec
            .env
            .iter()
            .rev()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v.clone())
            .or_else(|| std::env::var("PATH").ok())
            .unwrap_or_default();
        let mut app = App::for_course(&course, session.vars.clone(), (size.width, size.height))
            .with_programs(code_kind::program_lookup(&path, workspace.root.clone()))
            .with_surroundings(tabs::Surroundings::from_env(
                session.local_api_origin().is_some(),
            ));
        let (tx, rx) = mpsc::sync_channel(256);
        event::spawn_input(tx.clone()).map_err(LabError::Input)?;
        event::spawn_signals(tx.clone()).map_err(LabError::Signals)?;
        // Without a watcher the lab still works; steps are checked on request.
        let watcher = watch::spawn_watcher(&workspace.root, tx.clone()).ok();
        let (rows, cols) = app.shell_size();
        let shell = Shell::spawn(&spec, rows, cols, tx.clone())?;
        let (progress, damaged) = load_progress(&workspace.progress_path(), &course.slug);
        if let Some(damaged) = damaged {
            app.update(Action::Saw(Seen::Notice(damaged)));
        }
        if let Some(error) = shell_init_failed {
            app.update(Action::Saw(Seen::Notice(format!(
                "the shell runs without history and prompt marks (steps are checked on saves): {error}"
            ))));
        }
        // Where the learner left off: the challenge (of a course), the step, the scroll.
        app.update(Action::Saw(Seen::Recorded(course_effects::records(
            &course, &progress,
        ))));
        let resumed = progress.resume.and_then(|r| r.challenge);
        let index = challenge.unwrap_or_else(|| app.course.resume_at(resumed));
        app.open_challenge(index);
        if let Some(Resume { step, scroll, .. }) = progress
            .resume
            .filter(|r| r.challenge == course_effects::resume_key(&course, index))
        {
            app.resume(step, scroll);
        }
        let now = Instant::now();
        if let Some(ends_at) =
            course_effects::timer_ends(&course, &progress, SystemTime::now(), now)
        {
            app.start_timer(ends_at, now);
        }
        let checks = spawn_check_worker(&course, &workspace, &session, tx.clone());
        let class = class_sender::start(&workspace, tx.clone());
        let mut event_loop = EventLoop {
            app,
            shell,
            shell_setup,
            tx,
            rx,
            checks,
            progress,
            course,
            workspace,
            _watcher: watcher,
            session,
            ending: Ending::Quit,
            class,
        };
        event_loop.update(Action::Saw(Seen::Started));
        Ok(event_loop)
    }

    pub(super) fn run(&mut self, terminal: &mut DefaultTerminal) -> Result<Ending, LabError> {
        let mut dirty = true;
        let mut last_frame = Instant::now() - FRAME;
        while self.app.running {
            if dirty && last_frame.elapsed() >= FRAME {
                self.shell
                    .parser
                    .screen_mut()
                    .set_scrollback(self.app.shell_scroll);
                self.update(Action::Saw(Seen::Frame {
                    shell_scroll: self.shell.parser.screen().scrollback(),
                    window_max_scroll: windows::window_max_scroll(&self.app),
                }));
                terminal.draw(|frame| ui::render(frame, &self.app, self.shell.parser.screen()))?;
                last_frame = Instant::now();
                dirty = false;
            }
            // Idle: block until something happens (or a held-back key is due).
            // Dirty: wait out the frame.
            let mut wake = self.app.deadline();
            if dirty {
                let frame_due = last_frame + FRAME;
                wake = Some(wake.map_or(frame_due, |w| w.min(frame_due)));
            }
            let event = match wake {
                Some(at) => match self
                    .rx
                    .recv_timeout(at.saturating_duration_since(Instant::now()))
                {
                    Ok(event) => Some(event),
                    Err(mpsc::RecvTimeoutError::Timeout) => None,
                    Err(mpsc::RecvTimeoutError::Disconnected) => break,
                },
                None => match self.rx.recv() {
                    Ok(event) => Some(event),
                    Err(_) => break,
                },
            };
            if let Some(event) = event {
                dirty |= self.handle(event);
                for event in self.rx.try_iter().take(BATCH).collect::<Vec<_>>() {
                    dirty |= self.handle(event);
                }
            }
            // After the events: a key that came in time continues its burst.
            if self.app.deadline().is_some_and(|d| d <= Instant::now()) {
                self.update(Action::Tick(Instant::now()));
                dirty = true;
            }
        }
        self.save_resume();
        self.shell.kill();
        // Every lifecycle script still running, and what setups left
        // running in the background, ends with the lab.
        if let Some(runner) = self.session.runner() {
            runner.in_flight().stop_all();
        }
        Ok(self.ending)
    }

    /// Handles one event; true when the screen must be redrawn.
    fn handle(&mut self, event: Event) -> bool {
        let action = match event {
            Event::Input(input, at) => match input::action_for(&input, at, &self.app) {
                Some(action) => action,
                None => return false,
            },
            Event::ShellOutput(bytes) => {
                let finished = self.shell.process(&bytes);
                let modes = Action::Saw(Seen::ShellModes(self.shell.modes()));
                match finished {
                    Some(exit) => {
                        self.update(modes);
                        Action::Saw(Seen::CommandFinished { exit })
                    }
                    None => modes,
                }
            }
            Event::ShellExited(code) => Action::Saw(Seen::ShellExited(code)),
            Event::FilesChanged => Action::Saw(Seen::FilesChanged),
            Event::ApiChanged => Action::Saw(Seen::ApiChanged),
            Event::Checked {
                challenge,
                reports,
                asked,
            } => {
                self.record(challenge, &reports, asked);
                if challenge != self.app.course.current {
                    // The learner moved on meanwhile: recorded, not shown.
                    return false;
                }
                Action::Saw(Seen::Checked(reports))
            }
            Event::ChallengeReady(index) => {
                // Its setup may have set agent variables the text shows.
                if let Ok(values) = crate::lesson::AgentVars::load(&self.workspace.root) {
                    self.update(Action::Saw(Seen::AgentVars(values)));
                }
                Action::Saw(Seen::ChallengeReady(index))
            }
            Event::ChallengeSkipped(index) => Action::Saw(Seen::ChallengeSkipped(index)),
            Event::Notice(text) => Action::Saw(Seen::Notice(text)),
            Event::Terminate(signal) => {
                self.ending = Ending::Signal(signal);
                Action::Saw(Seen::Terminate)
            }
        };
        self.update(action);
        true
    }

    /// The app's state changes only here: the app updates, the loop carries
    /// out the effects.
    fn update(&mut self, action: Action) {
        let effects = self.app.update(action);
        self.apply(effects);
    }

    fn apply(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::WriteShell(bytes) => self.shell.write(&bytes),
                Effect::Check { steps, asked } if !steps.is_empty() => {
                    // Unbounded: the UI thread must never wait on the worker.
                    let challenge = self.app.course.current;
                    let request = CheckRequest {
                        challenge,
                        steps,
                        asked,
                    };
                    let _ = self.checks.send(request);
                }
                Effect::Check { .. } => {}
                Effect::Copy(text) => copy_to_clipboard(&text),
                Effect::ResizeShell { rows, cols } => self.shell.resize(rows, cols),
                Effect::RestartShell => self.restart_shell(),
                Effect::ProbeShell(probe) => {
                    let activity = self.shell_activity();
                    self.update(Action::ShellProbed(probe, activity));
                }
                Effect::RecordHint(i) => {
                    let (id, title) = (
                        self.app.steps[i].id.clone(),
                        self.app.steps[i].title.clone(),
                    );
                    let key = self.challenge_key(self.app.course.current);
                    self.update_progress(|p| p.record_hint_in(key.as_deref(), &id, &title));
                }
                Effect::EnterChallenge(index) => self.enter_challenge(index),
                Effect::ChallengePassed(index) => self.challenge_passed(index),
                Effect::Skip(index) => self.skip_challenge(index),
                Effect::AnswerQuiz { challenge, chosen } => self.record_answer(&challenge, &chosen),
            }
        }
    }

    fn shell_activity(&self) -> jobs::ShellActivity {
        match self.shell.pid().and_then(|p| i32::try_from(p).ok()) {
            Some(pid) => jobs::activity(pid, self.shell.foreground_group()),
            None => jobs::ShellActivity::default(),
        }
    }

    fn restart_shell(&mut self) {
        let (rows, cols) = self.app.shell_size();
        // The rc files again: the workspace's state may have been removed meanwhile.
        let (spec, _) = self.shell_setup.spec();
        match Shell::spawn(&spec, rows, cols, self.tx.clone()) {
            Ok(shell) => self.shell = shell,
            Err(e) => self.update(Action::Saw(Seen::Notice(format!(
                "the shell could not start: {e}"
            )))),
        }
    }

    /// Records a check run's results (of challenge `challenge`'s steps) in
    /// the progress file.
    fn record(&mut self, challenge: usize, reports: &[StepReport], asked: bool) {
        let now = SystemTime::now();
        let key = self.challenge_key(challenge);
        self.update_progress(|p| p.record_in(key.as_deref(), reports, now, asked));
    }

    /// What keys a challenge's steps in the progress file: its slug in a
    /// course; nothing for a lesson of one (its file is as it always was).
    fn challenge_key(&self, index: usize) -> Option<String> {
        course_effects::resume_key(&self.course, index)
            .and_then(|i| self.course.challenges.get(i))
            .map(|c| c.slug.clone())
    }

    /// Applies a change to the progress file as it is on disk now (a
    /// `labrun check` in the shell may have recorded since), never writing
    /// the lab's older copy over it.
    fn update_progress(&mut self, change: impl FnOnce(&mut Progress)) {
        match crate::class::outbox::update_progress(&self.workspace, &self.course, change) {
            Ok(written) => {
                self.progress = written.progress;
                if written.queued > 0
                    && let Some(class) = &self.class
                {
                    class.wake();
                }
                if let Some(why) = written.unqueued {
                    let why = self.session.vars.redact(&why.to_string());
                    self.update(Action::Saw(Seen::Notice(format!(
                        "class events not queued: {why}"
                    ))));
                }
            }
            Err(e) => self.update(Action::Saw(Seen::Notice(format!(
                "progress not saved: {e}"
            )))),
        }
    }

    fn save_resume(&mut self) {
        let resume = Resume {
            step: self.app.current,
            scroll: self.app.scroll,
            challenge: course_effects::resume_key(&self.course, self.app.course.current),
        };
        self.update_progress(|p| p.resume = Some(resume));
    }
}

/// How the shell pane's shell starts: the learner's shell as `base`, and
/// what `shell_init` adds to it (rc files written under `dir`, `home`).
struct ShellSetup {
    base: ShellSpec,
    dir: std::path::PathBuf,
    home: ShellHome,
}

impl ShellSetup {
    /// The spec with its rc files written, and why it runs without them if
    /// they could not be.
    fn spec(&self) -> (ShellSpec, Option<ShellInitError>) {
        shell_init::integrate(self.base.clone(), &self.dir, &self.home)
    }
}

/// The learner's shell in the workspace, with the lesson's variables and
/// labrun's stand-ins first on PATH.
fn shell_spec(session: &Session, workspace: &Workspace) -> ShellSpec {
    let mut env = session.shell_env();
    if let Some(bin) = &session.extra_path {
        env.push((
            "PATH".into(),
            crate::script::prepend_path(bin)
                .to_string_lossy()
                .into_owned(),
        ));
    }
    env.push((
        "LABRUN_WORKSPACE".into(),
        workspace.root.display().to_string(),
    ));
    ShellSpec::login_shell(workspace.root.clone(), env)
}

/// The progress so far; a damaged file is moved aside (never overwritten)
/// and the learner told so.
fn load_progress(path: &std::path::Path, slug: &str) -> (Progress, Option<String>) {
    match Progress::load(path, slug) {
        Ok(progress) => (progress, None),
        Err(why) => {
            let aside =
                path.with_extension(format!("json.damaged-{}", crate::workspace::now_rfc3339()));
            let kept = std::fs::rename(path, &aside).map_or_else(
                |e| format!("(could not move it: {e})"),
                |()| format!("kept as {}", aside.display()),
            );
            (Progress::new(slug), Some(format!("{why}; {kept}")))
        }
    }
}
