//! Rules on a course's lifecycle scripts as files: readable, a `#!` line,
//! the exec bit, Unix line ends, named so that Instruqt runs them; every
//! check with a solve that `labrun test` can verify it with; and the place
//! where the static reading of a check script's shell text plugs in
//! ([`cannot_fail`]).

use super::{Findings, Lint};
use crate::lesson::source::TRACK_SCRIPTS;
use crate::lesson::{ChallengeKind, Lesson, Phase, Script};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A script larger than this is not one a person wrote; it is not read.
const SCRIPT_LIMIT: u64 = 1024 * 1024;

/// A way a check script passes whatever the learner did, at a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptNote {
    /// 1-based line of the script.
    pub line: usize,
    pub message: String,
}

/// What reads a check script's shell text for ways it cannot fail.
pub type CannotFail = fn(&str) -> Vec<ScriptNote>;

/// The ways a check script cannot fail, read by [`crate::scripts::cannot_fail`]
/// (an unconditional `exit 0`, `FAIL` without a non-zero exit path, a counter
/// spelled two ways, an `exit 1` commented out). Lint calls it for every
/// check script that is a shell script and reports each note as a warning at
/// the script's line; a script labrun cannot parse says so at its line.
pub fn cannot_fail(text: &str) -> Vec<ScriptNote> {
    match crate::scripts::cannot_fail(text) {
        Ok(found) => found
            .into_iter()
            .map(|f| ScriptNote {
                line: f.line,
                message: f.kind.to_string(),
            })
            .collect(),
        Err(crate::scripts::ScriptsError::Syntax { line, message }) => vec![ScriptNote {
            line,
            message: format!("labrun cannot read it as a shell script: {message}"),
        }],
        Err(e) => vec![ScriptNote {
            line: 1,
            message: format!("labrun cannot read it as a shell script: {e}"),
        }],
    }
}

/// One script file as read from disk.
pub(super) struct ScriptFile {
    bytes: Vec<u8>,
    executable: bool,
}

impl ScriptFile {
    pub(super) fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.bytes)
    }

    /// The `#!` line's program and argument, if it has one.
    fn shebang(&self) -> Option<String> {
        let first = self.bytes.split(|&b| b == b'\n').next()?;
        let rest = first.strip_prefix(b"#!")?;
        let rest = String::from_utf8_lossy(rest).trim().to_string();
        (!rest.is_empty()).then_some(rest)
    }

    /// Whether the kernel would run it with a shell: a `#!` naming sh,
    /// bash, dash, ksh or zsh (directly or through `env`), or none at all.
    fn is_shell(&self) -> bool {
        let Some(shebang) = self.shebang() else {
            return true;
        };
        let mut words = shebang.split_whitespace();
        let program = words.next().unwrap_or_default();
        let name = |path: &str| path.rsplit('/').next().unwrap_or_default().to_string();
        let mut interpreter = name(program);
        if interpreter == "env" {
            interpreter = words
                .find(|w| !w.starts_with('-'))
                .map(name)
                .unwrap_or_default();
        }
        ["sh", "bash", "dash", "ksh", "zsh", "ash"].contains(&interpreter.as_str())
    }
}

/// The course's scripts, each read once (or why it could not be).
pub(super) struct ScriptTexts {
    files: HashMap<PathBuf, Result<ScriptFile, String>>,
}

impl ScriptTexts {
    pub fn read(course: &crate::lesson::Course) -> ScriptTexts {
        let files = course
            .scripts()
            .map(|script| {
                let read = crate::fsutil::read_limited(&script.path, SCRIPT_LIMIT)
                    .map(|bytes| ScriptFile {
                        bytes,
                        executable: crate::fsutil::is_executable(&script.path),
                    })
                    .map_err(|e| e.to_string());
                (script.path.clone(), read)
            })
            .collect();
        ScriptTexts { files }
    }

    pub(super) fn get(&self, script: &Script) -> Option<&ScriptFile> {
        self.files.get(&script.path)?.as_ref().ok()
    }
}

/// Each script: readable, not empty, Unix line ends, a `#!` line, executable.
pub(super) fn script_files(lint: &Lint, out: &mut Findings) {
    for script in lint.course.scripts() {
        let name = script.file_name();
        let path = &script.path;
        let file = match lint.scripts.files.get(path) {
            Some(Ok(file)) => file,
            Some(Err(why)) => {
                out.error(path, 1, format!("{name} cannot be read: {why}"));
                continue;
            }
            None => continue,
        };
        if file.bytes.iter().all(u8::is_ascii_whitespace) {
            out.warn(
                path,
                1,
                format!("{name} is empty: it does nothing{}", passes_note(script)),
            );
            continue;
        }
        if file.bytes.contains(&b'\r') {
            let line = file
                .bytes
                .split(|&b| b == b'\n')
                .position(|l| l.contains(&b'\r'))
                .unwrap_or(0)
                + 1;
            out.error(
                path,
                line,
                format!(
                    "{name} has Windows line ends (CR LF): the shell reads each CR as part of a command, and a #! line as an interpreter named with a CR; save it with Unix line ends (LF)"
                ),
            );
        }
        if file.shebang().is_none() {
            out.warn(
                path,
                1,
                format!("{name} has no #! line naming its interpreter (add #!/bin/bash)"),
            );
        }
        if !file.executable {
            out.warn(
                path,
                1,
                format!("{name} is not executable (chmod +x {name}; git keeps the bit)"),
            );
        }
    }
}

