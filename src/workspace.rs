//! A learner's workspace: the lesson's starting files, plus `.labrun/` with
//! which lesson it is, the values made for its variables, and progress.

use crate::fsutil::write_atomic;
use crate::lesson::{Lesson, Variable};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub const STATE_DIR: &str = ".labrun";
const STATE_FILE: &str = "workspace.json";
const PROGRESS_FILE: &str = "progress.json";
const SCHEMA: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub schema: u32,
    pub lesson: LessonRef,
    pub created_at: String,
    /// Values made for the lesson's variables when the workspace was created.
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonRef {
    pub slug: String,
    /// The lesson directory the workspace was made from.
    pub dir: PathBuf,
}

#[derive(Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub state: State,
}

#[derive(Debug)]
pub enum WorkspaceError {
    Io {
        path: PathBuf,
        source: io::Error,
    },
    NotAWorkspace(PathBuf),
    Missing(PathBuf),
    Damaged {
        path: PathBuf,
        message: String,
    },
    NotEmpty {
        dir: PathBuf,
        other_lesson: Option<String>,
    },
}

impl fmt::Display for WorkspaceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkspaceError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            WorkspaceError::Missing(dir) => write!(
                f,
                "workspace {} does not exist: create it with `labrun init {}`",
                dir.display(),
                dir.display()
            ),
            WorkspaceError::NotAWorkspace(dir) => write!(
                f,
                "{} is not a labrun workspace (no {STATE_DIR}/{STATE_FILE}): create one with `labrun init DIR`, or pass --workspace DIR",
                dir.display()
            ),
            WorkspaceError::Damaged { path, message } => write!(f, "{}: {message}", path.display()),
            WorkspaceError::NotEmpty {
                dir,
                other_lesson: Some(slug),
            } => write!(
                f,
                "{} is already a workspace of lesson {slug:?}; pass --force to start this lesson there anyway",
                dir.display()
            ),
            WorkspaceError::NotEmpty {
                dir,
                other_lesson: None,
            } => write!(
                f,
                "{} is not empty; choose an empty or new directory, or pass --force to copy the lesson's files into it",
                dir.display()
            ),
        }
    }
}

impl std::error::Error for WorkspaceError {}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WorkspaceError + '_ {
    move |source| WorkspaceError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// How `init` went: a new workspace, or this lesson's existing one resumed.
#[derive(Debug, PartialEq, Eq)]
pub enum Created {
    New,
    Resumed,
}

/// Creates a workspace for `lesson` in `dir` (made if absent): copies the
/// starting files, makes values for variables that have a `generate`
/// pattern, and records it all in `.labrun/`. An existing workspace of the
/// same lesson is resumed untouched; any other non-empty directory is
/// refused unless `force`.
pub fn init(
    lesson: &Lesson,
    dir: &Path,
    force: bool,
) -> Result<(Workspace, Created), WorkspaceError> {
    match open(dir) {
        Ok(existing) if existing.state.lesson.slug == lesson.slug && !force => {
            return Ok((existing, Created::Resumed));
        }
        Ok(existing) if !force => {
            return Err(WorkspaceError::NotEmpty {
                dir: dir.to_path_buf(),
                other_lesson: Some(existing.state.lesson.slug),
            });
        }
        _ => {}
    }
    let non_empty = std::fs::read_dir(dir)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    if non_empty && !force {
        return Err(WorkspaceError::NotEmpty {
            dir: dir.to_path_buf(),
            other_lesson: None,
        });
    }
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    if let Some(files) = &lesson.files_dir {
        copy_tree(files, dir)?;
    }
    let root = std::path::absolute(dir).map_err(io_err(dir))?;
    let workspace = Workspace {
        root,
        state: State {
            schema: SCHEMA,
            lesson: LessonRef {
                slug: lesson.slug.clone(),
                dir: lesson.dir.clone(),
            },
            created_at: now_rfc3339(),
            vars: generate_values(&lesson.variables),
        },
    };
    workspace.save()?;
    Ok((workspace, Created::New))
}

/// Opens the workspace in `dir`.
pub fn open(dir: &Path) -> Result<Workspace, WorkspaceError> {
    if !dir.exists() {
        return Err(WorkspaceError::Missing(dir.to_path_buf()));
    }
    let path = dir.join(STATE_DIR).join(STATE_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(WorkspaceError::NotAWorkspace(dir.to_path_buf()));
        }
        Err(e) => return Err(io_err(&path)(e)),
    };
    let state: State = serde_json::from_str(&text).map_err(|e| WorkspaceError::Damaged {
        path: path.clone(),
        message: format!("damaged workspace state (line {}): {e}", e.line()),
    })?;
    let root = std::path::absolute(dir).map_err(io_err(dir))?;
    Ok(Workspace { root, state })
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

    /// A directory of labrun's stand-ins (`helm`, `replicated`) for the
    /// tools this machine lacks, to put first on a lesson shell's PATH.
    /// `None` when every tool is installed.
    pub fn standins_dir(&self) -> Result<Option<PathBuf>, WorkspaceError> {
        let missing: Vec<&str> = crate::STANDINS
            .iter()
            .copied()
            .filter(|t| !on_path(t))
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

fn copy_tree(from: &Path, to: &Path) -> Result<(), WorkspaceError> {
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

fn generate_values(variables: &[Variable]) -> BTreeMap<String, String> {
    variables
        .iter()
        .filter_map(|v| Some((v.name.clone(), generate_value(v.generate.as_deref()?))))
        .collect()
}

/// Words for generated app slugs, in the spirit of the lab's `slackernews-mackerel`.
const WORDS: &[&str] = &[
    "mackerel", "otter", "heron", "walrus", "marlin", "puffin", "badger", "lynx", "osprey",
    "tapir", "gecko", "ibis", "koala", "narwhal", "quokka", "wombat",
];

/// Fills a `generate` pattern: `{word}` becomes a word from a list, `{token}`
/// 32 random hex digits, `{hex}` 8.
pub fn generate_value(pattern: &str) -> String {
    let mut out = pattern.to_string();
    while let Some(at) = out.find("{word}") {
        let word = WORDS[(random_u64() % WORDS.len() as u64) as usize];
        out.replace_range(at..at + 6, word);
    }
    while let Some(at) = out.find("{token}") {
        out.replace_range(
            at..at + 7,
            &format!("{:016x}{:016x}", random_u64(), random_u64()),
        );
    }
    while let Some(at) = out.find("{hex}") {
        out.replace_range(at..at + 5, &format!("{:08x}", random_u64() as u32));
    }
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

pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson() -> Lesson {
        Lesson::load(&crate::lesson::bundled::resolve(None).unwrap()).unwrap()
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
    fn generated_values_differ() {
        assert_ne!(generate_value("{token}"), generate_value("{token}"));
        assert!(generate_value("app-{word}").starts_with("app-"));
    }
}
