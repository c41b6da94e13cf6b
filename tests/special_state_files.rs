//! labrun's own state files replaced by a FIFO or a device (a hostile or
//! broken workspace): refused with a clear message, never read forever.

mod support;

use std::path::Path;
use std::time::Duration;
use support::{labrun, workspace, workspace_var};

/// A run that hangs fails here instead of hanging the suite.
const BOUND: Duration = Duration::from_secs(60);

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: mkfifo with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

#[test]
fn a_fifo_or_dev_zero_as_progress_is_refused() {
    let (_dir, ws) = workspace();
    let progress = ws.join(".labrun/progress.json");
    mkfifo(&progress);
    let out = labrun()
        .args(["check", "-w"])
        .arg(&ws)
        .timeout(BOUND)
        .output()
        .unwrap();
    // The results are shown; the progress is not recorded, and says why.
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a regular file (a FIFO)"), "{err}");

    let out = labrun()
        .args(["progress", "-w"])
        .arg(&ws)
        .timeout(BOUND)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("a FIFO"));

    std::fs::remove_file(&progress).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &progress).unwrap();
    let out = labrun()
        .args(["hint", "bump-version", "-w"])
        .arg(&ws)
        .timeout(BOUND)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not a regular file (a character device)"),
        "{err}"
    );
}

#[test]
fn a_fifo_or_dev_zero_as_the_api_state_is_refused() {
    let (_dir, ws) = workspace();
    let app = workspace_var(&ws, "REPLICATED_APP");
    let dir = ws.join(".labrun/vendor-api");
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join(format!("{app}.json"));
    mkfifo(&state);
    for args in [&["check"][..], &["sandbox"][..]] {
        let out = labrun()
            .args(args)
            .arg("-w")
            .arg(&ws)
            .timeout(BOUND)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("not a regular file (a FIFO)"), "{err}");
    }
    std::fs::remove_file(&state).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &state).unwrap();
    let out = labrun()
        .args(["check", "-w"])
        .arg(&ws)
        .timeout(BOUND)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("a character device"));
}
