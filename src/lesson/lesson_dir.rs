//! The lesson directory as a boundary: the paths a lesson names (its text,
//! its starting files, an expected text) are kept inside it. A lesson is
//! someone else's file, and `expected_file = "/etc/passwd"` or
//! `files = "/home/you"` must not reach a learner's machine beyond it.

use std::path::{Component, Path, PathBuf};

/// Why a path a lesson names is refused: it leaves the lesson directory.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OutsideLesson {
    /// Absolute, or `..` past the top.
    #[error("{0:?} is outside the lesson directory")]
    Escapes(String),
    /// Inside by its name, but a symlink on the way points out.
    #[error("{relative:?} resolves to {}, outside the lesson directory", real.display())]
    ResolvesOutside { relative: String, real: PathBuf },
}

/// The lesson directory, and where it really is.
pub(super) struct LessonDir {
    dir: PathBuf,
    /// The directory with its symlinks resolved (None if it cannot be).
    real: Option<PathBuf>,
}

impl LessonDir {
    pub(super) fn new(dir: &Path) -> LessonDir {
        LessonDir {
            dir: dir.to_path_buf(),
            real: std::fs::canonicalize(dir).ok(),
        }
    }

    /// `relative` joined to the lesson directory, or why it leaves it
    /// (absolute, `..` past the top, or a symlink pointing out).
    pub(super) fn resolve(&self, relative: &str) -> Result<PathBuf, OutsideLesson> {
        let path = Path::new(relative);
        let mut depth = 0usize;
        for component in path.components() {
            match component {
                Component::Normal(_) => depth += 1,
                Component::CurDir => {}
                Component::ParentDir if depth > 0 => depth -= 1,
                _ => return Err(OutsideLesson::Escapes(relative.to_string())),
            }
        }
        let joined = self.dir.join(path);
        match (std::fs::canonicalize(&joined), &self.real) {
            (Ok(real), Some(top)) if !real.starts_with(top) => {
                Err(OutsideLesson::ResolvesOutside {
                    relative: relative.to_string(),
                    real,
                })
            }
            // A missing file is reported where it is read, naming it.
            _ => Ok(joined),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_lesson_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let lesson = LessonDir::new(dir.path());
        assert_eq!(lesson.resolve("a/../b").unwrap(), dir.path().join("a/../b"));
        for escaping in ["/etc/passwd", "../x", "a/../../x"] {
            assert_eq!(
                lesson.resolve(escaping),
                Err(OutsideLesson::Escapes(escaping.into()))
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_pointing_out_is_refused() {
        let outside = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
        let err = LessonDir::new(dir.path()).resolve("link").unwrap_err();
        assert!(
            matches!(err, OutsideLesson::ResolvesOutside { ref relative, .. } if relative == "link"),
            "{err:?}"
        );
    }
}
