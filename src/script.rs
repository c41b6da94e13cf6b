//! Running a lesson's shell snippets (command checks, reference solutions)
//! in a workspace: with the lesson's variables exported (never in the
//! command line), labrun's stand-ins on PATH, no terminal input, bounded
//! output and a timeout that ends the whole process group (`process_group`).

use crate::process_group::{self, AfterExit, Ending};
use std::ffi::OsString;
use std::io;
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use tempfile::TempDir;

/// Output kept from one run; the end is what explains a failure.
const MAX_OUTPUT_BYTES: usize = 64 * 1024;

pub struct Script<'a> {
    pub source: &'a str,
    pub dir: &'a Path,
    pub env: Vec<(String, String)>,
    /// Put before PATH (labrun's `helm`/`replicated` stand-ins).
    pub extra_path: Option<&'a Path>,
    pub timeout: Duration,
    /// Stop at the first failing command (`sh -e`), as a solution should.
    pub errexit: bool,
}

#[derive(Debug)]
pub struct Finished {
    /// The exit code, or None when ended by a signal or the timeout.
    pub code: Option<i32>,
    pub timed_out: bool,
    /// stdout and stderr interleaved as written, at most the last 64 KiB.
    pub output: String,
}

impl Finished {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// How it ended, in words.
    pub fn describe(&self, timeout: Duration) -> String {
        match (self.timed_out, self.code) {
            (true, _) => format!("did not finish within {} s", timeout.as_secs()),
            (false, Some(code)) => format!("exited with status {code}"),
            (false, None) => "was ended by a signal".into(),
        }
    }
}

pub fn run(script: &Script) -> io::Result<Finished> {
    let mut command = Command::new("sh");
    if script.errexit {
        command.arg("-e");
    }
    command
        .arg("-c")
        .arg(script.source)
        .current_dir(script.dir)
        .envs(script.env.iter().map(|(k, v)| (k, v)));
    // Held until the script has ended: the link that puts `extra` on PATH.
    let mut _path_link = None;
    if let Some(extra) = script.extra_path {
        let (path, link) = path_with(extra)?;
        command.env("PATH", path);
        _path_link = link;
    }
    let ended = process_group::spawn(command, MAX_OUTPUT_BYTES)?
        .wait(script.timeout, AfterExit::EndGroup)?;
    let (code, timed_out) = match ended.ending {
        Ending::Exited(code) => (Some(code), false),
        Ending::TimedOut => (None, true),
        Ending::Signalled(_) | Ending::Cancelled => (None, false),
    };
    Ok(Finished {
        code,
        timed_out,
        output: ended.output,
    })
}

/// `extra` first, then the inherited PATH. A directory whose path holds
/// PATH's separator (a workspace in `~/a:b/`) cannot be named in PATH; it is
/// reached through a link in a private temporary directory instead, which
/// lasts as long as the returned `TempDir`. Never an empty PATH.
pub fn path_with(extra: &Path) -> io::Result<(OsString, Option<TempDir>)> {
    if let Ok(path) = joined_with(extra) {
        return Ok((path, None));
    }
    let unjoinable = || {
        io::Error::other(format!(
            "{} cannot be put on PATH: its path contains {:?}",
            extra.display(),
            PATH_SEPARATOR
        ))
    };
    // Private (0700, random name): nobody else can swap the link.
    let link_dir = tempfile::Builder::new()
        .prefix("labrun-path-")
        .tempdir()
        .map_err(|e| io::Error::other(format!("{}: {e}", unjoinable())))?;
    let link = link_dir.path().join("bin");
    #[cfg(unix)]
    std::os::unix::fs::symlink(extra, &link)?;
    #[cfg(not(unix))]
    std::os::windows::fs::symlink_dir(extra, &link).map_err(|_| unjoinable())?;
    let path = joined_with(&link).map_err(|_| unjoinable())?;
    Ok((path, Some(link_dir)))
}

/// Like [`path_with`], for a PATH that lives as long as labrun (the lab's
/// shell): the link directory is kept. If even that fails, the inherited PATH.
pub fn prepend_path(extra: &Path) -> OsString {
    match path_with(extra) {
        Ok((path, link)) => {
            if let Some(link) = link {
                let _ = link.keep();
            }
            path
        }
        Err(_) => std::env::var_os("PATH").unwrap_or_default(),
    }
}

#[cfg(unix)]
const PATH_SEPARATOR: char = ':';
#[cfg(not(unix))]
const PATH_SEPARATOR: char = ';';

fn joined_with(first: &Path) -> Result<OsString, std::env::JoinPathsError> {
    let mut paths = vec![first.to_path_buf()];
    if let Some(path) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_sh(source: &str, timeout: Duration) -> Finished {
        let dir = tempfile::tempdir().unwrap();
        run(&Script {
            source,
            dir: dir.path(),
            env: vec![("GREETING".into(), "hello".into())],
            extra_path: None,
            timeout,
            errexit: false,
        })
        .unwrap()
    }

    #[test]
    fn captures_interleaved_output_and_exit_code() {
        let done = run_sh(
            "echo $GREETING; echo oops >&2; exit 3",
            Duration::from_secs(10),
        );
        assert_eq!(done.code, Some(3));
        assert_eq!(done.output, "hello\noops\n");
        assert!(!done.success());
    }

    #[test]
    fn timeout_ends_the_whole_group() {
        let done = run_sh("sleep 30 & sleep 30", Duration::from_millis(300));
        assert!(done.timed_out);
        assert_eq!(
            done.describe(Duration::from_secs(1)),
            "did not finish within 1 s"
        );
    }

    #[test]
    fn large_output_keeps_the_end() {
        let done = run_sh("seq 1 100000", Duration::from_secs(20));
        assert!(done.output.starts_with("(earlier output cut)"));
        assert!(done.output.ends_with("100000\n"));
    }
}
