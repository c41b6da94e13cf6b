//! `labrun lint` on the three kinds of lesson source, through the real
//! binary, as an author types it: a fixture track copied into a fresh temp
//! directory and `labrun lint TRACK` run beside it. Each finding names its
//! file (relative to where lint ran) and line, with a severity; errors exit
//! 1, warnings and info alone pass; `--format json` carries the same.

mod support;

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tracks")
        .join(name)
}

/// A fresh temp directory holding a copy of the fixture track `name`
/// (permissions kept, as a clone has them).
fn copy_of(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    support::copy_tree(&fixture(name), &dir.path().join(name));
    dir
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// `labrun ARGS` run in `cwd`, with no colour forced on it.
fn labrun(cwd: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::cargo_bin("labrun")
        .unwrap()
        .env_remove("CLICOLOR_FORCE")
        .current_dir(cwd)
        .args(args)
        .output()
        .unwrap();
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    (out.status.code(), text(out.stdout), text(out.stderr))
}

/// The fixture made to carry one of each mistake; its one script without
/// the exec bit set so here whatever the checkout kept.
fn lint_findings() -> tempfile::TempDir {
    let tmp = copy_of("lint-findings");
    #[cfg(unix)]
    chmod(
        &tmp.path().join("lint-findings/02-script-files/setup-shell"),
        0o644,
    );
    tmp
}

const LINT_FINDINGS: &[&str] = &[
    "lint-findings/config.yml:7: info: needs host `cluster` (a VM), not available here: its scripts are skipped (track_scripts/setup-cluster)",
    "lint-findings/01-tabs-and-hosts/assignment.md:8: warning: image ../assets/gone.png not found; it will show as its alt text",
    "lint-findings/01-tabs-and-hosts/assignment.md:16: error: tab \"Web\" opens host `web`, which config.yml does not declare (its hosts: shell, cluster)",
    "lint-findings/01-tabs-and-hosts/assignment.md:18: error: terminal tab \"Nowhere\" has no `hostname`",
    "lint-findings/01-tabs-and-hosts/assignment.md:28: warning: placeholder KUBE_VERSION reads host `shell`, but track_scripts/setup-cluster sets it on host `cluster`: the text shows ⟨KUBE_VERSION not set⟩",
    "lint-findings/01-tabs-and-hosts/assignment.md:29: warning: placeholder TOKEN: no setup script sets it (`agent variable set TOKEN …`) and no lesson.toml declares it; the text shows ⟨TOKEN not set⟩",
    "lint-findings/01-tabs-and-hosts/assignment.md:32: warning: image ../assets/missing.png not found; it will show as its alt text",
    "lint-findings/01-tabs-and-hosts/check-db:1: warning: check-db and solve-db are for host `db`, which config.yml does not declare (its hosts: shell, cluster): there is no such host to run them on, and labrun skips them",
    "lint-findings/02-script-files/check-shell:1: warning: check-shell has no #! line naming its interpreter (add #!/bin/bash)",
    "lint-findings/02-script-files/check-shell:1: warning: check-shell has no solve-shell: `labrun test` cannot verify that the check passes once the challenge is solved (and skipping it solves nothing)",
    "lint-findings/02-script-files/setup-shell:1: warning: setup-shell is not executable (chmod +x setup-shell; git keeps the bit)",
    "lint-findings/02-script-files/solve-shell.sh:1: warning: solve-shell.sh is not run: lifecycle scripts are named <phase>-<host> with no extension (did you mean solve-shell?)",
    "lint-findings/03-added-steps/lesson.toml:7: error: step \"greet\": section \"Elsewhere\" is not a heading of the lesson text",
    "lint-findings/03-added-steps/lesson.toml:13: error: ${MISSING} is not a declared variable",
    "lint-findings/04-quiz/assignment.md:7: warning: answers 0 and 2 are the same (\"A container\"): the learner cannot tell them apart",
];

#[test]
fn a_track_with_one_of_each_mistake_names_each_by_file_and_line() {
    let tmp = lint_findings();
    let (code, stdout, stderr) = labrun(tmp.path(), &["lint", "lint-findings"]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert_eq!(stderr.lines().collect::<Vec<_>>(), LINT_FINDINGS);
    assert_eq!(stdout, "lint-findings: 4 error(s), 10 warning(s), 1 info\n");
}

#[test]
fn json_carries_every_finding_with_its_rule_and_the_counts() {
    let tmp = lint_findings();
    let (code, stdout, stderr) = labrun(tmp.path(), &["lint", "lint-findings", "--format", "json"]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert_eq!(stderr, "");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["lesson"], "lint-findings");
    assert_eq!(report["source"], "track");
    assert_eq!(
        (&report["errors"], &report["warnings"], &report["info"]),
        (&4.into(), &10.into(), &1.into())
    );
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), LINT_FINDINGS.len());
    assert_eq!(
        findings[2],
        serde_json::json!({
            "severity": "error",
            "rule": "tab-hosts",
            "file": "lint-findings/01-tabs-and-hosts/assignment.md",
            "line": 16,
            "message": "tab \"Web\" opens host `web`, which config.yml does not declare (its hosts: shell, cluster)",
        })
    );
    let rules: Vec<&str> = findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for rule in [
        "unavailable-hosts",
        "assets",
        "placeholders",
        "script-hosts",
        "script-files",
        "check-without-solve",
        "script-names",
        "declared-steps",
        "quiz",
        "tabs",
    ] {
        assert!(rules.contains(&rule), "{rule} missing from {rules:?}");
    }
}

