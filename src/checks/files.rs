//! Where checks read files from: the learner's workspace, or the inside of a
//! package held in memory. The same yaml/text/exists checks work on both.

use crate::fsutil::ReadError;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// Larger files are not what a lesson asks a learner to write.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

pub enum FileRead {
    Found(Vec<u8>),
    Missing,
    /// The file is there but cannot be read; the message says why.
    Unreadable(String),
}

pub trait Files {
    fn read(&self, path: &str) -> FileRead;
    fn exists(&self, path: &str) -> bool;
    /// How to name `path` to the learner ("slackernews/values.yaml", or
    /// "slackernews/values.yaml inside release/slackernews-0.5.0.tgz").
    fn display(&self, path: &str) -> String;
    /// The names of the other files beside `path`, sorted (for advice such
    /// as "release/ holds slackernews-0.4.1.tgz").
    fn siblings(&self, _path: &str) -> Vec<String> {
        Vec::new()
    }
}

pub struct WorkspaceFiles<'a> {
    pub root: &'a Path,
}

impl WorkspaceFiles<'_> {
    fn resolve(&self, path: &str) -> Option<PathBuf> {
        // Lesson paths are relative to the workspace and never leave it.
        let relative = Path::new(path);
        let escapes = relative
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
        (!escapes).then(|| self.root.join(relative))
    }

    /// Where a symlink on the way to `full` leads out of the workspace, if one does.
    fn escapes_by_link(&self, full: &Path) -> Option<PathBuf> {
        let real = std::fs::canonicalize(full).ok()?;
        let root = std::fs::canonicalize(self.root).ok()?;
        (!real.starts_with(root)).then_some(real)
    }
}

impl Files for WorkspaceFiles<'_> {
    fn read(&self, path: &str) -> FileRead {
        let Some(full) = self.resolve(path) else {
            return FileRead::Unreadable(format!("{path} is outside the workspace"));
        };
        if let Some(target) = self.escapes_by_link(&full) {
            return FileRead::Unreadable(format!(
                "{path} is a link to {}, outside the workspace",
                target.display()
            ));
        }
        // Regular files only, opened without blocking: a FIFO or a device
        // saved as values.yaml must not hang or flood the check.
        match crate::fsutil::read_limited(&full, MAX_FILE_BYTES) {
            Ok(bytes) => FileRead::Found(bytes),
            Err(e) if e.is_not_found() => FileRead::Missing,
            Err(ReadError::NotRegular { kind, .. }) => {
                FileRead::Unreadable(format!("{path} is not a regular file ({kind})"))
            }
            Err(ReadError::TooLarge { limit, .. }) => {
                FileRead::Unreadable(format!("{path} is larger than {limit} bytes"))
            }
            Err(e) => FileRead::Unreadable(format!("{path}: {}", io_reason(&e))),
        }
    }

    fn exists(&self, path: &str) -> bool {
        self.resolve(path)
            .is_some_and(|p| p.exists() && self.escapes_by_link(&p).is_none())
    }

    fn display(&self, path: &str) -> String {
        path.to_string()
    }

    fn siblings(&self, path: &str) -> Vec<String> {
        let Some(dir) = self
            .resolve(path)
            .and_then(|p| p.parent().map(Path::to_path_buf))
        else {
            return Vec::new();
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let own = Path::new(path).file_name();
        let mut names: Vec<String> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.file_name())
            .filter(|n| Some(n.as_os_str()) != own)
            .filter_map(|n| n.into_string().ok())
            .collect();
        names.sort();
        names
    }
}

/// The reason of an I/O error without the absolute path `ReadError` puts first.
fn io_reason(e: &ReadError) -> String {
    match e {
        ReadError::Io { source, .. } => source.to_string(),
        other => other.to_string(),
    }
}

/// The regular files of an archive, by their path inside it.
pub struct ArchiveFiles {
    pub archive: String,
    pub entries: BTreeMap<String, Vec<u8>>,
}

impl Files for ArchiveFiles {
    fn read(&self, path: &str) -> FileRead {
        match self.entries.get(path.trim_start_matches("./")) {
            Some(bytes) => FileRead::Found(bytes.clone()),
            None => FileRead::Missing,
        }
    }

    fn exists(&self, path: &str) -> bool {
        let path = path.trim_start_matches("./").trim_end_matches('/');
        self.entries.contains_key(path)
            || self
                .entries
                .keys()
                .any(|k| k.starts_with(path) && k[path.len()..].starts_with('/'))
    }

    fn display(&self, path: &str) -> String {
        format!("{path} inside {}", self.archive)
    }
}
