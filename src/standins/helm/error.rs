//! Why `helm package` failed: [`HelmError`], every message naming the file
//! (or directory) at fault, as Helm's own errors do.

use std::io;
use std::path::{Path, PathBuf};

/// Why a chart could not be packaged. Every message names the file (or directory) at fault.
#[derive(Debug, thiserror::Error)]
pub enum HelmError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A YAML file that does not parse; `message` carries the line and column.
    #[error("{}: cannot load {}: {message}", path.display(), file_name(path))]
    Yaml {
        path: PathBuf,
        line: Option<u64>,
        message: String,
    },
    /// Chart.yaml parses but breaks Helm's rules (Helm prints these as `validation: …`).
    #[error("{}: validation: {message}", path.display())]
    Validation { path: PathBuf, message: String },
    /// The chart version (after `--version`) is not SemVer 2.
    #[error("{}: invalid version {version:?}: Invalid Semantic Version (expected SemVer 2 such as 0.5.0)", path.display())]
    InvalidVersion { path: PathBuf, version: String },
    /// A `.helmignore` line Helm rejects.
    #[error("{}: line {line}: {message}", path.display())]
    Ignore {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// Chart.yaml lists dependencies that are not under `charts/` (Helm's `CheckDependencies`).
    #[error("{}: found in Chart.yaml, but missing in charts/ directory: {}", path.display(), names.join(", "))]
    MissingDependencies { path: PathBuf, names: Vec<String> },
    /// Anything else about a file that Helm refuses (irregular file, symlink loop, size, bad JSON, …).
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

pub(super) fn io_error(path: &Path) -> impl FnOnce(io::Error) -> HelmError + '_ {
    move |source| HelmError::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub(super) fn invalid(path: &Path, message: impl Into<String>) -> HelmError {
    HelmError::Invalid {
        path: path.to_path_buf(),
        message: message.into(),
    }
}
