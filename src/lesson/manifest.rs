//! `lesson.toml`: labrun's own file beside the challenge text. Its format is
//! documented for authors in `docs/lesson-format.md`.

use super::{
    CheckKind, CheckSpec, Expect, ExpectedText, Lesson, LessonError, LineIndex, MANIFEST,
    Rendering, Step, TemplateValue, Variable, instruqt,
};
use serde::Deserialize;
use std::path::{Path, PathBuf};

const DEFAULT_TEXT: &str = "assignment.md";
const DEFAULT_FILES: &str = "files";
const DEFAULT_COMMAND_TIMEOUT_SECS: u64 = 30;

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

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum RawCheck {
    FileExists {
        name: Option<String>,
        file: String,
    },
    Yaml {
        name: Option<String>,
        file: String,
        key: String,
        equals: Option<String>,
        starts_with: Option<String>,
        matches: Option<String>,
    },
    Text {
        name: Option<String>,
        file: String,
        expected: Option<String>,
        expected_file: Option<String>,
    },
    Template {
        name: Option<String>,
        file: String,
        #[serde(default)]
        values: toml::Table,
        expect: Option<toml::Table>,
        #[serde(default)]
        renders_nothing: bool,
    },
    Package {
        name: Option<String>,
        file: String,
        top: Option<String>,
        rebuild: Option<String>,
        #[serde(default)]
        checks: Vec<toml::Value>,
    },
    Command {
        name: Option<String>,
        run: String,
        timeout: Option<u64>,
    },
    Release {
        name: Option<String>,
        channels: Vec<String>,
        version: String,
        chart: Option<String>,
        chart_version: Option<String>,
        #[serde(default)]
        checks: Vec<toml::Value>,
    },
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
    let syntax = |line, message| LessonError::Syntax {
        file: manifest_path.clone(),
        line,
        message,
    };
    let inside = LessonDir::new(dir);
    // A path the manifest names, checked to stay in the lesson directory.
    let named = |value: &Option<toml::Spanned<String>>, key: &str, default: &str| {
        let (path, line) = match value {
            Some(v) => (v.get_ref().as_str(), lines.line(v.span().start)),
            None => (default, 1),
        };
        inside
            .resolve(path)
            .map_err(|why| syntax(line, format!("`{key}` {why}")))
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
            let spec = to_check(check.into_inner(), check_line, &inside).map_err(|message| {
                syntax(check_line, format!("step {:?}: {message}", raw_step.id))
            })?;
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
    validate_steps(&steps).map_err(|(line, message)| syntax(line, message))?;
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
    crate::fsutil::read_text(path).map_err(|e| match e {
        crate::fsutil::ReadError::Io { path, source } => LessonError::Io { path, source },
        crate::fsutil::ReadError::NotFound { path } => LessonError::Io {
            path,
            source: std::io::ErrorKind::NotFound.into(),
        },
        other => LessonError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(reason(&other)),
        },
    })
}

/// The part of a read error after the path (`LessonError::Io` prints the path).
fn reason(e: &crate::fsutil::ReadError) -> String {
    let text = e.to_string();
    let path = match e {
        crate::fsutil::ReadError::NotRegular { path, .. }
        | crate::fsutil::ReadError::TooLarge { path, .. }
        | crate::fsutil::ReadError::NotText { path }
        | crate::fsutil::ReadError::NotFound { path }
        | crate::fsutil::ReadError::Io { path, .. } => path.display().to_string(),
    };
    text.strip_prefix(&path)
        .unwrap_or(&text)
        .trim_start()
        .to_string()
}

/// The lesson directory, for keeping the paths a lesson names inside it:
/// a lesson is someone else's file, and `expected_file = "/etc/passwd"` or
/// `files = "/home/you"` must not reach a learner's machine beyond it.
pub(super) struct LessonDir {
    dir: PathBuf,
    /// The directory with its symlinks resolved (None if it cannot be).
    real: Option<PathBuf>,
}

impl LessonDir {
    pub(super) fn new(dir: &Path) -> LessonDir {
        LessonDir {
            dir: dir.to_path_buf(),
            real: std::fs::canonicalize(dir).ok(),
        }
    }

