//! Rules on the steps a `lesson.toml` declares (today's lesson lint): each
//! step tied to a heading, with checks and a reference solution, every
//! `${NAME}` a declared variable, patterns that compile, expected files that
//! exist. A check script's or a quiz's step is the challenge's own and has
//! nothing declared to lint; a challenge with no step at all is named.

use super::{Findings, Lint};
use crate::lesson::{CheckKind, CheckSpec, Expect, Lesson, manifest, markdown, vars};

/// A challenge that checks nothing: its Check passes at once.
pub(super) fn nothing_to_check(lint: &Lint, lesson: &Lesson, out: &mut Findings) {
    // A labrun lesson without steps does not load: declared_steps says so.
    if lesson.steps.is_empty() && !lint.is_labrun_lesson() {
        out.info(
            &lesson.text_path,
            lesson.challenge.key_line("slug"),
            "the challenge has no check script and no declared steps: it passes as soon as the learner asks",
        );
    }
}

/// The declared steps of a challenge, and the checks in them.
pub(super) fn declared_steps(lint: &Lint, lesson: &Lesson, out: &mut Findings) {
    let file = &lesson.manifest_path;
    if lesson.steps.is_empty() && lint.is_labrun_lesson() {
        out.error(file, 1, "the lesson has no steps");
    }
    let headings: std::collections::HashSet<String> = markdown::outline(&lesson.challenge.body)
        .headings
        .into_iter()
        .map(|h| h.text.trim().to_string())
        .collect();
    // An Instruqt challenge's text was written for Instruqt: a step added to
    // it may well have no heading to belong to.
    let instruqt = !lint.is_labrun_lesson() || !lesson.scripts.is_empty();
    for step in lesson.steps.iter().filter(|s| !s.is_instruqt()) {
        let id = &step.id;
        match &step.section {
            None if instruqt && headings.is_empty() => {}
            None if instruqt => out.info(
                file,
                step.line,
                format!(
                    "step {id:?} has no `section`: the lab shows it beside no heading of the text"
                ),
            ),
            None => out.error(
                file,
                step.line,
                format!("step {id:?} has no `section` naming the heading it belongs to"),
            ),
            Some(section) if !headings.contains(section.trim()) => out.error(
                file,
                step.line,
                format!("step {id:?}: section {section:?} is not a heading of the lesson text"),
            ),
            Some(_) => {}
        }
        if step.checks.is_empty() {
            out.error(
                file,
                step.line,
                format!("step {id:?} has no checks, so it can never fail"),
            );
        }
        if step.solution.trim().is_empty() {
            out.warn(
                file,
                step.line,
                format!("step {id:?} has no reference solution"),
            );
        }
        for r in vars::manifest_refs(&step.hint) {
            if lesson.variable(&r.name).is_none() {
                out.error(
                    file,
                    step.line,
                    format!(
                        "step {id:?}: its hint uses ${{{}}}, which is not a declared variable",
                        r.name
                    ),
                );
            }
        }
        checks(lesson, &step.checks, out);
    }
    for (line, path) in manifest::expected_files(lesson) {
        if !path.is_file() {
            out.error(
                file,
                line,
                format!("expected_file {} does not exist", path.display()),
            );
        }
    }
}

fn checks(lesson: &Lesson, checks: &[CheckSpec], out: &mut Findings) {
    let file = &lesson.manifest_path;
    for check in checks {
        for text in check.templated_strings() {
            for r in vars::manifest_refs(text) {
                if lesson.variable(&r.name).is_none() {
                    out.error(
                        file,
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
                        file,
                        check.line,
                        format!("`matches` is not a valid regular expression: {e}"),
                    );
                }
            }
            CheckKind::Command { run, .. } if run.trim().is_empty() => {
                out.error(file, check.line, "command check with an empty `run`");
            }
            CheckKind::Package { checks: inner, .. } => {
                if inner.is_empty() {
                    out.warn(
                        file,
                        check.line,
                        "package check with no checks on its contents",
                    );
                }
                self::checks(lesson, inner, out);
            }
            _ => {}
        }
    }
}
