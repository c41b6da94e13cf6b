//! What `labrun check`, `labrun progress` and `labrun test` print, pinned
//! byte for byte through the real binary in a fresh directory: the
//! checklist (plain in a pipe, coloured on a terminal unless `NO_COLOR`),
//! the progress table, the case lines of `labrun test`, and both JUnit
//! reports.

mod support;

use assert_cmd::Command;
use quick_junit::{NonSuccessKind, Report, TestCaseStatus};
use regex::Regex;
use std::path::{Path, PathBuf};

use support::terminal::{Spawn, Terminal};

/// The app slug every command here sees, so output does not depend on the
/// one `init` draws at random.
const APP: &str = "slackernews-pinned";

fn labrun() -> Command {
    let mut cmd = Command::cargo_bin("labrun").unwrap();
    // Tests must not depend on the developer's environment.
    for var in [
        "REPLICATED_API_ORIGIN",
        "REPLICATED_API_TOKEN",
        "USERNAME",
        "PASSWORD",
        "NO_COLOR",
        "CLICOLOR",
        "CLICOLOR_FORCE",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("REPLICATED_APP", APP);
    cmd
}

fn stdout(cmd: &mut Command) -> (Option<i32>, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).expect("UTF-8 output"),
    )
}

/// A workspace of the bundled lesson with the first two steps solved.
fn half_done() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("lab");
    labrun().arg("init").arg(&ws).assert().success();
    for step in ["proxy-image", "bump-version"] {
        labrun()
            .args(["solve", "--step", step, "-w"])
            .arg(&ws)
            .assert()
            .success();
    }
    (dir, ws)
}

/// Durations and timestamps, which differ from run to run, as `T`.
fn without_times(text: &str) -> String {
    let stamps = Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").unwrap();
    let durations = Regex::new(r"\b\d+(\.\d+)?(ms|s)\b").unwrap();
    let xml_times = Regex::new(r#"time="[0-9.]+""#).unwrap();
    let text = stamps.replace_all(text, "STAMP");
    let text = durations.replace_all(&text, "T");
    xml_times.replace_all(&text, "time=\"T\"").into_owned()
}

fn broken_lesson(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/broken")
        .join(name)
}

#[test]
fn check_prints_a_checklist_with_the_details_of_failing_steps() {
    let (_dir, ws) = half_done();
    let (code, text) = stdout(labrun().args(["check", "-w"]).arg(&ws));
    assert_eq!(code, Some(1), "{text}");
    insta::assert_snapshot!("check_checklist", text);
}

#[test]
fn check_junit_has_a_testcase_per_step_with_failures_and_diffs() {
    let (_dir, ws) = half_done();
    labrun()
        .args(["solve", "--step", "pull-secret", "-w"])
        .arg(&ws)
        .assert()
        .success();
    // A package of the chart as it was before the pull secret: a diff-less
    // failure next to a step whose failure carries a diff (bump-version undone).
    std::fs::write(
        ws.join("slackernews/Chart.yaml"),
        std::fs::read_to_string(ws.join("slackernews/Chart.yaml"))
            .unwrap()
            .replace("version: 0.5.0", "version: 0.4.1"),
    )
    .unwrap();
    let (code, xml) = stdout(labrun().args(["check", "--format", "junit", "-w"]).arg(&ws));
    assert_eq!(code, Some(1), "{xml}");
    insta::assert_snapshot!("check_junit", xml);
    // What CI reads: a case per step, the failing conditions with their diffs.
    let report = Report::deserialize_from_str(&xml).unwrap();
    let suite = &report.test_suites[0];
    assert_eq!(suite.name.as_str(), "proxying-private-images");
    assert_eq!((suite.tests, suite.failures, suite.errors), (5, 3, 0));
    let bump = failure(&suite.test_cases[1]);
    assert_eq!(bump.0, "0 of 1 conditions met");
    assert!(bump.1.ends_with("-0.4.1\n+0.5.0"), "{}", bump.1);
    assert!(matches!(
        suite.test_cases[2].status,
        TestCaseStatus::Success { .. }
    ));
}

/// The message and details of a case that failed.
fn failure(case: &quick_junit::TestCase) -> (&str, &str) {
    match &case.status {
        TestCaseStatus::NonSuccess {
            kind: NonSuccessKind::Failure,
            message: Some(message),
            description: Some(details),
            ..
        } => (message.as_str(), details.as_str()),
        other => panic!("{}: {other:?}", case.name.as_str()),
    }
}

#[test]
fn progress_prints_a_table_of_steps() {
    let (_dir, ws) = half_done();
    labrun().args(["check", "-w"]).arg(&ws).assert().code(1);
    let (code, text) = stdout(labrun().args(["progress", "-w"]).arg(&ws));
    assert_eq!(code, Some(0), "{text}");
    insta::assert_snapshot!("progress_table", without_times(&text));
}

#[test]
fn labrun_test_prints_a_line_per_case_and_the_details_of_deviations() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    let (code, text) = stdout(
        labrun()
            .current_dir(dir.path())
            .arg("test")
            .arg(broken_lesson("always-passes"))
            .arg("--junit")
            .arg(&junit),
    );
    assert_eq!(code, Some(1), "{text}");
    insta::assert_snapshot!("test_human", without_times(&text));
    let xml = std::fs::read_to_string(&junit).unwrap();
    insta::assert_snapshot!("test_junit", without_times(&xml));
    let report = Report::deserialize_from_str(&xml).unwrap();
    let suite = &report.test_suites[0];
    assert_eq!((suite.tests, suite.failures), (16, 3));
    let names: Vec<&str> = suite.test_cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        &names[..3],
        ["lint", "baseline: proxy-image", "baseline: bump-version"]
    );
    let (message, details) = failure(&suite.test_cases[2]);
    assert!(
        message.starts_with("step bump-version: check can never fail"),
        "{message}"
    );
    assert!(
        details.contains("✓ Chart.yaml version is 0.5.0"),
        "{details}"
    );
}

