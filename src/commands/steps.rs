//! The learner's commands on the steps of a lesson: `check` (and the
//! progress it records), `hint` and `solve`. In a course they work on one
//! challenge (`--challenge`, else the current one) and drive its lifecycle
//! as the lab does: its setup runs once before its first check, and when
//! every step passes it is recorded as passed, its cleanup runs and the
//! next challenge opens.

use super::error::CommandError;
use super::open::{
    api_mode, ensure_trusted, open_challenge, require_vars, resolve_vars, select_steps,
};
use super::{CHECKS_FAILED, SUCCESS};
use crate::checks::{self, Status, StepReport};
use crate::class::outbox;
use crate::cli::{Format, VarArgs};
use crate::course_run::{CourseRun, Ran};
use crate::lesson::{Course, Lesson, Phase};
use crate::output::{self, Painter, terminal_safe};
use crate::progress::ProgressError;
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
    let (workspace, course, index) = open_challenge(lesson_arg, dir, args.challenge.as_deref())?;
    let lesson = &course.challenges[index];
    let vars = resolve_vars(lesson, Some(&workspace), args)?;
    let steps = select_steps(lesson, step)?;
    require_vars(&steps, &vars)?;
    ensure_trusted(&course, args, false)?;
    let session = Session::open(&course, &workspace, vars, api_mode(args))?;
    let run = session.runner().map(|runner| CourseRun {
        course: &course,
        workspace: &workspace,
        runner,
        vars: &session.vars,
    });
    if let Some(run) = &run {
        report_scripts(&run.enter(index)?, &session);
    }
    let ctx = session.context(lesson, &workspace);
    let reports: Vec<StepReport> = steps.iter().map(|s| checks::run_step(s, &ctx)).collect();
    let text = match format {
        Format::Human => output::human(lesson.title(), &reports, Painter::for_stdout()),
        Format::Json => output::json(&lesson.slug, &reports),
        Format::Junit => output::check::junit(&lesson.slug, &reports),
    };
    // Outcomes are redacted already; this catches a secret in its JSON or XML shape.
    print!("{}", session.vars.redact(&text));
    // The results are shown whatever happens to the progress file.
    match record_progress(&workspace, &course, lesson, &reports) {
        Ok(written) => warn_unqueued(&written, &session.vars),
        Err(why) => eprintln!(
            "labrun: warning: progress not recorded: {}",
            session.vars.redact(&why.to_string())
        ),
    }
    let all_pass = reports.iter().all(|r| r.status == Status::Pass);
    // The class hears of it after the lifecycle below (a challenge finished
    // goes in the same delivery).
    let deliver = class_member(&workspace);
    // A whole challenge that passed: its cleanup runs (a track's, or a bare
    // Instruqt challenge's), and in a course the next one opens.
    if all_pass && step.is_none() && (run.is_some() || course.challenges.len() > 1) {
        if let Some(run) = &run {
            report_scripts(&run.passed(index)?, &session);
        } else {
            let now = SystemTime::now();
            let written = outbox::update_progress(&workspace, &course, |p| {
                p.finish_challenge(
                    &lesson.slug,
                    lesson.title(),
                    crate::progress::ChallengeState::Passed,
                    now,
                )
            })?;
            warn_unqueued(&written, &session.vars);
        }
        match course.challenges.get(index + 1) {
            _ if course.challenges.len() == 1 => {}
            Some(next) => println!(
                "Challenge {} of {} passed. Next: {} — `labrun show` to read it.",
                index + 1,
                course.challenges.len(),
                terminal_safe(&session.vars.redact(next.title()))
            ),
            None => println!("The last challenge passed: the course is done."),
        }
    }
    if deliver {
        super::class_join::deliver(&workspace);
    }
    Ok(if all_pass { SUCCESS } else { CHECKS_FAILED })
}

/// The workspace joined a class (its events are delivered after a command).
fn class_member(workspace: &Workspace) -> bool {
    crate::class::outbox::ClassPaths::of(&workspace.root)
        .membership()
        .is_file()
}