    /// `relative` joined to the lesson directory, or why it leaves it
    /// (absolute, `..` past the top, or a symlink pointing out).
    pub(super) fn resolve(&self, relative: &str) -> Result<PathBuf, String> {
        let path = Path::new(relative);
        let mut depth = 0usize;
        for component in path.components() {
            match component {
                std::path::Component::Normal(_) => depth += 1,
                std::path::Component::CurDir => {}
                std::path::Component::ParentDir if depth > 0 => depth -= 1,
                _ => return Err(format!("{relative:?} is outside the lesson directory")),
            }
        }
        let joined = self.dir.join(path);
        match (std::fs::canonicalize(&joined), &self.real) {
            (Ok(real), Some(top)) if !real.starts_with(top) => Err(format!(
                "{relative:?} resolves to {}, outside the lesson directory",
                real.display()
            )),
            // A missing file is reported where it is read, naming it.
            _ => Ok(joined),
        }
    }
}

/// A raw TOML check table → a `CheckSpec`, or a message saying what is wrong.
fn to_check(value: toml::Value, line: usize, lesson_dir: &LessonDir) -> Result<CheckSpec, String> {
    let raw: RawCheck = value
        .try_into()
        .map_err(|e: toml::de::Error| clean(e.message()))?;
    let (name, kind) = match raw {
        RawCheck::FileExists { name, file } => (name, CheckKind::FileExists { file }),
        RawCheck::Yaml {
            name,
            file,
            key,
            equals,
            starts_with,
            matches,
        } => {
            let expect = match (equals, starts_with, matches) {
                (Some(v), None, None) => Expect::Equals(v),
                (None, Some(v), None) => Expect::StartsWith(v),
                (None, None, Some(v)) => Expect::Matches(v),
                _ => {
                    return Err(
                        "a yaml check needs exactly one of `equals`, `starts_with` or `matches`"
                            .into(),
                    );
                }
            };
            (name, CheckKind::Yaml { file, key, expect })
        }
        RawCheck::Text {
            name,
            file,
            expected,
            expected_file,
        } => {
            let expected = match (expected, expected_file) {
                (Some(text), None) => ExpectedText::Inline(text),
                (None, Some(path)) => ExpectedText::File(
                    lesson_dir
                        .resolve(&path)
                        .map_err(|why| format!("`expected_file` {why}"))?,
                ),
                _ => {
                    return Err(
                        "a text check needs exactly one of `expected` or `expected_file`".into(),
                    );
                }
            };
            (name, CheckKind::Text { file, expected })
        }
        RawCheck::Template {
            name,
            file,
            values,
            expect,
            renders_nothing,
        } => {
            let expect = match (expect, renders_nothing) {
                (Some(fields), false) if !fields.is_empty() => {
                    let mut flat = Vec::new();
                    flatten_fields(&fields, &[], &mut flat)?;
                    Rendering::Fields(flat)
                }
                (None, true) => Rendering::Nothing,
                _ => {
                    return Err(
                        "a template check needs `expect = { … }` (fields of the rendered YAML) or `renders_nothing = true`, one of them"
                            .into(),
                    );
                }
            };
            let values = values
                .into_iter()
                .map(|(k, v)| Ok((k, template_value(v)?)))
                .collect::<Result<_, String>>()?;
            (
                name,
                CheckKind::Template {
                    file,
                    values,
                    expect,
                },
            )
        }
        RawCheck::Package {
            name,
            file,
            top,
            rebuild,
            checks,
        } => {
            let checks = inner_checks(checks, line, lesson_dir, "package")?;
            (
                name,
                CheckKind::Package {
                    file,
                    top,
                    rebuild,
                    checks,
                },
            )
        }
        RawCheck::Release {
            name,
            channels,
            version,
            chart,
            chart_version,
            checks,
        } => {
            let chart = match (chart, chart_version) {
                (Some(chart), Some(version)) => Some((chart, version)),
                (None, None) => None,
                _ => {
                    return Err(
                        "a release check names both `chart` and `chart_version`, or neither".into(),
                    );
                }
            };
            if channels.is_empty() {
                return Err("a release check needs at least one channel".into());
            }
            let checks = inner_checks(checks, line, lesson_dir, "release")?;
            (
                name,
                CheckKind::Release {
                    channels,
                    version,
                    chart,
                    checks,
                },
            )
        }
        RawCheck::Command { name, run, timeout } => (
            name,
            CheckKind::Command {
                run,
                timeout_secs: timeout.unwrap_or(DEFAULT_COMMAND_TIMEOUT_SECS),
            },
        ),
    };
    Ok(CheckSpec { name, kind, line })
}

