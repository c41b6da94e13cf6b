//! The app's lesson side: the text and its scrolling, code blocks (select,
//! paste, run), steps (select, check, results), and the file the editor
//! key opens.

use super::*;

impl App {
    pub(super) fn reparse(&mut self) {
        // Instruqt's notes, labrun's note on the tabs, then the text as written.
        let edit_keys = crate::tui::bindings::keys_for(Command::Edit);
        let tab_note = tabs::note(&self.tabs, &self.surroundings, &edit_keys).unwrap_or_default();
        let source = format!("{}{tab_note}\n{}", self.notes, self.body);
        let text = self.vars.render(&source, self.reveal_secrets);
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
    pub(super) fn rewrap(&mut self) {
        let width = inner(self.areas().lesson).width.max(10);
        self.wrapped = lesson_pane::wrap(&self.doc, width, self.code_block);
        self.scroll = self.scroll.min(self.max_scroll());
    }

    pub(super) fn lesson_height(&self) -> usize {
        inner(self.areas().lesson).height as usize
    }

    pub(super) fn max_scroll(&self) -> usize {
        self.wrapped
            .lines
            .len()
            .saturating_sub(self.lesson_height().max(1))
    }

    /// Scrolls the open window, else the lesson. The window's end is
    /// clamped where it is drawn, as only drawing knows its height.
    pub(super) fn scroll_view(&mut self, delta: isize) {
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

    pub(super) fn page(&self) -> isize {
        self.lesson_height().max(1) as isize
    }

    pub(super) fn shell_page(&self) -> usize {
        usize::from(self.shell_size().0).saturating_sub(2).max(1)
    }

    pub(super) fn scroll_by(&mut self, delta: isize) {
        self.scroll = self
            .scroll
            .saturating_add_signed(delta)
            .min(self.max_scroll());
    }

    pub(super) fn select_code_block(&mut self, delta: isize) {
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

    pub(super) fn first_visible_code_block(&self) -> Option<usize> {
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

    pub(super) fn paste_code(&mut self, run: bool) -> Vec<Effect> {
        let modes = self.shell_modes;
        let Some(code) = self.selected_code() else {
            self.message = Some(select_a_block_first());
            return Vec::new();
        };
        let number = self.code_block.unwrap_or_default();
        if let Some(kind) = self.doc.code_kind(number).filter(|_| run)
            && kind != CodeKind::Command
        {
            self.message = Some(format!(
                "block {number} is {}, not a command: {} pastes it (into an editor), {} copies it",
                match kind {
                    CodeKind::FileContent => "a file's content",
                    _ => "text to read",
                },
                first_key(Command::PasteCode, Keys::Lab),
                first_key(Command::CopyCode, Keys::Lab),
            ));
            return Vec::new();
        }
        if code.contains(crate::lesson::vars::REDACTED) {
            self.message = Some(format!(
                "this block holds a hidden secret: reveal secrets ({}) first",
                first_key(Command::ToggleSecrets, Keys::Lab)
            ));
            return Vec::new();
        }
        let text = code.trim_end_matches('\n');
        if !run && !modes.bracketed_paste && text.contains('\n') {
            // Typed out, every newline would be Enter: all lines but the last would run.
            self.message = Some(format!(
                "the program in the shell takes no bracketed paste, so pasting would run each line: \
                 {} runs the block, {} copies it",
                first_key(Command::RunCode, Keys::Global),
                first_key(Command::CopyCode, Keys::Lab),
            ));
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

    /// Marks `steps` as being checked and asks the loop to check them;
    /// `asked` when the learner asked (an attempt), not a change.
    pub(super) fn check(&mut self, steps: Vec<usize>, asked: bool) -> Vec<Effect> {
        let steps: Vec<usize> = steps
            .into_iter()
            .filter(|&i| i < self.steps.len())
            .collect();
        for &i in &steps {
            self.steps[i].checking = true;
        }
        vec![Effect::Check { steps, asked }]
    }

    pub(super) fn select_step(&mut self, delta: isize) {
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
    pub(super) fn scroll_to_step(&mut self) {
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

    /// New results: shown per step. A step that passed and fails again is
    /// selected (with a word on why), else the current step moves on to
    /// the first step not yet passing; the lesson follows.
    pub(super) fn apply_reports(&mut self, reports: Vec<StepReport>) {
        let mut regressed: Option<usize> = None;
        for report in reports {
            if let Some((index, step)) = self
                .steps
                .iter_mut()
                .enumerate()
                .find(|(_, s)| s.id == report.id)
            {
                let passed = step.status() == Some(Status::Pass);
                step.checking = false;
                if passed && report.status != Status::Pass {
                    regressed = Some(regressed.map_or(index, |r| r.min(index)));
                }
                step.report = Some(report);
            }
        }
        if let Some(index) = regressed {
            self.current = index;
            self.scroll_to_step();
            let why = self.steps[index]
                .report
                .iter()
                .flat_map(|r| &r.outcomes)
                .find(|o| o.status != Status::Pass)
                .and_then(|o| o.message.lines().next())
                .unwrap_or_default()
                .to_string();
            self.message = Some(format!("step {} no longer passes: {why}", index + 1));
            return;
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

    /// The file the editor key opens: the failing one at the failing line,
    /// else the first file the current step's checks read.
    pub(super) fn edit_target(&self) -> Option<(String, Option<usize>)> {
        let step = self.steps.get(self.current)?;
        let failing = step.report.iter().flat_map(|r| &r.outcomes).find_map(|o| {
            let location = o.location.as_deref().filter(|_| o.status != Status::Pass)?;
            let (file, line) = location.rsplit_once(':')?;
            // A location inside a package names a workspace file only when the step reads it.
            step.files
                .iter()
                .any(|f| f == file)
                .then(|| (file.to_string(), line.parse().ok()))
        });
        failing.or_else(|| Some((step.files.first()?.clone(), None)))
    }

    /// Types the editor's command at the shell's prompt; not while a
    /// program has the terminal (the keys would go to it).
    pub(super) fn open_editor(
        &mut self,
        file: &str,
        line: Option<usize>,
        activity: &ShellActivity,
    ) -> Vec<Effect> {
        let at = line.map_or(file.to_string(), |l| format!("{file}:{l}"));
        if self.shell_exited.is_some() {
            self.message = Some(format!(
                "the shell has exited: {} restarts it",
                first_key(Command::RestartShell, Keys::Lab)
            ));
            return Vec::new();
        }
        if let Some(program) = &activity.foreground {
            self.message = Some(format!(
                "{program} is running in the shell: leave it first, then open {at}"
            ));
            return Vec::new();
        }
        self.give_shell_the_keys();
        self.message = Some(format!("opened {at} — save, and the step is checked"));
        // Ctrl-U first: whatever was half typed at the prompt would join the command.
        let command = tabs::edit_command(&self.surroundings.editor, file, line);
        vec![Effect::WriteShell(format!("\x15{command}\r").into_bytes())]
    }
}

/// What the code keys say while no block is selected: how to select one.
pub(super) fn select_a_block_first() -> String {
    format!(
        "select a code block first ({} / {})",
        first_key(Command::NextCodeBlock, Keys::Lab),
        first_key(Command::NextCodeBlock, Keys::Global)
    )
}

pub(super) fn quoted_notes(notes: &[String]) -> String {
    let mut text = String::new();
    for note in notes {
        text.push_str("> ");
        text.push_str(&note.trim().replace('\n', "\n> "));
        text.push_str("\n\n");
    }
    text
}

/// The workspace files a step's checks read (inside a package or a
/// release: the chart files its inner checks name, not the archive).
pub(super) fn step_files(checks: &[crate::lesson::CheckSpec], vars: &Vars) -> Vec<String> {
    let mut files: Vec<String> = Vec::new();
    for check in checks {
        // The chart files inside a package or a release, not the archive.
        let found = if check.inner().is_empty() {
            check
                .workspace_file()
                .map(|file| vars.expand(file).unwrap_or_else(|_| file.to_string()))
                .into_iter()
                .collect()
        } else {
            step_files(check.inner(), vars)
        };
        for file in found {
            if !files.contains(&file) {
                files.push(file);
            }
        }
    }
    files
}
