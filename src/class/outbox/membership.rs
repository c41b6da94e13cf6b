//! A workspace's membership of a class: `.labrun/class.json` — the server's
//! base URL, the class code, the learner's name and, once the server
//! answered the join, the class's name, the learner's id and token. A
//! membership without an answer yet is *pending*: the lab joins in the
//! background (`labrun start --class URL` never waits on the network).
//!
//! The token is a secret: the file is written atomically with mode 0600,
//! the type's `Debug` hides it, and it is never printed.

use super::{ClassPaths, OutboxError};
use crate::fsutil;
use serde::{Deserialize, Serialize};

/// A membership file is a few hundred bytes; anything past this is not one.
const READ_LIMIT: u64 = 64 * 1024;

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Membership {
    /// `http(s)://host:port` of the class server.
    pub base: String,
    /// The class code from the join URL.
    pub code: String,
    /// The learner's name as the instructor sees it.
    pub name: String,
    /// The server's answer to the join; `None` while pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joined: Option<Joined>,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Joined {
    pub class: String,
    pub learner_id: String,
    /// The learner's token: only appends this learner's events. Secret.
    pub token: String,
}

impl std::fmt::Debug for Membership {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Membership")
            .field("base", &self.base)
            .field("code", &self.code)
            .field("name", &self.name)
            .field("joined", &self.joined)
            .finish()
    }
}

impl std::fmt::Debug for Joined {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Joined")
            .field("class", &self.class)
            .field("learner_id", &self.learner_id)
            .field("token", &crate::redact::REDACTED)
            .finish()
    }
}

impl Membership {
    /// The join URL this membership came from.
    pub fn join_url(&self) -> String {
        crate::class::protocol::ClassUrl::join_url(&self.base, &self.code)
    }

    /// Same server and code: joining again keeps the membership.
    pub fn is_for(&self, base: &str, code: &str) -> bool {
        self.base.eq_ignore_ascii_case(base) && self.code == code
    }

    /// How the learner is told which class this is.
    pub fn describe(&self) -> String {
        match &self.joined {
            Some(joined) => format!("class {:?} at {}", joined.class, self.base),
            None => format!("the class at {} (not joined yet)", self.join_url()),
        }
    }

    /// The workspace's membership; `None` when it joined no class.
    pub fn load(paths: &ClassPaths) -> Result<Option<Membership>, OutboxError> {
        let path = paths.membership();
        let bytes = match fsutil::read_limited(&path, READ_LIMIT) {
            Ok(bytes) => bytes,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(OutboxError::Unreadable(e)),
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|source| OutboxError::DamagedMembership { path, source })
    }

    /// Writes the membership atomically, readable by its owner only.
    pub fn save(&self, paths: &ClassPaths) -> Result<(), OutboxError> {
        let path = paths.membership();
        let mut json = serde_json::to_vec_pretty(self).expect("a membership serializes");
        json.push(b'\n');
        fsutil::write_atomic(&path, &json).map_err(|source| OutboxError::Io { path, source })
    }

    /// Forgets the membership (leaving the class).
    pub fn remove(paths: &ClassPaths) -> Result<(), OutboxError> {
        let path = paths.membership();
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(OutboxError::Io { path, source: e })
            }
            _ => Ok(()),
        }
    }
}

/// The class token of the workspace at `root`, if it joined one: a secret
/// every error message of a command on that workspace is redacted of.
pub fn token_of(root: &std::path::Path) -> Option<String> {
    Membership::load(&ClassPaths::of(root))
        .ok()
        .flatten()
        .and_then(|m| m.joined)
        .map(|j| j.token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined() -> Membership {
        Membership {
            base: "http://127.0.0.1:7878".into(),
            code: "k7m2".into(),
            name: "Ada".into(),
            joined: Some(Joined {
                class: "workshop".into(),
                learner_id: "1".into(),
                token: "lrl_supersecret".into(),
            }),
        }
    }

    #[test]
    fn saved_private_loaded_back_and_the_token_never_debug_printed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".labrun")).unwrap();
        let paths = ClassPaths::of(dir.path());
        assert!(Membership::load(&paths).unwrap().is_none());
        let membership = joined();
        membership.save(&paths).unwrap();
        assert_eq!(Membership::load(&paths).unwrap(), Some(membership.clone()));
        assert_eq!(token_of(dir.path()).as_deref(), Some("lrl_supersecret"));
        let debug = format!("{membership:?}");
        assert!(!debug.contains("supersecret"), "{debug}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(paths.membership())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "{mode:o}");
        }
        Membership::remove(&paths).unwrap();
        assert!(Membership::load(&paths).unwrap().is_none());
    }

    #[test]
    fn a_damaged_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".labrun")).unwrap();
        let paths = ClassPaths::of(dir.path());
        std::fs::write(paths.membership(), "{").unwrap();
        let error = Membership::load(&paths).unwrap_err().to_string();
        assert!(error.contains("class.json"), "{error}");
    }

    #[test]
    fn the_same_url_is_the_same_membership() {
        let m = joined();
        assert!(m.is_for("HTTP://127.0.0.1:7878", "k7m2"));
        assert!(!m.is_for("http://127.0.0.1:7878", "other"));
        assert_eq!(m.join_url(), "http://127.0.0.1:7878/join/k7m2");
        assert!(m.describe().contains("workshop"));
    }
}