/// `expect = { metadata.name = "x" }` nests in TOML; the check wants the
/// path back: `metadata.name`, with keys holding dots in brackets.
fn flatten_fields(
    table: &toml::Table,
    prefix: &[String],
    out: &mut Vec<(String, String)>,
) -> Result<(), String> {
    for (key, value) in table {
        let mut segments = prefix.to_vec();
        if prefix.is_empty() || !key.contains(['.', '[', ']']) {
            segments.push(key.clone());
        } else {
            segments.push(format!("[{key:?}]"));
        }
        let path = segments.join(".").replace(".[", "[");
        let text = match value {
            toml::Value::Table(inner) => {
                flatten_fields(inner, &segments, out)?;
                continue;
            }
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            _ => {
                return Err(format!(
                    "`expect` field {path:?} must be a string, number or boolean"
                ));
            }
        };
        out.push((path, text));
    }
    Ok(())
}

fn template_value(value: toml::Value) -> Result<TemplateValue, String> {
    Ok(match value {
        toml::Value::String(s) => TemplateValue::Str(s),
        toml::Value::Integer(i) => TemplateValue::Int(i),
        toml::Value::Float(f) => TemplateValue::Float(f),
        toml::Value::Boolean(b) => TemplateValue::Bool(b),
        toml::Value::Array(items) => TemplateValue::List(
            items
                .into_iter()
                .map(template_value)
                .collect::<Result<_, _>>()?,
        ),
        toml::Value::Table(table) => TemplateValue::Map(
            table
                .into_iter()
                .map(|(k, v)| Ok((k, template_value(v)?)))
                .collect::<Result<_, String>>()?,
        ),
        toml::Value::Datetime(d) => TemplateValue::Str(d.to_string()),
    })
}

/// The checks on files inside a package or a released chart.
fn inner_checks(
    raw: Vec<toml::Value>,
    line: usize,
    lesson_dir: &LessonDir,
    outer: &str,
) -> Result<Vec<CheckSpec>, String> {
    let checks = raw
        .into_iter()
        .map(|c| to_check(c, line, lesson_dir))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("inside {outer} check: {e}"))?;
    let file_check = |c: &CheckSpec| {
        matches!(
            c.kind,
            CheckKind::FileExists { .. }
                | CheckKind::Yaml { .. }
                | CheckKind::Text { .. }
                | CheckKind::Template { .. }
        )
    };
    if !checks.iter().all(file_check) {
        return Err(format!(
            "checks inside a {outer} check can be file_exists, yaml, text or template"
        ));
    }
    Ok(checks)
}

/// serde's "unknown variant `x`, expected one of ..." speaks of variants;
/// authors write check kinds.
fn clean(message: &str) -> String {
    message
        .replace("unknown variant", "unknown check kind")
        .replace("missing field `kind`", "a check needs a `kind`")
}

fn validate_steps(steps: &[Step]) -> Result<(), (usize, String)> {
    if steps.is_empty() {
        return Err((
            1,
            "the lesson has no steps: add at least one [[steps]] with a check".into(),
        ));
    }
    // Earlier steps' ids: a set, so 10,000 steps validate in linear time.
    let mut earlier: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for step in steps {
        if step.id.is_empty()
            || !step
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err((
                step.line,
                format!("step id {:?} must be letters, digits, - or _", step.id),
            ));
        }
        if earlier.contains(step.id.as_str()) {
            return Err((step.line, format!("step id {:?} is used twice", step.id)));
        }
        if let Some(need) = step.needs.iter().find(|n| !earlier.contains(n.as_str())) {
            return Err((
                step.line,
                format!(
                    "step {:?} needs {need:?}, which is not an earlier step",
                    step.id
                ),
            ));
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
        let err = error_of(
            "[[steps]]\nid = \"a\"\ntitle = \"A\"\n[[steps.checks]]\nkind = \"yaml\"\nfile = \"f\"\nkey = \"k\"\n",
        );
        assert!(err.contains("exactly one of `equals`"), "{err}");
        let err = error_of(
            "[[steps]]\nid = \"a\"\ntitle = \"A\"\n[[steps.checks]]\nkind = \"file_exists\"\nfile = \"f\"\ncolour = 1\n",
        );
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn toml_syntax_errors_and_bad_steps_name_the_line() {
        let err = error_of("[[steps]\n");
        assert!(err.contains("lesson.toml:1:"), "{err}");
        let err = error_of(
            "[[steps]]\nid = \"a\"\ntitle = \"A\"\n[[steps]]\nid = \"a\"\ntitle = \"B\"\n",
        );
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
    fn missing_challenge_text_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(MANIFEST), "").unwrap();
        let err = Lesson::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("assignment.md"), "{err}");
    }
}
