//! `labrun lint`: what is wrong with a lesson, by file and line, before a
//! learner ever meets it.

use super::{CheckKind, CheckSpec, Expect, Lesson, manifest, markdown, vars};
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub severity: Severity,
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}: {level}: {}",
            self.file.display(),
            self.line,
            self.message
        )
    }
}

pub fn lint(lesson: &Lesson) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut text = Report::new(&lesson.text_path, &mut findings);
    front_matter(lesson, &mut text);
    placeholders(lesson, &mut text);
    images(lesson, &mut text);
    let mut toml = Report::new(&lesson.manifest_path, &mut findings);
    steps(lesson, &mut toml);
    findings
}

/// Findings about one file.
struct Report<'a> {
    file: PathBuf,
    out: &'a mut Vec<Finding>,
}

impl<'a> Report<'a> {
    fn new(file: &Path, out: &'a mut Vec<Finding>) -> Self {
        Report {
            file: file.to_path_buf(),
            out,
        }
    }

    fn add(&mut self, severity: Severity, line: usize, message: String) {
        self.out.push(Finding {
            severity,
            file: self.file.clone(),
            line,
            message,
        });
    }

    fn error(&mut self, line: usize, message: String) {
        self.add(Severity::Error, line, message);
    }

    fn warn(&mut self, line: usize, message: String) {
        self.add(Severity::Warning, line, message);
    }
}

fn front_matter(lesson: &Lesson, out: &mut Report) {
    let front = &lesson.challenge.front;
    if front.slug.trim().is_empty() {
        out.error(2, "front matter: `slug` is empty".into());
    }
    if front.title.trim().is_empty() {
        out.error(2, "front matter: `title` is empty".into());
    }
    if let Some(kind) = front
        .kind
        .as_deref()
        .filter(|k| !["challenge", "quiz"].contains(k))
    {
        out.warn(
            2,
            format!("front matter: type {kind:?}; labrun runs challenges and quizzes"),
        );
    }
    if front.timelimit == Some(0) {
        out.warn(2, "front matter: `timelimit` is 0".into());
    }
}

fn placeholders(lesson: &Lesson, out: &mut Report) {
    let body = &lesson.challenge.body;
    let lines = super::LineIndex::new(body);
    for p in vars::instruqt_placeholders(body) {
        if lesson.variable(&p.name).is_none() {
            let line = lesson.challenge.body_line + lines.line(p.range.start) - 1;
            out.error(
                line,
                format!(
                    "placeholder {} has no declared variable in lesson.toml",
                    p.name
                ),
            );
        }
    }
}

fn images(lesson: &Lesson, out: &mut Report) {
    for image in markdown::outline(&lesson.challenge.body).images {
        if image.url.contains("://") || lesson.asset(&image.url).is_some() {
            continue;
        }
        let line = lesson.challenge.body_line + image.line - 1;
        out.warn(
            line,
            format!(
                "image {} not found; it will show as its alt text",
                image.url
            ),
        );
    }
}

fn steps(lesson: &Lesson, out: &mut Report) {
    if lesson.steps.is_empty() {
        out.error(1, "the lesson has no steps".into());
    }
    let headings: std::collections::HashSet<String> = markdown::outline(&lesson.challenge.body)
        .headings
        .into_iter()
        .map(|h| h.text.trim().to_string())
        .collect();
    // A check script's or a quiz's step is the challenge's own: no section,
    // no solution of its own (the solve script is), nothing declared to lint.
    for step in lesson.steps.iter().filter(|s| !s.is_instruqt()) {
        match &step.section {
            None => out.error(
                step.line,
                format!(
                    "step {:?} has no `section` naming the heading it belongs to",
                    step.id
                ),
            ),
            Some(section) if !headings.contains(section.trim()) => out.error(
                step.line,
                format!(
                    "step {:?}: section {section:?} is not a heading of the lesson text",
                    step.id
                ),
            ),
            Some(_) => {}
        }
        if step.checks.is_empty() {
            out.error(
                step.line,
                format!("step {:?} has no checks, so it can never fail", step.id),
            );
        }
        if step.solution.trim().is_empty() {
            out.warn(
                step.line,
                format!("step {:?} has no reference solution", step.id),
            );
        }
        checks(lesson, &step.checks, out);
    }
    for (line, path) in manifest::expected_files(lesson) {
        if !path.is_file() {
            out.error(
                line,
                format!("expected_file {} does not exist", path.display()),
            );
        }
    }
}

