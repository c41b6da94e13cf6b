//! What a command works on, found from its arguments: the workspace (named
//! with `-w`, else the one holding the current directory), its lesson, the
//! lesson's variables, and the steps named.

use super::error::CommandError;
use crate::cli::VarArgs;
use crate::lesson::vars::{self, MissingVar};
use crate::lesson::{CheckSpec, Course, Lesson, Step, Vars, bundled};
use crate::session::ApiMode;
use crate::workspace::{self, Workspace, WorkspaceError};
use std::path::{Path, PathBuf};

/// The workspace a command works on: the one named with `-w`, else the one
/// holding the current directory (as git finds its repository).
pub(super) fn workspace_dir(named: Option<&Path>) -> Result<PathBuf, CommandError> {
    if let Some(dir) = named {
        return Ok(dir.to_path_buf());
    }
    let here = std::env::current_dir()?;
    if let Some(found) = workspace::find(&here) {
        return Ok(found);
    }
    // Beside the workspace `labrun start` made: say where it is.
    let children = std::fs::read_dir(&here).into_iter().flatten().flatten();
    let beside: Vec<String> = children
        .filter(|e| workspace::is_workspace(&e.path()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    Err(CommandError::NoWorkspaceHere {
        error: WorkspaceError::NoneHere(here),
        beside: match beside.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        },
    })
}

/// The workspace (see [`workspace_dir`]) and the challenge a command works
/// on: in a course, the current one (the first not passed or skipped).
pub(super) fn open(
    lesson_arg: Option<&str>,
    dir: Option<&Path>,
) -> Result<(Workspace, Lesson), CommandError> {
    let (workspace, course, index) = open_challenge(lesson_arg, dir, None)?;
    let mut course = course;
    Ok((workspace, course.challenges.swap_remove(index)))
}

/// The workspace, its course, and the index of the challenge named by
/// `--challenge` (a number from 1 or a slug), else of the current one.
pub(super) fn open_challenge(
    lesson_arg: Option<&str>,
    dir: Option<&Path>,
    challenge: Option<&str>,
) -> Result<(Workspace, Course, usize), CommandError> {
    let (workspace, course) = open_course(lesson_arg, dir)?;
    let index = select_challenge(&course, &workspace, challenge)?;
    Ok((workspace, course, index))
}

/// The challenge `--challenge` names, else the current one.
pub(super) fn select_challenge(
    course: &Course,
    workspace: &Workspace,
    challenge: Option<&str>,
) -> Result<usize, CommandError> {
    if let Some(selector) = challenge {
        return course
            .challenge(selector)
            .map(|(index, _)| index)
            .ok_or_else(|| CommandError::UnknownChallenge {
                selector: selector.to_string(),
                known: course.challenges.iter().map(|c| c.slug.clone()).collect(),
            });
    }
    if course.challenges.len() == 1 {
        // A lesson of one: its progress file is not needed to know where it is.
        return Ok(0);
    }
    let progress = crate::progress::Progress::load(&workspace.progress_path(), &course.slug)?;
    Ok(crate::course_run::current_challenge(course, &progress))
}

/// The workspace (see [`workspace_dir`]) and its course: the one named,
/// else the one it was made from.
pub(super) fn open_course(
    lesson_arg: Option<&str>,
    dir: Option<&Path>,
) -> Result<(Workspace, Course), CommandError> {
    let dir = &workspace_dir(dir)?;
    let workspace = workspace::open(dir)?;
    let made_from = &workspace.state.lesson;
    let lesson_dir = match lesson_arg {
        Some(arg) => bundled::resolve(Some(arg))?,
        // A built-in lesson is this labrun's own copy, whichever built the workspace.
        None if made_from.built_in => bundled::resolve(Some(&made_from.slug)).or_else(|e| {
            made_from
                .dir
                .is_dir()
                .then(|| made_from.dir.clone())
                .ok_or(e)
        })?,
        None if made_from.dir.is_dir() => made_from.dir.clone(),
        // The lesson moved (a new clone, an upgraded labrun): find it by slug.
        None => bundled::resolve(Some(&made_from.slug))?,
    };
    let course = Course::load(&lesson_dir)?;
    if !course.has_slug(&workspace.state.lesson.slug) {
        return Err(CommandError::OtherLesson {
            dir: dir.clone(),
            workspace_lesson: workspace.state.lesson.slug.clone(),
            lesson: course.slug,
        });
    }
    Ok((workspace, course))
}

/// The lesson named (a directory or a bundled slug), else the bundled one.
pub(super) fn load_lesson(lesson_arg: Option<&str>) -> Result<Lesson, CommandError> {
    Ok(Lesson::load(&bundled::resolve(lesson_arg)?)?)
}

/// The course named (a track, a challenge or a lesson directory, or a
/// bundled slug), else the bundled lesson.
pub(super) fn load_course(lesson_arg: Option<&str>) -> Result<Course, CommandError> {
    Ok(Course::load(&bundled::resolve(lesson_arg)?)?)
}

/// A course's lifecycle scripts run only when the learner trusts them:
/// `--trust` or `LABRUN_TRUST=1`, or trusted before (`labrun trust DIR`, or
/// the question `labrun start` asks on a terminal, when `ask`).
pub(super) fn ensure_trusted(
    course: &Course,
    args: &VarArgs,
    ask: bool,
) -> Result<(), CommandError> {
    use crate::trust::{self, Gate, TrustStore, prompt};
    let scripts: Vec<PathBuf> = course.scripts().map(|s| s.path.clone()).collect();
    let env = |name: &str| std::env::var(name).ok();
    if scripts.is_empty() || args.trust || trust::env_trusts(&env) {
        return Ok(());
    }
    let store = TrustStore::default_location(&env)?;
    let stdin = std::io::stdin();
    let interactive = ask && std::io::IsTerminal::is_terminal(&stdin);
    let decision = if interactive {
        let mut input = stdin.lock();
        let mut out = std::io::stdout();
        let on_path = |tool: &str| workspace::on_path(tool);
        let gate = Gate::Ask {
            input: &mut input,
            out: &mut out,
            viewer: prompt::Viewer::from_env(&env),
            on_path: &on_path,
        };
        trust::ensure(&store, &course.dir, &scripts, gate)?
    } else {
        trust::ensure(&store, &course.dir, &scripts, Gate::Refuse)?
    };
    match decision {
        prompt::Decision::Allow => Ok(()),
        prompt::Decision::Quit => Err(CommandError::NotTrusted),
    }
}

/// The lesson's variables; a secret too short to be redacted is refused.
pub(super) fn resolve_vars(
    lesson: &Lesson,
    workspace: Option<&Workspace>,
    args: &VarArgs,
) -> Result<Vars, CommandError> {
    let saved = workspace.map(|w| w.state.vars.clone()).unwrap_or_default();
    let vars = Vars::resolve(
        &lesson.variables,
        &args.vars,
        |k| std::env::var(k).ok(),
        &saved,
    );
    vars.check_secrets()?;
    Ok(vars)
}

/// The steps named on the command line: a step id, or its number as the
/// lab's checklist shows it (1-based); every step when none is named.
pub(super) fn select_steps<'a>(
    lesson: &'a Lesson,
    id: Option<&str>,
) -> Result<Vec<&'a Step>, CommandError> {
    let Some(id) = id else {
        return Ok(lesson.steps.iter().collect());
    };
    let by_number = || {
        let n: usize = id.trim().parse().ok()?;
        lesson.steps.get(n.checked_sub(1)?)
    };
    lesson
        .step(id)
        .or_else(by_number)
        .map(|s| vec![s])
        .ok_or_else(|| CommandError::UnknownStep {
            id: id.to_string(),
            known: lesson.steps.iter().map(|s| s.id.clone()).collect(),
        })
}

/// Every variable the checks of `steps` use must have a value before any runs.
pub(super) fn require_vars(steps: &[&Step], vars: &Vars) -> Result<(), MissingVar> {
    let checks = steps
        .iter()
        .flat_map(|s| &s.checks)
        .flat_map(CheckSpec::with_inner);
    for text in checks.flat_map(|c| c.templated_strings()) {
        if let Some(r) = vars::manifest_refs(text)
            .into_iter()
            .find(|r| vars.get(&r.name).is_none())
        {
            return Err(MissingVar(r.name));
        }
    }
    Ok(())
}

pub(super) fn api_mode(args: &VarArgs) -> ApiMode {
    if args.online {
        ApiMode::Online
    } else {
        ApiMode::Offline
    }
}
