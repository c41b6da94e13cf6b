//! `labrun class join URL` and `labrun start --class URL`: a workspace joins a class.

use super::CommandError;
use super::open::open_course;
use crate::class::outbox::{self, Enrolled};
use crate::lesson::Course;
use crate::output::terminal_safe;
use crate::workspace::Workspace;
use std::path::Path;

/// `labrun class join URL`: asks the server now; one that cannot be
/// reached is an error (exit 2) and nothing is saved.
pub fn join(url: &str, workspace: Option<&Path>, name: Option<&str>) -> Result<u8, CommandError> {
    let (workspace, course) = open_course(None, workspace)?;
    let enrolled = outbox::enrol(&workspace, &course, url, name, true)?;
    println!("{}", terminal_safe(&describe(&enrolled)));
    if let Enrolled::New { .. } = enrolled {
        // The standing so far, sent now if the server takes it at once.
        deliver(&workspace);
    }
    Ok(super::SUCCESS)
}

/// `labrun start --class URL`: remembered at once, joined by the lab in the
/// background (the lab never waits on the network).
pub(super) fn join_later(
    workspace: &Workspace,
    course: &Course,
    url: &str,
) -> Result<(), CommandError> {
    let enrolled = outbox::enrol(workspace, course, url, None, false)?;
    if let Enrolled::New {
        left: Some((old, unsent)),
        ..
    } = &enrolled
    {
        eprintln!("labrun: {}", terminal_safe(&left(old, *unsent)));
    }
    Ok(())
}

fn describe(enrolled: &Enrolled) -> String {
    match enrolled {
        Enrolled::Already(membership) => format!(
            "This workspace is in {} already, as {:?}; nothing changed.",
            membership.describe(),
            membership.name
        ),
        Enrolled::New { membership, left } => {
            let mut text = String::new();
            if let Some((old, unsent)) = left {
                text.push_str(&self::left(old, *unsent));
                text.push('\n');
            }
            text.push_str(&format!(
                "Joined {} as {:?}. Your checks, hints and challenges are sent to the instructor (secrets redacted).",
                membership.describe(),
                membership.name
            ));
            text
        }
    }
}

fn left(old: &outbox::membership::Membership, unsent: usize) -> String {
    let mut text = format!("Left {}", old.describe());
    if unsent > 0 {
        text.push_str(&format!(" ({unsent} event(s) of it were never sent)"));
    }
    text.push('.');
    text
}

/// One brief delivery after a command queued events; what cannot be sent
/// now stays queued and a warning says why.
pub(super) fn deliver(workspace: &Workspace) {
    if let Err(error) = outbox::deliver_now(&workspace.root) {
        eprintln!(
            "labrun: warning: class events kept to send later: {}",
            terminal_safe(&error.to_string())
        );
    }
}
