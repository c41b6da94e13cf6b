//! A check script's feedback as the conditions the checklist, JSON and
//! JUnit show. Instruqt shows the learner the `FAIL: ` lines of a check that
//! exits non-zero (`fail-message` prints them); labrun makes each one a
//! failed condition, so "2 of 5 conditions met" counts scripts too:
//! - exit 0 passes as one condition (even when it printed `FAIL:` lines:
//!   the exit status decides, as on Instruqt; the message says so);
//! - a non-zero exit: one failed condition per `FAIL:` line, with the
//!   `DIAG:` lines that follow it; without `FAIL:` lines, one failed
//!   condition with the `DIAG:` lines, else the output's last lines;
//! - a timeout is a failure that says so; a script for a host labrun cannot
//!   provide is skipped with the reason; one stopped by labrun is an error.

use super::runner::{RunOutcome, ScriptResult};
use crate::checks::{Outcome, Status};

/// Lines of output shown when a failing check prints no `FAIL:`/`DIAG:` lines.
pub const LAST_LINES: usize = 10;

/// One `FAIL:` line and the `DIAG:` lines printed after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub text: String,
    pub diagnostics: Vec<String>,
}

/// What a check printed for the learner.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Feedback {
    pub failures: Vec<Failure>,
    /// `DIAG:` lines printed before any `FAIL:` line.
    pub diagnostics: Vec<String>,
}

/// The `FAIL:` and `DIAG:` lines of an output (leading blanks allowed; a
/// `set -x` trace of the command that printed one starts with `+` and is not one).
pub fn parse(output: &str) -> Feedback {
    let mut feedback = Feedback::default();
    for line in output.lines() {
        let line = line.trim_start();
        if let Some(text) = line.strip_prefix("FAIL:") {
            let text = text.trim();
            feedback.failures.push(Failure {
                text: if text.is_empty() {
                    "(a FAIL line without text)".into()
                } else {
                    text.to_string()
                },
                diagnostics: Vec::new(),
            });
        } else if let Some(text) = line.strip_prefix("DIAG:") {
            let text = text.trim().to_string();
            match feedback.failures.last_mut() {
                Some(failure) => failure.diagnostics.push(text),
                None => feedback.diagnostics.push(text),
            }
        }
    }
    feedback
}

/// The conditions of a check script's run. `name` is the check's label.
pub fn conditions(name: &str, result: &ScriptResult) -> Vec<Outcome> {
    let script = result.name();
    let feedback = parse(&result.output);
    let how = format!("{script} {}", result.describe());
    let mut outcomes = match &result.outcome {
        RunOutcome::Skipped(why) => vec![Outcome::skipped(name, why.clone())],
        RunOutcome::Cancelled => vec![Outcome::error(name, how)],
        RunOutcome::Passed if feedback.failures.is_empty() => vec![Outcome::pass(name, how)],
        RunOutcome::Passed => {
            let printed: Vec<String> = feedback
                .failures
                .iter()
                .map(|f| format!("FAIL: {}", f.text))
                .collect();
            vec![Outcome::pass(
                name,
                format!(
                    "{how}, which passes it (as on Instruqt), though it printed:\n{}",
                    printed.join("\n")
                ),
            )]
        }
        RunOutcome::TimedOut => vec![Outcome::fail(
            name,
            with_lines(&how, &explanation(&feedback, &result.output)),
        )],
        RunOutcome::Failed(_) if feedback.failures.is_empty() => vec![Outcome::fail(
            name,
            with_lines(&how, &explanation(&feedback, &result.output)),
        )],
        RunOutcome::Failed(_) => {
            let mut diagnostics_before = feedback.diagnostics.clone();
            feedback
                .failures
                .iter()
                .map(|failure| {
                    let mut lines = std::mem::take(&mut diagnostics_before);
                    lines.extend(failure.diagnostics.iter().cloned());
                    Outcome::fail(&failure.text, with_lines(&how, &lines))
                })
                .collect()
        }
    };
    if !result.notes.is_empty()
        && let Some(first) = outcomes.first_mut()
    {
        for note in &result.notes {
            first.message.push_str(&format!("\nnote: {note}"));
        }
    }
    outcomes
}

/// What explains a failure without `FAIL:` lines: its `DIAG:` lines, else
/// the output's last lines.
fn explanation(feedback: &Feedback, output: &str) -> Vec<String> {
    let mut lines: Vec<String> = feedback
        .failures
        .iter()
        .map(|f| format!("FAIL: {}", f.text))
        .chain(feedback.diagnostics.iter().cloned())
        .collect();
    if lines.is_empty() {
        let all: Vec<&str> = output.lines().filter(|l| !l.trim().is_empty()).collect();
        let start = all.len().saturating_sub(LAST_LINES);
        lines = all[start..].iter().map(|l| l.to_string()).collect();
        if lines.is_empty() {
            lines.push("(it printed nothing)".into());
        }
    }
    lines
}

