//! The lab's state: plain data (no terminal, no threads, no files), the
//! actions that change it and the effects it asks the event loop to carry
//! out. How each action changes it is in `update`; the lesson side in
//! `lesson`, typing in the lab in `typing`, re-checks after a shell command
//! in `after_command`, the course's challenges in `course`, a quiz in
//! `quiz`, the course's timer in `timer`.

use crate::checks::{Status, StepReport};
use crate::lesson::instruqt::Tab;
use crate::lesson::{CheckKind, Course, Lesson, Vars};
use crate::tui::bindings::{Command, Keys, first_key};
use crate::tui::burst::Burst;
use crate::tui::code_kind::{self, CodeKind};
use crate::tui::jobs::ShellActivity;
use crate::tui::keys::{self, Modes};
// The lesson pane's `Wrapped` is built by `lesson_pane::wrap`, once per width or content change.
pub use crate::tui::layout::{self, Areas, inner};
use crate::tui::lesson::{self as lesson_pane, Document, Wrapped};
use crate::tui::tabs::{self, Surroundings};
use lesson::quoted_notes;
use ratatui::layout::Rect;
use std::time::Instant;
use steps::step_files;

pub use course::{ChallengeView, CourseView, Recorded};
pub use quiz::{QuizLine, QuizStatus, QuizView};
pub use timer::Timer;

/// Below this the layout cannot show a lesson, a checklist and a shell.
pub const MIN_SIZE: (u16, u16) = (80, 20);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Shell,
    Lesson,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help,
    Hint(usize),
    Results(usize),
    /// A yes/no question before quitting ends what runs in the shell.
    ConfirmQuit(String),
    /// The current challenge's notes, shown on entering it (a course).
    Notes,
    /// The course's summary: each challenge, passed or skipped, and its time.
    Summary,
    /// A yes/no question before skipping challenge N (from 0).
    ConfirmSkip(usize),
}

impl Overlay {
    /// A yes/no question: every key answers it.
    pub fn is_question(&self) -> bool {
        matches!(self, Overlay::ConfirmQuit(_) | Overlay::ConfirmSkip(_))
    }
}

/// What the lab looks at, put back when keys it took as commands were text.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    current: usize,
    scroll: usize,
    code_block: Option<usize>,
    overlay: Option<Overlay>,
    overlay_scroll: usize,
    /// A quiz's highlighted and marked answers.
    quiz: Option<(usize, Vec<usize>)>,
}

/// Why the lab asked what runs in the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    Quit,
    /// Open `file` (relative to the workspace) at `line` in the learner's editor.
    Edit {
        file: String,
        line: Option<usize>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct StepView {
    pub id: String,
    pub title: String,
    pub section: Option<String>,
    pub hint: String,
    /// Whether its checks ask the Vendor API (re-checked when the API's state changes).
    pub uses_api: bool,
    pub report: Option<StepReport>,
    pub checking: bool,
    /// The workspace files its checks read, in order (what the editor key opens).
    pub files: Vec<String>,
    /// Whether its checks read what only a finished command tells of (see `after_command`).
    pub after_commands: bool,
}

impl StepView {
    pub fn status(&self) -> Option<Status> {
        self.report.as_ref().map(|r| r.status)
    }
}

/// Everything a frame shows.
pub struct App {
    pub title: String,
    pub subtitle: String,
    pub focus: Focus,
    pub overlay: Option<Overlay>,
    pub steps: Vec<StepView>,
    pub current: usize,
    /// The challenge's notes, as block quotes, and its text (variables not filled in yet).
    notes: String,
    body: String,
    /// The challenge's tabs, and what stands in for them here.
    tabs: Vec<Tab>,
    surroundings: Surroundings,
    vars: Vars,
    pub reveal_secrets: bool,
    /// What the course's scripts set with `agent variable set`: they fill
    /// the text's `[[ Instruqt-Var ]]` placeholders.
    pub agent_vars: crate::lesson::AgentVars,
    pub doc: Document,
    pub wrapped: Wrapped,
    pub scroll: usize,
    /// The selected code block's number (1-based, as shown in its header).
    pub code_block: Option<usize>,
    pub shell_exited: Option<Option<u32>>,
    /// How far the shell pane is scrolled back (0 = live).
    pub shell_scroll: usize,
    pub size: (u16, u16),
    pub message: Option<String>,
    pub running: bool,
    asset_exists: Vec<String>,
    /// How far an open window is scrolled.
    pub overlay_scroll: usize,
    /// The shell pane's terminal modes (kept current by the event loop), for pastes.
    pub shell_modes: Modes,
    /// Keys typed in the lab in quick succession (see `burst`).
    burst: Option<Burst<View>>,
    /// What each code block is (by index): only commands are run.
    code_kinds: Vec<CodeKind>,
    /// A command finished while its steps were being checked: they are
    /// checked again when those results are in (see `after_command`).
    recheck_waiting: bool,
    /// The course and the challenge on screen (a lesson is a course of one).
    pub course: CourseView,
    /// The question's answers, when the challenge on screen is a quiz.
    pub quiz: Option<QuizView>,
    /// The course's remaining time, where the course shows a timer.
    pub timer: Option<Timer>,
}

/// What happened, as the app sees it: the learner's input, and what the
/// event loop saw of the lab's surroundings (the shell, the workspace, the
/// checks, the frame about to be drawn). Once the lab runs, every change
/// of the app's state comes through one of these.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A key's command (see `bindings`).
    Command(Command),
    /// A printable key typed while the lab has the keys, the command it is
    /// bound to there (if any), and when it came.
    LabChar {
        c: char,
        command: Option<Command>,
        at: Instant,
    },
    /// Time passed: commands of a burst that ended act now, the timer
    /// shows the time left.
    Tick(Instant),
    /// What runs in the shell, as asked for `Probe`.
    ShellProbed(Probe, ShellActivity),
    /// The answer to a yes/no question.
    Confirm(bool),
    /// A click on the lesson.
    FocusLesson,
    /// The wheel over the lesson, and over the shell.
    Scroll(isize),
    ShellScroll(isize),
    /// A click on a step.
    SelectStepAt(usize),
    /// Bytes for the shell (typed keys).
    ShellInput(Vec<u8>),
    /// Text the terminal pasted.
    Paste(String),
    Resize(u16, u16),
    /// What the loop saw of the lab's surroundings.
    Saw(Seen),
}

