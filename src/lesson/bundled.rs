//! Lessons that ship with labrun, found by slug.
//!
//! They are built into the binary (the repository's `lessons/` and
//! `assets/`), so a binary copied anywhere, or whose source tree is gone,
//! still has them. The lesson loader reads directories, so on first use the
//! built-in lessons are unpacked once into a per-version cache directory,
//! `~/.cache/labrun/bundled/<version>-<hash>/` (`$XDG_CACHE_HOME` if set):
//! whole or not at all (built beside it, then renamed into place), shared by
//! every labrun process of that build, and never written again.
//! `LABRUN_LESSONS`, or `lessons/` (or `../share/labrun/lessons/`) beside the
//! executable, come first, for lesson authors and packagers.

use super::{LessonError, MANIFEST};
use include_dir::{Dir, include_dir};
use std::hash::{Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};

/// The lesson used when none is named.
pub const DEFAULT_LESSON: &str = "proxying-private-images";

/// The lessons built into this binary.
static EMBEDDED_LESSONS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/lessons");
/// The images and files lessons share (`../assets/NAME` in a challenge).
static EMBEDDED_ASSETS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/assets");

/// Directories on disk searched for lessons before the built-in ones, in order.
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
    dirs
}

/// Slugs of every lesson found: on disk and built in.
pub fn slugs() -> Vec<String> {
    let dirs = search_dirs();
    let on_disk = dirs
        .iter()
        .filter_map(|dir| std::fs::read_dir(dir).ok())
        .flatten()
        .flatten()
        .filter(|entry| super::source::is_lesson(&entry.path()))
        .filter_map(|entry| entry.file_name().into_string().ok());
    let mut slugs: Vec<String> = on_disk.chain(embedded_slugs()).collect();
    slugs.sort();
    slugs.dedup();
    slugs
}

fn embedded_slugs() -> impl Iterator<Item = String> {
    EMBEDDED_LESSONS
        .dirs()
        .filter(|dir| dir.contains(dir.path().join(MANIFEST)))
        .filter_map(|dir| Some(dir.path().file_name()?.to_str()?.to_string()))
}

/// Whether `dir` is a lesson unpacked from this binary or another build of
/// labrun: a workspace made from it finds its lesson again by slug, in
/// whichever labrun opens it.
pub fn is_embedded(dir: &Path) -> bool {
    cache_base().is_ok_and(|base| dir.starts_with(base))
}

/// The directory of the built-in lessons, unpacked if not yet.
pub fn embedded_lessons_dir() -> Result<PathBuf, LessonError> {
    let root = cache_base()
        .map(|base| base.join(build_id()))
        .map_err(|source| LessonError::Io {
            path: PathBuf::from("~/.cache/labrun"),
            source,
        })?;
    if !root.join("lessons").is_dir() {
        unpack(&root).map_err(|source| LessonError::Io {
            path: root.clone(),
            source,
        })?;
    }
    Ok(root.join("lessons"))
}

/// `<cache>/labrun/bundled`: `$XDG_CACHE_HOME`, else `$HOME/.cache`, else a
/// directory of this user's own in the system's temp directory.
fn cache_base() -> io::Result<PathBuf> {
    let absolute_var = |name| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let cache = match (absolute_var("XDG_CACHE_HOME"), absolute_var("HOME")) {
        (Some(xdg), _) => xdg,
        (None, Some(home)) => home.join(".cache"),
        (None, None) => private_temp_dir()?,
    };
    Ok(cache.join("labrun").join("bundled"))
}

/// Without a home, `/tmp/labrun-<uid>`: made 0700, and refused if another
/// user made it first (its lessons' scripts would run as this user).
fn private_temp_dir() -> io::Result<PathBuf> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
        // SAFETY: getuid has no preconditions and cannot fail.
        let uid = unsafe { libc::getuid() };
        let dir = std::env::temp_dir().join(format!("labrun-{uid}"));
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        let meta = std::fs::symlink_metadata(&dir)?;
        if !meta.is_dir() || meta.uid() != uid || meta.permissions().mode() & 0o077 != 0 {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "{} is not a private directory of this user; set HOME or XDG_CACHE_HOME",
                    dir.display()
                ),
            ));
        }
        Ok(dir)
    }
    #[cfg(not(unix))]
    Ok(std::env::temp_dir().join("labrun"))
}

