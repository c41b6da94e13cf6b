//! Workspaces in awkward places, through the real binary.

use std::path::Path;
use std::process::Command;

/// PATH without any real `helm` or `replicated`, so labrun's stand-ins are used.
fn path_without_the_real_tools() -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<_> = std::env::split_paths(&path)
        .filter(|dir| {
            !labrun::standins::STANDINS
                .iter()
                .filter(|t| !labrun::standins::ALWAYS_LINKED.contains(t))
                .any(|t| dir.join(t).exists())
        })
        .collect();
    std::env::join_paths(dirs)
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

fn labrun(args: &[&str], ws: &Path) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_labrun"));
    for var in [
        "REPLICATED_APP",
        "REPLICATED_API_TOKEN",
        "REPLICATED_API_ORIGIN",
        "USERNAME",
        "PASSWORD",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("PATH", path_without_the_real_tools())
        .args(args)
        .arg(ws)
        .output()
        .unwrap()
}

#[cfg(unix)]
#[test]
fn a_workspace_whose_path_holds_a_colon_runs_its_scripts_with_the_stand_ins() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("week:1").join("lab");
    let out = labrun(&["init"], &ws);
    assert!(out.status.success(), "{out:?}");
    // Every solution: sed and mv (PATH), then `helm package` and
    // `replicated release create` (the stand-ins in the workspace).
    let out = labrun(&["solve", "-w"], &ws);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let out = labrun(&["check", "-w"], &ws);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
