//! The `[[steps]]` of a `lesson.toml` (or of a `[[challenges]]` block):
//! each step put together with its checks (through `check_table.rs`), and
//! the rules the steps of one challenge obey together (ids, `needs`).

use super::super::lesson_dir::LessonDir;
use super::super::{LessonError, LineIndex, Step};
use super::check_table;
use serde::Deserialize;
use std::collections::HashSet;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStep {
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

/// The raw steps of `manifest_path` → steps with their checks and lines.
pub(super) fn build(
    raw_steps: Vec<toml::Spanned<RawStep>>,
    lines: &LineIndex,
    inside: &LessonDir,
    manifest_path: &Path,
) -> Result<Vec<Step>, LessonError> {
    let mut steps = Vec::with_capacity(raw_steps.len());
    for spanned in raw_steps {
        let line = lines.line(spanned.span().start);
        let raw_step = spanned.into_inner();
        let mut checks = Vec::with_capacity(raw_step.checks.len());
        for check in raw_step.checks {
            let check_line = lines.line(check.span().start);
            let spec = check_table::to_check(check.into_inner(), check_line, inside).map_err(
                |source| LessonError::Check {
                    file: manifest_path.to_path_buf(),
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
    Ok(steps)
}

/// What is wrong with the steps of a challenge as a whole (each at a line).
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
    #[error(
        "step id {0:?} is the step of the challenge's {0} script: give the declared step another id"
    )]
    ScriptStepId(String),
}

/// The declared step ids are well-formed, unique and not those of the
/// challenge's script steps (`reserved`), and `needs` names only earlier
/// steps; the first problem comes back with its line.
pub(crate) fn validate(steps: &[Step], reserved: &[String]) -> Result<(), (usize, StepsError)> {
    // Earlier steps' ids: a set, so 10,000 steps validate in linear time.
    let mut earlier: HashSet<&str> = HashSet::new();
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
        if reserved.contains(&step.id) {
            return at(StepsError::ScriptStepId(step.id.clone()));
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
