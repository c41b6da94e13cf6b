//! Keys typed while the lab has them: commands, or typing meant for the
//! shell (see `burst`): what the app does with each printable key.

use super::{App, Effect, Focus, Overlay, View};
use crate::tui::bindings::{Command, Keys, first_key};
use crate::tui::burst::Burst;
use std::time::Instant;

impl App {
    /// A printable key while the lab has the keys: a command, or typing
    /// meant for the shell (see `burst`).
    pub(super) fn lab_char(
        &mut self,
        c: char,
        command: Option<Command>,
        at: Instant,
    ) -> Vec<Effect> {
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
                let (text, asked_for_shell) = match self.burst.take() {
                    Some(burst) => {
                        self.restore(burst.before.clone());
                        let asked = burst.first == Some(Command::FocusShell);
                        (burst.into_text(c), asked)
                    }
                    None => (c.to_string(), false),
                };
                effects.extend(self.type_in_shell(text, c));
                if asked_for_shell {
                    // `i` and typing: nothing to explain.
                    self.message = None;
                }
            }
        }
        effects
    }

    /// The commands a burst held back act now that it is over.
    pub(super) fn end_burst(&mut self) -> Vec<Effect> {
        let Some(burst) = self.burst.take() else {
            return Vec::new();
        };
        burst
            .pending
            .into_iter()
            .flat_map(|command| self.run(command))
            .collect()
    }

    pub(super) fn type_in_shell(&mut self, text: String, stray: char) -> Vec<Effect> {
        if self.shell_exited.is_some() {
            self.message = Some(format!(
                "“{stray}” is not a lab key; the shell has exited: {} restarts it",
                first_key(Command::RestartShell, Keys::Lab)
            ));
            return Vec::new();
        }
        self.give_shell_the_keys();
        self.message = Some(format!(
            "typed “{text}” in the shell: “{stray}” is not a lab key ({} gives the keys to the lab)",
            first_key(Command::FocusLab, Keys::Shell)
        ));
        vec![Effect::WriteShell(text.into_bytes())]
    }

    pub(super) fn view(&self) -> View {
        View {
            current: self.current,
            scroll: self.scroll,
            code_block: self.code_block,
            overlay: self.overlay.clone(),
            overlay_scroll: self.overlay_scroll,
            quiz: self
                .quiz
                .as_ref()
                .map(|q| (q.highlighted, q.marked.clone())),
        }
    }

    pub(super) fn restore(&mut self, view: View) {
        let rewrap = view.code_block != self.code_block;
        self.current = view.current;
        self.code_block = view.code_block;
        self.overlay = view.overlay;
        self.overlay_scroll = view.overlay_scroll;
        if let (Some(quiz), Some((highlighted, marked))) = (self.quiz.as_mut(), view.quiz) {
            (quiz.highlighted, quiz.marked) = (highlighted, marked);
        }
        if rewrap {
            self.rewrap();
        }
        self.scroll = view.scroll.min(self.max_scroll());
    }

    /// The shell gets the keys, live and with nothing over it: what the
    /// learner types next goes there.
    pub(super) fn give_shell_the_keys(&mut self) {
        self.focus = Focus::Shell;
        self.overlay = None;
        self.shell_scroll = 0;
    }

    /// Typing goes on in the shell: a window it would hide is closed (not a question).
    pub(super) fn close_window_for_typing(&mut self) {
        if !self.overlay.as_ref().is_some_and(Overlay::is_question) {
            self.overlay = None;
        }
    }
}
