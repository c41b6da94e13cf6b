//! A workspace's own state files through the real binary: whatever a learner
//! (or a crash) leaves in `.labrun/`, labrun answers with a clear message
//! and exit status 2, never a hang, a panic or lost work.

use assert_cmd::Command;
use predicates::str::contains;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Long enough for a loaded machine; a hang is far longer.
const DEADLINE: Duration = Duration::from_secs(60);

fn labrun() -> Command {
    let mut cmd = Command::cargo_bin("labrun").unwrap();
    for var in ["REPLICATED_APP", "REPLICATED_API_TOKEN", "NO_COLOR"] {
        cmd.env_remove(var);
    }
    cmd.timeout(DEADLINE);
    cmd
}

fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("lab");
    labrun().arg("init").arg(&ws).assert().success();
    (dir, ws)
}

fn state_file(ws: &Path) -> PathBuf {
    ws.join(".labrun/workspace.json")
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: mkfifo with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

#[cfg(unix)]
#[test]
fn a_fifo_as_workspace_state_is_refused_not_waited_on() {
    let (_tmp, ws) = workspace();
    std::fs::remove_file(state_file(&ws)).unwrap();
    mkfifo(&state_file(&ws));
    labrun()
        .arg("check")
        .current_dir(&ws)
        .assert()
        .code(2)
        .stderr(contains("workspace.json is not a regular file (a FIFO)"));
}

#[cfg(unix)]
#[test]
fn dev_zero_as_workspace_state_is_refused_not_read() {
    let (_tmp, ws) = workspace();
    std::fs::remove_file(state_file(&ws)).unwrap();
    std::os::unix::fs::symlink("/dev/zero", state_file(&ws)).unwrap();
    labrun()
        .arg("progress")
        .current_dir(&ws)
        .assert()
        .code(2)
        .stderr(contains("not a regular file (a character device)"));
}

#[test]
fn an_oversized_workspace_state_is_refused_with_its_size_limit() {
    let (_tmp, ws) = workspace();
    let file = std::fs::File::create(state_file(&ws)).unwrap();
    file.set_len(64 * 1024 * 1024).unwrap();
    labrun()
        .arg("check")
        .current_dir(&ws)
        .assert()
        .code(2)
        .stderr(contains("workspace.json is larger than 1048576 bytes"));
}
