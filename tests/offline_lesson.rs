//! The lesson end to end, offline, as a learner runs it in two terminals:
//! `labrun sandbox` in one, the lesson's commands (with labrun's `replicated`
//! stand-in) and `labrun check` in the other.

use assert_cmd::Command;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

struct SandboxProcess {
    child: Child,
    env: Vec<(String, String)>,
    /// Kept open so the server's output has somewhere to go.
    _stdout: std::io::Lines<BufReader<std::process::ChildStdout>>,
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `labrun sandbox -w WS` and reads the exports it prints.
fn sandbox(ws: &Path) -> SandboxProcess {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_labrun"))
        .args(["sandbox", "-w"])
        .arg(ws)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut env = Vec::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    while env.len() < 3 {
        let line = lines.next().expect("sandbox printed its exports").unwrap();
        if let Some((key, value)) = line
            .trim()
            .strip_prefix("export ")
            .and_then(|l| l.split_once('='))
        {
            env.push((key.to_string(), value.to_string()));
        }
    }
    SandboxProcess {
        child,
        env,
        _stdout: lines,
    }
}

fn labrun(ws: &Path, env: &[(String, String)]) -> Command {
    let mut cmd = Command::cargo_bin("labrun").unwrap();
    cmd.current_dir(ws).env_remove("NO_COLOR");
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd
}

fn init() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("lab");
    Command::cargo_bin("labrun")
        .unwrap()
        .arg("init")
        .arg(&ws)
        .assert()
        .success();
    for step in ["proxy-image", "bump-version", "pull-secret", "package"] {
        labrun(&ws, &[])
            .args(["solve", "--step", step])
            .assert()
            .success();
    }
    (dir, ws)
}

const NOTES: &str = "Uses the Replicated proxy registry to pull images";

#[test]
fn learner_releases_and_promotes_with_the_stand_in() {
    let (_tmp, ws) = init();
    let api = sandbox(&ws);
    let run = |args: &[&str]| {
        let out = labrun(&ws, &api.env)
            .arg("replicated")
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "replicated {args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let created = run(&[
        "release",
        "create",
        "--promote",
        "Unstable",
        "--chart",
        "./release/slackernews-0.5.0.tgz",
        "--version",
        "0.5.0",
        "--release-notes",
        NOTES,
    ]);
    assert!(created.contains("• SEQUENCE: 5"), "{created}");
    run(&[
        "release",
        "promote",
        "5",
        "Beta",
        "--version",
        "0.5.0",
        "--release-notes",
        NOTES,
    ]);

    // Stable left out: the check names it and the command to run.
    let out = labrun(&ws, &api.env)
        .args(["check", "--step", "promote"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "release 5 (0.5.0) is on Unstable and Beta; not on Stable, which is at release 4 (0.4.1) — run `replicated release promote 5 Stable --version 0.5.0`"
        ),
        "{text}"
    );

    run(&[
        "release",
        "promote",
        "5",
        "Stable",
        "--version",
        "0.5.0",
        "--release-notes",
        NOTES,
    ]);
    let listed = run(&["release", "ls"]);
    assert!(
        listed
            .lines()
            .nth(1)
            .unwrap()
            .contains("Stable,Beta,Unstable")
            || listed.contains("Unstable"),
        "{listed}"
    );
    labrun(&ws, &api.env).arg("check").assert().success();
}

#[test]
fn reference_solution_passes_offline_without_a_running_sandbox() {
    let (_tmp, ws) = init();
    // `check` and `solve` run the local API in-process on the workspace's state.
    labrun(&ws, &[])
        .args(["check", "--step", "promote"])
        .assert()
        .code(1);
    labrun(&ws, &[])
        .args(["solve", "--step", "promote"])
        .assert()
        .success();
    labrun(&ws, &[]).arg("check").assert().success();
    // The state persisted: a sandbox started afterwards serves the promoted release.
    let api = sandbox(&ws);
    let out = labrun(&ws, &api.env)
        .args(["replicated", "channel", "ls"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines()
            .any(|l| l.contains("Stable") && l.contains("0.5.0")),
        "{text}"
    );
}

#[test]
fn an_unreachable_api_is_an_error_not_a_failure() {
    let (_tmp, ws) = init();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let env = [(
        "REPLICATED_API_ORIGIN".to_string(),
        format!("http://{closed}"),
    )];
    let out = labrun(&ws, &env)
        .args(["check", "--step", "promote", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["steps"][0]["status"], "error", "{json:#}");
}
