//! `lesson.toml`, labrun's own file beside the challenge text: read, its
//! steps put together (each check table through `check_table.rs`) and
//! validated. Its format is documented for authors in `docs/lesson-format.md`.

mod check_table;

pub use check_table::{CheckError, Outer};

use super::lesson_dir::LessonDir;
use super::{
    CheckKind, CheckSpec, ExpectedText, Lesson, LessonError, LineIndex, MANIFEST, Step, Variable,
    instruqt,
};
use serde::Deserialize;
use std::path::{Path, PathBuf};

const DEFAULT_TEXT: &str = "assignment.md";
const DEFAULT_FILES: &str = "files";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    text: Option<toml::Spanned<String>>,
    files: Option<toml::Spanned<String>>,
    #[serde(default)]
    variables: Vec<Variable>,
    #[serde(default)]
    steps: Vec<toml::Spanned<RawStep>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    id: String,
    title: String,
    section: Option<String>,
    #[serde(default)]
    hint: String,
    #[serde(default)]
    solution: String,
    #[serde(default)]
    needs: Vec<String>,
    /// Kept as raw values so each check's own line can be reported.
    #[serde(default)]
    checks: Vec<toml::Spanned<toml::Value>>,
}

pub(super) fn load(dir: &Path) -> Result<Lesson, LessonError> {
    let dir = &std::path::absolute(dir).map_err(|source| LessonError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let manifest_path = dir.join(MANIFEST);
    let source = read(&manifest_path)?;
    let lines = LineIndex::new(&source);
    let raw: RawManifest = toml::from_str(&source).map_err(|e| LessonError::Syntax {
        file: manifest_path.clone(),
        line: e.span().map_or(1, |s| lines.line(s.start)),
        message: e.message().to_string(),
    })?;
    let inside = LessonDir::new(dir);
    // A path the manifest names, checked to stay in the lesson directory.
    let named = |value: &Option<toml::Spanned<String>>, key: &'static str, default: &str| {
        let (path, line) = match value {
            Some(v) => (v.get_ref().as_str(), lines.line(v.span().start)),
            None => (default, 1),
        };
        inside.resolve(path).map_err(|source| LessonError::Outside {
            file: manifest_path.clone(),
            line,
            key,
            source,
        })
    };
    let text_path = named(&raw.text, "text", DEFAULT_TEXT)?;
    let challenge = instruqt::parse(&text_path, &read(&text_path)?)?;
    let files_dir = match raw.files {
        Some(_) => Some(named(&raw.files, "files", DEFAULT_FILES)?),
        None => Some(dir.join(DEFAULT_FILES))
            .filter(|p| p.is_dir() && inside.resolve(DEFAULT_FILES).is_ok()),
    };
    let mut steps = Vec::with_capacity(raw.steps.len());
    for spanned in raw.steps {
        let line = lines.line(spanned.span().start);
        let raw_step = spanned.into_inner();
        let mut checks = Vec::with_capacity(raw_step.checks.len());
        for check in raw_step.checks {
            let check_line = lines.line(check.span().start);
            let spec = check_table::to_check(check.into_inner(), check_line, &inside).map_err(
                |source| LessonError::Check {
                    file: manifest_path.clone(),
                    line: check_line,
                    step: raw_step.id.clone(),
                    source,
                },
            )?;
            checks.push(spec);
        }
        steps.push(Step {
            id: raw_step.id,
            title: raw_step.title,
            section: raw_step.section,
            hint: raw_step.hint,
            solution: raw_step.solution,
            needs: raw_step.needs,
            checks,
            line,
        });
    }
    validate_steps(&steps).map_err(|(line, source)| LessonError::Steps {
        file: manifest_path.clone(),
        line,
        source,
    })?;
    Ok(Lesson {
        dir: dir.to_path_buf(),
        slug: challenge.front.slug.clone(),
        challenge,
        text_path,
        manifest_path,
        files_dir,
        variables: raw.variables,
        steps,
    })
}

