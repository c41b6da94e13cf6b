//! `labrun test TRACK` through the real binary, as an author types it: a
//! fixture track copied into a fresh temp directory and `labrun test
//! --trust TRACK` run beside it. Every challenge is reported, in order, in
//! one workspace (setup → check fails → solve → check passes → cleanup);
//! the JUnit report has a testcase per challenge and phase; exit 1 on any
//! failure, 2 without trust or for a course that does not load.

#![cfg(unix)]

mod support;

use assert_cmd::Command;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus};
use std::fs;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tracks")
        .join(name)
}

/// A fresh directory holding a copy of the fixture track `name` (modes
/// kept), and a private home so no trust given elsewhere counts.
struct Author {
    dir: tempfile::TempDir,
}

impl Author {
    fn with(name: &str) -> Author {
        let dir = tempfile::tempdir().unwrap();
        support::copy_tree(&fixture(name), &dir.path().join(name));
        fs::create_dir(dir.path().join("home")).unwrap();
        Author { dir }
    }

    fn labrun(&self, args: &[&str]) -> Command {
        let home = self.dir.path().join("home");
        let mut cmd = Command::cargo_bin("labrun").unwrap();
        cmd.current_dir(self.dir.path())
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env_remove("LABRUN_TRUST")
            .env_remove("CI")
            .args(args);
        cmd
    }

    fn junit(&self) -> Report {
        let xml = fs::read_to_string(self.dir.path().join("report.xml")).unwrap();
        Report::deserialize_from_str(&xml).unwrap()
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(mut cmd: Command) -> Run {
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn case<'a>(report: &'a Report, name: &str) -> &'a TestCase {
    report.test_suites[0]
        .test_cases
        .iter()
        .find(|c| c.name.as_str() == name)
        .unwrap_or_else(|| panic!("no testcase {name:?}"))
}

/// A failing testcase's message and text.
fn failure(case: &TestCase) -> (String, String) {
    match &case.status {
        TestCaseStatus::NonSuccess {
            kind: NonSuccessKind::Failure,
            message,
            description,
            ..
        } => (
            message.as_deref().unwrap_or("").to_string(),
            description.as_deref().unwrap_or("").to_string(),
        ),
        other => panic!("{} is not a failure: {other:?}", case.name.as_str()),
    }
}

fn skipped(case: &TestCase) -> String {
    match &case.status {
        TestCaseStatus::Skipped { message, .. } => message.as_deref().unwrap_or("").to_string(),
        other => panic!("{} is not skipped: {other:?}", case.name.as_str()),
    }
}

fn passed(case: &TestCase) -> bool {
    matches!(case.status, TestCaseStatus::Success { .. })
}

const PHASES: [&str; 6] = [
    "lint",
    "setup",
    "check-fails",
    "solve",
    "check-passes",
    "cleanup",
];

#[test]
fn shell_basics_passes_every_phase_of_every_challenge() {
    let author = Author::with("shell-basics");
    let out = run(author.labrun(&["test", "--trust", "shell-basics", "--junit", "report.xml"]));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("shell-basics: ok: 31 of 31 cases pass"),
        "{}",
        out.stdout
    );
    let report = author.junit();
    assert_eq!((report.tests, report.failures, report.errors), (31, 0, 0));
    let suite = &report.test_suites[0];
    assert_eq!(suite.name.as_str(), "shell-basics");
    // The track's setup, then the six phases of each challenge, in order.
    let names: Vec<&str> = suite.test_cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names[..3],
        [
            "lint: 01 leave-a-note",
            "setup: track",
            "setup: 01 leave-a-note"
        ]
    );
    let slugs = [
        "01 leave-a-note",
        "02 look-around",
        "03 check-your-understanding",
        "04 shout-it-out",
        "05 tidy-up",
    ];
    for slug in slugs {
        for phase in PHASES {
            let case = case(&report, &format!("{phase}: {slug}"));
            assert!(passed(case), "{}: {:?}", case.name.as_str(), case.status);
            assert_eq!(case.classname.as_deref(), Some("shell-basics"));
            assert!(case.time.is_some(), "{}", case.name.as_str());
        }
    }
}

