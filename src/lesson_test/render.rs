//! The results of `labrun test`: a line per case with the details of each
//! deviation for people, JSON for scripts, JUnit XML for CI.

use super::{CaseResult, LessonRun, Phase, all_ok};
use crate::output::junit::{Junit, Suite, Verdict};
use crate::output::table::{Cell, Column, Table};
use crate::output::{Painter, terminal_safe};
use serde::Serialize;
use std::fmt::Write;
use std::path::PathBuf;
use std::time::Duration;

/// Every case of every lesson, details under the deviating ones, a summary per lesson.
pub fn render_human(runs: &[LessonRun]) -> String {
    let mut out = String::new();
    for run in runs {
        let _ = writeln!(out, "{}", terminal_safe(&run.lesson));
        for (case, line) in run.results.iter().zip(case_lines(&run.results)) {
            let _ = writeln!(out, "  {line}");
            if let Some(why) = &case.skipped {
                let _ = writeln!(out, "        {}", terminal_safe(why));
            }
            if !case.ok {
                // Details quote the lesson's checks: no escape sequences from it reach a CI log.
                for line in terminal_safe(&case.detail).lines() {
                    let _ = writeln!(out, "        {line}");
                }
            }
        }
        let verdict = if run.ok() { "ok" } else { "FAILED" };
        let skipped = run.results.iter().filter(|c| c.skipped.is_some()).count();
        let skipped = if skipped > 0 {
            format!(", {skipped} skipped")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{}: {verdict}: {} of {} cases pass{skipped} ({})",
            terminal_safe(&run.lesson),
            run.results.len() - run.failures() - run.skipped(),
            run.results.len(),
            millis(run.duration())
        );
        for note in &run.notes {
            let _ = writeln!(out, "  note: {}", terminal_safe(note));
        }
        for path in &run.kept {
            let _ = writeln!(out, "  kept workspace {}", path.display());
        }
        out.push('\n');
    }
    let failed = runs.iter().filter(|r| !r.ok()).count();
    let _ = writeln!(
        out,
        "{} lesson(s) tested, {failed} with deviations",
        runs.len()
    );
    out
}

/// A line per case: `ok    solve     bump-version              12ms` (`skip`
/// for a case that cannot run here).
fn case_lines(cases: &[CaseResult]) -> Vec<String> {
    // The minimum widths keep lessons' lines aligned with each other.
    let mut table = Table::new(&[Column::left(4), Column::left(8), Column::left(24)]);
    for case in cases {
        table.row(vec![
            Cell::plain(match (case.ok, &case.skipped) {
                (true, Some(_)) => "skip",
                (true, None) => "ok",
                (false, _) => "FAIL",
            }),
            Cell::plain(case.phase.as_str()),
            Cell::plain(LessonRun::subject(case)),
            Cell::plain(millis(case.duration)),
        ]);
    }
    table.lines(Painter::PLAIN)
}

#[derive(Serialize)]
struct JsonCase<'a> {
    phase: Phase,
    #[serde(skip_serializing_if = "Option::is_none")]
    challenge: Option<&'a str>,
    step: Option<&'a str>,
    ok: bool,
    duration_ms: u64,
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonLesson<'a> {
    lesson: &'a str,
    ok: bool,
    results: Vec<JsonCase<'a>>,
    kept: &'a [PathBuf],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
}

pub fn render_json(runs: &[LessonRun]) -> String {
    let lessons: Vec<JsonLesson> = runs
        .iter()
        .map(|run| JsonLesson {
            lesson: &run.lesson,
            ok: run.ok(),
            results: run
                .results
                .iter()
                .map(|c| JsonCase {
                    phase: c.phase,
                    challenge: c.challenge.as_deref(),
                    step: c.step.as_deref(),
                    ok: c.ok,
                    duration_ms: u64::try_from(c.duration.as_millis()).unwrap_or(u64::MAX),
                    detail: &c.detail,
                    skipped: c.skipped.as_deref(),
                })
                .collect(),
            kept: &run.kept,
            notes: &run.notes,
        })
        .collect();
    let report = serde_json::json!({ "ok": all_ok(runs), "lessons": lessons });
    serde_json::to_string_pretty(&report).expect("reports serialize") + "\n"
}

/// One testsuite per lesson, one testcase per phase and step.
pub fn render_junit(runs: &[LessonRun]) -> String {
    let mut junit = Junit::default();
    for run in runs {
        let mut suite = Suite::new(&run.lesson);
        suite.time(run.duration());
        for case in &run.results {
            let name = match (&case.challenge, &case.step) {
                (None, None) => case.phase.as_str().to_string(),
                _ => format!("{}: {}", case.phase.as_str(), LessonRun::subject(case)),
            };
            let verdict = if let Some(why) = &case.skipped {
                Verdict::Skipped { message: why }
            } else if case.ok {
                Verdict::Pass
            } else {
                Verdict::Failure {
                    message: case.detail.lines().next().unwrap_or("deviation"),
                    details: &case.detail,
                }
            };
            suite.case(&run.lesson, &name, Some(case.duration), verdict);
        }
        junit.suite(suite);
    }
    junit.to_xml()
}

