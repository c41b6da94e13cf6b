//! `labrun check`'s results for people and machines: a checklist for a
//! terminal, JSON, and JUnit XML for CI. Outcomes arrive already redacted
//! of secrets; text from lessons and files is printed without its escape
//! sequences.

use super::junit::{Junit, Suite, Verdict};
use super::style::{Painter, status_mark, status_style, styles};
use super::table::{Cell, Table};
use super::text::terminal_safe;
use crate::checks::{Status, StepReport};
use anstyle::Style;
use serde::Serialize;
use std::fmt::Write;

pub fn passed(reports: &[StepReport]) -> usize {
    reports.iter().filter(|r| r.status == Status::Pass).count()
}

/// The checklist: every step with its conditions; details for those not passing.
pub fn human(title: &str, reports: &[StepReport], paint: Painter) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — {} of {} steps pass\n",
        paint.paint(styles::STRONG, &terminal_safe(title)),
        passed(reports),
        reports.len()
    );
    // A row per step, its details printed under it when it does not pass.
    let mut table = Table::new(&[]);
    for report in reports {
        let met = format!("{}/{}", report.passed_conditions(), report.outcomes.len());
        let mark = Cell::styled(status_style(report.status), status_mark(report.status));
        table.row(vec![
            mark.then(Style::new(), format!(" {}", report.id)),
            Cell::plain(terminal_safe(&report.title))
                .then(Style::new(), "  ")
                .then(styles::QUIET, format!("({met} conditions met)")),
        ]);
    }
    for (report, line) in reports.iter().zip(table.lines(paint)) {
        let _ = writeln!(out, "{line}");
        if report.status == Status::Pass {
            continue;
        }
        for outcome in &report.outcomes {
            let _ = writeln!(
                out,
                "    {} {}",
                paint.status(outcome.status),
                terminal_safe(&outcome.name)
            );
            if outcome.status == Status::Pass {
                continue;
            }
            for line in terminal_safe(&outcome.message).lines() {
                let _ = writeln!(out, "        {line}");
            }
            if let Some(location) = &outcome.location {
                let location = terminal_safe(location);
                let _ = writeln!(
                    out,
                    "        {}",
                    paint.paint(styles::QUIET, &format!("at {location}"))
                );
            }
            if let Some(diff) = &outcome.diff {
                for line in terminal_safe(diff).lines() {
                    let _ = writeln!(out, "        {}", paint.diff_line(line));
                }
            }
        }
    }
    out
}

#[derive(Serialize)]
struct JsonReport<'a> {
    lesson: &'a str,
    steps: &'a [StepReport],
    passed: usize,
    total: usize,
}

pub fn json(lesson: &str, reports: &[StepReport]) -> String {
    let report = JsonReport {
        lesson,
        steps: reports,
        passed: passed(reports),
        total: reports.len(),
    };
    serde_json::to_string_pretty(&report).expect("reports serialize") + "\n"
}

