//! Why a lesson cannot be read: every error names the file and, where it
//! can, the line, so an author can go straight to it.

use super::MANIFEST;
use super::lesson_dir::OutsideLesson;
use super::manifest::{CheckError, StepsError};
use crate::fsutil::ReadError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LessonError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A lesson file that is missing, not a regular file, too large or not text.
    #[error(transparent)]
    Unreadable(#[from] ReadError),
    /// A workspace named where a lesson was wanted.
    #[error(
        "{}: a labrun workspace, not a lesson: run labrun's commands inside it, or name a lesson directory or a bundled lesson",
        .0.display()
    )]
    IsAWorkspace(PathBuf),
    /// A directory named as a lesson that has no manifest.
    #[error("{}: not a lesson directory: it has no {MANIFEST}", .0.join(MANIFEST).display())]
    NoManifest(PathBuf),
    /// The TOML or the front matter does not parse (the parser's words).
    #[error("{}:{line}: {message}", file.display())]
    Syntax {
        file: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{}:{line}: step {step:?}: {source}", file.display())]
    Check {
        file: PathBuf,
        line: usize,
        step: String,
        source: CheckError,
    },
    #[error("{}:{line}: {source}", file.display())]
    Steps {
        file: PathBuf,
        line: usize,
        source: StepsError,
    },
    /// `text` or `files` names a path outside the lesson directory.
    #[error("{}:{line}: `{key}` {source}", file.display())]
    Outside {
        file: PathBuf,
        line: usize,
        key: &'static str,
        source: OutsideLesson,
    },
    #[error(
        "no lesson named {name:?}: pass a lesson directory or one of the bundled lessons ({})",
        known.join(", ")
    )]
    NotFound { name: String, known: Vec<String> },
}
