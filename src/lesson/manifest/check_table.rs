//! One `[[steps.checks]]` table of `lesson.toml` → a [`CheckSpec`], or a
//! [`CheckError`] saying what is wrong with it (the manifest adds the line).

use super::super::lesson_dir::{LessonDir, OutsideLesson};
use super::super::{CheckKind, CheckSpec, Expect, ExpectedText, Rendering, TemplateValue};
use serde::Deserialize;

const DEFAULT_COMMAND_TIMEOUT_SECS: u64 = 30;

/// What is wrong with a check table, worded for the lesson's author.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CheckError {
    /// Not a table of a known check kind with its fields (serde's words,
    /// with "variant" said as "check kind").
    #[error("{0}")]
    Table(String),
    #[error("a yaml check needs exactly one of `equals`, `starts_with` or `matches`")]
    YamlExpect,
    #[error("a text check needs exactly one of `expected` or `expected_file`")]
    TextExpected,
    #[error("`expected_file` {0}")]
    ExpectedFile(OutsideLesson),
    #[error(
        "a template check needs `expect = {{ … }}` (fields of the rendered YAML) or `renders_nothing = true`, one of them"
    )]
    TemplateExpect,
    #[error("`expect` field {0:?} must be a string, number or boolean")]
    ExpectField(String),
    #[error("a release check names both `chart` and `chart_version`, or neither")]
    ReleaseChart,
    #[error("a release check needs at least one channel")]
    NoChannel,
    #[error("inside {outer} check: {error}")]
    Inside {
        outer: Outer,
        error: Box<CheckError>,
    },
    #[error("checks inside a {0} check can be file_exists, yaml, text or template")]
    NotAFileCheck(Outer),
}

/// The kinds of check that hold checks on the files of a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outer {
    Package,
    Release,
}

impl std::fmt::Display for Outer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Outer::Package => "package",
            Outer::Release => "release",
        })
    }
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

/// A raw TOML check table → a `CheckSpec`, or a message saying what is wrong.
pub(super) fn to_check(
    value: toml::Value,
    line: usize,
    lesson_dir: &LessonDir,
) -> Result<CheckSpec, CheckError> {
    let raw: RawCheck = value
        .try_into()
        .map_err(|e: toml::de::Error| CheckError::Table(clean(e.message())))?;
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
                _ => return Err(CheckError::YamlExpect),
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
                        .map_err(CheckError::ExpectedFile)?,
                ),
                _ => return Err(CheckError::TextExpected),
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
                _ => return Err(CheckError::TemplateExpect),
            };
            let values = values
                .into_iter()
                .map(|(k, v)| (k, template_value(v)))
                .collect();
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
            let checks = inner_checks(checks, line, lesson_dir, Outer::Package)?;
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
                _ => return Err(CheckError::ReleaseChart),
            };
            if channels.is_empty() {
                return Err(CheckError::NoChannel);
            }
            let checks = inner_checks(checks, line, lesson_dir, Outer::Release)?;
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
) -> Result<(), CheckError> {
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
            _ => return Err(CheckError::ExpectField(path)),
        };
        out.push((path, text));
    }
    Ok(())
}

fn template_value(value: toml::Value) -> TemplateValue {
    match value {
        toml::Value::String(s) => TemplateValue::Str(s),
        toml::Value::Integer(i) => TemplateValue::Int(i),
        toml::Value::Float(f) => TemplateValue::Float(f),
        toml::Value::Boolean(b) => TemplateValue::Bool(b),
        toml::Value::Array(items) => {
            TemplateValue::List(items.into_iter().map(template_value).collect())
        }
        toml::Value::Table(table) => TemplateValue::Map(
            table
                .into_iter()
                .map(|(k, v)| (k, template_value(v)))
                .collect(),
        ),
        toml::Value::Datetime(d) => TemplateValue::Str(d.to_string()),
    }
}

/// The checks on files inside a package or a released chart.
fn inner_checks(
    raw: Vec<toml::Value>,
    line: usize,
    lesson_dir: &LessonDir,
    outer: Outer,
) -> Result<Vec<CheckSpec>, CheckError> {
    let checks = raw
        .into_iter()
        .map(|c| to_check(c, line, lesson_dir))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CheckError::Inside {
            outer,
            error: Box::new(e),
        })?;
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
        return Err(CheckError::NotAFileCheck(outer));
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
