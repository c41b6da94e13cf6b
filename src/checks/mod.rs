//! Evaluating a lesson's checks against a workspace: `CheckSpec` in,
//! `Outcome`s out. Checks never draw and never write; they say what was
//! expected, what was found and where.

mod command;
pub mod files;
mod gotemplate;
mod package;
pub mod quiz;
mod release;
mod script;
mod template;
mod text;
mod yaml;

use crate::lesson::{CheckKind, CheckSpec, Lesson, Step, Vars};
use crate::vendor_api::client::{Client, ClientError};
use files::{FileRead, Files, WorkspaceFiles};
pub use script::Scripts;
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    /// The check could not be evaluated (a command would not start, a
    /// lesson file is missing): not the learner's fault.
    Error,
    /// The check cannot run here (a script for a host labrun cannot
    /// provide, such as a VM): never a pass, never a crash.
    Skipped,
}

/// The result of one condition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub name: String,
    pub status: Status,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// `file:line` where the learner should look.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

impl Outcome {
    pub fn pass(name: &str, message: impl Into<String>) -> Outcome {
        Outcome::new(name, Status::Pass, message)
    }

    pub fn fail(name: &str, message: impl Into<String>) -> Outcome {
        Outcome::new(name, Status::Fail, message)
    }

    pub fn error(name: &str, message: impl Into<String>) -> Outcome {
        Outcome::new(name, Status::Error, message)
    }

    pub fn skipped(name: &str, message: impl Into<String>) -> Outcome {
        Outcome::new(name, Status::Skipped, message)
    }

    fn new(name: &str, status: Status, message: impl Into<String>) -> Outcome {
        Outcome {
            name: name.to_string(),
            status,
            message: message.into(),
            diff: None,
            location: None,
        }
    }

    pub fn at(mut self, file: &str, line: usize) -> Outcome {
        self.location = Some(format!("{file}:{line}"));
        self
    }

    pub fn with_diff(mut self, diff: String) -> Outcome {
        self.diff = Some(diff);
        self
    }
}

/// The result of one step: all its conditions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepReport {
    pub id: String,
    pub title: String,
    pub status: Status,
    #[serde(rename = "checks")]
    pub outcomes: Vec<Outcome>,
}

impl StepReport {
    pub fn passed_conditions(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.status == Status::Pass)
            .count()
    }
}

/// What checks run against.
pub struct Context<'a> {
    pub workspace: &'a Path,
    pub lesson_dir: &'a Path,
    pub vars: &'a Vars,
    /// Prepended to PATH for command checks (labrun's stand-ins).
    pub extra_path: Option<PathBuf>,
    /// The Vendor API that release checks ask: the session's one client
    /// (so every check reuses its connections), or why it could not be made;
    /// None when the lesson asks no API.
    pub api: Option<Result<&'a Client, &'a ClientError>>,
    /// What Instruqt check scripts run with (the course's hosts, host mode,
    /// environment); None where the lesson has none.
    pub scripts: Option<Scripts<'a>>,
}

pub fn run_all(lesson: &Lesson, ctx: &Context) -> Vec<StepReport> {
    lesson
        .steps
        .iter()
        .map(|step| run_step(step, ctx))
        .collect()
}

/// Every condition of the step is evaluated and reported on its own; the
/// step passes when all pass, and is an error when any could not be
/// evaluated. Secret values never leave this function.
pub fn run_step(step: &Step, ctx: &Context) -> StepReport {
    let workspace = WorkspaceFiles {
        root: ctx.workspace,
    };
    let outcomes: Vec<Outcome> = step
        .checks
        .iter()
        .flat_map(|check| evaluate(check, &workspace, ctx))
        .map(|outcome| redact(outcome, ctx.vars))
        .collect();
    StepReport {
        id: step.id.clone(),
        title: step.title.clone(),
        status: overall(&outcomes),
        outcomes,
    }
}

/// An error wins, then a failure; a step with a condition that could not
/// run here is skipped, never passed.
fn overall(outcomes: &[Outcome]) -> Status {
    let any = |status| outcomes.iter().any(|o| o.status == status);
    if any(Status::Error) {
        Status::Error
    } else if any(Status::Fail) {
        Status::Fail
    } else if any(Status::Skipped) {
        Status::Skipped
    } else {
        Status::Pass
    }
}

fn redact(mut outcome: Outcome, vars: &Vars) -> Outcome {
    outcome.name = vars.redact(&outcome.name);
    outcome.message = vars.redact(&outcome.message);
    outcome.diff = outcome.diff.map(|d| vars.redact(&d));
    outcome.location = outcome.location.map(|l| vars.redact(&l));
    outcome
}

