//! `labrun start`: the lab in one terminal — lesson, shell and steps.
//!
//! Threads (input, shell reader, shell waiter, file watcher, signals, check
//! worker) send one `Event` type to the UI thread. The UI thread maps events
//! to actions, updates the state, carries out the effects, and redraws only
//! when something changed — at most every 16 ms during an output flood, and
//! never while idle (`event_loop`). Here: what the lab needs, how it ends,
//! and the worker that runs its checks.

pub mod app;
pub mod bindings;
pub mod burst;
pub mod code_kind;
pub mod course_ui;
pub mod event;
mod event_loop;
pub mod input;
pub mod jobs;
pub mod keys;
pub mod layout;
pub mod lesson;
pub mod prompt_marks;
pub mod replies;
pub mod shell;
pub mod shell_init;
pub mod tabs;
pub(crate) mod terminal;
pub mod ui;
pub mod vt_guard;
pub mod watch;
pub mod windows;

pub use terminal::{TerminalError, check_terminal};

use crate::checks::{self, Context, StepReport};
use crate::lesson::{Course, Vars};
use crate::session::Session;
use crate::workspace::Workspace;
use event::Event;
use std::collections::VecDeque;
use std::sync::mpsc::{self, SyncSender};

/// Everything the lab needs, prepared (and validated) before the screen is taken over.
pub struct Lab {
    /// The course (a lesson is a course of one challenge).
    pub course: Course,
    /// The challenge to open (from 0); None: where the learner left off
    /// (else the first challenge not done).
    pub challenge: Option<usize>,
    pub workspace: Workspace,
    pub session: Session,
    /// The shell pane's home and history file: the learner's own by
    /// default; a track maps them into its workspace.
    pub shell_home: shell_init::ShellHome,
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

/// Why the lab stopped before the learner quit. The messages are the
/// underlying errors' own; the command says the rest ("the lab stopped: …").
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    /// Taking over the terminal, reading its size or drawing on it.
    #[error(transparent)]
    Terminal(#[from] std::io::Error),
    /// Turning termination signals into events.
    #[error(transparent)]
    Signals(std::io::Error),
    /// Starting the thread that reads the terminal's input.
    #[error(transparent)]
    Input(std::io::Error),
    #[error(transparent)]
    Shell(#[from] shell::ShellError),
}

/// Runs the lab until the learner quits or a signal ends it.
pub fn run(lab: Lab) -> Result<Ending, LabError> {
    let mut terminal = terminal::init()?;
    let result =
        event_loop::EventLoop::new(lab, &mut terminal).and_then(|mut l| l.run(&mut terminal));
    terminal::restore();
    result
}

/// Steps of a challenge to check, and whether the learner asked (F5/F6)
/// or a change did.
struct CheckRequest {
    challenge: usize,
    steps: Vec<usize>,
    asked: bool,
}

/// Runs checks off the UI thread, one request at a time; results come back as events.
fn spawn_check_worker(
    course: &Course,
    workspace: &Workspace,
    session: &Session,
    tx: SyncSender<Event>,
) -> mpsc::Sender<CheckRequest> {
    let (requests, rx) = mpsc::channel::<CheckRequest>();
    let challenges = course.challenges.clone();
    let root = workspace.root.clone();
    let vars: Vars = session.vars.clone();
    let extra_path = session.extra_path.clone();
    let api = session.api.clone();
    // Script checks run through the session's runner (clones share its in-flight scripts).
    let runner = session.runner().cloned();
    std::thread::Builder::new()
        .name("checks".into())
        .spawn(move || {
            let mut waiting: VecDeque<CheckRequest> = VecDeque::new();
            while let Some(first) = waiting.pop_front().or_else(|| rx.recv().ok()) {
                let CheckRequest {
                    challenge,
                    mut steps,
                    mut asked,
                } = first;
                // Requests that piled up while checking are merged into one
                // run; another challenge's wait for the next.
                for more in rx.try_iter() {
                    if more.challenge == challenge {
                        steps.extend(more.steps);
                        asked |= more.asked;
                    } else {
                        waiting.push_back(more);
                    }
                }
                steps.sort_unstable();
                steps.dedup();
                let Some(lesson) = challenges.get(challenge) else {
                    continue;
                };
                // Every check asks the API through the session's one client.
                let ctx = Context {
                    workspace: &root,
                    lesson_dir: &lesson.dir,
                    vars: &vars,
                    extra_path: extra_path.clone(),
                    api: api.as_deref().map(Result::as_ref),
                    scripts: runner.as_ref().map(|runner| crate::checks::Scripts {
                        runner,
                        challenge_id: Some(&lesson.slug),
                    }),
                };
                let reports = steps
                    .iter()
                    .filter_map(|&i| lesson.steps.get(i))
                    .map(|step| run_step_guarded(step, &ctx))
                    .collect();
                let checked = Event::Checked {
                    challenge,
                    reports,
                    asked,
                };
                if tx.send(checked).is_err() {
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
