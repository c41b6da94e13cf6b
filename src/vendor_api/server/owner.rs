//! Which process serves a workspace's Vendor API to the learner's shells.
//!
//! The lab and `labrun sandbox` are long-lived servers a learner points
//! another shell at. Only one of them at a time *publishes* itself for a
//! state file: it holds `<state>.owner.lock` for its whole life and records
//! its origin and token in `<state>.owner`. A second one finds the record
//! and uses it instead of starting a rival (`labrun sandbox` prints the
//! owner's own `export` lines), and waits to take over when the owner ends.
//!
//! This is how Bazel's server and git's `gc.pid` work: an advisory lock (the
//! OS drops it when its holder dies, even by `kill -9`) says whether an
//! owner is alive; a record beside it says where it is. So a record left
//! by a killed owner never blocks anyone: its lock is free. Claims happen
//! under a short-held election lock, so a record is read only after its
//! owner wrote it. (Consistency does not depend on this: every process
//! writes the state under `persist`'s file lock.)

use crate::fsutil::{self, FileLock};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a claim waits for an owner that holds the lock to publish its
/// record (it does so within milliseconds of winning the election).
const PUBLISH_WAIT: Duration = Duration::from_secs(10);

/// Where the published server is, and who it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnerRecord {
    pub pid: u32,
    /// e.g. `labrun start` or `labrun sandbox`.
    pub command: String,
    pub origin: String,
    pub token: String,
    pub app: String,
}

impl OwnerRecord {
    /// A record for this process.
    pub fn new(command: &str, origin: &str, token: &str, app: &str) -> OwnerRecord {
        OwnerRecord {
            pid: std::process::id(),
            command: command.to_string(),
            origin: origin.to_string(),
            token: token.to_string(),
            app: app.to_string(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OwnerError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "another process holds {} but published no address within {}s",
        path.display(),
        PUBLISH_WAIT.as_secs()
    )]
    NoRecord { path: PathBuf },
}

/// The files of the protocol for one state file.
#[derive(Debug, Clone)]
struct Paths {
    owner_lock: PathBuf,
    election_lock: PathBuf,
    record: PathBuf,
}

impl Paths {
    fn new(state: &Path) -> Paths {
        let stem = state
            .file_stem()
            .map_or_else(|| "state".into(), |s| s.to_string_lossy().into_owned());
        let beside = |suffix: &str| state.with_file_name(format!("{stem}.{suffix}"));
        Paths {
            owner_lock: beside("owner.lock"),
            election_lock: beside("election.lock"),
            record: beside("owner"),
        }
    }
}

/// The outcome of a claim.
pub enum Claim {
    /// Nobody owns the state: start the server, then [`Election::publish`].
    Won(Election),
    /// A live process owns it and serves here.
    Taken(OwnerRecord),
}

/// The owner lock, won; the election lock is held until the record is
/// written so that nobody reads an old record meanwhile.
pub struct Election {
    owner: FileLock,
    _election: FileLock,
    paths: Paths,
}

/// Being the published owner; dropping it withdraws the record and lets go.
pub struct Ownership {
    record: PathBuf,
    // Declared last: released after the record is removed.
    _owner: FileLock,
}

impl Election {
    /// Writes the record (owner-only: it holds the token) and ends the election.
    pub fn publish(self, record: &OwnerRecord) -> Result<Ownership, OwnerError> {
        let bytes = serde_json::to_vec_pretty(record).expect("a record serializes");
        fsutil::write_atomic(&self.paths.record, &bytes).map_err(|source| OwnerError::Io {
            path: self.paths.record.clone(),
            source,
        })?;
        Ok(Ownership {
            record: self.paths.record,
            _owner: self.owner,
        })
    }
}

impl Drop for Ownership {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.record);
    }
}

