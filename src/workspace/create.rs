//! Making a workspace: the lesson's starting files and the values made for
//! its variables, laid down whole or recognisably unfinished.
//!
//! A new directory is built beside its final place and renamed into it, so
//! it appears complete or not at all. An existing directory (empty, or
//! forced) is filled in place: a marker goes down first and the state last,
//! so an init cut short — a full disk, a kill — leaves a directory labrun
//! recognises as half-made and finishes on the next `init`.

use super::backup::{Backup, BackupReport, same_content};
use super::{
    LessonRef, SCHEMA, STATE_DIR, STATE_FILE, State, Workspace, WorkspaceError, io_err,
    now_rfc3339, open,
};
use crate::fsutil::{TEMP_PREFIX, write_atomic};
use crate::lesson::{Course, Lesson, Variable};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

/// The longest `generate` pattern a lesson may have: a name or a token is
/// short, and a pattern is expanded for every new workspace.
pub const MAX_PATTERN_LEN: usize = 256;

/// In `.labrun/` while an init fills a directory in place; the state file
/// is written after the files, and this marker removed after the state.
pub(super) const PENDING_FILE: &str = "init-pending";

/// How `init` went.
#[derive(Debug, PartialEq, Eq)]
pub enum Created {
    New,
    /// This lesson's existing workspace, untouched.
    Resumed,
    /// `--force` over a directory that held files: the starting files laid
    /// down, whatever they replaced kept in a backup.
    Forced {
        /// The workspace was this lesson's: its variables (app, token) kept.
        kept_vars: bool,
        backup: Option<BackupReport>,
    },
}

/// What a workspace is made from: a lesson, or a course of challenges
/// (its starting files, and every challenge's variables).
pub struct Source<'a> {
    pub slug: &'a str,
    pub dir: &'a Path,
    pub files_dir: Option<&'a Path>,
    pub variables: Vec<&'a Variable>,
    /// Where a variable's pattern is declared, for an error about it.
    pub manifest_path: &'a Path,
}

impl<'a> From<&'a Lesson> for Source<'a> {
    fn from(lesson: &'a Lesson) -> Source<'a> {
        Source {
            slug: &lesson.slug,
            dir: &lesson.dir,
            files_dir: lesson.files_dir.as_deref(),
            variables: lesson.variables.iter().collect(),
            manifest_path: &lesson.manifest_path,
        }
    }
}

impl<'a> From<&'a Course> for Source<'a> {
    fn from(course: &'a Course) -> Source<'a> {
        if let [lesson] = course.challenges.as_slice() {
            return Source::from(lesson);
        }
        let mut variables: Vec<&Variable> = course.variables.iter().collect();
        for variable in course.challenges.iter().flat_map(|c| &c.variables) {
            if !variables.iter().any(|v| v.name == variable.name) {
                variables.push(variable);
            }
        }
        Source {
            slug: &course.slug,
            dir: &course.dir,
            files_dir: course.files_dir.as_deref(),
            variables,
            manifest_path: course.manifest_path.as_deref().unwrap_or(&course.dir),
        }
    }
}

/// Creates a workspace for `lesson` in `dir` (made if absent): copies the
/// starting files, makes values for variables that have a `generate`
/// pattern, and records it all in `.labrun/`. An existing workspace of the
/// same lesson is resumed untouched, a half-made one finished; any other
/// non-empty directory is refused unless `force`.
///
/// With `force`, nothing of the learner's is lost: a file the starting
/// files replace (and another lesson's state) is first moved into
/// `.labrun/backup/<time>/`, and this lesson's own workspace keeps its
/// variables — the app and token the learner may already have used.
pub fn init<'a>(
    lesson: impl Into<Source<'a>>,
    dir: &Path,
    force: bool,
) -> Result<(Workspace, Created), WorkspaceError> {
    let lesson = &lesson.into();
    let existing = open(dir);
    let mut kept = None;
    match existing {
        Ok(existing) if existing.state.lesson.slug == lesson.slug && !force => {
            return Ok((existing, Created::Resumed));
        }
        Ok(existing) if !force => {
            return Err(WorkspaceError::OtherLesson {
                dir: dir.to_path_buf(),
                other: existing.state.lesson.slug,
            });
        }
        Ok(existing) if existing.state.lesson.slug == lesson.slug => kept = Some(existing.state),
        // A workspace whose state cannot be read is not overwritten unasked.
        Err(e @ (WorkspaceError::Damaged { .. } | WorkspaceError::Unreadable(_))) if !force => {
            return Err(e);
        }
        _ => {}
    }
    let non_empty = is_non_empty(dir);
    if !force && !is_half_made(dir) && non_empty {
        return Err(WorkspaceError::NotEmpty {
            dir: dir.to_path_buf(),
        });
    }
    let kept_vars = kept.is_some();
    let (vars, created_at) = match kept {
        Some(state) => (state.vars, state.created_at),
        None => (generate_values(lesson)?, now_rfc3339()),
    };
    let state = State {
        schema: SCHEMA,
        lesson: LessonRef {
            slug: lesson.slug.to_string(),
            dir: lesson.dir.to_path_buf(),
            built_in: crate::lesson::bundled::is_embedded(lesson.dir),
        },
        created_at,
        vars,
    };
    let root = std::path::absolute(dir).map_err(io_err(dir))?;
    if root.symlink_metadata().is_err() {
        build_beside(lesson, &root, &state)?;
        return Ok((Workspace { root, state }, Created::New));
    }
    let mut backup = Backup::new(&root);
    if !kept_vars {
        // Another lesson's (or an unreadable) state: kept, not overwritten.
        for rel in [
            STATE_FILE,
            super::PROGRESS_FILE,
            crate::session::VENDOR_STATE_DIR,
        ] {
            let rel = Path::new(STATE_DIR).join(rel);
            if root.join(&rel).symlink_metadata().is_ok() {
                backup.keep(&rel)?;
            }
        }
    }
    fill_in_place(lesson, &root, &state, &mut backup)?;
    let created = if force && non_empty {
        Created::Forced {
            kept_vars,
            backup: backup.report(),
        }
    } else {
        Created::New
    };
    Ok((Workspace { root, state }, created))
}

