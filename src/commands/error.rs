//! How a command fails: one error type for every command, each variant
//! worded for the user, and the exit code it ends with. The modules below
//! keep their own error enums; this is the only place they meet.
//!
//! Our own enum rather than `anyhow`: every command error is worded already
//! and ends with exit 2, so what is wanted is one `exit_code()` and variants
//! tests can match on, not context chains or backtraces.

use super::USAGE_ERROR;
use crate::lesson::LessonError;
use crate::lesson::vars::{MissingVar, WeakSecret};
use crate::progress::ProgressError;
use crate::report::ExportError;
use crate::session::SessionError;
use crate::workspace::WorkspaceError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Lesson(#[from] LessonError),
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(transparent)]
    MissingVar(#[from] MissingVar),
    #[error(transparent)]
    WeakSecret(#[from] WeakSecret),
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error(transparent)]
    Progress(#[from] ProgressError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Terminal(#[from] crate::tui::TerminalError),
    #[error(transparent)]
    Trust(#[from] crate::trust::TrustError),
    #[error("the lab stopped: {0}")]
    Lab(crate::tui::LabError),
    #[error(transparent)]
    Sandbox(#[from] crate::vendor_api::server::command::CommandError),
    /// An app or token the sandbox cannot serve, and where it came from.
    #[error("{origin}: {error}")]
    SandboxValue {
        origin: String,
        error: crate::vendor_api::server::exports::ValueError,
    },
    /// A file a command was asked to write.
    #[error("{}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The current directory, the terminal, a solution's shell.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// No `-w`, and no workspace holds the current directory.
    #[error("{error}{}", beside.as_deref().map(beside_hint).unwrap_or_default())]
    NoWorkspaceHere {
        error: WorkspaceError,
        /// The one workspace in the current directory (what `labrun start` made).
        beside: Option<String>,
    },
    #[error("{} is a workspace of lesson {workspace_lesson:?}, not {lesson:?}", dir.display())]
    OtherLesson {
        dir: PathBuf,
        workspace_lesson: String,
        lesson: String,
    },
    #[error(
        "you are inside {}, the workspace of lesson {own:?}; to start {named:?}, run `labrun start {}` outside it",
        root.display(),
        super::shown::shell_word(arg)
    )]
    InsideOtherWorkspace {
        root: PathBuf,
        own: String,
        named: String,
        /// The lesson as it was named on the command line.
        arg: String,
    },
    #[error(
        "no step {id:?} in this lesson; its steps are: {} (or their numbers, 1 to {})",
        known.join(", "),
        known.len()
    )]
    UnknownStep { id: String, known: Vec<String> },
    #[error(
        "no challenge {selector:?} in this course; its challenges are: {} (or their numbers, 1 to {})",
        known.join(", "),
        known.len()
    )]
    UnknownChallenge {
        selector: String,
        known: Vec<String>,
    },
    /// The learner quit the question about a course's scripts.
    #[error("the course's scripts were not allowed to run; nothing was started")]
    NotTrusted,
    #[error(transparent)]
    CourseRun(#[from] crate::course_run::CourseRunError),
    #[error(transparent)]
    Answers(#[from] crate::checks::quiz::AnswersError),
    #[error(transparent)]
    AgentVars(#[from] crate::lesson::agent_vars::AgentVarsError),
    #[error("labrun reset replaces files and needs a yes: pass --yes when not on a terminal")]
    NeedsYes,
    #[error("no progress records or workspaces found in the given paths")]
    NoRecords,
    #[error(transparent)]
    ClassServer(#[from] crate::class::server::ServerError),
    #[error(transparent)]
    ClassOutbox(#[from] crate::class::outbox::OutboxError),
    #[error(transparent)]
    ClassView(#[from] crate::class::watch::WatchError),
    #[error(transparent)]
    ClassUrl(#[from] crate::class::protocol::UrlError),
    #[error(transparent)]
    ClassCredentials(#[from] crate::class::credentials::CredentialsError),
    /// A command line clap accepts that the command cannot use.
    #[error("{0}")]
    Usage(String),
}

fn beside_hint(one: &str) -> String {
    let word = super::shown::shell_word(one);
    format!("\nThe workspace here is {one}/: `cd {word}` first, or pass -w {word}")
}

impl CommandError {
    /// Every error a command ends with is a usage, lesson or workspace
    /// error (exit 2); failed checks are not errors but exit 1.
    pub fn exit_code(&self) -> u8 {
        USAGE_ERROR
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_says_what_to_do_and_ends_with_exit_2() {
        let cases = [
            (
                CommandError::NoWorkspaceHere {
                    error: WorkspaceError::NoneHere("/home/me".into()),
                    beside: Some("my lab".into()),
                },
                "/home/me is not inside a labrun workspace (no .labrun/workspace.json here or in a parent directory): `labrun start` or `labrun init DIR` creates one, or pass --workspace DIR\nThe workspace here is my lab/: `cd 'my lab'` first, or pass -w 'my lab'",
            ),
            (
                CommandError::OtherLesson {
                    dir: "lab".into(),
                    workspace_lesson: "one".into(),
                    lesson: "two".into(),
                },
                r#"lab is a workspace of lesson "one", not "two""#,
            ),
            (
                CommandError::InsideOtherWorkspace {
                    root: "/w".into(),
                    own: "one".into(),
                    named: "two".into(),
                    arg: "../two lesson".into(),
                },
                r#"you are inside /w, the workspace of lesson "one"; to start "two", run `labrun start '../two lesson'` outside it"#,
            ),
            (
                CommandError::UnknownStep {
                    id: "nope".into(),
                    known: vec!["a".into(), "b".into()],
                },
                r#"no step "nope" in this lesson; its steps are: a, b (or their numbers, 1 to 2)"#,
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
            assert_eq!(error.exit_code(), USAGE_ERROR);
        }
        let no_hint = CommandError::NoWorkspaceHere {
            error: WorkspaceError::NoneHere("/x".into()),
            beside: None,
        };
        assert!(!no_hint.to_string().contains('\n'), "{no_hint}");
    }
}