/// A lesson file: a regular file of bounded size, opened without blocking
/// (a FIFO named as `text` must not hang `lint`, `show` or `init`).
fn read(path: &Path) -> Result<String, LessonError> {
    Ok(crate::fsutil::read_text(path)?)
}

/// What is wrong with the steps of a manifest as a whole (each at a line).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StepsError {
    #[error("the lesson has no steps: add at least one [[steps]] with a check")]
    NoSteps,
    #[error("step id {0:?} must be letters, digits, - or _")]
    BadId(String),
    #[error("step id {0:?} is used twice")]
    UsedTwice(String),
    #[error("step {step:?} needs {need:?}, which is not an earlier step")]
    NeedsLater { step: String, need: String },
}

/// The step ids are well-formed and unique, and `needs` names only earlier
/// steps; the first problem comes back with its line.
fn validate_steps(steps: &[Step]) -> Result<(), (usize, StepsError)> {
    if steps.is_empty() {
        return Err((1, StepsError::NoSteps));
    }
    // Earlier steps' ids: a set, so 10,000 steps validate in linear time.
    let mut earlier: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for step in steps {
        let at = |e| Err((step.line, e));
        if step.id.is_empty()
            || !step
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return at(StepsError::BadId(step.id.clone()));
        }
        if earlier.contains(step.id.as_str()) {
            return at(StepsError::UsedTwice(step.id.clone()));
        }
        if let Some(need) = step.needs.iter().find(|n| !earlier.contains(n.as_str())) {
            return at(StepsError::NeedsLater {
                step: step.id.clone(),
                need: need.clone(),
            });
        }
        earlier.insert(&step.id);
    }
    Ok(())
}

