//! Where the sandbox's state lives: the JSON state file (small: apps,
//! channels, releases without their charts) and, beside it, one file per
//! distinct large spec, named by its SHA-256 and written once, atomically.
//! Files are read only if they are regular and not larger than a limit.
//!
//! Several processes may serve the same state file (the lab, `check` and
//! `solve` run the API in-process; `labrun sandbox` serves another shell).
//! The file is the truth, as a SQLite database is: every change takes an
//! advisory lock on `<state>.lock`, re-reads the file, applies the change and
//! renames the new file into place before letting go; every read uses the
//! file as it is now (cheaply: it is parsed again only when its bytes
//! changed). So no process writes an old copy over another's release, and
//! sequences stay gapless. The OS releases the lock of a killed process.

use super::seed;
use super::store::{FORMAT, NewSpec, READABLE_FORMATS, SpecFile, State, StoreError};
use crate::fsutil;
use crate::vendor_api::spec::MAX_SPEC_BYTES;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

/// The state file is read up to this size: 10,000 releases without their
/// specs fit several times over.
pub const MAX_STATE_BYTES: u64 = 16 * 1024 * 1024;
/// Specs up to this size stay inline in the state (the seed's `[]`, tiny
/// test uploads); larger ones get a file.
const INLINE_SPEC_BYTES: usize = 4096;

/// Why the state file, or a spec file beside it, could not be opened or written.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    /// A directory or a file could not be written.
    #[error("{}: {error}", path.display())]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The state could not be turned into JSON.
    #[error("{0}")]
    Encode(serde_json::Error),
    #[error("not a sandbox state file: {0}")]
    NotState(serde_json::Error),
    #[error("unknown state format {0}")]
    UnknownFormat(u32),
    /// The file is another app's state.
    #[error("it holds app {found:?}, not {wanted:?}; remove it to start afresh")]
    OtherApp { found: String, wanted: String },
    /// Locking or reading the file, as every request does.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The state file, its lock and the directory of its spec files.
#[derive(Debug, Clone)]
struct Files {
    state: PathBuf,
    lock: PathBuf,
    specs: PathBuf,
}

impl Files {
    fn new(state: PathBuf) -> Files {
        let stem = state
            .file_stem()
            .map_or_else(|| "state".into(), |s| s.to_string_lossy().into_owned());
        let specs = state.with_file_name(format!("{stem}.specs"));
        let lock = state.with_file_name(format!("{stem}.lock"));
        Files { state, lock, specs }
    }

    fn spec_path(&self, file: &SpecFile) -> PathBuf {
        self.specs.join(format!("{}.spec", file.sha256))
    }
}

/// The state as last read or written, with the bytes it was read from.
struct Cached {
    state: State,
    /// The state file's bytes `state` came from (empty: not from a file).
    raw: Vec<u8>,
}

/// The state, persisted after every change and shared with every other
/// process serving the same file.
pub struct Store {
    cache: Mutex<Cached>,
    files: Option<Files>,
    slug: String,
}