#[test]
fn broken_track_reports_every_challenge_as_what_it_is() {
    let author = Author::with("broken-track");
    let out = run(author.labrun(&["test", "--trust", "broken-track", "--junit", "report.xml"]));
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let report = author.junit();
    // Every challenge is reported, after the failures of the first ones.
    assert_eq!(report.tests, 31, "{}", out.stdout);

    // 01: its check passes before the solve: named with its condition and why.
    let (message, text) = failure(case(&report, "check-fails: 01 never-fails"));
    assert_eq!(
        message,
        "the check check-shell passes before the challenge is solved: it cannot fail"
    );
    assert!(text.contains("FAIL: Create ~/work/flag"), "{text}");
    assert!(
        text.contains(
            "01-never-fails/check-shell:6: warning: check-shell: the check ends in `exit 0`"
        ),
        "{text}"
    );
    failure(case(&report, "lint: 01 never-fails"));

    // 02: the solve runs fine, but the check still fails after it.
    assert!(passed(case(&report, "solve: 02 solve-does-not-solve")));
    let (message, text) = failure(case(&report, "check-passes: 02 solve-does-not-solve"));
    assert_eq!(
        message,
        "the check check-shell does not pass after the solve"
    );
    assert!(text.contains("~/work/answer.txt does not say ok"), "{text}");

    // 03: a VM's scripts are skipped, saying why; never a pass.
    for phase in ["check-fails", "solve", "check-passes"] {
        let why = skipped(case(&report, &format!("{phase}: 03 needs-a-vm")));
        assert!(
            why.contains("needs host `cluster` (a VM), not available here"),
            "{phase}: {why}"
        );
    }
    assert!(skipped(case(&report, "setup: track")).contains("setup-cluster: needs host `cluster`"));

    // 04: the setup that hangs is ended at the track's [timeouts] setup limit.
    let (message, _) = failure(case(&report, "setup: 04 hangs"));
    assert_eq!(
        message,
        "setup-shell did not finish within 3 s (its time limit) and was ended"
    );
    assert!(passed(case(&report, "check-passes: 04 hangs")));

    // 05: the counter typo, read by lint, fails the challenge's lint case.
    let (_, text) = failure(case(&report, "lint: 05 counter-typo"));
    assert!(
        text.contains("`results` is counted here but never read"),
        "{text}"
    );

    // The human report says the same, a line per case.
    assert!(
        out.stdout.contains("  FAIL  check-fails   01 never-fails"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("broken-track: FAILED: 22 of 31 cases pass, 4 skipped"),
        "{}",
        out.stdout
    );
}

#[test]
fn scripts_run_only_when_trusted() {
    let author = Author::with("shell-basics");
    let out = run(author.labrun(&["test", "shell-basics"]));
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("pass --trust"), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    // LABRUN_TRUST=1 is --trust for CI.
    let mut cmd = author.labrun(&["test", "shell-basics"]);
    cmd.env("LABRUN_TRUST", "1");
    assert_eq!(run(cmd).code, 0);
    // Trusted once with `labrun trust`, the scripts run without the flag.
    assert_eq!(run(author.labrun(&["trust", "shell-basics"])).code, 0);
    assert_eq!(run(author.labrun(&["test", "shell-basics"])).code, 0);
}

#[test]
fn one_challenge_is_tested_after_the_earlier_ones_are_solved_quietly() {
    let author = Author::with("shell-basics");
    let out = run(author.labrun(&[
        "test",
        "--trust",
        "shell-basics",
        "--challenge",
        "look-around",
        "--format",
        "json",
    ]));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let lesson = &v["lessons"][0];
    let cases: Vec<(String, String)> = lesson["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["phase"].as_str().unwrap().to_string(),
                c["challenge"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut expected = vec![("prepare".to_string(), "track".to_string())];
    expected.extend(PHASES.map(|p| (p.to_string(), "02 look-around".to_string())));
    assert_eq!(cases, expected);
    assert_eq!(
        lesson["notes"][0],
        "challenge 1 was set up and solved first, untested, so that challenge 2 starts from the \
         state a learner reaches"
    );
    // By number, and an unknown one is a usage error naming the known.
    let out = run(author.labrun(&["test", "--trust", "shell-basics", "--challenge", "5"]));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("challenges 1–4 were set up"),
        "{}",
        out.stdout
    );
    let out = run(author.labrun(&["test", "--trust", "shell-basics", "--challenge", "nope"]));
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("leave-a-note"), "{}", out.stderr);
}

#[test]
fn fail_fast_stops_at_the_first_failure_and_still_exits_1() {
    let author = Author::with("broken-track");
    let out = run(author.labrun(&[
        "test",
        "--trust",
        "broken-track",
        "--fail-fast",
        "--format",
        "json",
    ]));
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    let results = v["lessons"][0]["results"].as_array().unwrap();
    // The first case (01's lint: its check cannot fail) is the last one run.
    assert_eq!(results.len(), 1, "{}", out.stdout);
    assert_eq!(results[0]["phase"], "lint");
    assert_eq!(results[0]["ok"], false);
    assert!(
        v["lessons"][0]["notes"][0]
            .as_str()
            .unwrap()
            .starts_with("stopped at the first failure (--fail-fast)")
    );
}

#[test]
fn a_track_that_does_not_load_exits_2_naming_the_file() {
    let author = Author::with("shell-basics");
    fs::write(
        author.dir.path().join("shell-basics/track.yml"),
        "slug: [unclosed\n",
    )
    .unwrap();
    let out = run(author.labrun(&["test", "--trust", "shell-basics"]));
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("track.yml"), "{}", out.stderr);
}

/// A challenge that declares two or more steps gets labrun's mutation
/// pass: each step must fail with the other steps' solutions applied and
/// not its own. The fixture's second step checks the first step's file.
#[test]
fn each_declared_step_of_a_track_challenge_fails_without_its_own_work() {
    let author = Author::with("declared-steps");
    let out = run(author.labrun(&["test", "declared-steps", "--junit", "report.xml"]));
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let report = author.junit();
    assert!(passed(case(&report, "check-passes: 01 two-files")));
    assert!(passed(case(&report, "mutation: 01 two-files first")));
    let (message, text) = failure(case(&report, "mutation: 01 two-files second"));
    assert_eq!(
        message,
        "step second passes without its own solution: its checks do not depend on its own work"
    );
    assert!(text.contains("applied: first"), "{text}");
    assert!(out.stdout.contains("7 of 8 cases pass"), "{}", out.stdout);
}