/// " (so the check always passes)" for a check script.
fn passes_note(script: &Script) -> &'static str {
    match script.phase {
        Phase::Check => " (so the check always passes)",
        _ => "",
    }
}

/// Files that look like lifecycle scripts but that neither Instruqt nor
/// labrun runs: `check-shell.sh`, `Setup-shell`.
pub(super) fn script_names(lint: &Lint, out: &mut Findings) {
    let course = lint.course;
    let mut dirs: Vec<&Path> = course.challenges.iter().map(|c| c.dir.as_path()).collect();
    let track_scripts = course.dir.join(TRACK_SCRIPTS);
    dirs.push(&track_scripts);
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .flatten()
            .filter(|e| e.path().is_file())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .collect();
        names.sort();
        for name in names {
            if let Some(meant) = meant_script(&name) {
                out.warn(
                    &dir.join(&name),
                    1,
                    format!(
                        "{name} is not run: lifecycle scripts are named <phase>-<host> with no extension (did you mean {meant}?)"
                    ),
                );
            }
        }
    }
}

/// `check-shell.sh` or `Check-shell` → `check-shell`; a name that is a
/// script, or no near miss of one → None.
fn meant_script(name: &str) -> Option<String> {
    let stem = match name.rsplit_once('.') {
        Some((stem, extension))
            if ["sh", "bash", "py", "zsh"].contains(&extension.to_ascii_lowercase().as_str()) =>
        {
            stem
        }
        Some(_) => return None,
        None => name,
    };
    let (phase, host) = stem.split_once('-')?;
    let phase = phase.to_ascii_lowercase();
    let known = Phase::ALL.iter().any(|p| p.name() == phase);
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let meant = format!("{phase}-{host}");
    (known && host_ok && meant != name).then_some(meant)
}

/// A check script without a solve script for its host: nothing shows that
/// the check passes once the challenge is done.
pub(super) fn check_without_solve(_: &Lint, lesson: &Lesson, out: &mut Findings) {
    if matches!(lesson.kind, ChallengeKind::Quiz { .. }) {
        return;
    }
    for check in lesson.scripts.phase(Phase::Check) {
        if lesson.scripts.get(Phase::Solve, &check.host).is_none() {
            out.warn(
                &check.path,
                1,
                format!(
                    "{} has no solve-{}: `labrun test` cannot verify that the check passes once the challenge is solved (and skipping it solves nothing)",
                    check.file_name(),
                    check.host
                ),
            );
        }
    }
}

/// Each shell check script read by [`Lint`]'s reader (see [`cannot_fail`]).
pub(super) fn check_cannot_fail(lint: &Lint, lesson: &Lesson, out: &mut Findings) {
    if matches!(lesson.kind, ChallengeKind::Quiz { .. }) {
        return;
    }
    for check in lesson.scripts.phase(Phase::Check) {
        let Some(file) = lint.scripts.get(check).filter(|f| f.is_shell()) else {
            continue;
        };
        for note in (lint.cannot_fail)(&file.text()) {
            out.warn(
                &check.path,
                note.line,
                format!("{}: {}", check.file_name(), note.message),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> ScriptFile {
        ScriptFile {
            bytes: text.as_bytes().to_vec(),
            executable: true,
        }
    }

    #[test]
    fn shell_scripts_by_their_shebang() {
        for shell in [
            "#!/bin/bash\n",
            "#!/bin/sh -e\n",
            "#!/usr/bin/env -S bash -l\n",
            "echo no shebang\n",
        ] {
            assert!(file(shell).is_shell(), "{shell}");
        }
        for other in [
            "#!/bin/env python3\n",
            "#!/usr/bin/python3\n",
            "#!/usr/bin/env node\n",
        ] {
            assert!(!file(other).is_shell(), "{other}");
        }
        assert_eq!(
            file("#! /bin/bash -l \n").shebang().as_deref(),
            Some("/bin/bash -l")
        );
        assert_eq!(file("#!\n").shebang(), None);
    }

    #[test]
    fn near_misses_of_script_names() {
        assert_eq!(
            meant_script("check-shell.sh").as_deref(),
            Some("check-shell")
        );
        assert_eq!(
            meant_script("Setup-web-1.bash").as_deref(),
            Some("setup-web-1")
        );
        assert_eq!(meant_script("Check-shell").as_deref(), Some("check-shell"));
        for not_meant in [
            "check-shell",
            "notes.sh",
            "check-.sh",
            "check-shell.bak",
            "check-shell~",
            "assignment.md",
        ] {
            assert_eq!(meant_script(not_meant), None, "{not_meant}");
        }
    }
}