impl Store {
    /// Resumes from `path` if it exists, else starts from the seed (and saves it).
    pub fn open(path: Option<PathBuf>, slug: &str) -> Result<Store, PersistError> {
        let store = Store {
            cache: Mutex::new(Cached {
                state: seed::seed(slug),
                raw: Vec::new(),
            }),
            files: path.map(Files::new),
            slug: slug.to_string(),
        };
        if let Some(files) = &store.files {
            // The first start may name a directory that is not there yet.
            if let Some(dir) = files.state.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|error| PersistError::Write {
                    path: dir.to_path_buf(),
                    error,
                })?;
            }
            let _held = lock(files)?;
            let mut cache = store.lock();
            let found = store.refresh(&mut cache)?;
            if !found {
                store.save(&mut cache)?;
            }
        }
        Ok(store)
    }

    /// `f` on the state as it is now (another process may have changed it).
    pub fn read<T>(&self, f: impl FnOnce(&State) -> T) -> Result<T, StoreError> {
        let mut cache = self.lock();
        self.refresh(&mut cache)?;
        Ok(f(&cache.state))
    }

    /// Applies `f` to the state as it is on disk, and saves it, holding the
    /// file lock throughout: writers in this process and in others never
    /// share a sequence or lose each other's changes, and the file is never
    /// older than a response already sent. A failed save changes nothing.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&mut State) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut cache = self.lock();
        let _held = match &self.files {
            Some(files) => Some(lock(files)?),
            None => None,
        };
        self.refresh(&mut cache)?;
        let mut next = Cached {
            state: cache.state.clone(),
            raw: Vec::new(),
        };
        let value = f(&mut next.state)?;
        self.save(&mut next)
            .map_err(|e| StoreError::Persist(e.to_string()))?;
        *cache = next;
        Ok(value)
    }

    /// Brings `cache` up to the state file; false when there is no file (a
    /// new sandbox, or one a learner removed to start afresh: the seed).
    fn refresh(&self, cache: &mut Cached) -> Result<bool, StoreError> {
        let Some(files) = &self.files else {
            return Ok(true);
        };
        let raw = match fsutil::read_limited(&files.state, MAX_STATE_BYTES) {
            Ok(raw) => raw,
            Err(e) if e.is_not_found() => {
                if !cache.raw.is_empty() {
                    *cache = Cached {
                        state: seed::seed(&self.slug),
                        raw: Vec::new(),
                    };
                }
                return Ok(false);
            }
            Err(e) => return Err(StoreError::Load(e.to_string())),
        };
        if raw != cache.raw {
            let state = parse(&raw, &self.slug)
                .map_err(|e| StoreError::Load(format!("{}: {e}", files.state.display())))?;
            *cache = Cached { state, raw };
        }
        Ok(true)
    }

    /// Keeps a new release's spec: large ones in their own file (written
    /// once; the same chart uploaded again shares it), small ones inline.
    /// Called before the release is added, so a state never names a spec
    /// file that is not there.
    pub fn put_spec(&self, spec: &str) -> Result<NewSpec, StoreError> {
        if spec.len() as u64 > MAX_SPEC_BYTES {
            return Err(StoreError::Limit(format!(
                "the spec is larger than {} MiB",
                MAX_SPEC_BYTES >> 20
            )));
        }
        let Some(files) = self
            .files
            .as_ref()
            .filter(|_| spec.len() > INLINE_SPEC_BYTES)
        else {
            return Ok(NewSpec::Inline(spec.to_string()));
        };
        let file = SpecFile {
            sha256: hex_sha256(spec.as_bytes()),
            bytes: spec.len() as u64,
        };
        write_spec(files, &file, spec).map_err(|e| StoreError::Persist(e.to_string()))?;
        Ok(NewSpec::File(file))
    }

    /// The text of a spec kept in a file.
    pub fn spec_text(&self, file: &SpecFile) -> Result<String, StoreError> {
        let files = self.files.as_ref().ok_or_else(|| {
            StoreError::Load("a spec file is named but the sandbox has no state file".into())
        })?;
        let path = files.spec_path(file);
        let bytes = fsutil::read_limited(&path, MAX_SPEC_BYTES)
            .map_err(|e| StoreError::Load(format!("a release's spec: {e}")))?;
        String::from_utf8(bytes)
            .map_err(|_| StoreError::Load(format!("{} is not UTF-8 text", path.display())))
    }

    /// Writes the state file (no file: nothing to do). Specs a format-1 file
    /// held inline move to their own files first.
    fn save(&self, cache: &mut Cached) -> Result<(), PersistError> {
        let Some(files) = &self.files else {
            return Ok(());
        };
        move_large_specs_out(files, &mut cache.state)?;
        cache.state.format = FORMAT;
        let bytes = serde_json::to_vec(&cache.state).map_err(PersistError::Encode)?;
        fsutil::write_atomic(&files.state, &bytes).map_err(|error| PersistError::Write {
            path: files.state.clone(),
            error,
        })?;
        cache.raw = bytes;
        Ok(())
    }

    /// A panic elsewhere cannot leave a half-applied change (writes commit
    /// whole), so a poisoned lock still guards consistent state.
    fn lock(&self) -> MutexGuard<'_, Cached> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The advisory lock every writer of the state file holds from its read to
/// its rename (a dead holder's lock is released by the OS).
fn lock(files: &Files) -> Result<fsutil::FileLock, StoreError> {
    fsutil::lock_exclusive(&files.lock)
        .map_err(|e| StoreError::Persist(format!("{}: could not lock: {e}", files.lock.display())))
}

/// A state file's bytes, checked: its format, and that it is `slug`'s.
fn parse(bytes: &[u8], slug: &str) -> Result<State, PersistError> {
    let state: State = serde_json::from_slice(bytes).map_err(PersistError::NotState)?;
    if !READABLE_FORMATS.contains(&state.format) {
        return Err(PersistError::UnknownFormat(state.format));
    }
    if state.app.slug != slug {
        return Err(PersistError::OtherApp {
            found: state.app.slug,
            wanted: slug.to_string(),
        });
    }
    Ok(state)
}

fn move_large_specs_out(files: &Files, state: &mut State) -> Result<(), PersistError> {
    for release in &mut state.releases {
        if release.spec.len() > INLINE_SPEC_BYTES {
            let spec = std::mem::take(&mut release.spec);
            let file = SpecFile {
                sha256: hex_sha256(spec.as_bytes()),
                bytes: spec.len() as u64,
            };
            write_spec(files, &file, &spec)?;
            state.spec_files.insert(release.sequence, file);
        }
    }
    Ok(())
}