/// `12ms` under a second, `1.23s` above: enough to spot the slow step.
fn millis(duration: Duration) -> String {
    if duration < Duration::from_secs(1) {
        format!("{}ms", duration.as_millis())
    } else {
        format!("{:.2}s", duration.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_junit::{NonSuccessKind, TestCaseStatus};

    fn sample() -> LessonRun {
        let case = |phase, step: Option<&str>, detail: &str| CaseResult {
            phase,
            challenge: None,
            step: step.map(Into::into),
            ok: detail.is_empty(),
            duration: Duration::from_millis(12),
            skipped: None,
            detail: detail.into(),
        };
        LessonRun {
            lesson: "demo".into(),
            results: vec![
                case(Phase::Lint, None, ""),
                case(
                    Phase::Baseline,
                    Some("bump"),
                    "step bump: check can never fail: \"a<b\" already passes\n  ✓ a<b: ok",
                ),
            ],
            kept: vec![],
            notes: vec![],
        }
    }

    #[test]
    fn human_report_has_a_line_per_case_and_the_details() {
        let text = render_human(&[sample()]);
        assert!(
            text.contains("  ok    lint      -                         12ms\n"),
            "{text}"
        );
        assert!(
            text.contains("  FAIL  baseline  bump                      12ms\n"),
            "{text}"
        );
        assert!(
            text.contains("        step bump: check can never fail"),
            "{text}"
        );
        assert!(
            text.contains("demo: FAILED: 1 of 2 cases pass (24ms)"),
            "{text}"
        );
        assert!(
            text.ends_with("1 lesson(s) tested, 1 with deviations\n"),
            "{text}"
        );
    }

    #[test]
    fn a_step_id_longer_than_the_column_widens_it_for_every_case() {
        let mut run = sample();
        run.results[0].step = Some("a-step-with-a-very-long-name-indeed".into());
        let text = render_human(&[run]);
        assert!(
            text.contains("  ok    lint      a-step-with-a-very-long-name-indeed  12ms\n"),
            "{text}"
        );
        assert!(
            text.contains("  FAIL  baseline  bump                                 12ms\n"),
            "{text}"
        );
    }

    #[test]
    fn a_skipped_case_says_why_everywhere() {
        let why = "needs host `cluster` (a VM), not available here";
        let mut run = sample();
        run.results.push(CaseResult {
            phase: Phase::Baseline,
            challenge: None,
            step: Some("check-cluster".into()),
            ok: true,
            duration: Duration::from_millis(0),
            skipped: Some(why.into()),
            detail: String::new(),
        });
        let text = render_human(std::slice::from_ref(&run));
        assert!(
            text.contains(&format!(
                "  skip  baseline  check-cluster             0ms\n        {why}\n"
            )),
            "{text}"
        );
        assert!(
            text.contains("demo: FAILED: 1 of 3 cases pass, 1 skipped"),
            "{text}"
        );
        let v: serde_json::Value =
            serde_json::from_str(&render_json(std::slice::from_ref(&run))).unwrap();
        assert_eq!(v["lessons"][0]["results"][2]["skipped"], why);
        assert!(v["lessons"][0]["results"][0].get("skipped").is_none());
        let xml = render_junit(&[run]);
        assert!(
            xml.contains(&format!("<skipped message=\"{why}\"/>")),
            "{xml}"
        );
    }

    #[test]
    fn json_report_shape() {
        let v: serde_json::Value = serde_json::from_str(&render_json(&[sample()])).unwrap();
        assert_eq!(v["ok"], false);
        let case = &v["lessons"][0]["results"][1];
        assert_eq!(
            (
                &case["phase"],
                &case["step"],
                &case["ok"],
                &case["duration_ms"]
            ),
            (
                &serde_json::json!("baseline"),
                &serde_json::json!("bump"),
                &serde_json::json!(false),
                &serde_json::json!(12)
            )
        );
        assert_eq!(
            v["lessons"][0]["results"][0]["step"],
            serde_json::Value::Null
        );
    }

    #[test]
    fn junit_has_a_testcase_per_phase_and_step() {
        let xml = render_junit(&[sample(), sample()]);
        let report = quick_junit::Report::deserialize_from_str(&xml).unwrap();
        assert_eq!((report.tests, report.failures, report.errors), (4, 2, 0));
        let suite = &report.test_suites[1];
        assert_eq!(suite.name.as_str(), "demo");
        assert_eq!(suite.time, Some(Duration::from_millis(24)));
        let lint = &suite.test_cases[0];
        assert_eq!(
            (lint.name.as_str(), lint.classname.as_deref(), lint.time),
            ("lint", Some("demo"), Some(Duration::from_millis(12)))
        );
        assert!(matches!(lint.status, TestCaseStatus::Success { .. }));
        let bump = &suite.test_cases[1];
        assert_eq!(bump.name.as_str(), "baseline: bump");
        let TestCaseStatus::NonSuccess {
            kind,
            message,
            description,
            ..
        } = &bump.status
        else {
            panic!("{xml}");
        };
        assert_eq!(*kind, NonSuccessKind::Failure);
        assert_eq!(
            message.as_deref(),
            Some("step bump: check can never fail: \"a<b\" already passes")
        );
        assert_eq!(
            description.as_deref(),
            Some(sample().results[1].detail.as_str())
        );
        assert!(
            xml.contains(
                "message=\"step bump: check can never fail: &quot;a&lt;b&quot; already passes\""
            ),
            "{xml}"
        );
    }
}
