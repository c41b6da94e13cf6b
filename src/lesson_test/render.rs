//! The results of `labrun test`: a line per case with the details of each
//! deviation for people, JSON for scripts, JUnit XML for CI.

use super::{CaseResult, LessonRun, Phase, all_ok};
use crate::output::table::{Cell, Column, Table};
use crate::output::{Painter, terminal_safe, xml};
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
            if !case.ok {
                // Details quote the lesson's checks: no escape sequences from it reach a CI log.
                for line in terminal_safe(&case.detail).lines() {
                    let _ = writeln!(out, "        {line}");
                }
            }
        }
        let verdict = if run.ok() { "ok" } else { "FAILED" };
        let _ = writeln!(
            out,
            "{}: {verdict}: {} of {} cases pass ({})",
            terminal_safe(&run.lesson),
            run.results.len() - run.failures(),
            run.results.len(),
            millis(run.duration())
        );
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

/// A line per case: `ok    solve     bump-version              12ms`.
fn case_lines(cases: &[CaseResult]) -> Vec<String> {
    // The minimum widths keep lessons' lines aligned with each other.
    let mut table = Table::new(&[Column::left(4), Column::left(8), Column::left(24)]);
    for case in cases {
        table.row(vec![
            Cell::plain(if case.ok { "ok" } else { "FAIL" }),
            Cell::plain(case.phase.as_str()),
            Cell::plain(case.step.as_deref().unwrap_or("-")),
            Cell::plain(millis(case.duration)),
        ]);
    }
    table.lines(Painter::PLAIN)
}

#[derive(Serialize)]
struct JsonCase<'a> {
    phase: Phase,
    step: Option<&'a str>,
    ok: bool,
    duration_ms: u64,
    detail: &'a str,
}

#[derive(Serialize)]
struct JsonLesson<'a> {
    lesson: &'a str,
    ok: bool,
    results: Vec<JsonCase<'a>>,
    kept: &'a [PathBuf],
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
                    step: c.step.as_deref(),
                    ok: c.ok,
                    duration_ms: u64::try_from(c.duration.as_millis()).unwrap_or(u64::MAX),
                    detail: &c.detail,
                })
                .collect(),
            kept: &run.kept,
        })
        .collect();
    let report = serde_json::json!({ "ok": all_ok(runs), "lessons": lessons });
    serde_json::to_string_pretty(&report).expect("reports serialize") + "\n"
}

/// One testsuite per lesson, one testcase per phase and step.
pub fn render_junit(runs: &[LessonRun]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for run in runs {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{}\">",
            xml(&run.lesson),
            run.results.len(),
            run.failures(),
            secs(run.duration())
        );
        for case in &run.results {
            junit_case(&mut out, &run.lesson, case);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn junit_case(out: &mut String, lesson: &str, case: &CaseResult) {
    let name = match &case.step {
        Some(step) => format!("{}: {step}", case.phase.as_str()),
        None => case.phase.as_str().to_string(),
    };
    let _ = write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\" time=\"{}\">",
        xml(lesson),
        xml(&name),
        secs(case.duration)
    );
    if !case.ok {
        let summary = case.detail.lines().next().unwrap_or("deviation");
        let _ = write!(
            out,
            "\n      <failure message=\"{}\">{}</failure>\n    ",
            xml(summary),
            xml(&case.detail)
        );
    }
    out.push_str("</testcase>\n");
}

/// `12ms` under a second, `1.23s` above: enough to spot the slow step.
fn millis(duration: Duration) -> String {
    if duration < Duration::from_secs(1) {
        format!("{}ms", duration.as_millis())
    } else {
        format!("{:.2}s", duration.as_secs_f64())
    }
}

fn secs(duration: Duration) -> String {
    format!("{:.3}", duration.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> LessonRun {
        let case = |phase, step: Option<&str>, detail: &str| CaseResult {
            phase,
            step: step.map(Into::into),
            ok: detail.is_empty(),
            duration: Duration::from_millis(12),
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
        let xml = render_junit(&[sample()]);
        assert!(xml.contains(
            "<testsuite name=\"demo\" tests=\"2\" failures=\"1\" errors=\"0\" time=\"0.024\">"
        ));
        assert!(
            xml.contains("<testcase classname=\"demo\" name=\"lint\" time=\"0.012\"></testcase>")
        );
        assert!(xml.contains("name=\"baseline: bump\""), "{xml}");
        assert!(
            xml.contains("<failure message=\"step bump: check can never fail: &quot;a&lt;b&quot; already passes\">"),
            "{xml}"
        );
    }
}