/// One check → its outcomes (a package check gives one per inner check).
pub(crate) fn evaluate(check: &CheckSpec, files: &dyn Files, ctx: &Context) -> Vec<Outcome> {
    let name = check.label();
    let outcome = match expand_paths(check, ctx.vars) {
        Err(missing) => Outcome::error(&name, missing.to_string()),
        Ok(kind) => match &kind {
            CheckKind::FileExists { file } => file_exists(&name, files, file),
            CheckKind::Yaml { file, key, expect } => {
                yaml::check(&name, files, file, key, expect, ctx.vars)
            }
            CheckKind::Text { file, expected } => {
                text::check(&name, files, file, expected, ctx.vars)
            }
            CheckKind::Template {
                file,
                values,
                expect,
            } => template::check(&name, files, file, values, expect, ctx.vars),
            CheckKind::Package { .. } => return package::check(&name, &kind, files, ctx),
            CheckKind::Release { .. } => return release::check(&name, &kind, ctx),
            CheckKind::Command { run, timeout_secs } => {
                command::check(&name, run, *timeout_secs, ctx)
            }
            CheckKind::Script {
                host,
                path,
                timeout_secs,
            } => return script::check(&name, host, path, *timeout_secs, ctx),
            CheckKind::Quiz {
                challenge,
                answers,
                solution,
            } => quiz::check(&name, ctx.workspace, challenge, answers, solution),
        },
    };
    vec![outcome]
}

/// Fills `${NAME}` in the file paths and other plain strings of a check.
fn expand_paths(
    check: &CheckSpec,
    vars: &Vars,
) -> Result<CheckKind, crate::lesson::vars::MissingVar> {
    let mut kind = check.kind.clone();
    match &mut kind {
        CheckKind::FileExists { file }
        | CheckKind::Yaml { file, .. }
        | CheckKind::Text { file, .. }
        | CheckKind::Template { file, .. }
        | CheckKind::Package { file, .. } => *file = vars.expand(file)?,
        // The shell reads the values from its environment (see `shell_refs`).
        CheckKind::Command { .. } | CheckKind::Script { .. } | CheckKind::Quiz { .. } => {}
        CheckKind::Release {
            channels,
            version,
            chart,
            ..
        } => {
            for channel in channels.iter_mut() {
                *channel = vars.expand(channel)?;
            }
            *version = vars.expand(version)?;
            if let Some((name, chart_version)) = chart {
                *name = vars.expand(name)?;
                *chart_version = vars.expand(chart_version)?;
            }
        }
    }
    Ok(kind)
}

/// What to tell a learner whose archive (a package, a released chart) lacks
/// a change: `stale` when their chart has it (the archive is just old),
/// `again` (what to do after fixing the chart) when the chart lacks it too.
pub(crate) struct Advice<'a> {
    pub stale: &'a str,
    pub again: &'a str,
}

/// The checks on the files inside an archive, each named by `name`; a
/// failure also says why the archive lacks it. Inner paths name the same
/// files in the workspace's chart, which is checked too when one fails:
/// packaging again does not help while the chart itself is wrong.
pub(crate) fn evaluate_inside(
    checks: &[CheckSpec],
    files: &dyn Files,
    ctx: &Context,
    name: impl Fn(&CheckSpec) -> String,
    advice: &Advice,
) -> Vec<Outcome> {
    let workspace = WorkspaceFiles {
        root: ctx.workspace,
    };
    let mut outcomes = Vec::new();
    for inner in checks {
        for mut outcome in evaluate(inner, files, ctx) {
            outcome.name = name(inner);
            if outcome.status == Status::Fail {
                let source_fails = inner_file(inner).is_some_and(|file| {
                    workspace.exists(&ctx.vars.expand(file).unwrap_or_default())
                        && evaluate(inner, &workspace, ctx)
                            .iter()
                            .any(|o| o.status == Status::Fail)
                });
                let advice = match inner_file(inner) {
                    Some(file) if source_fails => format!(
                        "{} in your chart is not right either: fix it there first, then {}",
                        ctx.vars.expand(file).unwrap_or_else(|_| file.to_string()),
                        advice.again
                    ),
                    _ => advice.stale.to_string(),
                };
                outcome.message = format!("{}\n{advice}", outcome.message);
            }
            outcomes.push(outcome);
        }
    }
    outcomes
}

