//! How actions change the lab's state: `update`, the one entry, and what
//! each key's command does. It returns the effects for the event loop to
//! carry out and does no I/O itself.

use super::*;

impl App {
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::LabChar { c, command, at } => {
                self.message = None;
                self.lab_char(c, command, at)
            }
            Action::Tick(now) => {
                if let Some(timer) = self.timer.as_mut() {
                    timer.tick(now);
                }
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
            Action::Saw(seen) => self.saw(seen),
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

    /// What the loop saw of the lab's surroundings.
    fn saw(&mut self, seen: Seen) -> Vec<Effect> {
        match seen {
            Seen::Started => return self.enter(self.course.current),
            Seen::ChallengeReady(index) => return self.challenge_ready(index),
            Seen::AgentVars(values) => {
                if values != self.agent_vars {
                    self.agent_vars = values;
                    self.reparse();
                }
            }
            Seen::ChallengeSkipped(index) => return self.challenge_skipped(index),
            Seen::Recorded(records) => self.apply_records(records),
            Seen::FilesChanged => return self.check(self.file_steps(), false),
            Seen::ApiChanged => return self.check(self.api_steps(), false),
            Seen::CommandFinished { exit } => return self.command_finished(exit),
            Seen::ShellModes(modes) => self.shell_modes = modes,
            Seen::ShellExited(code) => self.shell_exited = Some(code),
            Seen::Checked(reports) => {
                self.apply_reports(reports);
                let mut effects = self.challenge_progress();
                effects.extend(self.waiting_recheck());
                return effects;
            }
            Seen::Frame {
                shell_scroll,
                window_max_scroll,
            } => {
                self.shell_scroll = shell_scroll;
                if self.overlay.is_some() {
                    self.overlay_scroll = self.overlay_scroll.min(window_max_scroll);
                }
            }
            Seen::Notice(message) => self.message = Some(message),
            Seen::Terminate => self.running = false,
        }
        Vec::new()
    }

    fn act(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Command(command) => return self.run(command),
            Action::Confirm(yes) => match self.overlay {
                Some(Overlay::ConfirmQuit(_)) => {
                    self.overlay = None;
                    if yes {
                        self.running = false;
                    } else {
                        self.message = Some("not quitting".into());
                    }
                }
                Some(Overlay::ConfirmSkip(index)) => {
                    self.overlay = None;
                    return self.confirm_skip(index, yes);
                }
                _ => {}
            },
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
            // Handled in `update`.
            Action::LabChar { .. }
            | Action::Tick(_)
            | Action::ShellProbed(..)
            | Action::Resize(..)
            | Action::Saw(_) => {}
        }
        Vec::new()
    }

    /// What a key's command does.
    pub(super) fn run(&mut self, command: Command) -> Vec<Effect> {
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
            Command::CheckCurrent | Command::CheckAll if self.steps.is_empty() => {
                return self.nothing_to_check();
            }
            Command::CheckCurrent => return self.check(vec![self.current], true),
            Command::CheckAll => return self.check((0..self.steps.len()).collect(), true),
            Command::NextChallenge => return self.next_challenge(),
            Command::PrevChallenge => return self.previous_challenge(),
            Command::SkipChallenge => self.ask_skip(),
            Command::PrevAnswer
            | Command::NextAnswer
            | Command::Answer(_)
            | Command::MarkAnswer => {
                self.quiz_command(command);
            }
            Command::SubmitAnswer => return self.submit_answer(),
            Command::PrevCodeBlock => self.select_code_block(-1),
            Command::NextCodeBlock => self.select_code_block(1),
            Command::RunCode => return self.paste_code(true),
            Command::PasteCode => return self.paste_code(false),
            Command::CopyCode => {
                if let Some(block) = self.selected_code() {
                    self.message = Some("copied the code block to the clipboard".into());
                    return vec![Effect::Copy(block)];
                }
                self.message = Some(lesson::select_a_block_first());
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
                self.message = Some(format!(
                    "the shell is running ({} restarts it after it exits)",
                    first_key(Command::RestartShell, Keys::Lab)
                ));
            }
            Command::Quit if self.shell_exited.is_some() => self.running = false,
            Command::Quit => return vec![Effect::ProbeShell(Probe::Quit)],
            Command::Close => self.overlay = None,
            Command::Edit => match self.edit_target() {
                Some((file, line)) => return vec![Effect::ProbeShell(Probe::Edit { file, line })],
                None => {
                    self.message = Some(format!(
                        "this step names no file to edit: open one with {} in the shell",
                        self.surroundings.editor
                    ));
                }
            },
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
            Probe::Edit { file, line } => return self.open_editor(&file, line, &activity),
        }
        Vec::new()
    }

    pub(super) fn open_window(&mut self, overlay: Overlay) {
        self.overlay = Some(overlay);
        self.overlay_scroll = 0;
    }
}