/// One testcase per step; failing conditions become its failure text.
pub fn junit(lesson: &str, reports: &[StepReport]) -> String {
    let mut suite = Suite::new(lesson);
    for report in reports {
        let summary = format!(
            "{} of {} conditions met",
            report.passed_conditions(),
            report.outcomes.len()
        );
        let failing: Vec<String> = report
            .outcomes
            .iter()
            .filter(|o| o.status != Status::Pass)
            .map(|o| {
                let diff = o.diff.as_deref().unwrap_or("");
                format!("{}: {}\n{diff}", o.name, o.message)
            })
            .collect();
        let details = failing.join("\n");
        let (message, details) = (summary.as_str(), details.as_str());
        let verdict = match report.status {
            Status::Pass => Verdict::Pass,
            Status::Fail => Verdict::Failure { message, details },
            Status::Error => Verdict::Error { message, details },
            Status::Skipped => Verdict::Skipped {
                message: report
                    .outcomes
                    .iter()
                    .find(|o| o.status == Status::Skipped)
                    .map_or(message, |o| o.message.as_str()),
            },
        };
        let name = format!("{}: {}", report.id, report.title);
        suite.case(lesson, &name, None, verdict);
    }
    let mut junit = Junit::default();
    junit.suite(suite);
    junit.to_xml()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Outcome;
    use quick_junit::{NonSuccessKind, TestCaseStatus};

    fn reports() -> Vec<StepReport> {
        vec![
            StepReport {
                id: "proxy-image".into(),
                title: "Proxy the image".into(),
                status: Status::Pass,
                outcomes: vec![Outcome::pass("values.yaml: repo", "ok")],
            },
            StepReport {
                id: "bump-version".into(),
                title: "Bump <version>".into(),
                status: Status::Fail,
                outcomes: vec![
                    Outcome::fail("Chart.yaml: version", "expected \"0.5.0\"\nfound \"0.4.1\"")
                        .at("Chart.yaml", 3)
                        .with_diff("-0.4.1\n+0.5.0\n".into()),
                ],
            },
        ]
    }

    #[test]
    fn human_checklist_without_colour() {
        let text = human("Lesson", &reports(), Painter::PLAIN);
        insta::assert_snapshot!(text, @r#"
        Lesson — 1 of 2 steps pass

        ✓ proxy-image   Proxy the image  (1/1 conditions met)
        ✗ bump-version  Bump <version>  (0/1 conditions met)
            ✗ Chart.yaml: version
                expected "0.5.0"
                found "0.4.1"
                at Chart.yaml:3
                -0.4.1
                +0.5.0
        "#);
    }

    #[test]
    fn a_skipped_step_shows_why_and_never_passes() {
        let why = "needs host `cluster` (a VM), not available here";
        let reports = vec![StepReport {
            id: "check-cluster".into(),
            title: "the challenge's check (check-cluster)".into(),
            status: Status::Skipped,
            outcomes: vec![Outcome::skipped(
                "the challenge's check (check-cluster)",
                why,
            )],
        }];
        let text = human("Needs a VM", &reports, Painter::PLAIN);
        insta::assert_snapshot!(text, @r"
        Needs a VM — 0 of 1 steps pass

        – check-cluster  the challenge's check (check-cluster)  (0/1 conditions met)
            – the challenge's check (check-cluster)
                needs host `cluster` (a VM), not available here
        ");
        let v: serde_json::Value = serde_json::from_str(&json("track", &reports)).unwrap();
        assert_eq!(v["steps"][0]["status"], "skipped");
        assert_eq!(v["steps"][0]["checks"][0]["status"], "skipped");
        let xml = junit("track", &reports);
        assert!(
            xml.contains(&format!("<skipped message=\"{why}\"/>")),
            "{xml}"
        );
    }

    #[test]
    fn colour_only_when_asked() {
        assert!(human("L", &reports(), Painter::COLOR).contains("\x1b[32m✓"));
        assert!(!human("L", &reports(), Painter::PLAIN).contains('\x1b'));
    }

    #[test]
    fn json_has_the_documented_shape() {
        let v: serde_json::Value = serde_json::from_str(&json("lesson", &reports())).unwrap();
        assert_eq!(v["lesson"], "lesson");
        assert_eq!(
            (v["passed"].as_u64(), v["total"].as_u64()),
            (Some(1), Some(2))
        );
        let check = &v["steps"][1]["checks"][0];
        assert_eq!(check["status"], "fail");
        assert_eq!(check["diff"], "-0.4.1\n+0.5.0\n");
        assert_eq!(v["steps"][1]["status"], "fail");
    }

    #[test]
    fn junit_has_a_testcase_per_step_with_the_failing_conditions() {
        let mut reports = reports();
        reports.push(StepReport {
            id: "promote".into(),
            title: "Promote".into(),
            status: Status::Error,
            outcomes: vec![Outcome::error("the API", "unreachable")],
        });
        let xml = junit("lesson", &reports);
        // Escaped as XML says: the writer's escaping, the shape the redactor knows.
        assert!(
            xml.contains("name=\"bump-version: Bump &lt;version&gt;\""),
            "{xml}"
        );
        assert!(xml.contains("-0.4.1\n+0.5.0\n</failure>"), "{xml}");
        let report = quick_junit::Report::deserialize_from_str(&xml).unwrap();
        let suite = &report.test_suites[0];
        assert_eq!(suite.name.as_str(), "lesson");
        assert_eq!((suite.tests, suite.failures, suite.errors), (3, 1, 1));
        let names: Vec<&str> = suite.test_cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "proxy-image: Proxy the image",
                "bump-version: Bump <version>",
                "promote: Promote"
            ]
        );
        assert!(
            suite
                .test_cases
                .iter()
                .all(|c| c.classname.as_deref() == Some("lesson"))
        );
        let status = |i: usize| match &suite.test_cases[i].status {
            TestCaseStatus::NonSuccess {
                kind,
                message,
                description,
                ..
            } => Some((*kind, message.as_deref(), description.as_deref())),
            _ => None,
        };
        assert_eq!(status(0), None);
        assert_eq!(
            status(1),
            Some((
                NonSuccessKind::Failure,
                Some("0 of 1 conditions met"),
                // (read back without the line break that ends it)
                Some("Chart.yaml: version: expected \"0.5.0\"\nfound \"0.4.1\"\n-0.4.1\n+0.5.0")
            ))
        );
        assert_eq!(
            status(2),
            Some((
                NonSuccessKind::Error,
                Some("0 of 1 conditions met"),
                Some("the API: unreachable")
            ))
        );
    }
}
