//! The verdicts of a course's cases under `labrun test`, and the words
//! that explain them: what failed, what was skipped and why, what this
//! machine lacks (a command not on PATH, the network).

use crate::checks::{Outcome, Status, StepReport};
use crate::course_run::Ran;
use crate::lesson::{Course, Lesson, Phase as ScriptPhase, Variable};
use crate::lifecycle::runner::{RunOutcome, ScriptResult};
use crate::workspace;
use std::fmt::Write;
use std::time::Duration;

/// A case passed, was skipped (why: a host labrun cannot provide), or
/// deviated (what, one problem a paragraph).
pub(super) type Verdict = Result<Done, String>;

pub(super) enum Done {
    Passed,
    Skipped(String),
}

/// After the solve every check must pass.
pub(super) fn passes_after(reports: &[StepReport]) -> Verdict {
    let mut problems = Vec::new();
    let mut skipped = Vec::new();
    for report in reports {
        match report.status {
            Status::Pass => {}
            Status::Skipped => skipped.extend(skip_reasons(report)),
            Status::Fail | Status::Error => problems.push(format!(
                "{} does not pass after the solve\n{}",
                what(report),
                conditions(std::slice::from_ref(report))
            )),
        }
    }
    verdict(problems, skipped)
}

/// Problems fail the case; else anything skipped makes it skipped (never a pass).
pub(super) fn verdict(problems: Vec<String>, skipped: Vec<String>) -> Verdict {
    if !problems.is_empty() {
        Err(problems.join("\n"))
    } else if !skipped.is_empty() {
        Ok(Done::Skipped(skipped.join("; ")))
    } else {
        Ok(Done::Passed)
    }
}

pub(super) fn skip_reasons(report: &StepReport) -> Vec<String> {
    report
        .outcomes
        .iter()
        .filter(|o| o.status == Status::Skipped)
        .map(|o| format!("{}: {}", report.id, o.message))
        .collect()
}

/// `check check-shell` or `step shout`.
pub(super) fn what(report: &StepReport) -> String {
    if report.id.starts_with("check-") {
        format!("the check {}", report.id)
    } else {
        format!("step {}", report.id)
    }
}

/// Every condition of the reports, one a line (outcomes arrive redacted).
pub(super) fn conditions(reports: &[StepReport]) -> String {
    let lines: Vec<String> = reports
        .iter()
        .flat_map(|r| &r.outcomes)
        .map(condition)
        .collect();
    lines.join("\n")
}

pub(super) fn condition(outcome: &Outcome) -> String {
    let mark = match outcome.status {
        Status::Pass => "✓",
        Status::Fail => "✗",
        Status::Error => "!",
        Status::Skipped => "–",
    };
    let mut text = format!("  {mark} {}", outcome.name);
    let mut lines = outcome.message.lines();
    if let Some(first) = lines.next() {
        let _ = write!(text, ": {first}");
    }
    for line in lines {
        let _ = write!(text, "\n      {line}");
    }
    text
}

/// What a tool says when the network cannot be reached (curl, git, wget, apt).
pub(super) const NO_NETWORK: &[&str] = &[
    "Could not resolve host",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "Name or service not known",
];

/// The commands a challenge's scripts call that are neither on PATH nor
/// stood in for by labrun, as `inotifyd (setup-shell)`; None when all are here.
pub(super) fn missing_tools(lesson: &Lesson) -> Option<String> {
    let mut missing: Vec<String> = Vec::new();
    for script in &lesson.scripts.scripts {
        let Ok(text) = crate::fsutil::read_text(&script.path) else {
            continue;
        };
        let Ok(tools) = crate::scripts::tools(&text) else {
            continue;
        };
        let name = script
            .path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        missing.extend(
            tools
                .into_iter()
                .filter(|t| {
                    !workspace::on_path(&t.name)
                        // The curl stand-in only forwards to a real curl.
                        && (!crate::standins::STANDINS.contains(&t.name.as_str()) || t.name == "curl")
                })
                .map(|t| format!("{} ({name}:{})", t.name, t.line)),
        );
    }
    (!missing.is_empty()).then(|| {
        format!(
            "note: this challenge's scripts call commands not on PATH here: {}",
            missing.join(", ")
        )
    })
}

/// The time the scripts of a lifecycle event took.
pub(super) fn took(ran: &Ran) -> Duration {
    ran.results.iter().map(|r| r.duration).sum()
}

/// `02 look-around`: the challenge's number in the course and its slug.
pub(super) fn label(index: usize, lesson: &Lesson) -> String {
    format!("{:02} {}", index + 1, lesson.slug)
}

/// Every variable of the course: its own, then each challenge's new names.
pub(super) fn variables(course: &Course) -> Vec<Variable> {
    let mut all: Vec<Variable> = course.variables.clone();
    for variable in course.challenges.iter().flat_map(|c| &c.variables) {
        if !all.iter().any(|v| v.name == variable.name) {
            all.push(variable.clone());
        }
    }
    all
}

/// A lifecycle event that could not even start (progress unreadable…), as a failed script.
pub(super) fn error_result(why: &str) -> ScriptResult {
    ScriptResult {
        phase: ScriptPhase::Setup,
        host: String::new(),
        script: "setup".into(),
        outcome: RunOutcome::Failed(-1),
        output: why.to_string(),
        notes: Vec::new(),
        duration: Duration::ZERO,
        timeout: Duration::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_wins_over_a_skip_and_a_skip_is_never_a_pass() {
        let why = "check-cluster: needs host `cluster` (a VM), not available here";
        assert!(matches!(
            verdict(vec![], vec![why.into()]),
            Ok(Done::Skipped(w)) if w == why
        ));
        assert_eq!(
            verdict(vec!["a".into(), "b".into()], vec![why.into()]).err(),
            Some("a\nb".to_string())
        );
        assert!(matches!(verdict(vec![], vec![]), Ok(Done::Passed)));
    }

    #[test]
    fn a_check_still_failing_after_the_solve_names_its_conditions() {
        let report = StepReport {
            id: "check-shell".into(),
            title: "the check".into(),
            status: Status::Fail,
            outcomes: vec![Outcome::fail(
                "answer.txt says ok",
                "check-shell exited with status 1",
            )],
        };
        let Err(text) = passes_after(&[report]) else {
            panic!("a failing check passed");
        };
        assert_eq!(
            text,
            "the check check-shell does not pass after the solve\n  \u{2717} answer.txt says ok: check-shell exited with status 1"
        );
    }
}