/// Claims the state at `state`: won, or the live owner's record.
pub fn claim(state: &Path) -> Result<Claim, OwnerError> {
    let paths = Paths::new(state);
    let deadline = Instant::now() + PUBLISH_WAIT;
    let mut pause = Duration::from_millis(5);
    loop {
        let election = lock(&paths.election_lock)?;
        let owner =
            fsutil::try_lock_exclusive(&paths.owner_lock).map_err(|source| OwnerError::Io {
                path: paths.owner_lock.clone(),
                source,
            })?;
        if let Some(owner) = owner {
            return Ok(Claim::Won(Election {
                owner,
                _election: election,
                paths,
            }));
        }
        // Owned: its record is current unless a waiting process is just
        // taking over from a dead owner (then the record names the dead one).
        if let Some(record) = read_record(&paths.record).filter(|r| process_alive(r.pid)) {
            return Ok(Claim::Taken(record));
        }
        drop(election);
        if Instant::now() >= deadline {
            return Err(OwnerError::NoRecord {
                path: paths.owner_lock,
            });
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(200));
    }
}

/// Blocks until the current owner ends (however it ends), then wins the
/// election. No polling: the wait is the OS's lock queue.
pub fn wait_to_take_over(state: &Path) -> Result<Election, OwnerError> {
    let paths = Paths::new(state);
    let owner = lock(&paths.owner_lock)?;
    let election = lock(&paths.election_lock)?;
    Ok(Election {
        owner,
        _election: election,
        paths,
    })
}

fn lock(path: &Path) -> Result<FileLock, OwnerError> {
    fsutil::lock_exclusive(path).map_err(|source| OwnerError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The record, if it is there and whole (a hand-edited or foreign file is none).
fn read_record(path: &Path) -> Option<OwnerRecord> {
    let bytes = fsutil::read_limited(path, 64 * 1024).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Whether a process with this id exists (signal 0 checks without sending).
fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: kill(2) with signal 0 sends nothing.
        let result = unsafe { libc::kill(pid, 0) };
        result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(origin: &str) -> OwnerRecord {
        OwnerRecord::new("labrun test", origin, "token", "app")
    }

    #[test]
    fn the_first_claim_wins_the_second_finds_it() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("app.json");
        let Claim::Won(election) = claim(&state).unwrap() else {
            panic!("nobody owned it")
        };
        let owned = election.publish(&record("http://127.0.0.1:1")).unwrap();
        match claim(&state).unwrap() {
            Claim::Taken(found) => assert_eq!(found, record("http://127.0.0.1:1")),
            Claim::Won(_) => panic!("two owners"),
        }
        // The owner ends: the next claim wins, and the record is gone.
        drop(owned);
        assert!(!dir.path().join("app.owner").exists());
        assert!(matches!(claim(&state).unwrap(), Claim::Won(_)));
    }

    #[test]
    fn a_record_without_a_lock_holder_blocks_nobody() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("app.json");
        // What a kill -9'd owner leaves: its record, and no lock.
        let mut stale = record("http://127.0.0.1:1");
        stale.pid = u32::MAX;
        std::fs::write(
            dir.path().join("app.owner"),
            serde_json::to_vec(&stale).unwrap(),
        )
        .unwrap();
        assert!(matches!(claim(&state).unwrap(), Claim::Won(_)));
    }

    #[test]
    fn a_waiting_process_takes_over_when_the_owner_ends() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("app.json");
        let Claim::Won(election) = claim(&state).unwrap() else {
            panic!("nobody owned it")
        };
        let owned = election.publish(&record("http://127.0.0.1:1")).unwrap();
        let waiter = {
            let state = state.clone();
            std::thread::spawn(move || {
                let election = wait_to_take_over(&state).unwrap();
                election.publish(&record("http://127.0.0.1:2")).unwrap()
            })
        };
        drop(owned);
        let taken_over = waiter.join().unwrap();
        match claim(&state).unwrap() {
            Claim::Taken(found) => assert_eq!(found.origin, "http://127.0.0.1:2"),
            Claim::Won(_) => panic!("the waiter did not take over"),
        }
        drop(taken_over);
    }
}
