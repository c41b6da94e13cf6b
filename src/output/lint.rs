//! `labrun lint`'s findings for people and machines: one line per finding,
//! `file:line: severity: message` as compilers print them (editors and CI
//! log viewers jump to them), then a count; or one JSON document. Paths are
//! shown relative to the directory lint ran in when they are inside it.

use super::style::{Painter, styles};
use super::text::terminal_safe;
use crate::lesson::SourceKind;
use crate::lesson::lint::{Counts, Finding, Severity};
use serde::Serialize;
use std::fmt::Write;
use std::path::Path;

/// `path` as the user would type it from `base`: relative when inside it.
pub fn shown_path(path: &Path, base: Option<&Path>) -> String {
    let relative = base
        .and_then(|base| path.strip_prefix(base).ok())
        .filter(|r| !r.as_os_str().is_empty());
    relative.unwrap_or(path).display().to_string()
}

/// One line per finding, in the order given.
pub fn human_findings(findings: &[Finding], base: Option<&Path>, paint: Painter) -> String {
    let mut out = String::new();
    for finding in findings {
        let style = match finding.severity {
            Severity::Error => styles::FAIL,
            Severity::Warning => styles::ERROR,
            Severity::Info => styles::HUNK,
        };
        let location = format!("{}:{}:", shown_path(&finding.file, base), finding.line);
        let _ = writeln!(
            out,
            "{} {}: {}",
            paint.paint(styles::STRONG, &terminal_safe(&location)),
            paint.paint(style, finding.severity.name()),
            terminal_safe(&finding.message)
        );
    }
    out
}

/// `DIR: 1 error(s), 2 warning(s), 1 info`.
pub fn human_summary(lesson: &str, counts: Counts) -> String {
    format!(
        "{}: {} error(s), {} warning(s), {} info\n",
        terminal_safe(lesson),
        counts.errors,
        counts.warnings,
        counts.info
    )
}

#[derive(Serialize)]
struct JsonReport<'a> {
    lesson: &'a str,
    source: &'static str,
    findings: Vec<JsonFinding<'a>>,
    #[serde(flatten)]
    counts: Counts,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    severity: Severity,
    rule: &'a str,
    file: String,
    line: usize,
    message: &'a str,
}

/// The whole run as one JSON document.
pub fn json(lesson: &str, source: SourceKind, findings: &[Finding], base: Option<&Path>) -> String {
    let report = JsonReport {
        lesson,
        source: match source {
            SourceKind::Lesson => "lesson",
            SourceKind::Challenge => "challenge",
            SourceKind::Track => "track",
        },
        findings: findings
            .iter()
            .map(|f| JsonFinding {
                severity: f.severity,
                rule: f.rule,
                file: shown_path(&f.file, base),
                line: f.line,
                message: &f.message,
            })
            .collect(),
        counts: Counts::of(findings),
    };
    serde_json::to_string_pretty(&report).expect("findings serialize") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn finding(severity: Severity, file: &str, message: &str) -> Finding {
        Finding {
            severity,
            rule: "r",
            file: PathBuf::from(file),
            line: 3,
            message: message.into(),
        }
    }

    #[test]
    fn lines_name_the_file_relative_to_where_lint_ran() {
        let findings = [
            finding(Severity::Error, "/t/a/check-shell", "bad\x1b[2J"),
            finding(Severity::Info, "/elsewhere/config.yml", "fyi"),
        ];
        let text = human_findings(&findings, Some(Path::new("/t")), Painter::PLAIN);
        assert_eq!(
            text,
            "a/check-shell:3: error: bad\n/elsewhere/config.yml:3: info: fyi\n"
        );
        let painted = human_findings(&findings[..1], None, Painter::COLOR);
        assert!(painted.contains("\x1b[31merror\x1b[0m"), "{painted:?}");
        assert_eq!(
            human_summary("t", Counts::of(&findings)),
            "t: 1 error(s), 0 warning(s), 1 info\n"
        );
    }

    #[test]
    fn json_has_every_finding_and_the_counts() {
        let findings = [finding(Severity::Warning, "/t/track.yml", "w")];
        let value: serde_json::Value = serde_json::from_str(&json(
            "t",
            SourceKind::Track,
            &findings,
            Some(Path::new("/t")),
        ))
        .unwrap();
        assert_eq!(value["source"], "track");
        assert_eq!(value["warnings"], 1);
        assert_eq!(value["errors"], 0);
        assert_eq!(
            value["findings"][0],
            serde_json::json!({"severity": "warning", "rule": "r", "file": "track.yml", "line": 3, "message": "w"})
        );
    }
}
