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
    /// A directory named as a lesson that holds none of the files a lesson has.
    #[error(
        "{}: not a lesson: it has no {MANIFEST} (a labrun lesson), assignment.md (an Instruqt challenge) or track.yml (an Instruqt track)",
        .0.display()
    )]
    NotALesson(PathBuf),
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
    /// What is wrong with a course as a whole: a track, its challenges, a
    /// quiz, or where a `lesson.toml` key was put.
    #[error("{}:{line}: {source}", file.display())]
    Course {
        file: PathBuf,
        line: usize,
        source: CourseError,
    },
    #[error(
        "no lesson named {name:?}: pass a lesson directory or one of the bundled lessons ({})",
        known.join(", ")
    )]
    NotFound { name: String, known: Vec<String> },
}

/// What is wrong with a course (a track and its challenges), worded for its
/// author; [`LessonError::Course`] adds the file and line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CourseError {
    #[error("the track has no challenges: no NN-slug/ directory holding an assignment.md")]
    NoChallenges,
    #[error(
        "challenges inline in track.yml (Instruqt's legacy config version 2): labrun reads version 3, one NN-slug/ directory per challenge"
    )]
    InlineChallenges,
    #[error("challenge slug {slug:?} is used twice (first in {})", first.display())]
    SlugTwice { slug: String, first: PathBuf },
    #[error("[[challenges]] names {slug:?}, which is not a challenge of this track (its challenges: {})", known.join(", "))]
    UnknownChallenge { slug: String, known: Vec<String> },
    #[error(
        "challenge {slug:?} also has a lesson.toml of its own ({}): keep its additions in one place",
        own.display()
    )]
    ConfiguredTwice { slug: String, own: PathBuf },
    #[error("`{key}` does not belong here: {hint}")]
    Misplaced {
        key: &'static str,
        hint: &'static str,
    },
    #[error("timeouts.{0} must be at least 1 second")]
    ZeroTimeout(&'static str),
    #[error("a quiz needs `answers` (the choices) in its front matter")]
    QuizWithoutAnswers,
    #[error("a quiz needs `solution` (the indexes of the right answers, counted from 0)")]
    QuizWithoutSolution,
    #[error(
        "`solution` names answer {index}, but the quiz has {count} answers (indexes count from 0)"
    )]
    QuizSolutionOutOfRange { index: usize, count: usize },
    #[error(
        "an Instruqt track of {count} challenges, where one lesson was expected: name one of its challenge directories"
    )]
    SeveralChallenges { count: usize },
}