/// Whether an init into `dir` was cut short: its marker is there, its state is not.
pub fn is_half_made(dir: &Path) -> bool {
    let state_dir = dir.join(STATE_DIR);
    state_dir.join(PENDING_FILE).symlink_metadata().is_ok()
        && state_dir.join(STATE_FILE).symlink_metadata().is_err()
}

fn is_non_empty(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some())
}

/// A new workspace: built in a temp directory beside `root`, then renamed
/// into place. A kill leaves a `.tmp-*` directory beside it, never a half-made `root`.
fn build_beside(lesson: &Source, root: &Path, state: &State) -> Result<(), WorkspaceError> {
    let parent = root.parent().unwrap_or(Path::new("/"));
    std::fs::create_dir_all(parent).map_err(io_err(parent))?;
    // Named for what it is, should a kill leave it; an earlier one is cleared.
    let name = root.file_name().unwrap_or_default().to_string_lossy();
    let prefix = format!("{TEMP_PREFIX}labrun-init-{name}-");
    remove_stale_dirs(parent, &prefix);
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    #[cfg(unix)]
    let ordinary = {
        use std::os::unix::fs::PermissionsExt;
        // A workspace is an ordinary directory: the mode mkdir gives (umask applies).
        std::fs::Permissions::from_mode(0o777)
    };
    #[cfg(unix)]
    builder.permissions(ordinary);
    let staging = builder.tempdir_in(parent).map_err(io_err(parent))?;
    if let Some(files) = lesson.files_dir {
        copy_tree(files, staging.path())?;
    }
    write_state(&staging.path().join(STATE_DIR), state)?;
    std::fs::rename(staging.path(), root).map_err(io_err(root))?;
    // Renamed: the guard has nothing left to remove.
    let _ = staging.keep();
    Ok(())
}

/// An existing directory: marker first, the files copied beside them in
/// `.labrun/` and moved into place, the state last, then the marker removed.
fn fill_in_place(
    lesson: &Source,
    root: &Path,
    state: &State,
    backup: &mut Backup,
) -> Result<(), WorkspaceError> {
    let state_dir = root.join(STATE_DIR);
    std::fs::create_dir_all(&state_dir).map_err(io_err(&state_dir))?;
    let pending = state_dir.join(PENDING_FILE);
    write_atomic(&pending, b"labrun init did not finish here; run it again\n")
        .map_err(io_err(&pending))?;
    if let Some(files) = lesson.files_dir {
        let staging = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempdir_in(&state_dir)
            .map_err(io_err(&state_dir))?;
        copy_tree(files, staging.path())?;
        move_into(staging.path(), root, Path::new(""), backup)?;
    }
    write_state(&state_dir, state)?;
    std::fs::remove_file(&pending).map_err(io_err(&pending))
}