/// What the event loop saw of the lab's surroundings: not the learner's
/// doing, so these leave the message and a burst of keys alone.
#[derive(Debug, Clone, PartialEq)]
pub enum Seen {
    /// The lab is up: the challenge on screen is entered
    /// (`Effect::EnterChallenge`).
    Started,
    /// Challenge N (from 0) is ready (its setup ran): its steps are checked
    /// once (not counted as an attempt).
    ChallengeReady(usize),
    /// Challenge N was skipped (its solve scripts ran): the next one is entered.
    ChallengeSkipped(usize),
    /// The course's challenges as the workspace's progress records them.
    Recorded(Vec<Recorded>),
    /// The program in the shell set the terminal modes that decide what
    /// keys and pastes send.
    ShellModes(Modes),
    /// The shell exited, with its exit code if it had one.
    ShellExited(Option<u32>),
    /// The learner's files changed: the steps that read them are checked again.
    FilesChanged,
    /// The local Vendor API's state changed: the steps that ask it are checked again.
    ApiChanged,
    /// A command finished in the shell (its prompt mark said so), with its
    /// exit code when the shell gave one: the steps whose checks read what
    /// no watcher sees are checked again (see `after_command`).
    CommandFinished { exit: Option<i32> },
    /// Results of a check run.
    Checked(Vec<StepReport>),
    /// The frame about to be drawn: where the shell's screen is scrolled
    /// (vt100 stops at the top of its history) and how far the open window
    /// can scroll (only drawing knows its height).
    Frame {
        shell_scroll: usize,
        window_max_scroll: usize,
    },
    /// Something the learner should know that the loop found out (progress
    /// not saved, a damaged progress file moved aside, the shell could not start).
    Notice(String),
    /// The agent variables the course's scripts have set so far.
    AgentVars(crate::lesson::AgentVars),
    /// A signal: the lab ends.
    Terminate,
}

/// What the event loop must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    WriteShell(Vec<u8>),
    /// Run the checks of these steps (indices) on a worker; `asked` when
    /// the learner asked (counted as an attempt), not a file change.
    Check {
        steps: Vec<usize>,
        asked: bool,
    },
    /// Put text on the clipboard (OSC 52).
    Copy(String),
    ResizeShell {
        rows: u16,
        cols: u16,
    },
    RestartShell,
    RecordHint(usize),
    /// Find out what runs in the shell, and answer with `Action::ShellProbed`.
    ProbeShell(Probe),
    /// Enter challenge N of the course (from 0), as the lab opens or the
    /// learner moves there: its setup runs (once), then the loop answers
    /// with `Seen::ChallengeReady(N)`.
    EnterChallenge(usize),
    /// Challenge N passed (every step passes): recorded; its cleanup runs.
    ChallengePassed(usize),
    /// Skip challenge N (the learner confirmed; the course allows it): its
    /// solve scripts run, it is recorded as skipped, and the loop answers
    /// with `Seen::ChallengeSkipped(N)`.
    Skip(usize),
    /// Record a quiz's answer (indexes from 0) for the challenge whose
    /// slug is `challenge`, where the quiz check reads it.
    AnswerQuiz {
        challenge: String,
        chosen: Vec<usize>,
    },
}