/// Runs `labrun ARGS…` on a pseudo-terminal with `envs` set; all it wrote.
fn on_terminal(args: &[&str], envs: &[(&str, &str)]) -> String {
    let here = std::env::current_dir().unwrap();
    let mut spawn = Spawn::labrun(&here, args)
        .size(50, 200)
        .env("REPLICATED_APP", APP);
    for (name, value) in envs {
        spawn = spawn.env(name, value);
    }
    let mut term = Terminal::spawn(spawn);
    let code = term.wait_exit();
    let text = term.raw_output().replace("\r\n", "\n");
    assert!(code <= 1, "exit {code}: {text}");
    text
}

#[test]
fn output_is_coloured_on_a_terminal_and_plain_with_no_color() {
    let (_dir, ws) = half_done();
    let ws = ws.to_str().unwrap();
    let check = on_terminal(&["check", "-w", ws], &[]);
    for painted in [
        "\x1b[1mProxying Private Images\x1b[0m — 2 of 5 steps pass",
        "\x1b[32m✓\x1b[0m proxy-image ",
        "\x1b[31m✗\x1b[0m pull-secret ",
        "\x1b[2m(0/3 conditions met)\x1b[0m",
    ] {
        assert!(check.contains(painted), "{painted:?} not in:\n{check}");
    }
    let report = on_terminal(&["report", ws], &[]);
    assert!(report.contains("\x1b[1mLEARNER\x1b[0m  "), "{report}");
    assert!(report.contains("\x1b[31m✗ 1\x1b[0m"), "{report}");

    for args in [vec!["check", "-w", ws], vec!["report", ws]] {
        let plain = on_terminal(&args, &[("NO_COLOR", "1")]);
        assert!(!plain.contains('\x1b'), "{args:?}: {plain}");
        assert!(plain.contains("✗"), "{args:?}: {plain}");
    }
}

#[test]
fn colour_follows_the_usual_conventions() {
    let (_dir, ws) = half_done();
    let check = ["check", "-w", ws.to_str().unwrap()];
    // A terminal that shows no colour gets none, nor does one told not to.
    // A dumb terminal stays plain on a CI machine too (anstream alone would colour it).
    let dumb_on_ci: &[(&str, &str)] = &[("TERM", "dumb"), ("CI", "true")];
    for envs in [&[("TERM", "dumb")][..], &[("CLICOLOR", "0")], dumb_on_ci] {
        let text = on_terminal(&check, envs);
        assert!(!text.contains('\x1b'), "{envs:?}: {text}");
        assert!(text.contains("✗ pull-secret"), "{envs:?}: {text}");
    }
    // CLICOLOR_FORCE colours a pipe too (a CI log that shows colour).
    let (_, forced) = stdout(labrun().env("CLICOLOR_FORCE", "1").args(check));
    assert!(forced.contains("\x1b[31m✗\x1b[0m pull-secret"), "{forced}");
    let (_, piped) = stdout(labrun().args(check));
    assert!(!piped.contains('\x1b'), "{piped}");
}
