//! The lab's state, and how actions change it. Plain data: no terminal, no
//! threads, no files. `update` returns the effects the event loop carries out.

use super::bindings::Command;
use super::burst::Burst;
use super::code_kind::{self, CodeKind};
use super::jobs::ShellActivity;
use super::keys::{self, Modes};
use super::lesson_view::{self, Document, Wrapped};
use std::time::Instant;
// `Wrapped` is built by `lesson_view::wrap`, once per width or content change.
use crate::checks::{Status, StepReport};
use crate::lesson::{CheckKind, Lesson, Vars};
use ratatui::layout::{Constraint, Layout, Rect};

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
}

/// What the lab looks at, put back when keys it took as commands were text.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    current: usize,
    scroll: usize,
    code_block: Option<usize>,
    overlay: Option<Overlay>,
    overlay_scroll: usize,
}

/// Why the lab asked what runs in the shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    Quit,
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
    /// The lesson text with variables filled in (secrets masked unless revealed).
    markdown_source: String,
    vars: Vars,
    pub reveal_secrets: bool,
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
}

/// What happened, as the app sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// Time passed: commands of a burst that ended act now.
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
}

/// Where each part of the screen is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub lesson: Rect,
    pub steps: Rect,
    pub shell: Rect,
    pub status: Rect,
}

pub fn layout(area: Rect, step_count: usize) -> Areas {
    let [header, body, status] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let [left, shell] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
    let steps_height = (step_count as u16 + 3).min(left.height / 2);
    let [lesson, steps] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(steps_height)]).areas(left);
    Areas {
        header,
        lesson,
        steps,
        shell,
        status,
    }
}

/// The inside of a bordered pane.
pub fn inner(area: Rect) -> Rect {
    area.inner(ratatui::layout::Margin::new(1, 1))
}

impl App {
    pub fn new(lesson: &Lesson, vars: Vars, size: (u16, u16)) -> App {
        let front = &lesson.challenge.front;
        let mut subtitle = front.teaser.clone().unwrap_or_default();
        if let Some(difficulty) = &front.difficulty {
            subtitle.push_str(&format!(" · {difficulty}"));
        }
        if let Some(limit) = front.timelimit {
            subtitle.push_str(&format!(" · {} min", limit.div_ceil(60)));
        }
        let steps = lesson
            .steps
            .iter()
            .map(|s| StepView {
                id: s.id.clone(),
                title: s.title.clone(),
                section: s.section.clone(),
                hint: vars.redact(
                    &vars
                        .expand(s.hint.trim())
                        .unwrap_or_else(|_| s.hint.trim().to_string()),
                ),
                uses_api: s
                    .checks
                    .iter()
                    .any(|c| matches!(c.kind, CheckKind::Release { .. })),
                report: None,
                checking: false,
            })
            .collect();
        let notes: Vec<String> = front
            .notes
            .iter()
            .filter_map(|n| n.contents.clone())
            .collect();
        let markdown_source = notes_then_body(&notes, &lesson.challenge.body);
        let images = crate::lesson::markdown::outline(&lesson.challenge.body).images;
        let asset_exists = images
            .into_iter()
            .filter(|i| lesson.asset(&i.url).is_some())
            .map(|i| i.url)
            .collect();
        let mut app = App {
            title: front.title.clone(),
            subtitle,
            focus: Focus::Shell,
            overlay: None,
            steps,
            current: 0,
            markdown_source,
            vars,
            reveal_secrets: false,
            doc: Document::parse("", |_| true),
            wrapped: lesson_view::wrap(&Document::parse("", |_| true), 10, None),
            scroll: 0,
            code_block: None,
            shell_exited: None,
            shell_scroll: 0,
            size,
            message: None,
            running: true,
            asset_exists,
            overlay_scroll: 0,
            shell_modes: Modes::default(),
            burst: None,
            code_kinds: Vec::new(),
        };
        app.reparse();
        app.with_programs(|_| false)
    }

