//! Finding progress records: record files, workspaces read directly and
//! class directories holding either, each path that is neither skipped
//! with the reason.

use super::identity::{Found, one_per_workspace, workspace_owner};
use super::record::{
    Record, RecordError, complete, complete_course, course_variables, make_record,
};
use crate::fsutil::{self, ReadError};
use crate::lesson::{Course, Variable, Vars};
use crate::progress::Progress;
use crate::workspace::{self, Workspace, WorkspaceError};
use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};

/// A record larger than this is not a progress record (and is not read).
const MAX_RECORD_BYTES: u64 = 16 * 1024 * 1024;

/// What [`load`] found: the records, and each path it could not use with why.
#[derive(Debug, Default)]
pub struct Loaded {
    pub records: Vec<Record>,
    pub skipped: Vec<(PathBuf, SkipReason)>,
}

/// Why [`load`] passed over a path (the warning names the path).
#[derive(Debug, thiserror::Error)]
pub enum SkipReason {
    #[error("does not exist")]
    Missing,
    /// A FIFO, a device or a socket: refused rather than read forever.
    #[error("not a regular file ({0})")]
    NotRegular(&'static str),
    #[error("larger than {0} bytes: too large for a progress record")]
    TooLarge(u64),
    #[error("not a text file (not UTF-8)")]
    NotText,
    #[error("{0}")]
    Io(io::Error),
    #[error("no progress records (*.json) or workspaces in this directory")]
    NothingHere,
    #[error(transparent)]
    NotARecord(#[from] RecordError),
    /// The workspace's state file is damaged (the path is the state file's).
    #[error("damaged workspace state (line {line}): {error}", line = .0.line(), error = .0)]
    DamagedWorkspace(serde_json::Error),
    #[error(transparent)]
    Workspace(WorkspaceError),
    /// The workspace's progress file is unreadable or damaged.
    #[error(transparent)]
    Progress(#[from] crate::progress::ProgressError),
    /// A workspace counted already, through the path named.
    #[error(
        "the same workspace as {}, which is reported instead (its progress is the most recent)",
        .0.display()
    )]
    SameWorkspace(PathBuf),
}

impl From<ReadError> for SkipReason {
    /// Without the path: the warning names it.
    fn from(error: ReadError) -> SkipReason {
        match error {
            ReadError::NotFound { .. } => SkipReason::Missing,
            ReadError::NotRegular { kind, .. } => SkipReason::NotRegular(kind),
            ReadError::TooLarge { limit, .. } => SkipReason::TooLarge(limit),
            ReadError::NotText { .. } => SkipReason::NotText,
            ReadError::Io { source, .. } => SkipReason::Io(source),
        }
    }
}

/// Reads records and workspaces. Each path is a record file, a workspace
/// directory, or a class directory: its `*.json` files and its
/// subdirectories that are workspaces (one level deep; hidden entries and
/// other files are ignored). A workspace read directly is its owner's, named
/// as `progress export` names the OS user; a workspace and its exports count
/// once (the most recent progress). A file that is not a record, or a
/// damaged workspace, is skipped with the reason; a file reached twice is
/// read once. Never panics on file content.
pub fn load(paths: &[PathBuf]) -> Loaded {
    let mut loader = Loader::default();
    for path in paths {
        loader.path(path);
    }
    let (records, duplicates) = one_per_workspace(loader.found);
    let mut skipped = loader.skipped;
    skipped.extend(duplicates);
    Loaded { records, skipped }
}

#[derive(Default)]
struct Loader {
    found: Vec<Found>,
    skipped: Vec<(PathBuf, SkipReason)>,
    seen: HashSet<PathBuf>,
}

impl Loader {
    fn skip(&mut self, path: &Path, why: SkipReason) {
        self.skipped.push((path.to_path_buf(), why));
    }

    fn first_visit(&mut self, path: &Path) -> bool {
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.seen.insert(key)
    }

    fn path(&mut self, path: &Path) {
        match std::fs::metadata(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => self.skip(path, SkipReason::Missing),
            Err(e) => self.skip(path, SkipReason::Io(e)),
            Ok(meta) if meta.is_dir() => {
                if !self.workspace(path) {
                    self.class_dir(path);
                }
            }
            Ok(_) => self.file(path),
        }
    }

    fn class_dir(&mut self, dir: &Path) {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => return self.skip(dir, SkipReason::Io(e)),
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| e.path())
            .collect();
        paths.sort();
        let mut found = false;
        for path in paths {
            if path.is_dir() {
                found |= self.workspace(&path);
            } else if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            {
                found = true;
                self.file(&path);
            }
        }
        if !found {
            self.skip(dir, SkipReason::NothingHere);
        }
    }

    /// Loads `dir` if it is a workspace; false if it is not one.
    fn workspace(&mut self, dir: &Path) -> bool {
        let ws = match workspace::open(dir) {
            Ok(ws) => ws,
            Err(WorkspaceError::NotAWorkspace(_)) => return false,
            Err(WorkspaceError::Damaged { path, source }) => {
                self.skip(&path, SkipReason::DamagedWorkspace(source));
                return true;
            }
            Err(e) => {
                self.skip(dir, SkipReason::Workspace(e));
                return true;
            }
        };
        if self.first_visit(dir) {
            match from_workspace(&ws) {
                Ok(record) => self.found.push(Found {
                    record,
                    path: dir.to_path_buf(),
                    live: true,
                }),
                Err(why) => self.skip(dir, why),
            }
        }
        true
    }

