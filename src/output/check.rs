//! `labrun check`'s results for people and machines: a checklist for a
//! terminal, JSON, and JUnit XML for CI. Outcomes arrive already redacted
//! of secrets; text from lessons and files is printed without its escape
//! sequences.

use super::style::{Painter, status_mark, status_style, styles};
use super::table::{Cell, Table};
use super::text::{terminal_safe, xml};
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
    let count = |s: Status| reports.iter().filter(|r| r.status == s).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites>\n  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
        xml(lesson),
        reports.len(),
        count(Status::Fail),
        count(Status::Error)
    );
    for report in reports {
        let _ = write!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\">",
            xml(lesson),
            xml(&format!("{}: {}", report.id, report.title))
        );
        if report.status != Status::Pass {
            let tag = if report.status == Status::Error {
                "error"
            } else {
                "failure"
            };
            let failing: Vec<_> = report
                .outcomes
                .iter()
                .filter(|o| o.status != Status::Pass)
                .collect();
            let summary = format!(
                "{} of {} conditions met",
                report.passed_conditions(),
                report.outcomes.len()
            );
            let details: String = failing
                .iter()
                .map(|o| {
                    format!(
                        "{}: {}\n{}",
                        o.name,
                        o.message,
                        o.diff.as_deref().unwrap_or("")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            let _ = write!(
                out,
                "\n      <{tag} message=\"{}\">{}</{tag}>\n    ",
                xml(&summary),
                xml(&details)
            );
        }
        out.push_str("</testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Outcome;

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
    fn junit_escapes_and_counts() {
        let xml = junit("lesson", &reports());
        assert!(
            xml.contains("<testsuite name=\"lesson\" tests=\"2\" failures=\"1\" errors=\"0\">")
        );
        assert!(xml.contains("name=\"bump-version: Bump &lt;version&gt;\""));
        assert!(xml.contains("<failure message=\"0 of 1 conditions met\">Chart.yaml: version: expected &quot;0.5.0&quot;"));
        assert!(xml.contains(
            "<testcase classname=\"lesson\" name=\"proxy-image: Proxy the image\"></testcase>"
        ));
    }
}