    /// Tells commands from other code blocks; `is_program` says whether a
    /// word names a program on the shell's PATH (see `code_kind`).
    pub fn with_programs(mut self, is_program: impl Fn(&str) -> bool) -> App {
        self.code_kinds = self
            .doc
            .code_blocks()
            .iter()
            .map(|b| code_kind::classify(&b.info, &b.text, &is_program))
            .collect();
        self.reparse();
        self
    }

    pub fn areas(&self) -> Areas {
        layout(Rect::new(0, 0, self.size.0, self.size.1), self.steps.len())
    }

    pub fn too_small(&self) -> bool {
        self.size.0 < MIN_SIZE.0 || self.size.1 < MIN_SIZE.1
    }

    /// The shell pane's inner size, as (rows, cols).
    pub fn shell_size(&self) -> (u16, u16) {
        let inner = inner(self.areas().shell);
        (inner.height.max(2), inner.width.max(2))
    }

    fn reparse(&mut self) {
        let text = self.vars.render(&self.markdown_source, self.reveal_secrets);
        let assets = &self.asset_exists;
        let sections: Vec<(String, String)> = self
            .steps
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((s.section.clone()?, format!("step {}: {}", i + 1, s.id))))
            .collect();
        self.doc = Document::parse(&text, |url| {
            url.contains("://") || assets.iter().any(|a| a == url)
        })
        .with_sections(sections)
        .with_code_kinds(self.code_kinds.clone());
        self.rewrap();
    }

    /// Wraps the lesson for the pane's width: once per width or content change.
    fn rewrap(&mut self) {
        let width = inner(self.areas().lesson).width.max(10);
        self.wrapped = lesson_view::wrap(&self.doc, width, self.code_block);
        self.scroll = self.scroll.min(self.max_scroll());
    }

    fn lesson_height(&self) -> usize {
        inner(self.areas().lesson).height as usize
    }

    fn max_scroll(&self) -> usize {
        self.wrapped
            .lines
            .len()
            .saturating_sub(self.lesson_height().max(1))
    }

    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::LabChar { c, command, at } => {
                self.message = None;
                self.lab_char(c, command, at)
            }
            Action::Tick(now) => {
                if self.burst.as_ref().is_some_and(|b| !b.continues_at(now)) {
                    return self.end_burst();
                }
                Vec::new()
            }
            Action::ShellProbed(probe, activity) => self.probed(probe, activity),
            Action::Resize(cols, rows) => {
                self.size = (cols, rows);
                self.rewrap();
                let (rows, cols) = self.shell_size();
                vec![Effect::ResizeShell { rows, cols }]
            }
            // Typing in the shell leaves a message up: it may be about that typing.
            other => {
                if !matches!(other, Action::ShellInput(_)) {
                    self.message = None;
                }
                let mut effects = self.end_burst();
                effects.extend(self.act(other));
                effects
            }
        }
    }

    /// When the loop must send a `Tick`: a burst's waiting commands are due.
    pub fn deadline(&self) -> Option<Instant> {
        self.burst.as_ref().and_then(Burst::deadline)
    }

    fn act(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Command(command) => return self.run(command),
            Action::Confirm(yes) => {
                if matches!(self.overlay, Some(Overlay::ConfirmQuit(_))) {
                    self.overlay = None;
                    if yes {
                        self.running = false;
                    } else {
                        self.message = Some("not quitting".into());
                    }
                }
            }
            Action::FocusLesson => self.focus = Focus::Lesson,
            Action::Scroll(delta) => self.scroll_by(delta),
            Action::ShellScroll(delta) => {
                self.shell_scroll = self.shell_scroll.saturating_add_signed(delta);
            }
            // A click on a step selects it; it leaves the keys where they are.
            Action::SelectStepAt(index) => {
                let delta = index as isize - self.current as isize;
                self.select_step(delta);
            }
            Action::ShellInput(bytes) => {
                self.close_window_for_typing();
                self.shell_scroll = 0;
                return vec![Effect::WriteShell(bytes)];
            }
            Action::Paste(text) => {
                // Pasted text is for the shell, whoever had the keys.
                self.close_window_for_typing();
                self.focus = Focus::Shell;
                self.shell_scroll = 0;
                return vec![Effect::WriteShell(keys::encode_paste(
                    &text,
                    self.shell_modes,
                ))];
            }
            Action::LabChar { .. }
            | Action::Tick(_)
            | Action::ShellProbed(..)
            | Action::Resize(..) => {}
        }
        Vec::new()
    }

    /// What a key's command does.
    fn run(&mut self, command: Command) -> Vec<Effect> {
        match command {
            Command::FocusLab => self.focus = Focus::Lesson,
            Command::FocusShell => {
                self.focus = Focus::Shell;
                self.overlay = None;
            }
            Command::Help => self.open_window(Overlay::Help),
            Command::Hint if self.current < self.steps.len() => {
                self.open_window(Overlay::Hint(self.current));
                return vec![Effect::RecordHint(self.current)];
            }
            Command::Results if self.current < self.steps.len() => {
                self.open_window(Overlay::Results(self.current));
            }
            Command::Hint | Command::Results => {}
            Command::CheckCurrent => return self.check(vec![self.current]),
            Command::CheckAll => return self.check((0..self.steps.len()).collect()),
            Command::PrevCodeBlock => self.select_code_block(-1),
            Command::NextCodeBlock => self.select_code_block(1),
            Command::RunCode => return self.paste_code(true),
            Command::PasteCode => return self.paste_code(false),
            Command::CopyCode => {
                if let Some(block) = self.selected_code() {
                    self.message = Some("copied the code block to the clipboard".into());
                    return vec![Effect::Copy(block)];
                }
                self.message = Some("select a code block first (n / F8)".into());
            }
            Command::PrevStep => self.select_step(-1),
            Command::NextStep => self.select_step(1),
            Command::ScrollDown => self.scroll_view(1),
            Command::ScrollUp => self.scroll_view(-1),
            Command::PageDown => self.scroll_view(self.page()),
            Command::PageUp => self.scroll_view(-self.page()),
            Command::Top => self.scroll_view(isize::MIN),
            Command::Bottom => self.scroll_view(isize::MAX),
            Command::ShellHistoryUp => self.shell_scroll += self.shell_page(),
            Command::ShellHistoryDown => {
                self.shell_scroll = self.shell_scroll.saturating_sub(self.shell_page());
            }
            Command::ToggleSecrets => {
                self.reveal_secrets = !self.reveal_secrets;
                self.reparse();
            }
            Command::RestartShell if self.shell_exited.is_some() => {
                self.shell_exited = None;
                self.shell_scroll = 0;
                return vec![Effect::RestartShell];
            }
            Command::RestartShell => {
                self.message = Some("the shell is running (r restarts it after it exits)".into());
            }
            Command::Quit if self.shell_exited.is_some() => self.running = false,
            Command::Quit => return vec![Effect::ProbeShell(Probe::Quit)],
            Command::Close => self.overlay = None,
        }
        Vec::new()
    }

    fn probed(&mut self, probe: Probe, activity: ShellActivity) -> Vec<Effect> {
        match probe {
            // Quitting ends the shell's session: ask first if that ends a program.
            Probe::Quit => match activity.describe() {
                None => self.running = false,
                Some(what) => {
                    self.open_window(Overlay::ConfirmQuit(format!("{what} — quit anyway? y/n")))
                }
            },
        }
        Vec::new()
    }

    /// A printable key while the lab has the keys: a command, or typing
    /// meant for the shell (see `burst`).
    fn lab_char(&mut self, c: char, command: Option<Command>, at: Instant) -> Vec<Effect> {
        let mut effects = Vec::new();
        if self.burst.as_ref().is_some_and(|b| !b.continues_at(at)) {
            effects.extend(self.end_burst());
        }
        match command {
            Some(command) => {
                if self.burst.is_none() {
                    self.burst = Some(Burst::new(self.view(), at));
                }
                let acts_now = self.burst.as_mut().is_some_and(|b| b.push(c, command, at));
                if acts_now {
                    effects.extend(self.run(command));
                }
            }
            None => {
                // Not a lab key: the learner is typing. The burst so far was text too.
                let mut text = match self.burst.take() {
                    Some(burst) => {
                        self.restore(burst.before);
                        burst.text
                    }
                    None => String::new(),
                };
                text.push(c);
                effects.extend(self.type_in_shell(text, c));
            }
        }
        effects
    }

    /// The commands a burst held back act now that it is over.
    fn end_burst(&mut self) -> Vec<Effect> {
        let Some(burst) = self.burst.take() else {
            return Vec::new();
        };
        burst
            .pending
            .into_iter()
            .flat_map(|command| self.run(command))
            .collect()
    }

    fn type_in_shell(&mut self, text: String, stray: char) -> Vec<Effect> {
        if self.shell_exited.is_some() {
            self.message = Some(format!(
                "“{stray}” is not a lab key; the shell has exited: r restarts it"
            ));
            return Vec::new();
        }
        self.focus = Focus::Shell;
        self.overlay = None;
        self.shell_scroll = 0;
        self.message = Some(format!(
            "typed “{text}” in the shell: “{stray}” is not a lab key (Ctrl-] gives the keys to the lab)"
        ));
        vec![Effect::WriteShell(text.into_bytes())]
    }

    fn view(&self) -> View {
        View {
            current: self.current,
            scroll: self.scroll,
            code_block: self.code_block,
            overlay: self.overlay.clone(),
            overlay_scroll: self.overlay_scroll,
        }
    }

    fn restore(&mut self, view: View) {
        let rewrap = view.code_block != self.code_block;
        self.current = view.current;
        self.code_block = view.code_block;
        self.overlay = view.overlay;
        self.overlay_scroll = view.overlay_scroll;
        if rewrap {
            self.rewrap();
        }
        self.scroll = view.scroll.min(self.max_scroll());
    }

    fn open_window(&mut self, overlay: Overlay) {
        self.overlay = Some(overlay);
        self.overlay_scroll = 0;
    }

    /// Typing goes on in the shell: a window it would hide is closed (not a question).
    fn close_window_for_typing(&mut self) {
        if !matches!(self.overlay, Some(Overlay::ConfirmQuit(_))) {
            self.overlay = None;
        }
    }

    /// Scrolls the open window, else the lesson. The window's end is
    /// clamped where it is drawn, as only drawing knows its height.
    fn scroll_view(&mut self, delta: isize) {
        if self.overlay.is_some() {
            self.overlay_scroll = match delta {
                isize::MIN => 0,
                isize::MAX => usize::MAX / 2,
                d => self
                    .overlay_scroll
                    .min(usize::MAX / 2)
                    .saturating_add_signed(d),
            };
            return;
        }
        match delta {
            isize::MIN => self.scroll = 0,
            isize::MAX => self.scroll = self.max_scroll(),
            d => self.scroll_by(d),
        }
    }

    fn page(&self) -> isize {
        self.lesson_height().max(1) as isize
    }

    fn shell_page(&self) -> usize {
        usize::from(self.shell_size().0).saturating_sub(2).max(1)
    }

    fn scroll_by(&mut self, delta: isize) {
        self.scroll = self
            .scroll
            .saturating_add_signed(delta)
            .min(self.max_scroll());
    }

    fn select_code_block(&mut self, delta: isize) {
        let count = self.doc.code_blocks().len();
        if count == 0 {
            return;
        }
        let next = match self.code_block {
            None if delta > 0 => self.first_visible_code_block().unwrap_or(1),
            None => count,
            Some(n) => n.saturating_add_signed(delta).clamp(1, count),
        };
        self.code_block = Some(next);
        self.rewrap();
        // Bring the block into view, a few lines below the top.
        if let Some(line) = self.wrapped.code_block_line(next) {
            let height = self.lesson_height();
            if line < self.scroll || line + 3 > self.scroll + height {
                self.scroll = line.saturating_sub(2).min(self.max_scroll());
            }
        }
    }

    fn first_visible_code_block(&self) -> Option<usize> {
        self.wrapped
            .line_code_block
            .iter()
            .skip(self.scroll)
            .flatten()
            .next()
            .copied()
    }

    pub fn selected_code(&self) -> Option<String> {
        let number = self.code_block?;
        self.doc
            .code_blocks()
            .iter()
            .find(|b| b.number == number)
            .map(|b| b.text.clone())
    }

    fn paste_code(&mut self, run: bool) -> Vec<Effect> {
        let modes = self.shell_modes;
        let Some(code) = self.selected_code() else {
            self.message = Some("select a code block first (n / F8)".into());
            return Vec::new();
        };
        let number = self.code_block.unwrap_or_default();
        if let Some(kind) = self.doc.code_kind(number).filter(|_| run)
            && kind != CodeKind::Command
        {
            self.message = Some(format!(
                "block {number} is {}, not a command: p pastes it (into an editor), y copies it",
                match kind {
                    CodeKind::FileContent => "a file's content",
                    _ => "text to read",
                }
            ));
            return Vec::new();
        }
        if code.contains(crate::lesson::vars::REDACTED) {
            self.message =
                Some("this block holds a hidden secret: reveal secrets (s) first".into());
            return Vec::new();
        }
        let text = code.trim_end_matches('\n');
        if !run && !modes.bracketed_paste && text.contains('\n') {
            // Typed out, every newline would be Enter: all lines but the last would run.
            self.message = Some(
                "the program in the shell takes no bracketed paste, so pasting would run each line: \
                 F9 runs the block, y copies it"
                    .into(),
            );
            return Vec::new();
        }
        let mut bytes = keys::encode_paste(text, modes);
        if run {
            bytes.push(b'\r');
        }
        self.focus = Focus::Shell;
        self.shell_scroll = 0;
        vec![Effect::WriteShell(bytes)]
    }

    fn check(&mut self, steps: Vec<usize>) -> Vec<Effect> {
        let steps: Vec<usize> = steps
            .into_iter()
            .filter(|&i| i < self.steps.len())
            .collect();
        for &i in &steps {
            self.steps[i].checking = true;
        }
        vec![Effect::Check { steps, asked: true }]
    }

    fn select_step(&mut self, delta: isize) {
        if self.steps.is_empty() {
            return;
        }
        self.current = self
            .current
            .saturating_add_signed(delta)
            .min(self.steps.len() - 1);
        self.scroll_to_step();
    }

    /// Scrolls the lesson to the heading of the current step.
    fn scroll_to_step(&mut self) {
        let Some(section) = self.steps.get(self.current).and_then(|s| s.section.clone()) else {
            return;
        };
        if let Some((line, _)) = self
            .wrapped
            .heading_lines
            .iter()
            .find(|(_, h)| h.trim() == section.trim())
        {
            self.scroll = (*line).min(self.max_scroll());
        }
    }

    /// New results: shown per step; the current step moves to the first
    /// step not yet passing, and the lesson follows it.
    pub fn apply_reports(&mut self, reports: Vec<StepReport>) {
        for report in reports {
            if let Some(step) = self.steps.iter_mut().find(|s| s.id == report.id) {
                step.checking = false;
                step.report = Some(report);
            }
        }
        let first_open = self
            .steps
            .iter()
            .position(|s| s.status() != Some(Status::Pass));
        if let Some(next) = first_open.filter(|&n| n > self.current) {
            self.current = next;
            self.scroll_to_step();
        }
    }

    /// Restores where the learner was (from saved progress).
    pub fn resume(&mut self, current: usize, scroll: usize) {
        self.current = current.min(self.steps.len().saturating_sub(1));
        self.scroll = scroll.min(self.max_scroll());
    }

    pub fn file_steps(&self) -> Vec<usize> {
        (0..self.steps.len())
            .filter(|&i| !self.steps[i].uses_api)
            .collect()
    }

    pub fn api_steps(&self) -> Vec<usize> {
        (0..self.steps.len())
            .filter(|&i| self.steps[i].uses_api)
            .collect()
    }
}

fn notes_then_body(notes: &[String], body: &str) -> String {
    let mut text = String::new();
    for note in notes {
        text.push_str("> ");
        text.push_str(&note.trim().replace('\n', "\n> "));
        text.push_str("\n\n");
    }
    text.push_str(body);
    text
}

#[cfg(test)]
#[path = "app_tests.rs"]
mod tests;
