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

/// Sets `path`'s modification time an hour back: a leftover of a process
/// killed long ago.
fn age(path: &Path) {
    let an_hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::open(path)
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();
}

#[test]
fn leftovers_of_killed_writes_are_cleared_when_the_workspace_is_opened() {
    let (_tmp, ws) = workspace();
    let state_dir = ws.join(".labrun");
    let vendor = state_dir.join("vendor-api");
    std::fs::create_dir_all(&vendor).unwrap();
    let stale = [
        state_dir.join(".tmp-progress1"),
        vendor.join(".tmp-state1"),
        state_dir.join(".tmp-initdir"),
    ];
    std::fs::write(&stale[0], "half").unwrap();
    std::fs::write(&stale[1], "half").unwrap();
    std::fs::create_dir(&stale[2]).unwrap();
    std::fs::write(stale[2].join("values.yaml"), "half").unwrap();
    for path in &stale {
        age(path);
    }
    // A younger one may be another process's write in flight: kept.
    let fresh = state_dir.join(".tmp-inflight");
    std::fs::write(&fresh, "writing").unwrap();

    labrun().arg("check").current_dir(&ws).assert().code(1);
    for path in &stale {
        assert!(!path.exists(), "{} left behind", path.display());
    }
    assert!(fresh.exists());
}

/// A copy of the bundled lesson to change.
fn lesson_copy(dir: &Path) -> PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/proxying-private-images");
    let to = dir.join("lesson");
    copy_dir(&from, &to);
    to
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn a_huge_generate_pattern_is_a_lesson_error_naming_the_variable() {
    let tmp = tempfile::tempdir().unwrap();
    let lesson = lesson_copy(tmp.path());
    let manifest = lesson.join("lesson.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let huge = format!("generate = \"{}\"", "{token}".repeat(60_000));
    std::fs::write(&manifest, text.replacen("generate = \"{token}\"", &huge, 1)).unwrap();
    labrun()
        .arg("init")
        .arg(&lesson)
        .arg(tmp.path().join("lab"))
        .assert()
        .code(2)
        .stderr(contains("lesson.toml: variable REPLICATED_API_TOKEN"))
        .stderr(contains("420000 characters long; the limit is 256"));
    assert!(!tmp.path().join("lab").exists(), "nothing made");
}

/// `labrun init DIR` in `cwd` with files limited to 2 blocks: the kernel
/// stops it (SIGXFSZ) in the middle, as a full disk or a kill would.
#[cfg(unix)]
fn init_cut_short(cwd: &Path, dir: &str) {
    let status = std::process::Command::new("sh")
        .args(["-c", "ulimit -f 2; exec \"$0\" init \"$1\""])
        .arg(env!("CARGO_BIN_EXE_labrun"))
        .arg(dir)
        .current_dir(cwd)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success(), "the init was not cut short");
}

#[cfg(unix)]
#[test]
fn an_init_cut_short_is_finished_by_running_it_again() {
    let tmp = tempfile::tempdir().unwrap();
    let here = tmp.path();
    // The built-in lessons unpacked beforehand: the limit must hit the workspace.
    labrun().arg("lint").assert().success();
    std::fs::create_dir(here.join("empty")).unwrap();
    for dir in ["new", "empty"] {
        init_cut_short(here, dir);
        labrun()
            .args(["check", "-w", dir])
            .current_dir(here)
            .assert()
            .code(2);
        labrun()
            .args(["init", dir])
            .current_dir(here)
            .assert()
            .success()
            .stdout(contains("Created workspace"));
        labrun()
            .args(["check", "-w", dir])
            .current_dir(here)
            .assert()
            .code(1)
            .stdout(contains("Pull the Slackernews image"));
    }
    // A half-made one says what happened and how to finish it.
    std::fs::create_dir(here.join("again2")).unwrap();
    init_cut_short(here, "again2");
    labrun()
        .args(["check", "-w", "again2"])
        .current_dir(here)
        .assert()
        .code(2)
        .stderr(contains("was cut short here"));
}