fn checks(lesson: &Lesson, checks: &[CheckSpec], out: &mut Report) {
    for check in checks {
        for text in check.templated_strings() {
            for r in vars::manifest_refs(text) {
                if lesson.variable(&r.name).is_none() {
                    out.error(
                        check.line,
                        format!("${{{}}} is not a declared variable", r.name),
                    );
                }
            }
        }
        match &check.kind {
            CheckKind::Yaml {
                expect: Expect::Matches(pattern),
                ..
            } => {
                // Values are escaped when filled in, so any literal stands in for them here.
                let mut literal = pattern.clone();
                for r in vars::manifest_refs(pattern).iter().rev() {
                    literal.replace_range(r.range.clone(), "x");
                }
                if let Err(e) = regex::Regex::new(&literal) {
                    out.error(
                        check.line,
                        format!("`matches` is not a valid regular expression: {e}"),
                    );
                }
            }
            CheckKind::Command { run, .. } if run.trim().is_empty() => {
                out.error(check.line, "command check with an empty `run`".into());
            }
            CheckKind::Package { checks: inner, .. } => {
                if inner.is_empty() {
                    out.warn(
                        check.line,
                        "package check with no checks on its contents".into(),
                    );
                }
                self::checks(lesson, inner, out);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn lint_lesson(text: &str, manifest: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("assignment.md"), text).unwrap();
        fs::write(dir.path().join("lesson.toml"), manifest).unwrap();
        let lesson = Lesson::load(dir.path()).unwrap();
        lint(&lesson)
            .iter()
            .map(|f| {
                let file = f.file.file_name().unwrap().to_string_lossy().to_string();
                format!("{file}:{}: {:?}: {}", f.line, f.severity, f.message)
            })
            .collect()
    }

    const GOOD_STEP: &str = "[[variables]]\nname = \"APP\"\n\n[[steps]]\nid = \"s\"\ntitle = \"S\"\nsection = \"Do it\"\nsolution = \"true\"\n[[steps.checks]]\nkind = \"file_exists\"\nfile = \"${APP}.txt\"\n";

    #[test]
    fn a_good_lesson_has_no_findings() {
        let text =
            "---\nslug: d\ntitle: D\n---\nDo it\n=====\nUse [[ Instruqt-Var key=\"APP\" ]]\n";
        assert_eq!(lint_lesson(text, GOOD_STEP), Vec::<String>::new());
    }

    #[test]
    fn reports_each_problem_with_its_line() {
        let text = "---\nslug: d\ntitle: D\n---\n# Other\n\n[[ Instruqt-Var key=\"NOPE\" ]]\n![shot](../assets/missing.png)\n";
        let manifest = "[[steps]]\nid = \"s\"\ntitle = \"S\"\nsection = \"Do it\"\n[[steps.checks]]\nkind = \"yaml\"\nfile = \"f\"\nkey = \"k\"\nmatches = \"(${X}\"\n";
        let found = lint_lesson(text, manifest);
        assert_eq!(
            found,
            [
                "assignment.md:7: Error: placeholder NOPE has no declared variable in lesson.toml",
                "assignment.md:8: Warning: image ../assets/missing.png not found; it will show as its alt text",
                "lesson.toml:1: Error: step \"s\": section \"Do it\" is not a heading of the lesson text",
                "lesson.toml:1: Warning: step \"s\" has no reference solution",
                "lesson.toml:5: Error: ${X} is not a declared variable",
                "lesson.toml:5: Error: `matches` is not a valid regular expression: regex parse error:\n    (x\n    ^\nerror: unclosed group",
            ]
        );
    }
}
