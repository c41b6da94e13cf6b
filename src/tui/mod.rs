//! `labrun start`: the lab in one terminal — lesson, shell and steps.
//!
//! Threads (input, shell reader, shell waiter, file watcher, signals, check
//! worker) send one `Event` type to the UI thread. The UI thread maps events
//! to actions, updates the state, carries out the effects, and redraws only
//! when something changed — at most every 16 ms during an output flood, and
//! never while idle.

pub mod app;
pub mod bindings;
pub mod burst;
pub mod code_kind;
pub mod event;
pub mod input;
pub mod jobs;
pub mod keys;
pub mod layout;
pub mod lesson;
pub mod shell;
pub mod tabs;
pub mod ui;
pub mod vt_guard;
pub mod windows;

use crate::checks::{self, Context, StepReport};
use crate::lesson::{Lesson, Vars};
use crate::progress::{Progress, Resume};
use crate::session::Session;
use crate::workspace::Workspace;
use app::{Action, App, Effect};
use event::Event;
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::execute;
use shell::{Shell, ShellSpec};
use std::io::Write;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::time::{Duration, Instant, SystemTime};

/// Shortest time between two frames while output pours in.
const FRAME: Duration = Duration::from_millis(16);
/// Events handled before a redraw, so a flood cannot starve the screen.
const BATCH: usize = 256;

/// Everything the lab needs, prepared (and validated) before the screen is taken over.
pub struct Lab {
    pub lesson: Lesson,
    pub workspace: Workspace,
    pub session: Session,
}

/// How the lab ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The learner quit.
    Quit,
    /// A signal ended it (its number).
    Signal(i32),
}

impl Ending {
    /// The process's exit code: 0 for a quit; 128 + the signal's number, as
    /// a shell reports a program a signal ended (SIGTERM 143, SIGHUP 129).
    pub fn exit_code(self) -> u8 {
        match self {
            Ending::Quit => 0,
            Ending::Signal(n) => u8::try_from(128 + n).unwrap_or(255),
        }
    }
}

/// Why the full-screen lab cannot run here; checked before the terminal is touched.
#[derive(Debug, thiserror::Error)]
pub enum TerminalError {
    #[error("labrun start needs a terminal; use `labrun check` in scripts")]
    NotATerminal,
    #[error(
        "labrun start needs a full-screen terminal, and TERM is {0:?}; \
         read the lesson with `labrun show` and check your steps with `labrun check`"
    )]
    Dumb(String),
}

/// Refuses a terminal the lab cannot draw on: no terminal at all, or one
/// that says it cannot move the cursor (`TERM=dumb`, or no TERM).
pub fn check_terminal() -> Result<(), TerminalError> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(TerminalError::NotATerminal);
    }
    let term = std::env::var("TERM").unwrap_or_default();
    if term.is_empty() || term == "dumb" {
        return Err(TerminalError::Dumb(term));
    }
    Ok(())
}

/// Runs the lab until the learner quits or a signal ends it.
pub fn run(lab: Lab) -> std::io::Result<Ending> {
    let mut terminal = init_terminal()?;
    let result = EventLoop::new(lab, &mut terminal).and_then(|mut l| l.run(&mut terminal));
    restore_terminal();
    result
}

fn init_terminal() -> std::io::Result<DefaultTerminal> {
    let terminal = ratatui::try_init().inspect_err(|_| restore_terminal())?;
    // ratatui's hook restores raw mode and the alternate screen; ours first
    // turns off what ratatui does not know we turned on.
    let ratatui_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(
            std::io::stdout(),
            DisableMouseCapture,
            DisableBracketedPaste
        );
        ratatui_hook(info);
    }));
    execute!(std::io::stdout(), EnableBracketedPaste, EnableMouseCapture)
        .inspect_err(|_| restore_terminal())?;
    Ok(terminal)
}

fn restore_terminal() {
    let _ = execute!(
        std::io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste
    );
    ratatui::restore();
}

struct EventLoop {
    app: App,
    shell: Shell,
    spec: ShellSpec,
    tx: SyncSender<Event>,
    rx: Receiver<Event>,
    checks: mpsc::Sender<CheckRequest>,
    progress: Progress,
    progress_path: std::path::PathBuf,
    _watcher: Option<notify::RecommendedWatcher>,
    _session: Session,
    ending: Ending,
}

