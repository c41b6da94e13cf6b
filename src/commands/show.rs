//! `labrun show`: the lesson text with its variables filled in from the
//! workspace you are in (or the one named), secrets masked unless revealed.

use super::SUCCESS;
use super::error::CommandError;
use super::open::{load_lesson, open, resolve_vars};
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
    let (workspace, lesson) = match dir {
        Some(dir) => {
            let (w, l) = open(lesson_arg, Some(dir))?;
            (Some(w), l)
        }
        None => lesson_here(lesson_arg)?,
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
    print!("{}", shown(&vars.render(&lesson.challenge.body, reveal)));
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
