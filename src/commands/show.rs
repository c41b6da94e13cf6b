//! `labrun show`: the lesson text with its variables filled in from the
//! workspace you are in (or the one named), secrets masked unless revealed.

use super::SUCCESS;
use super::error::CommandError;
use super::open::{load_lesson, open, open_challenge, resolve_vars};
use crate::cli::VarArgs;
use crate::lesson::Lesson;
use crate::output::terminal_safe;
use crate::workspace::{self, Workspace};
use std::path::Path;

pub(super) fn show(
    lesson_arg: Option<&str>,
    dir: Option<&Path>,
    args: &VarArgs,
    reveal: bool,
) -> Result<u8, CommandError> {
    let (workspace, lesson) = match (dir, args.challenge.as_deref()) {
        // A course's challenge by number or slug, in the workspace named or here.
        (dir, Some(selector)) => {
            let (w, mut course, index) = open_challenge(lesson_arg, dir, Some(selector))?;
            (Some(w), course.challenges.swap_remove(index))
        }
        (Some(dir), None) => {
            let (w, l) = open(lesson_arg, Some(dir))?;
            (Some(w), l)
        }
        (None, None) => lesson_here(lesson_arg)?,
    };
    let vars = resolve_vars(&lesson, workspace.as_ref(), args)?;
    // Secrets are masked where the text names them, and hidden wherever
    // else they turn up (inside another variable's value), unless revealed.
    let shown = |text: &str| {
        let text = if reveal {
            text.to_string()
        } else {
            vars.redact(text)
        };
        terminal_safe(&text).into_owned()
    };
    println!("# {}\n", shown(lesson.title()));
    if let Some(teaser) = &lesson.challenge.front.teaser {
        println!("{}\n", shown(teaser));
    }
    // What the course's setup scripts set with `agent variable set` fills
    // the text's `[[ Instruqt-Var ]]` placeholders.
    let agent = match &workspace {
        Some(w) => crate::lesson::AgentVars::load(&w.root)?,
        None => Default::default(),
    };
    print!(
        "{}",
        shown(&vars.render_with(&lesson.challenge.body, reveal, &agent))
    );
    Ok(SUCCESS)
}

/// `show` without `-w`: inside a workspace, its lesson with its values
/// (unless another lesson is named); elsewhere the lesson alone.
fn lesson_here(lesson_arg: Option<&str>) -> Result<(Option<Workspace>, Lesson), CommandError> {
    if let Some(root) = workspace::find(&std::env::current_dir()?) {
        let (workspace, own_lesson) = open(None, Some(&root))?;
        let Some(arg) = lesson_arg else {
            return Ok((Some(workspace), own_lesson));
        };
        let lesson = load_lesson(Some(arg))?;
        let same = lesson.slug == own_lesson.slug;
        return Ok((same.then_some(workspace), lesson));
    }
    Ok((None, load_lesson(lesson_arg)?))
}
