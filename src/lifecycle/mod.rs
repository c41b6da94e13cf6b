//! The lifecycle of an Instruqt track on the learner's machine: its
//! setup, check, solve and cleanup scripts run as their authors wrote them.
//! `hostmode` maps the host's paths (`/root`, the workdir, `/tmp`) into the
//! workspace; `runner` runs one script in its own process group with the
//! environment Instruqt's helpers need; `feedback` turns a check's output
//! into the conditions the checklist shows.

pub mod feedback;
pub mod hostmode;
mod in_flight;
mod interpreter;
pub mod runner;

pub use in_flight::InFlight;

use std::path::PathBuf;

/// When a lifecycle script runs: the lesson model's phases.
pub use crate::lesson::Phase;

#[derive(Debug, thiserror::Error)]
pub enum LifecycleError {
    #[error("LABRUN_HOST_MODE={0:?} is not a host mode: use namespace, rewrite or auto")]
    UnknownMode(String),
    #[error("LABRUN_HOST_MODE=namespace, but {0}")]
    NamespaceUnavailable(String),
    #[error("{0:?} cannot be a host's name: use letters, digits, `-`, `_` and `.`")]
    HostName(String),
    #[error("labrun cannot map the workdir {}: {why}", workdir.display())]
    Workdir { workdir: PathBuf, why: String },
    #[error(
        "the workspace path {} holds {character:?}, which host mode rewrite cannot write into a script: \
         move the workspace, or install bubblewrap (bwrap) for namespace mode",
        workspace.display()
    )]
    UnsafeForRewrite { workspace: PathBuf, character: char },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Read(#[from] crate::fsutil::ReadError),
    #[error("{} could not be started ({}): {source}", script.display(), program.to_string_lossy())]
    Start {
        script: PathBuf,
        program: std::ffi::OsString,
        source: std::io::Error,
    },
}
