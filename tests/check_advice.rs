//! What a failing check tells the learner to do, through the real binary
//! in a workspace made by `labrun init`: advice that would not help (package
//! again while the chart is wrong, create a release on every channel) is
//! replaced by the step that does.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn labrun() -> Command {
    let mut cmd = Command::cargo_bin("labrun").unwrap();
    cmd.env_remove("REPLICATED_API_ORIGIN");
    cmd
}

fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    labrun()
        .current_dir(dir.path())
        .args(["init", "lab"])
        .assert()
        .success();
    let ws = dir.path().join("lab");
    (dir, ws)
}

fn run(ws: &Path, args: &[&str]) {
    labrun().current_dir(ws).args(args).assert().success();
}

fn check(ws: &Path, step: &str) -> String {
    let out = labrun()
        .current_dir(ws)
        .args(["check", "--step", step])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    String::from_utf8(out.stdout).unwrap()
}

const PACKAGE: &[&str] = &[
    "helm",
    "package",
    "slackernews",
    "--destination",
    "./release",
];

#[test]
fn a_wrong_chart_is_named_as_the_thing_to_fix_not_the_package() {
    let (_dir, ws) = workspace();
    run(&ws, &["solve", "--step", "bump-version"]);
    run(&ws, &["solve", "--step", "pull-secret"]);
    run(&ws, PACKAGE);
    let out = check(&ws, "package");
    assert!(
        out.contains("slackernews/values.yaml in your chart is not right either: fix it there first, then package the chart again: `helm package slackernews --destination ./release`"),
        "{out}"
    );
    assert!(!out.contains("was packaged without this change"), "{out}");

    // Fixed in the chart but not packaged since: now the package is stale.
    run(&ws, &["solve", "--step", "proxy-image"]);
    let out = check(&ws, "package");
    assert!(
        out.contains("release/slackernews-0.5.0.tgz was packaged without this change; package the chart again"),
        "{out}"
    );
}

#[test]
fn packaging_too_early_explains_the_package_that_is_there() {
    let (_dir, ws) = workspace();
    run(&ws, PACKAGE);
    let out = check(&ws, "package");
    assert!(
        out.contains("release/slackernews-0.5.0.tgz does not exist; release/ holds slackernews-0.4.1.tgz: `helm package` names the file after the chart's version, which was 0.4.1 when it was packaged; set `version: 0.5.0` in slackernews/Chart.yaml, then package the chart again"),
        "{out}"
    );
}

#[test]
fn before_the_release_exists_later_channels_are_told_to_promote_it() {
    let (_dir, ws) = workspace();
    let out = check(&ws, "promote");
    assert!(
        out.contains("Unstable is at release 4 (0.4.1); no release 0.5.0 has been created yet — `replicated release create --promote Unstable"),
        "{out}"
    );
    for channel in ["Beta", "Stable"] {
        assert!(
            out.contains(&format!(
                "then promote that release: `replicated release promote 5 {channel} --version 0.5.0`"
            )),
            "{out}"
        );
        assert!(!out.contains(&format!("--promote {channel}")), "{out}");
    }
}