impl EventLoop {
    fn new(lab: Lab, terminal: &mut DefaultTerminal) -> std::io::Result<EventLoop> {
        let size = terminal.size()?;
        let Lab {
            lesson,
            workspace,
            session,
        } = lab;
        let spec = shell_spec(&session, &workspace);
        // Code blocks are commands when the shell would find their program.
        let path = spec
            .env
            .iter()
            .rev()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v.clone())
            .or_else(|| std::env::var("PATH").ok())
            .unwrap_or_default();
        let mut app = App::new(&lesson, session.vars.clone(), (size.width, size.height))
            .with_programs(code_kind::program_lookup(&path, workspace.root.clone()))
            .with_surroundings(tabs::Surroundings::from_env(
                session.local_api_origin().is_some(),
            ));
        let (tx, rx) = mpsc::sync_channel(256);
        event::spawn_input(tx.clone());
        event::spawn_signals(tx.clone())?;
        // Without a watcher the lab still works; steps are checked on request.
        let watcher = event::spawn_watcher(&workspace.root, tx.clone()).ok();
        let (rows, cols) = app.shell_size();
        let shell = Shell::spawn(&spec, rows, cols, tx.clone())?;
        let progress_path = workspace.progress_path();
        let (progress, damaged) = load_progress(&progress_path, &lesson.slug);
        app.message = damaged;
        if let Some(Resume { step, scroll }) = progress.resume {
            app.resume(step, scroll);
        }
        let checks = spawn_check_worker(&lesson, &workspace, &session, tx.clone());
        let mut event_loop = EventLoop {
            app,
            shell,
            spec,
            tx,
            rx,
            checks,
            progress,
            progress_path,
            _watcher: watcher,
            _session: session,
            ending: Ending::Quit,
        };
        let all = (0..event_loop.app.steps.len()).collect();
        event_loop.apply(vec![Effect::Check {
            steps: all,
            asked: false,
        }]);
        Ok(event_loop)
    }

    fn run(&mut self, terminal: &mut DefaultTerminal) -> std::io::Result<Ending> {
        let mut dirty = true;
        let mut last_frame = Instant::now() - FRAME;
        while self.app.running {
            if dirty && last_frame.elapsed() >= FRAME {
                self.shell
                    .parser
                    .screen_mut()
                    .set_scrollback(self.app.shell_scroll);
                self.app.shell_scroll = self.shell.parser.screen().scrollback();
                if self.app.overlay.is_some() {
                    let limit = windows::window_max_scroll(&self.app);
                    self.app.overlay_scroll = self.app.overlay_scroll.min(limit);
                }
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
                let effects = self.app.update(Action::Tick(Instant::now()));
                self.apply(effects);
                dirty = true;
            }
        }
        self.save_resume();
        self.shell.kill();
        Ok(self.ending)
    }

    /// Handles one event; true when the screen must be redrawn.
    fn handle(&mut self, event: Event) -> bool {
        match event {
            Event::Input(input, at) => {
                let Some(action) = input::action_for(&input, at, &self.app) else {
                    return false;
                };
                let effects = self.app.update(action);
                self.apply(effects);
            }
            Event::ShellOutput(bytes) => {
                self.shell.process(&bytes);
                self.app.shell_modes = self.shell.modes();
            }
            Event::ShellExited(code) => self.app.shell_exited = Some(code),
            Event::FilesChanged => self.apply(vec![Effect::Check {
                steps: self.app.file_steps(),
                asked: false,
            }]),
            Event::ApiChanged => self.apply(vec![Effect::Check {
                steps: self.app.api_steps(),
                asked: false,
            }]),
            Event::Checked { reports, asked } => self.record(reports, asked),
            Event::Terminate(signal) => {
                self.ending = Ending::Signal(signal);
                self.app.running = false;
            }
        }
        true
    }

    fn apply(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::WriteShell(bytes) => self.shell.write(&bytes),
                Effect::Check { steps, asked } if !steps.is_empty() => {
                    for &i in &steps {
                        self.app.steps[i].checking = true;
                    }
                    // Unbounded: the UI thread must never wait on the worker.
                    let _ = self.checks.send(CheckRequest { steps, asked });
                }
                Effect::Check { .. } => {}
                Effect::Copy(text) => copy_to_clipboard(&text),
                Effect::ResizeShell { rows, cols } => self.shell.resize(rows, cols),
                Effect::RestartShell => self.restart_shell(),
                Effect::ProbeShell(probe) => {
                    let activity = self.shell_activity();
                    let effects = self.app.update(Action::ShellProbed(probe, activity));
                    self.apply(effects);
                }
                Effect::RecordHint(i) => {
                    let (id, title) = (
                        self.app.steps[i].id.clone(),
                        self.app.steps[i].title.clone(),
                    );
                    self.update_progress(|p| p.record_hint(&id, &title));
                }
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
        match Shell::spawn(&self.spec, rows, cols, self.tx.clone()) {
            Ok(shell) => self.shell = shell,
            Err(e) => self.app.message = Some(format!("the shell could not start: {e}")),
        }
    }

    fn record(&mut self, reports: Vec<StepReport>, asked: bool) {
        let now = SystemTime::now();
        self.update_progress(|p| p.record(&reports, now, asked));
        self.app.apply_reports(reports);
    }

    /// Applies a change to the progress file as it is on disk now (a
    /// `labrun check` in the shell may have recorded since), never writing
    /// the lab's older copy over it.
    fn update_progress(&mut self, change: impl FnOnce(&mut Progress)) {
        let lesson = self.progress.lesson.clone();
        match Progress::update(&self.progress_path, &lesson, change) {
            Ok(progress) => self.progress = progress,
            Err(e) => self.app.message = Some(format!("progress not saved: {e}")),
        }
    }

    fn save_resume(&mut self) {
        let resume = Resume {
            step: self.app.current,
            scroll: self.app.scroll,
        };
        self.update_progress(|p| p.resume = Some(resume));
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

/// Steps to check, and whether the learner asked (F5/F6) or a change did.
struct CheckRequest {
    steps: Vec<usize>,
    asked: bool,
}

/// Runs checks off the UI thread, one request at a time; results come back as events.
fn spawn_check_worker(
    lesson: &Lesson,
    workspace: &Workspace,
    session: &Session,
    tx: SyncSender<Event>,
) -> mpsc::Sender<CheckRequest> {
    let (requests, rx) = mpsc::channel::<CheckRequest>();
    let lesson = lesson.clone();
    let root = workspace.root.clone();
    let vars: Vars = session.vars.clone();
    let extra_path = session.extra_path.clone();
    let api = session.api.clone();
    std::thread::Builder::new()
        .name("checks".into())
        .spawn(move || {
            let ctx = Context {
                workspace: &root,
                lesson_dir: &lesson.dir,
                vars: &vars,
                extra_path,
                api,
            };
            while let Ok(CheckRequest {
                mut steps,
                mut asked,
            }) = rx.recv()
            {
                // Requests that piled up while checking are merged into one run.
                for more in rx.try_iter() {
                    steps.extend(more.steps);
                    asked |= more.asked;
                }
                steps.sort_unstable();
                steps.dedup();
                let reports = steps
                    .iter()
                    .filter_map(|&i| lesson.steps.get(i))
                    .map(|step| run_step_guarded(step, &ctx))
                    .collect();
                if tx.send(Event::Checked { reports, asked }).is_err() {
                    break;
                }
            }
        })
        .expect("spawning the check worker");
    requests
}

/// A check that panics (a bug of ours) becomes an error outcome instead of
/// ending the worker and leaving steps "checking" forever.
fn run_step_guarded(step: &crate::lesson::Step, ctx: &Context) -> StepReport {
    let run = std::panic::AssertUnwindSafe(|| checks::run_step(step, ctx));
    std::panic::catch_unwind(run).unwrap_or_else(|_| StepReport {
        id: step.id.clone(),
        title: step.title.clone(),
        status: checks::Status::Error,
        outcomes: vec![checks::Outcome::error(
            &step.title,
            "labrun failed while checking this step (a bug: please report it)",
        )],
    })
}

/// OSC 52: the terminal puts the text on the system clipboard, also over SSH.
fn copy_to_clipboard(text: &str) {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut stdout = std::io::stdout();
    let _ = write!(stdout, "\x1b]52;c;{encoded}\x07").and_then(|()| stdout.flush());
}
