//! The three kinds of lesson source a LESSON argument can name, told apart
//! by the files a directory holds: a labrun lesson (`lesson.toml` and its
//! text), a bare Instruqt challenge (`assignment.md` and its scripts) and an
//! Instruqt track (`track.yml`, `config.yml`, `NN-slug/` challenges). A
//! labrun workspace is never a lesson, whatever else it holds.

use super::{LessonError, MANIFEST};
use std::fmt;
use std::path::Path;

/// An Instruqt challenge's text file.
pub const ASSIGNMENT: &str = "assignment.md";
/// An Instruqt track's description.
pub const TRACK_FILE: &str = "track.yml";
/// An Instruqt track's hosts (containers, virtual machines).
pub const CONFIG_FILE: &str = "config.yml";
/// The directory of a track's own lifecycle scripts.
pub const TRACK_SCRIPTS: &str = "track_scripts";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A labrun lesson: `lesson.toml` beside its text.
    Lesson,
    /// A bare Instruqt challenge: `assignment.md` and scripts, no `lesson.toml`.
    Challenge,
    /// An Instruqt track (config version 3).
    Track,
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SourceKind::Lesson => "a labrun lesson",
            SourceKind::Challenge => "an Instruqt challenge",
            SourceKind::Track => "an Instruqt track",
        })
    }
}

/// What kind of lesson `dir` is, or why it is none. A track's root may hold
/// a `lesson.toml` of its own (course-level additions): `track.yml` decides.
pub fn detect(dir: &Path) -> Result<SourceKind, LessonError> {
    if crate::workspace::is_workspace(dir) {
        return Err(LessonError::IsAWorkspace(dir.to_path_buf()));
    }
    if dir.join(TRACK_FILE).is_file() {
        Ok(SourceKind::Track)
    } else if dir.join(MANIFEST).is_file() {
        Ok(SourceKind::Lesson)
    } else if dir.join(ASSIGNMENT).is_file() {
        Ok(SourceKind::Challenge)
    } else {
        Err(LessonError::NotALesson(dir.to_path_buf()))
    }
}

/// Whether `dir` is a lesson of any kind (and not a workspace).
pub fn is_lesson(dir: &Path) -> bool {
    detect(dir).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn dir_with(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for file in files {
            let path = dir.path().join(file);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "").unwrap();
        }
        dir
    }

    #[test]
    fn tells_the_three_kinds_apart() {
        let kind = |files: &[&str]| detect(dir_with(files).path()).ok();
        assert_eq!(
            kind(&["lesson.toml", "assignment.md"]),
            Some(SourceKind::Lesson)
        );
        assert_eq!(
            kind(&["assignment.md", "check-shell"]),
            Some(SourceKind::Challenge)
        );
        assert_eq!(
            kind(&["track.yml", "config.yml", "01-a/assignment.md"]),
            Some(SourceKind::Track)
        );
        // A track's own lesson.toml does not make it a one-challenge lesson.
        assert_eq!(kind(&["track.yml", "lesson.toml"]), Some(SourceKind::Track));
    }

    #[test]
    fn a_workspace_is_never_a_lesson() {
        let dir = dir_with(&[".labrun/workspace.json", "track.yml", "assignment.md"]);
        let err = detect(dir.path()).unwrap_err();
        assert!(matches!(err, LessonError::IsAWorkspace(_)), "{err:?}");
        assert!(!is_lesson(dir.path()));
    }

    #[test]
    fn a_directory_of_none_says_what_a_lesson_holds() {
        let dir = dir_with(&["README.md"]);
        let err = detect(dir.path()).unwrap_err().to_string();
        for name in ["lesson.toml", "assignment.md", "track.yml"] {
            assert!(err.contains(name), "{err}");
        }
    }
}