    fn file(&mut self, path: &Path) {
        if !self.first_visit(path) {
            return;
        }
        match read_record(path) {
            Ok(mut record) => {
                if record.learner.trim().is_empty() {
                    record.learner = path
                        .file_stem()
                        .map_or("unknown".into(), |s| s.to_string_lossy().into_owned());
                }
                self.found.push(Found {
                    record,
                    path: path.to_path_buf(),
                    live: false,
                });
            }
            Err(why) => self.skip(path, why),
        }
    }
}

fn read_record(path: &Path) -> Result<Record, SkipReason> {
    let bytes = fsutil::read_limited(path, MAX_RECORD_BYTES)?;
    let text = String::from_utf8(bytes).map_err(|_| SkipReason::NotText)?;
    Ok(Record::parse(&text)?)
}

/// A workspace read directly: its owner's (see [`workspace_owner`]),
/// redacted like an export. Without its lesson or course (moved, deleted)
/// every saved value counts as secret, and the steps and challenges are
/// those recorded, titled as recorded.
fn from_workspace(ws: &Workspace) -> Result<Record, SkipReason> {
    let slug = &ws.state.lesson.slug;
    let progress = Progress::load(&ws.progress_path(), slug)?;
    let learner = workspace_owner(ws);
    let (progress, variables) = match workspace_course(ws) {
        Some(course) => match course.challenges.as_slice() {
            [lesson] => (complete(&progress, lesson), lesson.variables.clone()),
            _ => (
                complete_course(&progress, &course),
                course_variables(&course),
            ),
        },
        None => {
            let all_secret = ws.state.vars.keys().map(|n| Variable::secret(n)).collect();
            (progress, all_secret)
        }
    };
    let vars = Vars::resolve(&variables, &[], |_| None, &ws.state.vars);
    Ok(
        make_record(&learner, slug, &workspace::now_rfc3339(), progress, &|t| {
            vars.redact(t)
        })
        .of_workspace(&ws.state),
    )
}

/// The workspace's lesson or course, if it is still there (or bundled) and
/// still the one the workspace was made from.
fn workspace_course(ws: &Workspace) -> Option<Course> {
    let slug = &ws.state.lesson.slug;
    let dir = if ws.state.lesson.dir.is_dir() {
        ws.state.lesson.dir.clone()
    } else {
        crate::lesson::bundled::resolve(Some(slug)).ok()?
    };
    Course::load(&dir).ok().filter(|c| is_of(c, slug))
}

/// Whether a workspace made from `slug` is of `course`: its slug, or, for a
/// course of one, that challenge's.
pub fn is_of(course: &Course, slug: &str) -> bool {
    course.has_slug(slug)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Painter;
    use crate::report::build;
    use crate::report::fixtures::{passed, record};
    use crate::report::render::{render_csv, render_human, render_json, render_markdown};

    #[test]
    fn load_survives_any_file_content() {
        let dir = tempfile::tempdir().unwrap();
        let mut odd = record("", "demo", vec![passed("s", u64::MAX), passed("s", 1)]);
        odd.progress.steps[0].attempts = u32::MAX;
        let odd = odd.to_json();
        let files: [(&str, &[u8]); 8] = [
            ("empty.json", b""),
            ("null.json", b"null"),
            ("deep.json", &[b'['; 100_000]),
            ("binary.json", &[0xff, 0xfe, 0x00, 0x7b]),
            ("string.json", br#""labrun-progress""#),
            ("kind-only.json", br#"{"kind":"labrun-progress"}"#),
            (
                "huge-schema.json",
                br#"{"kind":"labrun-progress","schema":1e400}"#,
            ),
            ("odd.json", odd.as_bytes()),
        ];
        for (name, bytes) in files {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
        let loaded = load(&[dir.path().to_path_buf()]);
        assert_eq!(loaded.skipped.len(), 7, "{:?}", loaded.skipped);
        // Each is named for what it is not; none is an I/O error.
        for (path, why) in &loaded.skipped {
            let expected = path.ends_with("binary.json") == matches!(why, SkipReason::NotText);
            let not_a_record = matches!(why, SkipReason::NotARecord(_));
            assert!(
                expected && (not_a_record || path.ends_with("binary.json")),
                "{path:?}: {why:?}"
            );
        }
        // A record without a learner is named after its file.
        assert_eq!(loaded.records[0].learner, "odd");
        let report = build(&loaded.records);
        let text = render_human(&report, Painter::PLAIN);
        assert!(
            text.contains("odd      ✓ 213503982334601d07h  1/1"),
            "{text}"
        );
        for text in [
            render_markdown(&report),
            render_csv(&report),
            render_json(&report),
        ] {
            assert!(text.contains("odd"));
        }
    }
}
