//! The app's lesson side: the text (notes, the tabs' note, the body, with
//! variables and labels), its wrapping and scrolling, and its code blocks
//! (select, paste, run, copy).

use super::*;

impl App {
    /// The lesson pane's markdown: Instruqt's notes (`notes`, quoted),
    /// labrun's note on the tabs, then the text as written, with the
    /// variables filled in.
    pub(super) fn lesson_text(&self, notes: &str, tabs: &[Tab], body: &str) -> String {
        let edit_keys = crate::tui::bindings::keys_for(Command::Edit);
        let tab_note = tabs::note(tabs, &self.surroundings, &edit_keys).unwrap_or_default();
        let source = format!("{notes}{tab_note}\n{body}");
        self.vars
            .render_with(&source, self.reveal_secrets, &self.agent_vars)
    }

    pub(super) fn reparse(&mut self) {
        let text = self.lesson_text(&self.notes, &self.tabs, &self.body);
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