/// The file an inner check reads (as written in the lesson, `${NAME}` unfilled).
fn inner_file(check: &CheckSpec) -> Option<&str> {
    match &check.kind {
        CheckKind::FileExists { file }
        | CheckKind::Yaml { file, .. }
        | CheckKind::Text { file, .. }
        | CheckKind::Template { file, .. } => Some(file),
        _ => None,
    }
}

fn file_exists(name: &str, files: &dyn Files, file: &str) -> Outcome {
    if files.exists(file) {
        Outcome::pass(name, format!("{} exists", files.display(file)))
    } else {
        Outcome::fail(name, format!("{} does not exist", files.display(file)))
    }
}

/// Reads a text file for a check, or the outcome that says why it can't be.
fn read_text(name: &str, files: &dyn Files, file: &str) -> Result<String, Outcome> {
    match files.read(file) {
        FileRead::Found(bytes) => String::from_utf8(bytes)
            .map_err(|_| Outcome::fail(name, format!("{} is not UTF-8 text", files.display(file)))),
        FileRead::Missing => Err(Outcome::fail(
            name,
            format!("{} does not exist", files.display(file)),
        )),
        FileRead::Unreadable(why) => Err(Outcome::fail(name, why)),
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use std::collections::BTreeMap;

    pub fn vars(pairs: &[(&str, &str)]) -> Vars {
        let cli: Vec<_> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Vars::resolve(&[], &cli, |_| None, &BTreeMap::new())
    }

    pub fn spec(kind: CheckKind) -> CheckSpec {
        CheckSpec {
            name: None,
            kind,
            line: 1,
        }
    }

    /// Evaluates `kind` in `dir` and returns its single outcome.
    pub fn eval_in(dir: &Path, kind: CheckKind, vars: &Vars) -> Outcome {
        let ctx = Context {
            workspace: dir,
            lesson_dir: dir,
            vars,
            extra_path: None,
            api: None,
            scripts: None,
        };
        let mut outcomes = evaluate(&spec(kind), &WorkspaceFiles { root: dir }, &ctx);
        assert_eq!(outcomes.len(), 1, "{outcomes:?}");
        outcomes.remove(0)
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;
    use crate::lesson::vars::Variable;

    #[test]
    fn file_exists_passes_and_fails_by_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("here.txt"), "x").unwrap();
        let vars = vars(&[("NAME", "here")]);
        let ok = eval_in(
            dir.path(),
            CheckKind::FileExists {
                file: "${NAME}.txt".into(),
            },
            &vars,
        );
        assert_eq!(
            (ok.status, ok.message.as_str()),
            (Status::Pass, "here.txt exists")
        );
        let missing = eval_in(
            dir.path(),
            CheckKind::FileExists {
                file: "gone.txt".into(),
            },
            &vars,
        );
        assert_eq!(
            (missing.status, missing.message.as_str()),
            (Status::Fail, "gone.txt does not exist")
        );
        let outside = eval_in(
            dir.path(),
            CheckKind::FileExists {
                file: "../etc/passwd".into(),
            },
            &vars,
        );
        assert_eq!(outside.status, Status::Fail);
    }

    #[test]
    fn unset_variable_is_an_error_outcome() {
        let dir = tempfile::tempdir().unwrap();
        let o = eval_in(
            dir.path(),
            CheckKind::FileExists {
                file: "${NOPE}".into(),
            },
            &vars(&[]),
        );
        assert_eq!(o.status, Status::Error);
        assert!(
            o.message.contains("variable NOPE has no value"),
            "{}",
            o.message
        );
    }

    #[test]
    fn step_status_and_secret_redaction() {
        let dir = tempfile::tempdir().unwrap();
        let declared = [Variable::secret("TOKEN")];
        let cli = [("TOKEN".to_string(), "tok-123456".to_string())];
        let vars = Vars::resolve(&declared, &cli, |_| None, &Default::default());
        let step = Step {
            id: "s".into(),
            title: "S".into(),
            section: None,
            hint: String::new(),
            solution: String::new(),
            needs: vec![],
            checks: vec![spec(CheckKind::FileExists {
                file: "${TOKEN}.txt".into(),
            })],
            line: 1,
        };
        let ctx = Context {
            workspace: dir.path(),
            lesson_dir: dir.path(),
            vars: &vars,
            extra_path: None,
            api: None,
            scripts: None,
        };
        let report = run_step(&step, &ctx);
        assert_eq!(report.status, Status::Fail);
        let json = serde_json::to_string(&report).unwrap();
        assert!(!json.contains("tok-123456"), "{json}");
        assert!(json.contains("[hidden].txt does not exist"), "{json}");
    }
}
