//! The learner's commands on the steps of a lesson: `check` (and the
//! progress it records), `hint` and `solve`.

use super::error::CommandError;
use super::open::{api_mode, open, require_vars, resolve_vars, select_steps};
use super::{CHECKS_FAILED, SUCCESS};
use crate::checks::{self, Status, StepReport};
use crate::cli::{Format, VarArgs};
use crate::lesson::Lesson;
use crate::output::{self, Painter, terminal_safe};
use crate::progress::{Progress, ProgressError};
use crate::script::{self, Script};
use crate::session::Session;
use crate::workspace::Workspace;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// A solution step may install or package; it must still end.
const SOLUTION_TIMEOUT: Duration = Duration::from_secs(300);

pub(super) fn check(
    lesson_arg: Option<&str>,
    dir: Option<&Path>,
    step: Option<&str>,
    args: &VarArgs,
    format: Format,
) -> Result<u8, CommandError> {
    let (workspace, lesson) = open(lesson_arg, dir)?;
    let vars = resolve_vars(&lesson, Some(&workspace), args)?;
    let steps = select_steps(&lesson, step)?;
    require_vars(&steps, &vars)?;
    let session = Session::open(&lesson, &workspace, vars, api_mode(args))?;
    let ctx = session.context(&lesson, &workspace);
    let reports: Vec<StepReport> = steps.iter().map(|s| checks::run_step(s, &ctx)).collect();
    let text = match format {
        Format::Human => output::human(lesson.title(), &reports, Painter::for_stdout()),
        Format::Json => output::json(&lesson.slug, &reports),
        Format::Junit => output::check::junit(&lesson.slug, &reports),
    };
    // Outcomes are redacted already; this catches a secret in its JSON or XML shape.
    print!("{}", session.vars.redact(&text));
    // The results are shown whatever happens to the progress file.
    if let Err(why) = record_progress(&workspace, &lesson, &reports) {
        eprintln!(
            "labrun: warning: progress not recorded: {}",
            session.vars.redact(&why.to_string())
        );
    }
    let all_pass = reports.iter().all(|r| r.status == Status::Pass);
    Ok(if all_pass { SUCCESS } else { CHECKS_FAILED })
}

fn record_progress(
    workspace: &Workspace,
    lesson: &Lesson,
    reports: &[StepReport],
) -> Result<(), ProgressError> {
    let now = SystemTime::now();
    Progress::update(&workspace.progress_path(), &lesson.slug, |p| {
        p.record(reports, now, true);
    })?;
    Ok(())
}

pub(super) fn hint(id: &str, dir: Option<&Path>) -> Result<u8, CommandError> {
    let (workspace, lesson) = open(None, dir)?;
    let step = select_steps(&lesson, Some(id))?[0];
    let vars = resolve_vars(&lesson, Some(&workspace), &VarArgs::default())?;
    let hint = vars
        .expand(step.hint.trim())
        .unwrap_or_else(|_| step.hint.trim().to_string());
    let text = if hint.is_empty() {
        "This step has no hint."
    } else {
        &hint
    };
    println!(
        "{}: {}\n\n{}",
        step.id,
        terminal_safe(&vars.redact(&step.title)),
        terminal_safe(&vars.redact(text))
    );
    Progress::update(&workspace.progress_path(), &lesson.slug, |p| {
        p.record_hint(&step.id, &step.title);
    })?;
    Ok(SUCCESS)
}

pub(super) fn solve(
    dir: Option<&Path>,
    step: Option<&str>,
    args: &VarArgs,
) -> Result<u8, CommandError> {
    let (workspace, lesson) = open(None, dir)?;
    let vars = resolve_vars(&lesson, Some(&workspace), args)?;
    let session = Session::open(&lesson, &workspace, vars, api_mode(args))?;
    let vars = &session.vars;
    for step in select_steps(&lesson, step)? {
        println!("── solving {}: {}", step.id, step.title);
        let finished = script::run(&Script {
            source: &step.solution,
            dir: &workspace.root,
            env: session.shell_env(),
            extra_path: session.extra_path.as_deref(),
            timeout: SOLUTION_TIMEOUT,
            errexit: true,
        })?;
        print!("{}", vars.redact(&finished.output));
        if !finished.success() {
            eprintln!(
                "labrun: the solution of step {:?} {}",
                step.id,
                finished.describe(SOLUTION_TIMEOUT)
            );
            return Ok(CHECKS_FAILED);
        }
    }
    Ok(SUCCESS)
}
