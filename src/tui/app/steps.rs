//! The app's steps: selecting one (the lesson follows), checking them,
//! their results, and the file the editor key opens for one.

use super::*;

impl App {
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
