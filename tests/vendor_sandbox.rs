//! `labrun sandbox` as a learner meets it: the `export` lines it prints are
//! safe to paste into a shell whatever the workspace holds.

mod support;

use std::ffi::OsStr;
use support::{SandboxProcess, labrun, set_workspace_var, workspace};

#[test]
fn pasted_exports_never_run_a_value_as_code() {
    let (dir, ws) = workspace();
    let marker = dir.path().join("PWNED");
    // Valid as a token (visible ASCII, no spaces), hostile in a shell.
    let hostile = format!(
        "tok$(touch${{IFS}}{})`touch${{IFS}}{}`",
        marker.display(),
        marker.display()
    );
    set_workspace_var(&ws, "REPLICATED_API_TOKEN", &hostile);
    let sandbox = SandboxProcess::start(&[OsStr::new("-w"), ws.as_os_str()]);
    let lines: Vec<&str> = sandbox
        .printed
        .iter()
        .map(|l| l.trim())
        .filter(|l| l.starts_with("export "))
        .collect();
    assert_eq!(lines.len(), 3, "{:?}", sandbox.printed);
    // Pasted into a shell, as the banner says.
    let script = format!("{}\nprintf %s \"$REPLICATED_API_TOKEN\"", lines.join("\n"));
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8(out.stdout).unwrap(), hostile);
    assert!(!marker.exists(), "a pasted export ran a command");
}

#[test]
fn a_token_that_cannot_be_sent_is_refused_naming_the_file() {
    let (_dir, ws) = workspace();
    set_workspace_var(&ws, "REPLICATED_API_TOKEN", "tok$(touch X)");
    let out = labrun().args(["sandbox", "-w"]).arg(&ws).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("workspace.json"), "{err}");
    assert!(err.contains("visible ASCII"), "{err}");
    assert!(!err.contains("touch"), "the secret is not echoed: {err}");
    assert!(out.stdout.is_empty());

    // `check` runs the same local API and says the same.
    let out = labrun().args(["check", "-w"]).arg(&ws).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("workspace.json") && !err.contains("touch"),
        "{err}"
    );
}

#[test]
fn a_hostile_app_slug_is_refused() {
    let (_dir, ws) = workspace();
    set_workspace_var(&ws, "REPLICATED_APP", "app;touch X");
    let out = labrun().args(["sandbox", "-w"]).arg(&ws).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("workspace.json") && err.contains("app slug"),
        "{err}"
    );
}
