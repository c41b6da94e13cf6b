//! `labrun init` and `labrun reset`: laying a lesson's starting files into a
//! workspace, and putting them back — saying what was kept, and asking first.

use super::error::CommandError;
use super::open::{load_course, open, resolve_vars, select_steps};
use super::shown::shown_path;
use super::{CHECKS_FAILED, SUCCESS};
use crate::cli::VarArgs;
use crate::workspace::{self, Created};
use std::io::IsTerminal;
use std::path::Path;

pub(super) fn init(args: &[String], force: bool) -> Result<u8, CommandError> {
    let (lesson_arg, dir) = match args {
        [dir] => (None, dir),
        [lesson, dir] => (Some(lesson.as_str()), dir),
        _ => {
            return Err(CommandError::Usage(
                "usage: labrun init [LESSON] DIR".into(),
            ));
        }
    };
    let course = load_course(lesson_arg)?;
    let (workspace, created) = workspace::init(&course, Path::new(dir), force)?;
    let title = match course.challenges.as_slice() {
        [lesson] => lesson.title(),
        _ => &course.title,
    };
    let root = workspace.root.display();
    match &created {
        Created::New => println!("Created workspace {root} for lesson {title:?}."),
        Created::Resumed => println!("Resuming workspace {root} for lesson {title:?}."),
        Created::Forced {
            kept_vars: true, ..
        } => println!(
            "Put the starting files of lesson {title:?} back in workspace {root}; its variables (the app and token you may have used) are kept."
        ),
        Created::Forced { .. } => {
            println!("Created workspace {root} for lesson {title:?} among the files there.")
        }
    }
    if let Created::Forced {
        backup: Some(backup),
        ..
    } = &created
    {
        print!("{}", kept_in_backup(backup));
    }
    match std::env::current_dir() {
        Ok(here) if here == workspace.root => println!("Next: labrun check"),
        _ => println!("Next: cd {dir} && labrun check"),
    }
    Ok(SUCCESS)
}

/// Lines telling where the replaced files went.
fn kept_in_backup(backup: &workspace::BackupReport) -> String {
    let mut out = format!(
        "Your versions of {} file(s) are kept in {}:\n",
        backup.files.len(),
        shown_path(&backup.dir)
    );
    for file in &backup.files {
        out.push_str(&format!("  {}\n", file.display()));
    }
    out
}

pub(super) fn reset(dir: Option<&Path>, step: Option<&str>, yes: bool) -> Result<u8, CommandError> {
    use crate::workspace::reset::{self, Change, Scope};
    let (workspace, lesson) = open(None, dir)?;
    let vars = resolve_vars(&lesson, Some(&workspace), &VarArgs::default())?;
    let scope = match step {
        Some(id) => Scope::Step(select_steps(&lesson, Some(id))?[0]),
        None => Scope::Whole,
    };
    let what = match scope {
        Scope::Step(s) => format!("step {:?}", s.id),
        Scope::Whole => "the workspace".to_string(),
    };
    let changes = reset::plan(&workspace, &lesson, &vars, scope);
    if changes.is_empty() {
        println!("Nothing to reset: the files of {what} are as the lesson starts them.");
        return Ok(SUCCESS);
    }
    println!(
        "Resetting {what} in {} puts the lesson's starting files back:",
        workspace.root.display()
    );
    for change in &changes {
        let (action, note) = match change {
            Change::Restore(_) => ("restore", " (edited)"),
            Change::Recreate(_) => ("restore", " (missing)"),
            Change::Remove(p) if p.starts_with(".labrun") => (
                "clear  ",
                " (the local Vendor API: its channels and releases as they start)",
            ),
            Change::Remove(_) => ("remove ", ""),
        };
        println!("  {action} {}{note}", change.path().display());
    }
    println!(
        "Whatever is replaced or removed is kept in .labrun/backup/; variables and progress stay."
    );
    if !yes && !confirm("Reset?")? {
        println!("Nothing changed.");
        return Ok(CHECKS_FAILED);
    }
    if let Some(backup) = reset::apply(&workspace, &lesson, &changes)? {
        print!("{}", kept_in_backup(&backup));
    }
    println!("Reset {what}.");
    Ok(SUCCESS)
}

/// Asks a yes/no question on the terminal, "no" unless answered yes. Not on
/// a terminal, nobody can answer: a usage error naming `--yes`.
fn confirm(question: &str) -> Result<bool, CommandError> {
    use std::io::{BufRead, Write};
    if !std::io::stdin().is_terminal() {
        return Err(CommandError::NeedsYes);
    }
    print!("{question} [y/N] ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}
