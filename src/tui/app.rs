//! The lab's state, and how actions change it. Plain data: no terminal, no
//! threads, no files. `update` returns the effects the event loop carries out.

use super::keys::{self, Modes};
use super::lesson_view::{self, Document, Wrapped};
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    Help,
    Hint(usize),
    Results(usize),
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
}

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Quit,
    FocusShell,
    FocusLesson,
    Scroll(isize),
    ScrollPage(isize),
    ScrollTo(usize),
    NextCodeBlock,
    PrevCodeBlock,
    /// Paste the selected block as a terminal paste for the shell pane's
    /// current `modes` (bracketed when the program asked), Enter after it if `run`.
    PasteCode {
        run: bool,
        modes: Modes,
    },
    CopyCode,
    CheckCurrent,
    CheckAll,
    SelectStep(isize),
    SelectStepAt(usize),
    ShowHint,
    ShowHelp,
    ShowResults,
    CloseOverlay,
    ToggleSecrets,
    ShellInput(Vec<u8>),
    ShellScroll(isize),
    RestartShell,
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
        };
        app.reparse();
        app
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
        .with_sections(sections);
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
        self.message = None;
        match action {
            Action::Quit => self.running = false,
            Action::FocusShell => {
                self.focus = Focus::Shell;
                self.overlay = None;
            }
            Action::FocusLesson => self.focus = Focus::Lesson,
            Action::Scroll(delta) => self.scroll_by(delta),
            Action::ScrollPage(pages) => {
                self.scroll_by(pages * self.lesson_height().max(1) as isize)
            }
            Action::ScrollTo(line) => self.scroll = line.min(self.max_scroll()),
            Action::NextCodeBlock => self.select_code_block(1),
            Action::PrevCodeBlock => self.select_code_block(-1),
            Action::PasteCode { run, modes } => return self.paste_code(run, modes),
            Action::CopyCode => {
                if let Some(block) = self.selected_code() {
                    self.message = Some("copied the code block to the clipboard".into());
                    return vec![Effect::Copy(block)];
                }
            }
            Action::CheckCurrent => return self.check(vec![self.current]),
            Action::CheckAll => return self.check((0..self.steps.len()).collect()),
            Action::SelectStep(delta) => self.select_step(delta),
            Action::SelectStepAt(index) => {
                self.focus = Focus::Lesson;
                let delta = index as isize - self.current as isize;
                self.select_step(delta);
            }
            Action::ShowHint if self.current < self.steps.len() => {
                self.overlay = Some(Overlay::Hint(self.current));
                return vec![Effect::RecordHint(self.current)];
            }
            Action::ShowHelp => self.overlay = Some(Overlay::Help),
            Action::ShowResults if self.current < self.steps.len() => {
                self.overlay = Some(Overlay::Results(self.current));
            }
            Action::ShowHint | Action::ShowResults => {}
            Action::CloseOverlay => self.overlay = None,
            Action::ToggleSecrets => {
                self.reveal_secrets = !self.reveal_secrets;
                self.reparse();
            }
            Action::ShellInput(bytes) => {
                self.shell_scroll = 0;
                return vec![Effect::WriteShell(bytes)];
            }
            Action::ShellScroll(delta) => {
                self.shell_scroll = self.shell_scroll.saturating_add_signed(delta);
            }
            Action::RestartShell => {
                self.shell_exited = None;
                self.shell_scroll = 0;
                return vec![Effect::RestartShell];
            }
            Action::Resize(cols, rows) => {
                self.size = (cols, rows);
                self.rewrap();
                let (rows, cols) = self.shell_size();
                return vec![Effect::ResizeShell { rows, cols }];
            }
        }
        Vec::new()
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

    fn paste_code(&mut self, run: bool, modes: Modes) -> Vec<Effect> {
        let Some(code) = self.selected_code() else {
            self.message = Some("select a code block first (n / F8)".into());
            return Vec::new();
        };
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
