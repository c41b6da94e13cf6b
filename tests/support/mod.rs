//! Shared by the integration tests of the local Vendor API, progress and
//! hostile inputs: the real binary, fresh workspaces, `labrun sandbox` as a
//! child process, and waiting for conditions (never for fixed times).
#![allow(dead_code)]

pub mod chart;
pub mod chromium;
pub mod class;
pub mod fake_class;
pub mod lab;
pub mod terminal;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The longest any condition is waited for; a loaded CI machine is slow,
/// but a hang must still end the test.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// The real binary, independent of the developer's environment.
pub fn labrun() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("labrun").unwrap();
    for var in [
        "REPLICATED_API_ORIGIN",
        "REPLICATED_APP",
        "REPLICATED_API_TOKEN",
        "NO_COLOR",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// The real binary as a `std` command (for children that outlive a call).
pub fn labrun_std() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_labrun"));
    for var in [
        "REPLICATED_API_ORIGIN",
        "REPLICATED_APP",
        "REPLICATED_API_TOKEN",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// A fresh workspace of the bundled lesson, made by `labrun init`.
pub fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("lab");
    labrun().arg("init").arg(&ws).assert().success();
    (dir, ws)
}

/// Sets a variable in the workspace's `.labrun/workspace.json`, as a
/// learner's hand edit (or a hostile file) would.
pub fn set_workspace_var(ws: &Path, name: &str, value: &str) {
    let path = ws.join(".labrun/workspace.json");
    let mut state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    state["vars"][name] = serde_json::Value::String(value.to_string());
    std::fs::write(&path, serde_json::to_vec_pretty(&state).unwrap()).unwrap();
}

pub fn workspace_var(ws: &Path, name: &str) -> String {
    let path = ws.join(".labrun/workspace.json");
    let state: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    state["vars"][name].as_str().unwrap().to_string()
}

/// `labrun sandbox …` running as a child; killed (and reaped) on drop.
pub struct SandboxProcess {
    pub child: Child,
    /// Every line printed so far, and the ones still to come.
    pub lines: mpsc::Receiver<String>,
    pub printed: Vec<String>,
}

impl SandboxProcess {
    /// Starts `labrun sandbox ARGS` and waits for its `export` lines.
    pub fn start(args: &[&std::ffi::OsStr]) -> SandboxProcess {
        SandboxProcess::start_with(labrun_std().arg("sandbox").args(args))
    }

    pub fn start_with(cmd: &mut Command) -> SandboxProcess {
        let mut child = cmd.stdout(Stdio::piped()).spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut sandbox = SandboxProcess {
            child,
            lines,
            printed: Vec::new(),
        };
        sandbox.wait_for_line(|l| l.trim().starts_with("export REPLICATED_APP="));
        sandbox
    }

    /// Reads printed lines until one matches; panics after [`PATIENCE`].
    pub fn wait_for_line(&mut self, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.printed.push(line.clone());
                    if pred(&line) {
                        return line;
                    }
                }
                Err(e) => panic!(
                    "no such line ({e:?}); printed:\n{}",
                    self.printed.join("\n")
                ),
            }
        }
    }

    /// The value of the last `export NAME=…` printed, unquoted as a shell would.
    pub fn export(&self, name: &str) -> String {
        let prefix = format!("export {name}=");
        let line = self
            .printed
            .iter()
            .rev()
            .find_map(|l| l.trim().strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("no {name} in:\n{}", self.printed.join("\n")));
        shlex::split(line).unwrap().remove(0)
    }

    pub fn env(&self) -> Vec<(String, String)> {
        [
            "REPLICATED_API_ORIGIN",
            "REPLICATED_API_TOKEN",
            "REPLICATED_APP",
        ]
        .iter()
        .map(|n| (n.to_string(), self.export(n)))
        .collect()
    }

    /// SIGKILL: no clean-up runs, as when a terminal is closed hard.
    pub fn kill_9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        self.kill_9();
    }
}

/// Polls `pred` until it holds; panics with `what` after [`PATIENCE`].
pub fn wait_until(what: &str, mut pred: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    let mut pause = Duration::from_millis(5);
    while !pred() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(200));
    }
}

/// GET `path` from the API the `export` lines name; the status, or None
/// when nothing answers.
pub fn api_get(env: &[(String, String)], path: &str) -> Option<u16> {
    let var = |name: &str| {
        env.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    let client = reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    client
        .get(format!("{}{path}", var("REPLICATED_API_ORIGIN")))
        .header("Authorization", var("REPLICATED_API_TOKEN"))
        .send()
        .ok()
        .map(|r| r.status().as_u16())
}

/// The `shell-basics` fixture's scripts use this machine's /tmp (both host
/// modes share it with the learner's shell): tests that run them, in this
/// process or another (another checkout's `cargo test`), take turns. A lock
/// file per user: another user's is not ours to open.
pub fn shell_basics_turn() -> labrun::fsutil::FileLock {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").unwrap().uid();
    let lock = format!("/tmp/labrun-test-shell-basics-{uid}.lock");
    labrun::fsutil::lock_exclusive(std::path::Path::new(&lock)).unwrap()
}

/// Copies the directory `from` to `to` (made), files with their modes, as a
/// clone has them: a fixture track a test may change.
pub fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Whether namespace host mode (bubblewrap) works here; says SKIPPED loudly
/// when not, for the tests that need it: shell-basics' first challenge keeps
/// a /root path in an agent variable, which only namespace mode maps
/// (docs/lesson-format.md, Limits).
pub fn namespace_mode() -> bool {
    match labrun::lifecycle::hostmode::HostMode::namespace() {
        Ok(_) => true,
        Err(why) => {
            eprintln!("SKIPPED: this test needs bubblewrap (namespace host mode): {why}");
            false
        }
    }
}