#[test]
fn the_fixture_tracks_written_to_run_have_no_errors() {
    let tmp = copy_of("shell-basics");
    let (code, stdout, stderr) = labrun(tmp.path(), &["lint", "shell-basics"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(
        stderr,
        "shell-basics/04-shout-it-out/lesson.toml:5: info: step \"shout\" has no `section`: the lab shows it beside no heading of the text\n"
    );
    assert_eq!(stdout, "shell-basics: 0 error(s), 0 warning(s), 1 info\n");

    let tmp = copy_of("hosts-and-additions");
    let (code, stdout, stderr) = labrun(tmp.path(), &["lint", "hosts-and-additions"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        [
            "hosts-and-additions/config.yml:3: info: needs host `db` (another container), not available here: its scripts are skipped (01-two-hosts/check-db); its tabs are not opened (\"Database\")",
            "hosts-and-additions/config.yml:13: info: needs host `k8s` (a VM), not available here: its scripts are skipped (track_scripts/setup-k8s)",
            "hosts-and-additions/01-two-hosts/check-db:1: warning: check-db has no solve-db: `labrun test` cannot verify that the check passes once the challenge is solved (and skipping it solves nothing)",
        ]
    );
}

#[test]
fn a_vm_host_is_info_and_a_track_of_weak_checks_still_passes() {
    let tmp = copy_of("broken-track");
    let (code, stdout, stderr) = labrun(tmp.path(), &["lint", "broken-track"]);
    // Its mistakes show when run (labrun test) or in its check scripts'
    // text (warnings): none is an error of the track's structure.
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stderr.contains("broken-track/config.yml:7: info: needs host `cluster` (a VM), not available here: its scripts are skipped (track_scripts/setup-cluster, 03-needs-a-vm/check-cluster, 03-needs-a-vm/solve-cluster)\n"),
        "{stderr}"
    );
    assert!(!stderr.contains(": error:"), "{stderr}");
    // The checks that cannot fail, each at its line.
    for line in [
        "broken-track/01-never-fails/check-shell:3: warning: check-shell: `fail-message` reports a failure, but the check has no non-zero exit",
        "broken-track/01-never-fails/check-shell:4: warning: check-shell: `exit 1` is commented out",
        "broken-track/01-never-fails/check-shell:6: warning: check-shell: the check ends in `exit 0`",
        "broken-track/05-counter-typo/check-shell:9: warning: check-shell: `results` is counted here but never read",
    ] {
        assert!(stderr.contains(line), "{line:?} not in:\n{stderr}");
    }
    assert!(
        stdout.contains("0 error(s), 4 warning(s), 1 info"),
        "{stdout}"
    );
}

#[test]
fn windows_line_ends_in_a_script_are_an_error_naming_the_line() {
    let tmp = copy_of("shell-basics");
    let check = tmp.path().join("shell-basics/05-tidy-up/check-shell");
    let text = fs::read_to_string(&check).unwrap();
    fs::write(&check, text.replace('\n', "\r\n")).unwrap();
    let (code, stdout, stderr) = labrun(tmp.path(), &["lint", "shell-basics"]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("shell-basics/05-tidy-up/check-shell:1: error: check-shell has Windows line ends (CR LF)"),
        "{stderr}"
    );
    assert!(stdout.starts_with("shell-basics: 1 error(s)"), "{stdout}");
}

#[test]
fn a_challenge_directory_is_linted_on_its_own() {
    // A bare Instruqt challenge: no config.yml, its hosts from its scripts.
    let tmp = copy_of("shell-basics");
    let (code, stdout, stderr) = labrun(
        &tmp.path().join("shell-basics"),
        &["lint", "02-look-around"],
    );
    assert_eq!((code, stderr.as_str()), (Some(0), ""), "{stdout}");
    assert_eq!(stdout, "02-look-around: 0 error(s), 0 warning(s), 0 info\n");

    // A challenge with a lesson.toml beside it is a labrun lesson: the same
    // mistakes of its declared steps, by the same lines.
    let tmp = lint_findings();
    let (code, stdout, stderr) = labrun(
        &tmp.path().join("lint-findings/03-added-steps"),
        &["lint", "."],
    );
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        [
            "lesson.toml:7: error: step \"greet\": section \"Elsewhere\" is not a heading of the lesson text",
            "lesson.toml:13: error: ${MISSING} is not a declared variable",
        ]
    );
    assert_eq!(stdout, ".: 2 error(s), 0 warning(s), 0 info\n");
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Loading stops at the first broken challenge; lint names every one whose
/// front matter does not parse, then exits 2 as for any lesson error.
#[test]
fn a_track_that_does_not_load_names_every_broken_challenge_text() {
    let tmp = copy_of("shell-basics");
    let track = tmp.path().join("shell-basics");
    edit(
        &track.join("02-look-around/assignment.md"),
        "title: Look around\n",
        "",
    );
    edit(
        &track.join("05-tidy-up/assignment.md"),
        "timelimit: 300",
        "timelimit: soon",
    );
    let (code, stdout, stderr) = labrun(tmp.path(), &["lint", "shell-basics"]);
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert_eq!(stdout, "");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert_eq!(
        lines[0],
        "shell-basics/05-tidy-up/assignment.md:12: error: front matter: invalid u64"
    );
    assert!(
        lines[1].starts_with("labrun: ")
            && lines[1].ends_with(
                "shell-basics/02-look-around/assignment.md:11: front matter: missing field `title`"
            ),
        "{stderr}"
    );
}
