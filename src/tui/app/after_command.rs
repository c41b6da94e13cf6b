//! Re-checking when a command finished in the shell. The file watcher sees
//! the workspace's files and the local API's state; what else a step's
//! checks read — a command's or a script's result, the shell history, files
//! outside the workspace, a quiz answer kept in labrun's own state — changes
//! only through what the learner runs, so those steps are checked again
//! when the shell's prompt mark says a command ended (`Seen::CommandFinished`).
//!
//! Never on keystrokes (marks come with prompts only, and an empty line is
//! no command), never waiting on a check: a check already running for those
//! steps leaves one more waiting, run when its results arrive — so a burst
//! of prompts costs at most the check in flight and one after it, and that
//! one sees the last command's work.

use super::*;
use crate::lesson::CheckSpec;

impl App {
    /// A command finished in the shell (`exit`: its code, when the shell said).
    pub(super) fn command_finished(&mut self, _exit: Option<i32>) -> Vec<Effect> {
        let steps = self.command_steps();
        if steps.is_empty() {
            return Vec::new();
        }
        if steps.iter().any(|&i| self.steps[i].checking) {
            self.recheck_waiting = true;
            return Vec::new();
        }
        self.check(steps, false)
    }

    /// After results came in: the re-check that waited for them, if any.
    pub(super) fn waiting_recheck(&mut self) -> Vec<Effect> {
        let steps = self.command_steps();
        if !self.recheck_waiting || steps.iter().any(|&i| self.steps[i].checking) {
            return Vec::new();
        }
        self.recheck_waiting = false;
        self.check(steps, false)
    }

    /// The steps checked again after a command (see the module's comment).
    pub fn command_steps(&self) -> Vec<usize> {
        (0..self.steps.len())
            .filter(|&i| self.steps[i].after_commands)
            .collect()
    }
}

/// Whether these checks read something only a finished command tells of:
/// they run a command or a script, or read a quiz answer.
pub(super) fn read_beyond_files(checks: &[CheckSpec]) -> bool {
    checks.iter().flat_map(CheckSpec::with_inner).any(|check| {
        matches!(
            check.kind,
            CheckKind::Command { .. } | CheckKind::Script { .. } | CheckKind::Quiz { .. }
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Outcome;
    use crate::lesson::bundled;

    /// The bundled lesson, whose steps read files and the API only, with a
    /// last step that runs a command.
    fn app() -> App {
        let mut lesson = Lesson::load(&bundled::resolve(None).unwrap()).unwrap();
        let mut step = lesson.steps[0].clone();
        step.id = "ran-it".into();
        step.checks = vec![CheckSpec {
            name: None,
            kind: CheckKind::Command {
                run: "grep -q done \"$HOME/.bash_history\"".into(),
                timeout_secs: 5,
            },
            line: 1,
        }];
        lesson.steps.push(step);
        App::new(&lesson, Vars::default(), (120, 40))
    }

    fn passed(app: &App, index: usize) -> StepReport {
        StepReport {
            id: app.steps[index].id.clone(),
            title: app.steps[index].title.clone(),
            status: Status::Pass,
            outcomes: vec![Outcome::pass("ok", "ran")],
        }
    }

    fn finished(app: &mut App) -> Vec<Effect> {
        app.update(Action::Saw(Seen::CommandFinished { exit: Some(0) }))
    }

    #[test]
    fn only_steps_that_run_commands_are_checked_after_one() {
        let mut app = app();
        let last = app.steps.len() - 1;
        assert_eq!(app.command_steps(), vec![last]);
        assert_eq!(
            finished(&mut app),
            vec![Effect::Check {
                steps: vec![last],
                asked: false
            }]
        );
        assert!(app.steps[last].checking);
        assert!(app.steps[..last].iter().all(|s| !s.checking));
    }

    #[test]
    fn a_burst_of_prompts_is_the_check_in_flight_and_one_after_it() {
        let mut app = app();
        let last = app.steps.len() - 1;
        assert_eq!(finished(&mut app).len(), 1);
        // More commands end while it runs: nothing now...
        for _ in 0..50 {
            assert_eq!(finished(&mut app), vec![]);
        }
        // ...one check when its results are in, and nothing after that.
        let report = passed(&app, last);
        assert_eq!(
            app.update(Action::Saw(Seen::Checked(vec![report.clone()]))),
            vec![Effect::Check {
                steps: vec![last],
                asked: false
            }]
        );
        assert_eq!(app.update(Action::Saw(Seen::Checked(vec![report]))), vec![]);
        assert!(!app.steps[last].checking);
        assert_eq!(app.steps[last].status(), Some(Status::Pass));
    }

    #[test]
    fn a_check_the_learner_asked_for_also_makes_a_command_wait() {
        let mut app = app();
        let last = app.steps.len() - 1;
        app.current = last;
        app.update(Action::Command(Command::CheckCurrent));
        assert_eq!(finished(&mut app), vec![]);
        let effects = app.update(Action::Saw(Seen::Checked(vec![passed(&app, last)])));
        assert_eq!(
            effects,
            vec![Effect::Check {
                steps: vec![last],
                asked: false
            }]
        );
    }

    #[test]
    fn a_lesson_without_such_steps_checks_nothing_after_a_command() {
        let lesson = Lesson::load(&bundled::resolve(None).unwrap()).unwrap();
        let mut app = App::new(&lesson, Vars::default(), (120, 40));
        assert!(app.command_steps().is_empty());
        assert_eq!(finished(&mut app), vec![]);
    }
}