/// Writes a spec file unless it is already there (same name, same bytes).
fn write_spec(files: &Files, file: &SpecFile, spec: &str) -> Result<(), PersistError> {
    let path = files.spec_path(file);
    let present = std::fs::metadata(&path).is_ok_and(|m| m.is_file() && m.len() == file.bytes);
    if present {
        return Ok(());
    }
    std::fs::create_dir_all(&files.specs).map_err(|error| PersistError::Write {
        path: files.specs.clone(),
        error,
    })?;
    fsutil::write_atomic(&path, spec.as_bytes())
        .map_err(|error| PersistError::Write { path, error })
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vendor_api::server::upload::{parse_upload, tests as upload_tests};
    use std::path::Path;

    const NOW: &str = "2030-01-01T00:00:00Z";
    const SLUG: &str = "slackernews-mackerel";

    fn open_error(path: &Path, slug: &str) -> PersistError {
        match Store::open(Some(path.to_path_buf()), slug) {
            Ok(_) => panic!("{} opened", path.display()),
            Err(e) => e,
        }
    }

    fn create(store: &Store, spec: &str) -> i64 {
        let upload = parse_upload(&upload_tests::chart_request(&[(
            "slackernews/Chart.yaml",
            upload_tests::CHART_YAML,
        )]))
        .unwrap();
        let spec = store.put_spec(spec).unwrap();
        store
            .write(|s| s.create_release(upload.charts, spec, NOW))
            .unwrap()
            .sequence
    }

    #[test]
    fn the_file_resumes_and_damage_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let store = Store::open(Some(path.clone()), SLUG).unwrap();
        assert_eq!(create(&store, "[]"), 5);
        let resumed = Store::open(Some(path.clone()), SLUG).unwrap();
        assert!(resumed.read(|s| s.release(5).is_some()).unwrap());
        let err = open_error(&path, "other");
        assert!(
            err.to_string().ends_with(
                "it holds app \"slackernews-mackerel\", not \"other\"; remove it to start afresh"
            ),
            "{err}"
        );
        std::fs::write(&path, b"{not json").unwrap();
        let err = open_error(&path, SLUG);
        assert!(
            matches!(err, PersistError::Store(StoreError::Load(_))),
            "{err:?}"
        );
        assert!(err.to_string().contains("not a sandbox state"), "{err}");
    }

    #[test]
    fn two_stores_on_one_file_see_and_keep_each_others_releases() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.json");
        let one = Store::open(Some(path.clone()), SLUG).unwrap();
        let two = Store::open(Some(path.clone()), SLUG).unwrap();
        let mut sequences: Vec<i64> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..10)
                .map(|i| {
                    let store = if i % 2 == 0 { &one } else { &two };
                    scope.spawn(move || create(store, "[]"))
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        sequences.sort();
        assert_eq!(sequences, (5..=14).collect::<Vec<_>>());
        for store in [&one, &two] {
            assert_eq!(store.read(|s| s.releases.len()).unwrap(), 14);
        }
        // Removed to start afresh: the seed again, saved on the next change.
        std::fs::remove_file(&path).unwrap();
        assert_eq!(one.read(|s| s.releases.len()).unwrap(), 4);
        assert_eq!(create(&two, "[]"), 5);
    }

    #[test]
    fn large_specs_live_in_shared_files_and_the_state_stays_small() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.json");
        let store = Store::open(Some(path.clone()), SLUG).unwrap();
        let big = format!("[\"{}\"]", "x".repeat(1_000_000));
        for _ in 0..4 {
            create(&store, &big);
        }
        assert!(std::fs::metadata(&path).unwrap().len() < 20_000);
        let specs: Vec<_> = std::fs::read_dir(dir.path().join("app.specs"))
            .unwrap()
            .collect();
        assert_eq!(specs.len(), 1, "one file for the same spec");
        let resumed = Store::open(Some(path), SLUG).unwrap();
        let file = resumed.read(|s| s.spec_file(8).cloned()).unwrap().unwrap();
        assert_eq!(resumed.spec_text(&file).unwrap(), big);
    }

    #[test]
    fn a_format_1_file_with_inline_specs_is_moved_to_spec_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.json");
        let mut state = seed::seed(SLUG);
        state.format = 1;
        state.releases[0].spec = "y".repeat(10_000);
        std::fs::write(&path, serde_json::to_vec(&state).unwrap()).unwrap();
        let store = Store::open(Some(path.clone()), SLUG).unwrap();
        create(&store, "[]");
        let saved: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(saved["format"], 2);
        assert_eq!(saved["releases"][0]["spec"], "");
        let file = store.read(|s| s.spec_file(1).cloned()).unwrap().unwrap();
        assert_eq!(store.spec_text(&file).unwrap().len(), 10_000);
    }

    #[cfg(unix)]
    #[test]
    fn special_and_huge_state_files_are_refused() {
        let err = open_error(Path::new("/dev/zero"), SLUG).to_string();
        assert!(err.contains("not a regular file"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.json");
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(MAX_STATE_BYTES + 1).unwrap();
        let err = open_error(&path, SLUG).to_string();
        assert!(err.contains("larger than"), "{err}");
    }

    #[test]
    fn a_failed_write_changes_nothing() {
        let store = Store::open(None, SLUG).unwrap();
        let result: Result<(), _> = store.write(|s| {
            s.create_release(vec![], NewSpec::Inline("[]".into()), NOW)?;
            Err(StoreError::Invalid("no".into()))
        });
        assert!(result.is_err());
        assert!(store.read(|s| s.release(5).is_none()).unwrap());
    }
}
