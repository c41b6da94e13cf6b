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

/// When a lifecycle script runs (its file name: `<phase>-<host>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Phase {
    Setup,
    Check,
    Solve,
    Cleanup,
}

impl Phase {
    pub const ALL: [Phase; 4] = [Phase::Setup, Phase::Check, Phase::Solve, Phase::Cleanup];

    pub fn name(self) -> &'static str {
        match self {
            Phase::Setup => "setup",
            Phase::Check => "check",
            Phase::Solve => "solve",
            Phase::Cleanup => "cleanup",
        }
    }

    /// Instruqt's time limits: a minute for a check, half an hour for the others.
    pub fn default_timeout(self) -> std::time::Duration {
        std::time::Duration::from_secs(match self {
            Phase::Check => 60,
            Phase::Setup | Phase::Solve | Phase::Cleanup => 1800,
        })
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

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
