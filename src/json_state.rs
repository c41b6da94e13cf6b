//! A small JSON state file that several processes update (the `agent`
//! stand-in's variables and `set-workdir`'s directories in a workspace, the
//! trusted scripts in labrun's data directory): read whole, changed under an
//! exclusive lock on a sibling `.lock` file, written atomically, so two
//! processes updating it at once lose neither change.

use crate::fsutil::{self, ReadError};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// These files hold a few variables; anything past this is not one of them.
const READ_LIMIT: u64 = 4 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum JsonStateError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Unreadable(ReadError),
    /// Left as it is (never overwritten), for the learner to look at.
    #[error("{}: damaged (line {}): {source}; move it aside to start afresh", path.display(), source.line())]
    Damaged {
        path: PathBuf,
        source: serde_json::Error,
    },
}

/// The file's contents; the default value when there is no file yet.
pub fn read<T: DeserializeOwned + Default>(path: &Path) -> Result<T, JsonStateError> {
    let bytes = match fsutil::read_limited(path, READ_LIMIT) {
        Ok(bytes) => bytes,
        Err(e) if e.is_not_found() => return Ok(T::default()),
        Err(e) => return Err(JsonStateError::Unreadable(e)),
    };
    serde_json::from_slice(&bytes).map_err(|source| JsonStateError::Damaged {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads the file, lets `change` change it and writes it back, all under
/// the lock `lock`, so that concurrent updates are merged, not lost.
pub fn update<T, R>(
    path: &Path,
    lock: &Path,
    change: impl FnOnce(&mut T) -> R,
) -> Result<R, JsonStateError>
where
    T: DeserializeOwned + Serialize + Default,
{
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| JsonStateError::Io { path, source }
    };
    let _held = fsutil::lock_exclusive(lock).map_err(io(lock))?;
    let mut value: T = read(path)?;
    let result = change(&mut value);
    let mut json = serde_json::to_vec_pretty(&value).expect("string maps serialize");
    json.push(b'\n');
    fsutil::write_atomic(path, &json).map_err(io(path))?;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    type Map = BTreeMap<String, u32>;

    #[test]
    fn concurrent_updates_are_all_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (path, lock) = (dir.path().join("s.json"), dir.path().join("s.lock"));
        std::thread::scope(|scope| {
            for t in 0..4 {
                let (path, lock) = (&path, &lock);
                scope.spawn(move || {
                    for i in 0..10 {
                        update(path, lock, |m: &mut Map| m.insert(format!("{t}-{i}"), i)).unwrap();
                    }
                });
            }
        });
        let map: Map = read(&path).unwrap();
        assert_eq!(map.len(), 40);
    }

    #[test]
    fn a_damaged_file_is_reported_with_its_line_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let (path, lock) = (dir.path().join("s.json"), dir.path().join("s.lock"));
        assert_eq!(read::<Map>(&path).unwrap(), Map::new());
        std::fs::write(&path, "{\n\"a\": 1,\n oops").unwrap();
        let err = update(&path, &lock, |m: &mut Map| m.clear()).unwrap_err();
        assert!(err.to_string().contains("damaged (line 3)"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\n\"a\": 1,\n oops"
        );
    }
}
