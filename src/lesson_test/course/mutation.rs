//! The mutation case of a track challenge that declares two or more steps:
//! each step must fail with the others' declared solutions applied and not
//! its own, in a fresh workspace where the earlier challenges are replayed.

use super::Lab;
use crate::checks::{self, Status};
use crate::lesson::Step;
use crate::lesson_test::verdicts::{Done, Verdict, conditions, skip_reasons};
use crate::lifecycle::runner::RunOutcome;

impl Lab<'_> {
    /// Challenge `index` replayed in a fresh workspace (the earlier ones
    /// solved, its setup run), then every declared solution but `target`'s
    /// and its dependents' (no solve scripts: they solve the whole
    /// challenge): `target` must still fail.
    pub(super) fn mutation(&self, index: usize, target: &Step, declared: &[&Step]) -> Verdict {
        let lesson = &self.course.challenges[index];
        let lab = Lab::open(self.course)?;
        if let Err(why) = lab.prepare(index) {
            return Err(format!(
                "the earlier challenges could not be replayed: {why}"
            ));
        }
        let (track, setup) = lab.enter(index);
        let mut problems: Vec<String> = track
            .iter()
            .chain([&setup])
            .flat_map(|ran| &ran.results)
            .filter(|r| !matches!(r.outcome, RunOutcome::Passed | RunOutcome::Skipped(_)))
            .map(|r| lab.script_problem(r))
            .collect();
        let left_out = crate::lesson_test::phases::with_dependents(lesson, target);
        let applied: Vec<&Step> = declared
            .iter()
            .copied()
            .filter(|s| !left_out.contains(s.id.as_str()))
            .collect();
        for step in applied.iter().filter(|s| !s.solution.trim().is_empty()) {
            match lab.declared_solution(lesson, &step.id, &step.solution) {
                Ok(result) if matches!(result.outcome, RunOutcome::Passed) => {}
                Ok(result) => problems.push(lab.script_problem(&result)),
                Err(why) => problems.push(why),
            }
        }
        let report = checks::run_step(target, &lab.session.context(lesson, &lab.workspace));
        match report.status {
            Status::Fail => Ok(Done::Passed),
            Status::Skipped => Ok(Done::Skipped(skip_reasons(&report).join("; "))),
            Status::Pass | Status::Error => {
                let ids: Vec<&str> = applied.iter().map(|s| s.id.as_str()).collect();
                let verb = if report.status == Status::Pass {
                    "passes without its own solution: its checks do not depend on its own work"
                } else {
                    "could not be evaluated without its own solution"
                };
                let mut all = vec![format!(
                    "step {} {verb}\napplied: {}\n{}",
                    target.id,
                    if ids.is_empty() {
                        "(none)".to_string()
                    } else {
                        ids.join(", ")
                    },
                    conditions(std::slice::from_ref(&report))
                )];
                all.append(&mut problems);
                Err(self.redact(&all.join("\n")))
            }
        }
    }
}