/// A progress written whose class events could not be queued: said on stderr.
fn warn_unqueued(written: &outbox::Written, vars: &crate::lesson::Vars) {
    if let Some(why) = &written.unqueued {
        eprintln!(
            "labrun: warning: class events not queued: {}",
            terminal_safe(&vars.redact(&why.to_string()))
        );
    }
}

/// Records a check of `lesson`'s steps: under its slug in a course of
/// several challenges (a lesson's progress file stays as it always was).
fn record_progress(
    workspace: &Workspace,
    course: &Course,
    lesson: &Lesson,
    reports: &[StepReport],
) -> Result<outbox::Written, ProgressError> {
    let now = SystemTime::now();
    let challenge = (course.challenges.len() > 1).then_some(lesson.slug.as_str());
    let written = outbox::update_progress(workspace, course, |p| {
        p.record_in(challenge, reports, now, true);
    })?;
    Ok(written)
}

/// Lifecycle scripts that did not pass, on stderr, with the end of their
/// output (what ran fine says nothing).
fn report_scripts(ran: &Ran, session: &Session) {
    for result in &ran.results {
        if let crate::lifecycle::runner::RunOutcome::Passed = result.outcome {
            continue;
        }
        eprintln!(
            "labrun: {} {}",
            result.name(),
            terminal_safe(&session.vars.redact(&result.describe()))
        );
        let transcript = result.transcript();
        let tail: Vec<&str> = transcript.lines().rev().take(10).collect();
        for line in tail.into_iter().rev() {
            eprintln!("    {}", terminal_safe(&session.vars.redact(line)));
        }
    }
}

pub(super) fn hint(id: &str, dir: Option<&Path>) -> Result<u8, CommandError> {
    let (workspace, course, index) = open_challenge(None, dir, None)?;
    let lesson = &course.challenges[index];
    let step = select_steps(lesson, Some(id))?[0];
    let vars = resolve_vars(lesson, Some(&workspace), &VarArgs::default())?;
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
    let written = outbox::update_progress(&workspace, &course, |p| {
        p.record_hint(&step.id, &step.title);
    })?;
    warn_unqueued(&written, &vars);
    if written.queued > 0 {
        super::class_join::deliver(&workspace);
    }
    Ok(SUCCESS)
}

pub(super) fn solve(
    dir: Option<&Path>,
    step: Option<&str>,
    args: &VarArgs,
) -> Result<u8, CommandError> {
    let (workspace, course, index) = open_challenge(None, dir, args.challenge.as_deref())?;
    let lesson = &course.challenges[index];
    let vars = resolve_vars(lesson, Some(&workspace), args)?;
    ensure_trusted(&course, args, false)?;
    let session = Session::open(&course, &workspace, vars, api_mode(args))?;
    if let Some(runner) = session.runner() {
        // An Instruqt challenge's solution is its solve scripts, after its setup.
        let run = CourseRun {
            course: &course,
            workspace: &workspace,
            runner,
            vars: &session.vars,
        };
        let setup = run.enter(index)?;
        report_scripts(&setup, &session);
        let solved = run.run_phase(lesson, Phase::Solve)?;
        report_scripts(&solved, &session);
        for result in &solved.results {
            println!("── {} {}", result.name(), result.describe());
        }
        if !setup.ok() || !solved.ok() {
            return Ok(CHECKS_FAILED);
        }
    }
    if let crate::lesson::ChallengeKind::Quiz { answers, solution } = &lesson.kind {
        // A quiz's reference solution is its right answer, recorded as the learner's.
        crate::checks::quiz::record(&workspace.root, &lesson.slug, solution)?;
        let chosen: Vec<&str> = solution
            .iter()
            .filter_map(|&i| answers.get(i).map(String::as_str))
            .collect();
        println!(
            "── answered the quiz: {}",
            terminal_safe(&session.vars.redact(&chosen.join(", ")))
        );
    }
    let vars = &session.vars;
    for step in select_steps(lesson, step)?
        .into_iter()
        .filter(|s| !s.solution.trim().is_empty() || !s.is_instruqt())
    {
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