/// `<version>-<hash of the built-in files>`: a build with other lessons
/// never reads another build's unpacked copy.
fn build_id() -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for dir in [&EMBEDDED_LESSONS, &EMBEDDED_ASSETS] {
        hash_dir(dir, &mut hasher);
    }
    format!("{}-{:016x}", env!("CARGO_PKG_VERSION"), hasher.finish())
}

fn hash_dir(dir: &Dir<'_>, hasher: &mut impl Hasher) {
    for file in dir.files() {
        file.path().hash(hasher);
        file.contents().hash(hasher);
    }
    for sub in dir.dirs() {
        hash_dir(sub, hasher);
    }
}

/// Unpacks the built-in lessons and assets into `root`, whole or not at all:
/// written into a temp directory beside it, then renamed into place. When
/// another labrun process got there first, its copy is used.
fn unpack(root: &Path) -> io::Result<()> {
    let parent = root.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let staging = tempfile::Builder::new()
        .prefix(crate::fsutil::TEMP_PREFIX)
        .tempdir_in(parent)?;
    for (dir, name) in [(&EMBEDDED_LESSONS, "lessons"), (&EMBEDDED_ASSETS, "assets")] {
        let to = staging.path().join(name);
        std::fs::create_dir(&to)?;
        dir.extract(&to)?;
    }
    match std::fs::rename(staging.path(), root) {
        Ok(()) => {
            // Renamed: nothing left for the guard to remove.
            let _ = staging.keep();
            Ok(())
        }
        Err(_) if root.join("lessons").is_dir() => Ok(()),
        Err(e) => Err(e),
    }
}

/// A lesson argument: a lesson directory of any kind (a labrun lesson, an
/// Instruqt challenge or track: see [`super::source`]), or a bundled
/// lesson's slug; `None` is the default lesson.
///
/// A labrun workspace is never a lesson, even when it is named like one:
/// `labrun start` makes `./<slug>`, so the slug must still find the lesson
/// from the directory that holds its workspace.
pub fn resolve(arg: Option<&str>) -> Result<PathBuf, LessonError> {
    let name = arg.unwrap_or(DEFAULT_LESSON);
    let as_path = Path::new(name);
    let is_workspace = crate::workspace::is_workspace(as_path);
    if arg.is_some() && !is_workspace && super::source::is_lesson(as_path) {
        return Ok(as_path.to_path_buf());
    }
    if let Some(found) = find_by_slug(name)? {
        return Ok(found);
    }
    if is_workspace {
        return Err(LessonError::IsAWorkspace(as_path.to_path_buf()));
    }
    if as_path.is_dir() {
        return Err(LessonError::NotALesson(as_path.to_path_buf()));
    }
    Err(LessonError::NotFound {
        name: name.to_string(),
        known: slugs(),
    })
}

/// The bundled lesson with this slug, if there is one. A name with a path
/// separator is a path, never a slug.
fn find_by_slug(name: &str) -> Result<Option<PathBuf>, LessonError> {
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return Ok(None);
    }
    let on_disk = search_dirs()
        .into_iter()
        .map(|dir| dir.join(name))
        .find(|dir| super::source::is_lesson(dir));
    if on_disk.is_some() {
        return Ok(on_disk);
    }
    if !embedded_slugs().any(|slug| slug == name) {
        return Ok(None);
    }
    Ok(Some(embedded_lessons_dir()?.join(name)))
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
    fn unpacking_is_whole_and_a_second_unpacker_uses_the_first_copy() {
        let cache = tempfile::tempdir().unwrap();
        let root = cache.path().join(build_id());
        unpack(&root).unwrap();
        unpack(&root).unwrap();
        let manifest = format!("{DEFAULT_LESSON}/{MANIFEST}");
        let built_in = EMBEDDED_LESSONS.get_file(&manifest).unwrap().contents();
        assert_eq!(
            std::fs::read(root.join("lessons").join(&manifest)).unwrap(),
            built_in
        );
        assert!(root.join("assets/README.md").is_file());
        // Nothing but the unpacked copy: the loser's staging directory is gone.
        let entries: Vec<_> = std::fs::read_dir(cache.path()).unwrap().collect();
        assert_eq!(entries.len(), 1);
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
