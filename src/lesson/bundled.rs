//! Lessons that ship with labrun, found by slug.
//!
//! They live in the repository's `lessons/` directory. An installed binary
//! finds them through `LABRUN_LESSONS`, beside the executable
//! (`lessons/` or `../share/labrun/lessons/`), or where it was built.

use super::{LessonError, MANIFEST};
use std::path::{Path, PathBuf};

/// The lesson used when none is named.
pub const DEFAULT_LESSON: &str = "proxying-private-images";

/// Directories searched for bundled lessons, in order.
pub fn search_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::var_os("LABRUN_LESSONS") {
        dirs.push(PathBuf::from(dir));
    }
    if let Some(exe_dir) = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
    {
        dirs.push(exe_dir.join("lessons"));
        dirs.push(exe_dir.join("../share/labrun/lessons"));
    }
    dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons"));
    dirs
}

/// Slugs of every bundled lesson found.
pub fn slugs() -> Vec<String> {
    let mut slugs: Vec<String> = search_dirs()
        .iter()
        .filter_map(|dir| std::fs::read_dir(dir).ok())
        .flatten()
        .flatten()
        .filter(|entry| entry.path().join(MANIFEST).is_file())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect();
    slugs.sort();
    slugs.dedup();
    slugs
}

/// A lesson argument: a directory holding a `lesson.toml`, or a bundled
/// lesson's slug; `None` is the default lesson.
///
/// A labrun workspace is never a lesson, even when it is named like one:
/// `labrun start` makes `./<slug>`, so the slug must still find the lesson
/// from the directory that holds its workspace.
pub fn resolve(arg: Option<&str>) -> Result<PathBuf, LessonError> {
    let name = arg.unwrap_or(DEFAULT_LESSON);
    let as_path = Path::new(name);
    let is_workspace = crate::workspace::is_workspace(as_path);
    if arg.is_some() && !is_workspace && as_path.join(MANIFEST).is_file() {
        return Ok(as_path.to_path_buf());
    }
    if let Some(found) = find_by_slug(name) {
        return Ok(found);
    }
    let not_a_lesson = |why: &str| LessonError::Io {
        path: as_path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, why.to_string()),
    };
    if is_workspace {
        return Err(not_a_lesson(
            "a labrun workspace, not a lesson: run labrun's commands inside it, or name a lesson directory or a bundled lesson",
        ));
    }
    if as_path.is_dir() {
        return Err(LessonError::Io {
            path: as_path.join(MANIFEST),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "not a lesson directory: it has no lesson.toml",
            ),
        });
    }
    Err(LessonError::NotFound {
        name: name.to_string(),
        known: slugs(),
    })
}

/// The bundled lesson with this slug, if there is one. A name with a path
/// separator is a path, never a slug.
fn find_by_slug(name: &str) -> Option<PathBuf> {
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return None;
    }
    search_dirs()
        .into_iter()
        .map(|dir| dir.join(name))
        .find(|dir| dir.join(MANIFEST).is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_lesson_is_bundled() {
        let dir = resolve(None).unwrap();
        assert!(dir.ends_with(DEFAULT_LESSON));
        assert!(slugs().contains(&DEFAULT_LESSON.to_string()));
    }

    #[test]
    fn a_workspace_named_like_a_lesson_is_not_that_lesson() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join(DEFAULT_LESSON);
        std::fs::create_dir_all(ws.join(".labrun")).unwrap();
        std::fs::write(ws.join(".labrun/workspace.json"), "{}").unwrap();
        // Even holding a lesson.toml (a workspace made in a lesson's copy).
        std::fs::write(ws.join(MANIFEST), "").unwrap();
        let bundled = resolve(None).unwrap();
        let ws_arg = ws.to_str().unwrap();
        let err = resolve(Some(ws_arg)).unwrap_err().to_string();
        assert!(err.contains("a labrun workspace, not a lesson"), "{err}");
        assert_ne!(resolve(Some(DEFAULT_LESSON)).unwrap(), ws);
        assert_eq!(resolve(Some(DEFAULT_LESSON)).unwrap(), bundled);
    }

    #[test]
    fn unknown_slug_lists_the_known_ones() {
        let err = resolve(Some("no-such-lesson")).unwrap_err().to_string();
        assert!(
            err.contains("no-such-lesson") && err.contains(DEFAULT_LESSON),
            "{err}"
        );
    }
}
