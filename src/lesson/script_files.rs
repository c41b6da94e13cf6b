//! The lifecycle scripts of an Instruqt challenge or track, found by file
//! name as Instruqt finds them: `<phase>-<host>` (`setup-shell`,
//! `check-cluster`, …) beside `assignment.md`, or in `track_scripts/`.
//! Plain data: which script runs in which phase on which host; running them
//! is `lifecycle`'s business.

use super::LessonError;
use std::fmt;
use std::path::{Path, PathBuf};

/// When Instruqt runs a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// Before the learner starts the challenge (the track's: once, first).
    Setup,
    /// When the learner asks for a check; exit 0 passes.
    Check,
    /// When the learner skips (and in `labrun test`).
    Solve,
    /// After a passing check (the track's: at the end).
    Cleanup,
}

impl Phase {
    pub const ALL: [Phase; 4] = [Phase::Setup, Phase::Check, Phase::Solve, Phase::Cleanup];

    /// The file-name prefix: `setup`, `check`, `solve`, `cleanup`.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Setup => "setup",
            Phase::Check => "check",
            Phase::Solve => "solve",
            Phase::Cleanup => "cleanup",
        }
    }

    fn from_name(name: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One script file: what runs, when, and on which host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    pub phase: Phase,
    pub host: String,
    /// The file, as it is on disk (never rewritten by labrun).
    pub path: PathBuf,
}

impl Script {
    /// Its file name, `<phase>-<host>`.
    pub fn file_name(&self) -> String {
        format!("{}-{}", self.phase, self.host)
    }
}

/// The scripts of one directory, ordered by phase, then host name (the
/// order Instruqt runs a phase's scripts in).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lifecycle {
    pub scripts: Vec<Script>,
}

impl Lifecycle {
    /// The scripts in `dir`; a missing directory has none. Only regular
    /// files (after symlinks) named `<phase>-<host>` count, with a host
    /// name of letters, digits, `-` and `_`: `check-shell.bak` or
    /// `setup-shell~` are not scripts Instruqt would run.
    pub fn find(dir: &Path) -> Result<Lifecycle, LessonError> {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Lifecycle::default());
            }
            Err(source) => {
                return Err(LessonError::Io {
                    path: dir.to_path_buf(),
                    source,
                });
            }
        };
        let mut scripts = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| LessonError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
            let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                continue;
            };
            let Some((phase, host)) = parse_name(&name) else {
                continue;
            };
            let path = entry.path();
            if path.is_file() {
                scripts.push(Script {
                    phase,
                    host: host.to_string(),
                    path,
                });
            }
        }
        scripts.sort_by(|a, b| (a.phase, &a.host).cmp(&(b.phase, &b.host)));
        Ok(Lifecycle { scripts })
    }

    pub fn is_empty(&self) -> bool {
        self.scripts.is_empty()
    }

    /// The scripts of one phase, in host name order.
    pub fn phase(&self, phase: Phase) -> impl Iterator<Item = &Script> {
        self.scripts.iter().filter(move |s| s.phase == phase)
    }

    /// The script of `phase` on `host`, if there is one.
    pub fn get(&self, phase: Phase, host: &str) -> Option<&Script> {
        self.scripts
            .iter()
            .find(|s| s.phase == phase && s.host == host)
    }

    /// The hosts these scripts run on, in name order, each once.
    pub fn hosts(&self) -> Vec<&str> {
        let mut hosts: Vec<&str> = self.scripts.iter().map(|s| s.host.as_str()).collect();
        hosts.sort_unstable();
        hosts.dedup();
        hosts
    }
}

/// `check-shell` → (Check, "shell"); anything else → None.
fn parse_name(name: &str) -> Option<(Phase, &str)> {
    let (phase, host) = name.split_once('-')?;
    let phase = Phase::from_name(phase)?;
    let valid = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    valid.then_some((phase, host))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn names_are_phase_dash_host() {
        assert_eq!(parse_name("check-shell"), Some((Phase::Check, "shell")));
        assert_eq!(
            parse_name("setup-server-a"),
            Some((Phase::Setup, "server-a"))
        );
        for not_a_script in [
            "assignment.md",
            "check-",
            "check",
            "check-shell.bak",
            "check-shell~",
            "verify-shell",
            "Check-shell",
        ] {
            assert_eq!(parse_name(not_a_script), None, "{not_a_script}");
        }
    }

    #[test]
    fn finds_scripts_in_phase_then_host_order() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "solve-shell",
            "check-shell",
            "check-cluster",
            "setup-shell",
            "notes.txt",
        ] {
            fs::write(dir.path().join(name), "#!/bin/bash\n").unwrap();
        }
        // A directory named like a script is not one.
        fs::create_dir(dir.path().join("cleanup-shell")).unwrap();
        let found = Lifecycle::find(dir.path()).unwrap();
        let names: Vec<String> = found.scripts.iter().map(Script::file_name).collect();
        assert_eq!(
            names,
            ["setup-shell", "check-cluster", "check-shell", "solve-shell"]
        );
        assert_eq!(found.hosts(), ["cluster", "shell"]);
        assert_eq!(
            found.get(Phase::Check, "shell").unwrap().path,
            dir.path().join("check-shell")
        );
        assert!(found.get(Phase::Cleanup, "shell").is_none());
        assert_eq!(found.phase(Phase::Check).count(), 2);
    }

    #[test]
    fn a_missing_directory_has_no_scripts() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            Lifecycle::find(&dir.path().join("track_scripts"))
                .unwrap()
                .is_empty()
        );
    }
}