fn with_lines(first: &str, lines: &[String]) -> String {
    let mut message = first.to_string();
    for line in lines {
        message.push('\n');
        message.push_str(line);
    }
    message
}

/// Whether the conditions pass (for callers that want one verdict).
pub fn passed(outcomes: &[Outcome]) -> bool {
    outcomes.iter().all(|o| o.status == Status::Pass)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::Phase;
    use std::time::Duration;

    fn result(outcome: RunOutcome, output: &str) -> ScriptResult {
        ScriptResult {
            phase: Phase::Check,
            host: "shell".into(),
            script: "/lesson/01-note/check-shell".into(),
            outcome,
            output: output.into(),
            notes: Vec::new(),
            duration: Duration::ZERO,
            timeout: Duration::from_secs(60),
        }
    }

    fn summary(outcomes: &[Outcome]) -> Vec<(Status, &str, &str)> {
        outcomes
            .iter()
            .map(|o| (o.status, o.name.as_str(), o.message.as_str()))
            .collect()
    }

    #[test]
    fn each_fail_line_is_a_failed_condition_with_its_diagnostics() {
        let output = "+ grep -q x notes\nDIAG: looked in /root\nFAIL: There is no file notes yet\n\
                      FAIL: notes has no line 'name: ada'\n  DIAG: found 'name: bob'\nFAIL:\n";
        let outcomes = conditions("check", &result(RunOutcome::Failed(3), output));
        assert_eq!(
            summary(&outcomes),
            [
                (
                    Status::Fail,
                    "There is no file notes yet",
                    "check-shell exited with status 3\nlooked in /root"
                ),
                (
                    Status::Fail,
                    "notes has no line 'name: ada'",
                    "check-shell exited with status 3\nfound 'name: bob'"
                ),
                (
                    Status::Fail,
                    "(a FAIL line without text)",
                    "check-shell exited with status 3"
                ),
            ]
        );
        assert!(!passed(&outcomes));
    }

    #[test]
    fn exit_zero_passes_even_with_fail_lines() {
        let clean = conditions("check", &result(RunOutcome::Passed, "all good\n"));
        assert_eq!(
            summary(&clean),
            [(Status::Pass, "check", "check-shell exited with status 0")]
        );
        let weak = conditions(
            "check",
            &result(RunOutcome::Passed, "FAIL: Create ~/work/flag\n"),
        );
        assert_eq!(weak[0].status, Status::Pass);
        assert_eq!(
            weak[0].message,
            "check-shell exited with status 0, which passes it (as on Instruqt), though it printed:\nFAIL: Create ~/work/flag"
        );
        assert!(passed(&weak));
    }

    #[test]
    fn a_failure_without_fail_lines_shows_diag_lines_else_the_last_lines() {
        let diag = conditions(
            "check",
            &result(RunOutcome::Failed(1), "noise\nDIAG: the pod is Pending\n"),
        );
        assert_eq!(
            summary(&diag),
            [(
                Status::Fail,
                "check",
                "check-shell exited with status 1\nthe pod is Pending"
            )]
        );
        let output: String = (1..=15).map(|i| format!("line {i}\n\n")).collect();
        let plain = conditions("check", &result(RunOutcome::Failed(2), &output));
        let expected: Vec<String> = (6..=15).map(|i| format!("line {i}")).collect();
        assert_eq!(
            plain[0].message,
            format!("check-shell exited with status 2\n{}", expected.join("\n"))
        );
        let silent = conditions("check", &result(RunOutcome::Failed(1), ""));
        assert_eq!(
            silent[0].message,
            "check-shell exited with status 1\n(it printed nothing)"
        );
    }

    #[test]
    fn a_timeout_fails_saying_so() {
        let outcomes = conditions(
            "check",
            &result(RunOutcome::TimedOut, "waiting for the pod\n"),
        );
        assert_eq!(
            summary(&outcomes),
            [(
                Status::Fail,
                "check",
                "check-shell did not finish within 60 s (its time limit) and was ended\nwaiting for the pod"
            )]
        );
    }

    #[test]
    fn skipped_and_stopped() {
        let why = "needs host `cluster` (a VM), not available here";
        let skipped = conditions("check", &result(RunOutcome::Skipped(why.into()), ""));
        assert_eq!(summary(&skipped), [(Status::Skipped, "check", why)]);
        assert!(!passed(&skipped));
        let stopped = conditions("check", &result(RunOutcome::Cancelled, ""));
        assert_eq!(stopped[0].status, Status::Error);
    }

    #[test]
    fn notes_go_with_the_first_condition() {
        let mut run = result(RunOutcome::Failed(1), "FAIL: a\nFAIL: b\n");
        run.notes.push("check-shell is not executable".into());
        let outcomes = conditions("check", &run);
        assert!(
            outcomes[0]
                .message
                .ends_with("\nnote: check-shell is not executable")
        );
        assert!(!outcomes[1].message.contains("note:"));
    }
}
