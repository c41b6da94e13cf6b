//! Keeping what labrun replaces: before a learner's file is overwritten or
//! removed (`init --force`, `labrun reset`), it is moved into
//! `.labrun/backup/<time>/` at the same relative path — nothing is lost.

use super::{STATE_DIR, WorkspaceError, io_err};
use std::path::{Path, PathBuf};

/// The directory in `.labrun/` that holds one backup per reset.
pub const BACKUP_DIR: &str = "backup";

/// What a reset kept, to tell the learner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    /// `.labrun/backup/<time>/` of the workspace.
    pub dir: PathBuf,
    /// Paths relative to the workspace, as they were before the move.
    pub files: Vec<PathBuf>,
}

/// One backup, its directory made on the first file kept.
#[derive(Debug)]
pub struct Backup {
    root: PathBuf,
    dir: Option<PathBuf>,
    files: Vec<PathBuf>,
}

impl Backup {
    /// A backup of files of the workspace rooted at `root`.
    pub fn new(root: &Path) -> Backup {
        Backup {
            root: root.to_path_buf(),
            dir: None,
            files: Vec::new(),
        }
    }

    /// Moves `root/rel` — a file, a directory, a link, whatever is there —
    /// into the backup, at the same relative path.
    pub fn keep(&mut self, rel: &Path) -> Result<(), WorkspaceError> {
        let dir = self.dir()?;
        let to = dir.join(rel);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        let from = self.root.join(rel);
        std::fs::rename(&from, &to).map_err(io_err(&from))?;
        self.files.push(rel.to_path_buf());
        Ok(())
    }

    /// What was kept, if anything.
    pub fn report(self) -> Option<BackupReport> {
        Some(BackupReport {
            dir: self.dir?,
            files: self.files,
        })
    }

    /// `.labrun/backup/<time>`, made now if not yet (`-2`, `-3`… within one second).
    fn dir(&mut self) -> Result<PathBuf, WorkspaceError> {
        if let Some(dir) = &self.dir {
            return Ok(dir.clone());
        }
        let parent = self.root.join(STATE_DIR).join(BACKUP_DIR);
        std::fs::create_dir_all(&parent).map_err(io_err(&parent))?;
        // RFC 3339 without colons, which some file systems and tools refuse.
        let stamp = super::now_rfc3339().replace(':', "-");
        for n in 1.. {
            let name = if n == 1 {
                stamp.clone()
            } else {
                format!("{stamp}-{n}")
            };
            let dir = parent.join(name);
            match std::fs::create_dir(&dir) {
                Ok(()) => {
                    self.dir = Some(dir.clone());
                    return Ok(dir);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io_err(&dir)(e)),
            }
        }
        unreachable!("an unbounded range ends only by returning")
    }
}

/// Whether `a` and `b` are regular files (not links) with the same bytes.
/// Anything that cannot be compared counts as different: it is kept.
pub fn same_content(a: &Path, b: &Path) -> bool {
    let regular_len = |p: &Path| {
        std::fs::symlink_metadata(p)
            .ok()
            .filter(std::fs::Metadata::is_file)
            .map(|m| m.len())
    };
    match (regular_len(a), regular_len(b)) {
        (Some(x), Some(y)) if x == y => {
            matches!((crate::fsutil::read(a), crate::fsutil::read(b)), (Ok(x), Ok(y)) if x == y)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_files_move_under_a_new_timestamped_directory() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("chart")).unwrap();
        std::fs::write(root.path().join("chart/values.yaml"), "mine").unwrap();
        let mut first = Backup::new(root.path());
        first.keep(Path::new("chart/values.yaml")).unwrap();
        let report = first.report().unwrap();
        assert!(!root.path().join("chart/values.yaml").exists());
        assert_eq!(
            std::fs::read_to_string(report.dir.join("chart/values.yaml")).unwrap(),
            "mine"
        );
        assert_eq!(report.files, [PathBuf::from("chart/values.yaml")]);
        // A second backup in the same second gets a directory of its own.
        std::fs::write(root.path().join("notes"), "x").unwrap();
        let mut second = Backup::new(root.path());
        second.keep(Path::new("notes")).unwrap();
        assert_ne!(second.report().unwrap().dir, report.dir);
        assert!(Backup::new(root.path()).report().is_none());
    }

    #[test]
    fn only_identical_regular_files_are_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            dir.path().join("a"),
            dir.path().join("b"),
            dir.path().join("c"),
        );
        std::fs::write(&a, "same").unwrap();
        std::fs::write(&b, "same").unwrap();
        std::fs::write(&c, "diff").unwrap();
        assert!(same_content(&a, &b));
        assert!(!same_content(&a, &c));
        assert!(!same_content(&a, &dir.path().join("missing")));
        assert!(!same_content(&a, dir.path()));
    }
}