impl App {
    /// A lesson of one challenge.
    pub fn new(lesson: &Lesson, vars: Vars, size: (u16, u16)) -> App {
        App::on_course(CourseView::of_one(lesson), vars, size)
    }

    /// A course, on its first challenge (`open_challenge` opens another).
    pub fn for_course(course: &Course, vars: Vars, size: (u16, u16)) -> App {
        App::on_course(CourseView::of(course), vars, size)
    }

    fn on_course(course: CourseView, vars: Vars, size: (u16, u16)) -> App {
        let mut app = App {
            title: String::new(),
            subtitle: String::new(),
            focus: Focus::Shell,
            overlay: None,
            steps: Vec::new(),
            current: 0,
            notes: String::new(),
            body: String::new(),
            tabs: Vec::new(),
            surroundings: Surroundings::default(),
            vars,
            reveal_secrets: false,
            agent_vars: Default::default(),
            doc: Document::parse("", |_| true),
            wrapped: lesson_pane::wrap(&Document::parse("", |_| true), 10, None),
            scroll: 0,
            code_block: None,
            shell_exited: None,
            shell_scroll: 0,
            size,
            message: None,
            running: true,
            asset_exists: Vec::new(),
            overlay_scroll: 0,
            shell_modes: Modes::default(),
            burst: None,
            code_kinds: Vec::new(),
            recheck_waiting: false,
            course,
            quiz: None,
            timer: None,
        };
        app.show_challenge(0);
        app.with_programs(|_| false)
    }

    /// Tells commands from other code blocks; `is_program` says whether a
    /// word names a program on the shell's PATH (see `code_kind`).
    /// Every challenge's blocks are told apart here, once.
    pub fn with_programs(mut self, is_program: impl Fn(&str) -> bool) -> App {
        let classify = |doc: &Document| -> Vec<CodeKind> {
            doc.code_blocks()
                .iter()
                .map(|b| code_kind::classify(&b.info, &b.text, &is_program))
                .collect()
        };
        for index in 0..self.course.challenges.len() {
            // The one on screen is parsed already.
            let kinds = if index == self.course.current {
                classify(&self.doc)
            } else {
                classify(&self.challenge_document(index))
            };
            self.course.challenges[index].code_kinds = kinds;
        }
        self.code_kinds = self.course.challenges[self.course.current]
            .code_kinds
            .clone();
        self.reparse();
        self
    }

    /// What stands in for the lesson's tabs (the editor, the local API).
    pub fn with_surroundings(mut self, surroundings: Surroundings) -> App {
        self.surroundings = surroundings;
        self.reparse();
        self
    }

    pub fn areas(&self) -> Areas {
        let answer_rows = |width: u16| self.answer_rows(width);
        let panes = layout::LeftPanes {
            steps: self.steps.len(),
            challenges: if self.course.is_course() {
                self.course.challenges.len()
            } else {
                0
            },
            answers: &answer_rows,
        };
        layout::layout(
            Rect::new(0, 0, self.size.0, self.size.1),
            &panes,
            self.focus,
        )
    }

    pub fn too_small(&self) -> bool {
        self.size.0 < MIN_SIZE.0 || self.size.1 < MIN_SIZE.1
    }

    /// The shell pane's inner size, as (rows, cols).
    pub fn shell_size(&self) -> (u16, u16) {
        let inner = inner(self.areas().shell);
        (inner.height.max(2), inner.width.max(2))
    }

    /// When the loop must send a `Tick`: a burst's waiting commands are
    /// due, or the timer shows the next second. Never while idle without
    /// a timer, so an idle lab sleeps.
    pub fn deadline(&self) -> Option<Instant> {
        let burst = self.burst.as_ref().and_then(Burst::deadline);
        let timer = self.timer.as_ref().and_then(Timer::next_tick);
        match (burst, timer) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

mod after_command;
mod course;
#[cfg(test)]
mod course_tests;
mod lesson;
mod quiz;
mod steps;
#[cfg(test)]
mod tests;
mod timer;
mod typing;
mod update;