/// Paths the manifest names that must exist in the lesson directory.
pub fn expected_files(lesson: &Lesson) -> Vec<(usize, PathBuf)> {
    fn walk(checks: &[CheckSpec], out: &mut Vec<(usize, PathBuf)>) {
        for check in checks {
            match &check.kind {
                CheckKind::Text {
                    expected: ExpectedText::File(path),
                    ..
                } => out.push((check.line, path.clone())),
                CheckKind::Package { checks, .. } | CheckKind::Release { checks, .. } => {
                    walk(checks, out)
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for step in &lesson.steps {
        walk(&step.checks, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::Expect;
    use std::fs;

    const TEXT: &str = "---\nslug: demo\ntitle: Demo\n---\n# Intro\n";

    fn lesson_with(manifest: &str) -> Result<Lesson, LessonError> {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("assignment.md"), TEXT).unwrap();
        fs::write(dir.path().join(MANIFEST), manifest).unwrap();
        Lesson::load(dir.path())
    }

    #[test]
    fn loads_steps_and_checks_with_their_lines() {
        let lesson = lesson_with(
            r#"
[[steps]]
id = "one"
title = "First"

[[steps.checks]]
kind = "yaml"
file = "v.yaml"
key = "a.b"
starts_with = "x"

[[steps.checks]]
kind = "package"
file = "p.tgz"
checks = [{ kind = "file_exists", file = "p/Chart.yaml" }]
"#,
        )
        .unwrap();
        assert_eq!(lesson.slug, "demo");
        let step = &lesson.steps[0];
        assert_eq!(step.line, 2);
        assert_eq!(step.checks[0].line, 6);
        assert_eq!(
            step.checks[0].kind,
            CheckKind::Yaml {
                file: "v.yaml".into(),
                key: "a.b".into(),
                expect: Expect::StartsWith("x".into())
            }
        );
        assert!(
            matches!(&step.checks[1].kind, CheckKind::Package { checks, .. } if checks.len() == 1)
        );
    }

    fn error_of(manifest: &str) -> String {
        lesson_with(manifest).unwrap_err().to_string()
    }

    #[test]
    fn unknown_check_kind_names_the_line() {
        let err = error_of(
            "[[steps]]\nid = \"a\"\ntitle = \"A\"\n[[steps.checks]]\nkind = \"telepathy\"\n",
        );
        assert!(err.contains("lesson.toml:4:"), "{err}");
        assert!(err.contains("unknown check kind `telepathy`"), "{err}");
    }

    #[test]
    fn malformed_checks_are_explained() {
        let err = lesson_with(
            "[[steps]]\nid = \"a\"\ntitle = \"A\"\n[[steps.checks]]\nkind = \"yaml\"\nfile = \"f\"\nkey = \"k\"\n",
        )
        .unwrap_err();
        assert!(
            matches!(&err, LessonError::Check { line: 4, step, source: CheckError::YamlExpect, .. } if step == "a"),
            "{err:?}"
        );
        let err = err.to_string();
        assert!(
            err.contains("lesson.toml:4: step \"a\": a yaml check needs exactly one of `equals`"),
            "{err}"
        );
        let err = error_of(
            "[[steps]]\nid = \"a\"\ntitle = \"A\"\n[[steps.checks]]\nkind = \"file_exists\"\nfile = \"f\"\ncolour = 1\n",
        );
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn toml_syntax_errors_and_bad_steps_name_the_line() {
        let err = error_of("[[steps]\n");
        assert!(err.contains("lesson.toml:1:"), "{err}");
        let err = lesson_with(
            "[[steps]]\nid = \"a\"\ntitle = \"A\"\n[[steps]]\nid = \"a\"\ntitle = \"B\"\n",
        )
        .unwrap_err();
        assert!(
            matches!(&err, LessonError::Steps { line: 4, source: StepsError::UsedTwice(id), .. } if id == "a"),
            "{err:?}"
        );
        let err = err.to_string();
        assert!(
            err.contains("lesson.toml:4:") && err.contains("used twice"),
            "{err}"
        );
        let err = error_of("[[steps]]\nid = \"a\"\ntitle = \"A\"\nneeds = [\"b\"]\n");
        assert!(err.contains("not an earlier step"), "{err}");
    }

    #[test]
    fn a_lesson_without_steps_is_refused() {
        let err = error_of("text = \"assignment.md\"\n");
        assert!(
            err.contains("lesson.toml:1:") && err.contains("has no steps"),
            "{err}"
        );
    }

    #[test]
    fn checks_inside_a_package_say_where_they_are() {
        let err = lesson_with(
            "[[steps]]\nid = \"a\"\ntitle = \"A\"\n[[steps.checks]]\nkind = \"package\"\nfile = \"p.tgz\"\nchecks = [{ kind = \"command\", run = \"true\" }]\n",
        )
        .unwrap_err();
        assert!(
            matches!(
                &err,
                LessonError::Check {
                    source: CheckError::NotAFileCheck(Outer::Package),
                    ..
                }
            ),
            "{err:?}"
        );
        let err = err.to_string();
        assert!(
            err.contains(
                "checks inside a package check can be file_exists, yaml, text or template"
            ),
            "{err}"
        );
        let err = lesson_with(
            "[[steps]]\nid = \"a\"\ntitle = \"A\"\n[[steps.checks]]\nkind = \"release\"\nchannels = [\"Unstable\"]\nversion = \"1\"\nchecks = [{ kind = \"yaml\", file = \"f\", key = \"k\" }]\n",
        )
        .unwrap_err();
        let LessonError::Check {
            source: CheckError::Inside { outer, error },
            ..
        } = &err
        else {
            panic!("{err:?}");
        };
        assert_eq!(
            (*outer, &**error),
            (Outer::Release, &CheckError::YamlExpect)
        );
        assert!(
            err.to_string()
                .contains("inside release check: a yaml check needs exactly one of"),
            "{err}"
        );
    }

    #[test]
    fn missing_challenge_text_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(MANIFEST), "").unwrap();
        let err = Lesson::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("assignment.md"), "{err}");
    }
}
