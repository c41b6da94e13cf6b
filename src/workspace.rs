//! A learner's workspace: the lesson's starting files, plus `.labrun/` with
//! which lesson it is, the values made for its variables, and progress.

mod backup;
mod create;
pub mod reset;

pub use backup::BackupReport;
pub use create::{Created, MAX_PATTERN_LEN, generate_value, init, is_half_made};

use crate::fsutil::{ReadError, write_atomic};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub const STATE_DIR: &str = ".labrun";
const STATE_FILE: &str = "workspace.json";
const PROGRESS_FILE: &str = "progress.json";
const SCHEMA: u32 = 1;
/// A workspace's state is a few hundred bytes; anything past this is not one.
const STATE_READ_LIMIT: u64 = 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub schema: u32,
    pub lesson: LessonRef,
    pub created_at: String,
    /// Values made for the lesson's variables when the workspace was created.
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
}

impl State {
    /// A stable id of a workspace, derived from what its state holds from its
    /// creation on (the lesson, when it was made, the values made for it): the
    /// workspace state has no id of its own. A digest, so the values (some are
    /// secret) cannot be read back from it.
    pub fn id(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(b"labrun-workspace\0");
        for part in [&self.lesson.slug, &self.created_at] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        for (name, value) in &self.vars {
            hasher.update(name.as_bytes());
            hasher.update([0]);
            hasher.update(value.as_bytes());
            hasher.update([0]);
        }
        hasher.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonRef {
    pub slug: String,
    /// The lesson directory the workspace was made from.
    pub dir: PathBuf,
    /// Made from a lesson built into labrun: whichever labrun opens the
    /// workspace (upgraded, moved) uses its own copy of the lesson.
    #[serde(default)]
    pub built_in: bool,
}

#[derive(Debug, Clone)]
pub struct Workspace {
    pub root: PathBuf,
    pub state: State,
}

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error(
        "{} is not a labrun workspace (no {STATE_DIR}/{STATE_FILE}): create one with `labrun init DIR`, or pass --workspace DIR",
        .0.display()
    )]
    NotAWorkspace(PathBuf),
    #[error(
        "{} is not inside a labrun workspace (no {STATE_DIR}/{STATE_FILE} here or in a parent directory): `labrun start` or `labrun init DIR` creates one, or pass --workspace DIR",
        .0.display()
    )]
    NoneHere(PathBuf),
    #[error(
        "workspace {} does not exist: create it with `labrun init {}`",
        .0.display(),
        .0.display()
    )]
    Missing(PathBuf),
    #[error("{}: damaged workspace state (line {}): {source}", path.display(), source.line())]
    Damaged {
        path: PathBuf,
        source: serde_json::Error,
    },
    /// The state file could not be read: not a regular file, too large, not text.
    #[error("damaged workspace state: {0}")]
    Unreadable(crate::fsutil::ReadError),
    #[error(
        "{} is already a workspace of lesson {other:?}; pass --force to start this lesson there anyway",
        dir.display()
    )]
    OtherLesson { dir: PathBuf, other: String },
    #[error(
        "{} is not empty; choose an empty or new directory, or pass --force to copy the lesson's files into it",
        dir.display()
    )]
    NotEmpty { dir: PathBuf },
    #[error(
        "{}: `labrun init` was cut short here (a full disk, or it was stopped); run `labrun init {}` again to finish it",
        .0.display(),
        .0.display()
    )]
    HalfMade(PathBuf),
    #[error(
        "{}: variable {variable}: its generate pattern is {len} characters long; the limit is {MAX_PATTERN_LEN}",
        manifest.display()
    )]
    PatternTooLong {
        manifest: PathBuf,
        variable: String,
        len: usize,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WorkspaceError + '_ {
    move |source| WorkspaceError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Whether `dir` is a labrun workspace: it has `.labrun/workspace.json`
/// (whatever that holds; opening it says what is wrong with it).
pub fn is_workspace(dir: &Path) -> bool {
    dir.join(STATE_DIR)
        .join(STATE_FILE)
        .symlink_metadata()
        .is_ok()
}

/// The workspace that holds `start`: `start` itself or its nearest ancestor
/// that is a workspace, as git finds `.git`.
pub fn find(start: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(start).ok()?;
    start
        .ancestors()
        .find(|dir| is_workspace(dir))
        .map(Path::to_path_buf)
}

/// Opens the workspace in `dir`.
pub fn open(dir: &Path) -> Result<Workspace, WorkspaceError> {
    if !dir.exists() {
        return Err(WorkspaceError::Missing(dir.to_path_buf()));
    }
    let path = dir.join(STATE_DIR).join(STATE_FILE);
    // The state file is the workspace's own, but a learner can put anything
    // there: a FIFO or /dev/zero must not hang or exhaust memory.
    let text = match crate::fsutil::read_limited(&path, STATE_READ_LIMIT) {
        Ok(bytes) => String::from_utf8(bytes)
            .map_err(|_| WorkspaceError::Unreadable(ReadError::NotText { path: path.clone() }))?,
        Err(e) if e.is_not_found() && is_half_made(dir) => {
            return Err(WorkspaceError::HalfMade(dir.to_path_buf()));
        }
        Err(e) if e.is_not_found() => {
            return Err(WorkspaceError::NotAWorkspace(dir.to_path_buf()));
        }
        Err(e) => return Err(WorkspaceError::Unreadable(e)),
    };
    let state: State = serde_json::from_str(&text).map_err(|source| WorkspaceError::Damaged {
        path: path.clone(),
        source,
    })?;
    let root = std::path::absolute(dir).map_err(io_err(dir))?;
    remove_stale_temps(&root.join(STATE_DIR));
    Ok(Workspace { root, state })
}

/// Removes what killed labrun processes left in `.labrun/` and the
/// directories in it: temp files of atomic writes, and the staging
/// directories of an init, once older than a minute.
fn remove_stale_temps(state_dir: &Path) {
    crate::fsutil::remove_stale_temps(state_dir);
    create::remove_stale_dirs(state_dir, crate::fsutil::TEMP_PREFIX);
    let Ok(entries) = std::fs::read_dir(state_dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            crate::fsutil::remove_stale_temps(&entry.path());
        }
    }
}