/// Removes directories in `dir` named `prefix…` older than a minute: the
/// staging of an init that was killed (a younger one may be in flight).
pub(super) fn remove_stale_dirs(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry.file_name().to_string_lossy().starts_with(prefix)
            && entry.metadata().is_ok_and(|meta| {
                meta.is_dir()
                    && meta
                        .modified()
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age >= STALE_AGE)
            });
        if stale {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// How old a temp file or staging directory must be to be another
/// process's leftover rather than its write in flight (as `fsutil` judges).
const STALE_AGE: std::time::Duration = std::time::Duration::from_secs(60);

fn write_state(state_dir: &Path, state: &State) -> Result<(), WorkspaceError> {
    std::fs::create_dir_all(state_dir).map_err(io_err(state_dir))?;
    let path = state_dir.join(STATE_FILE);
    let json = serde_json::to_vec_pretty(state).expect("state serializes");
    write_atomic(&path, &json).map_err(io_err(&path))
}

/// Moves every file under `from` to the same place under `to` (`rel`
/// below the workspace root), each a rename on one file system: whole or
/// not at all. What a file would replace, unless identical, is kept in `backup` first.
fn move_into(
    from: &Path,
    to: &Path,
    rel: &Path,
    backup: &mut Backup,
) -> Result<(), WorkspaceError> {
    for entry in std::fs::read_dir(from).map_err(io_err(from))? {
        let entry = entry.map_err(io_err(from))?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let rel = rel.join(entry.file_name());
        let there = dst.symlink_metadata().ok();
        if entry.file_type().map_err(io_err(&src))?.is_dir() {
            if there.is_some_and(|m| !m.is_dir()) {
                backup.keep(&rel)?;
            }
            std::fs::create_dir_all(&dst).map_err(io_err(&dst))?;
            move_into(&src, &dst, &rel, backup)?;
        } else {
            if there.is_some() && !same_content(&src, &dst) {
                backup.keep(&rel)?;
            }
            std::fs::rename(&src, &dst).map_err(io_err(&dst))?;
        }
    }
    Ok(())
}

/// Copies the regular files and directories of `from` into `to` (links and
/// special files in a lesson are not starting files).
pub(super) fn copy_tree(from: &Path, to: &Path) -> Result<(), WorkspaceError> {
    for entry in std::fs::read_dir(from).map_err(io_err(from))? {
        let entry = entry.map_err(io_err(from))?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().map_err(io_err(&src))?;
        if kind.is_dir() {
            std::fs::create_dir_all(&dst).map_err(io_err(&dst))?;
            copy_tree(&src, &dst)?;
        } else if kind.is_file() {
            std::fs::copy(&src, &dst).map_err(io_err(&dst))?;
        }
    }
    Ok(())
}

/// Values for the lesson's variables that have a `generate` pattern; a
/// pattern over [`MAX_PATTERN_LEN`] is a lesson error naming the variable.
fn generate_values(lesson: &Source) -> Result<BTreeMap<String, String>, WorkspaceError> {
    let mut values = BTreeMap::new();
    for Variable { name, generate, .. } in lesson.variables.iter().copied() {
        let Some(pattern) = generate else { continue };
        if pattern.chars().count() > MAX_PATTERN_LEN {
            return Err(WorkspaceError::PatternTooLong {
                manifest: lesson.manifest_path.to_path_buf(),
                variable: name.clone(),
                len: pattern.chars().count(),
            });
        }
        values.insert(name.clone(), generate_value(pattern));
    }
    Ok(values)
}

/// Words for generated app slugs, in the spirit of the lab's `slackernews-mackerel`.
const WORDS: &[&str] = &[
    "mackerel", "otter", "heron", "walrus", "marlin", "puffin", "badger", "lynx", "osprey",
    "tapir", "gecko", "ibis", "koala", "narwhal", "quokka", "wombat",
];

/// Fills a `generate` pattern: `{word}` becomes a word from a list, `{token}`
/// 32 random hex digits, `{hex}` 8. One pass over the pattern, so its cost
/// grows with its length, whatever it holds.
pub fn generate_value(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 32);
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let from_brace = &rest[open..];
        rest = if let Some(after) = from_brace.strip_prefix("{word}") {
            out.push_str(WORDS[(random_u64() % WORDS.len() as u64) as usize]);
            after
        } else if let Some(after) = from_brace.strip_prefix("{token}") {
            out.push_str(&format!("{:016x}{:016x}", random_u64(), random_u64()));
            after
        } else if let Some(after) = from_brace.strip_prefix("{hex}") {
            out.push_str(&format!("{:08x}", random_u64() as u32));
            after
        } else {
            out.push('{');
            &from_brace[1..]
        };
    }
    out.push_str(rest);
    out
}

/// Random enough for local sandbox names and tokens: std's per-process
/// random hash keys, mixed with the clock and a counter.
fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_fill_every_placeholder_in_one_pass() {
        let value = generate_value("app-{word}-{hex}-{token}-{x}{");
        assert!(
            value.starts_with("app-") && value.ends_with("-{x}{"),
            "{value}"
        );
        assert!(
            !value.contains("{word}") && !value.contains("{hex}") && !value.contains("{token}")
        );
        assert_eq!(
            value.len(),
            "app-".len() + value[4..].find('-').unwrap() + 1 + 8 + 1 + 32 + 5
        );
        // A huge pattern (beyond what a lesson may declare) still ends, every token filled.
        let huge = generate_value(&"{token}".repeat(60_000));
        assert_eq!(huge.len(), 32 * 60_000);
        assert!(huge.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn generated_values_differ() {
        assert_ne!(generate_value("{token}"), generate_value("{token}"));
        assert!(generate_value("app-{word}").starts_with("app-"));
    }
}
