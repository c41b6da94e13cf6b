//! Where the sandbox's state lives: the JSON state file (small: apps,
//! channels, releases without their charts) and, beside it, one file per
//! distinct large spec, named by its SHA-256 and written once, atomically.
//! Files are read only if they are regular and not larger than a limit.

use super::seed;
use super::store::{FORMAT, NewSpec, READABLE_FORMATS, SpecFile, State, StoreError};
use crate::fsutil;
use crate::vendor::types::MAX_SPEC_BYTES;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The state file is read up to this size: 10,000 releases without their
/// specs fit several times over.
pub const MAX_STATE_BYTES: u64 = 16 * 1024 * 1024;
/// Specs up to this size stay inline in the state (the seed's `[]`, tiny
/// test uploads); larger ones get a file.
const INLINE_SPEC_BYTES: usize = 4096;

/// The state file and the directory of its spec files.
#[derive(Debug, Clone)]
struct Files {
    state: PathBuf,
    specs: PathBuf,
}

impl Files {
    fn new(state: PathBuf) -> Files {
        let stem = state
            .file_stem()
            .map_or_else(|| "state".into(), |s| s.to_string_lossy().into_owned());
        let specs = state.with_file_name(format!("{stem}.specs"));
        Files { state, specs }
    }

    fn spec_path(&self, file: &SpecFile) -> PathBuf {
        self.specs.join(format!("{}.spec", file.sha256))
    }
}

/// The state behind one lock, persisted after every change.
pub struct Store {
    state: Mutex<State>,
    files: Option<Files>,
}

impl Store {
    /// Resumes from `path` if it exists, else starts from the seed (and saves it).
    pub fn open(path: Option<PathBuf>, slug: &str) -> Result<Store, String> {
        let files = path.map(Files::new);
        let loaded = match &files {
            Some(f) => load(&f.state, slug)?,
            None => None,
        };
        let store = Store {
            state: Mutex::new(loaded.clone().unwrap_or_else(|| seed::seed(slug))),
            files,
        };
        if loaded.is_none()
            && let Some(files) = &store.files
        {
            // The first start may name a directory that is not there yet.
            if let Some(dir) = files.state.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            store.save(&mut store.lock())?;
        }
        Ok(store)
    }

    pub fn read<T>(&self, f: impl FnOnce(&State) -> T) -> Result<T, StoreError> {
        Ok(f(&self.lock()))
    }

    /// Applies `f` to a copy, saves the copy, then makes it current, all under
    /// the lock: concurrent writers never share a sequence, and the file is
    /// never older than a response already sent. A failed save changes nothing.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&mut State) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut guard = self.lock();
        let mut next = guard.clone();
        let value = f(&mut next)?;
        self.save(&mut next).map_err(StoreError::Persist)?;
        *guard = next;
        Ok(value)
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
        write_spec(files, &file, spec).map_err(StoreError::Persist)?;
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
    fn save(&self, state: &mut State) -> Result<(), String> {
        let Some(files) = &self.files else {
            return Ok(());
        };
        move_large_specs_out(files, state)?;
        state.format = FORMAT;
        let bytes = serde_json::to_vec(state).map_err(|e| e.to_string())?;
        fsutil::write_atomic(&files.state, &bytes)
            .map_err(|e| format!("{}: {e}", files.state.display()))
    }

    /// A panic elsewhere cannot leave a half-applied change (writes commit
    /// whole), so a poisoned lock still guards consistent state.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Reads a state file; Ok(None) when there is none yet.
pub fn load(path: &Path, slug: &str) -> Result<Option<State>, String> {
    let bytes = match fsutil::read_limited(path, MAX_STATE_BYTES) {
        Ok(bytes) => bytes,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let state: State =
        serde_json::from_slice(&bytes).map_err(|e| format!("not a sandbox state file: {e}"))?;
    if !READABLE_FORMATS.contains(&state.format) {
        return Err(format!("unknown state format {}", state.format));
    }
    if state.app.slug != slug {
        return Err(format!(
            "it holds app {:?}, not {slug:?}; remove it to start afresh",
            state.app.slug
        ));
    }
    Ok(Some(state))
}

fn move_large_specs_out(files: &Files, state: &mut State) -> Result<(), String> {
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
fn write_spec(files: &Files, file: &SpecFile, spec: &str) -> Result<(), String> {
    let path = files.spec_path(file);
    let present = std::fs::metadata(&path).is_ok_and(|m| m.is_file() && m.len() == file.bytes);
    if present {
        return Ok(());
    }
    std::fs::create_dir_all(&files.specs).map_err(|e| format!("{}: {e}", files.specs.display()))?;
    fsutil::write_atomic(&path, spec.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))
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
    use crate::vendor::server::upload::{parse_upload, tests as upload_tests};

    const NOW: &str = "2030-01-01T00:00:00Z";
    const SLUG: &str = "slackernews-mackerel";

    fn open_error(path: &Path, slug: &str) -> String {
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
        assert!(open_error(&path, "other").contains("holds app"));
        std::fs::write(&path, b"{not json").unwrap();
        assert!(open_error(&path, SLUG).contains("not a sandbox state"));
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
        let err = open_error(Path::new("/dev/zero"), SLUG);
        assert!(err.contains("not a regular file"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.json");
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(MAX_STATE_BYTES + 1).unwrap();
        let err = open_error(&path, SLUG);
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