impl Workspace {
    pub fn state_dir(&self) -> PathBuf {
        self.root.join(STATE_DIR)
    }

    pub fn progress_path(&self) -> PathBuf {
        self.state_dir().join(PROGRESS_FILE)
    }

    pub fn save(&self) -> Result<(), WorkspaceError> {
        let dir = self.state_dir();
        std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        let path = dir.join(STATE_FILE);
        let json = serde_json::to_vec_pretty(&self.state).expect("state serializes");
        write_atomic(&path, &json).map_err(io_err(&path))
    }

    /// A directory of labrun's stand-ins, to put first on a lesson shell's
    /// PATH: Instruqt's helpers and the curl wrapper always, `helm` and
    /// `replicated` where this machine lacks them ([`crate::standins::needs_link`]);
    /// `None` when nothing needs a link.
    pub fn standins_dir(&self) -> Result<Option<PathBuf>, WorkspaceError> {
        let missing: Vec<&str> = crate::standins::STANDINS
            .iter()
            .copied()
            .filter(|t| crate::standins::needs_link(t))
            .collect();
        if missing.is_empty() {
            return Ok(None);
        }
        let bin = self.state_dir().join("bin");
        std::fs::create_dir_all(&bin).map_err(io_err(&bin))?;
        let exe = std::env::current_exe().map_err(io_err(&bin))?;
        for tool in missing {
            link_standin(&exe, &bin.join(tool))?;
        }
        Ok(Some(bin))
    }
}

fn link_standin(exe: &Path, link: &Path) -> Result<(), WorkspaceError> {
    if std::fs::read_link(link).is_ok_and(|target| target == exe) {
        return Ok(());
    }
    let _ = std::fs::remove_file(link);
    #[cfg(unix)]
    match std::os::unix::fs::symlink(exe, link) {
        // A labrun running in parallel made the same link first.
        Err(e) if std::fs::read_link(link).is_ok_and(|target| target == exe) => drop(e),
        result => result.map_err(io_err(link))?,
    }
    #[cfg(not(unix))]
    std::fs::copy(exe, link).map(drop).map_err(io_err(link))?;
    Ok(())
}

/// Whether `tool` is an executable on PATH.
pub fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson() -> crate::lesson::Lesson {
        crate::lesson::Lesson::load(&crate::lesson::bundled::resolve(None).unwrap()).unwrap()
    }

    #[test]
    fn init_copies_files_and_generates_values() {
        let dir = tempfile::tempdir().unwrap();
        let ws_dir = dir.path().join("ws");
        let (ws, created) = init(&lesson(), &ws_dir, false).unwrap();
        assert_eq!(created, Created::New);
        assert!(ws_dir.join("slackernews/Chart.yaml").is_file());
        let app = &ws.state.vars["REPLICATED_APP"];
        assert!(app.starts_with("slackernews-") && app.len() > 12, "{app}");
        assert_eq!(ws.state.vars["REPLICATED_API_TOKEN"].len(), 32);
        let reopened = open(&ws_dir).unwrap();
        assert_eq!(reopened.state, ws.state);
    }

    #[test]
    fn init_resumes_its_own_workspace_and_refuses_others() {
        let dir = tempfile::tempdir().unwrap();
        let (first, _) = init(&lesson(), dir.path(), false).unwrap();
        let (again, created) = init(&lesson(), dir.path(), false).unwrap();
        assert_eq!(created, Created::Resumed);
        assert_eq!(first.state, again.state);

        let other = tempfile::tempdir().unwrap();
        std::fs::write(other.path().join("notes.txt"), "mine").unwrap();
        let err = init(&lesson(), other.path(), false)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("is not empty") && err.contains("--force"),
            "{err}"
        );
        init(&lesson(), other.path(), true).unwrap();
        assert_eq!(
            std::fs::read_to_string(other.path().join("notes.txt")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn open_explains_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let err = open(&dir.path().join("nope")).unwrap_err().to_string();
        assert!(
            err.contains("does not exist") && err.contains("labrun init"),
            "{err}"
        );
        let err = open(dir.path()).unwrap_err().to_string();
        assert!(err.contains("is not a labrun workspace"), "{err}");
        std::fs::create_dir(dir.path().join(STATE_DIR)).unwrap();
        std::fs::write(dir.path().join(STATE_DIR).join(STATE_FILE), "{broken").unwrap();
        let err = open(dir.path()).unwrap_err().to_string();
        assert!(err.contains("damaged workspace state"), "{err}");
    }

    #[test]
    fn find_looks_in_the_directory_and_its_ancestors() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        init(&lesson(), &ws, false).unwrap();
        let deep = ws.join("slackernews/templates");
        assert_eq!(find(&deep).unwrap(), ws);
        assert_eq!(find(&ws).unwrap(), ws);
        assert!(find(dir.path()).is_none_or(|found| !found.starts_with(dir.path())));
    }
}
