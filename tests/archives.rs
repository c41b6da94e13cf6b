//! Chart archives are read as `tar` and `gzip -d` read them: to the end of
//! the gzip stream, whose CRC must match, across every gzip member. And a
//! lesson of 10,000 steps loads in linear time. Through the real binary.

use assert_cmd::Command;
use flate2::Compression;
use flate2::write::GzEncoder;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

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

fn run(ws: &Path, args: &[&str]) -> std::process::Output {
    labrun().current_dir(ws).args(args).output().unwrap()
}

/// The uncompressed tar inside a .tgz.
fn inflate(tgz: &[u8]) -> Vec<u8> {
    let mut raw = Vec::new();
    flate2::read::MultiGzDecoder::new(tgz)
        .read_to_end(&mut raw)
        .unwrap();
    raw
}

/// The same tar as two gzip members, as `cat a.gz b.gz` makes.
fn two_members(raw: &[u8]) -> Vec<u8> {
    let (first, second) = raw.split_at(raw.len() / 2);
    let mut out = Vec::new();
    for part in [first, second] {
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        gz.write_all(part).unwrap();
        out.extend(gz.finish().unwrap());
    }
    out
}

/// Flips a byte of the last member's CRC-32 (the trailer's first 4 bytes).
fn corrupt_crc(mut tgz: Vec<u8>) -> Vec<u8> {
    let at = tgz.len() - 8;
    tgz[at] ^= 0xff;
    tgz
}

const PACKAGE: &[&str] = &[
    "helm",
    "package",
    "slackernews",
    "--destination",
    "./release",
];

#[test]
fn a_package_with_a_corrupt_crc_fails_the_package_check() {
    let (_dir, ws) = workspace();
    for step in ["proxy-image", "bump-version", "pull-secret", "package"] {
        assert!(run(&ws, &["solve", "--step", step]).status.success());
    }
    let tgz_path = ws.join("release/slackernews-0.5.0.tgz");
    let good = fs::read(&tgz_path).unwrap();
    assert_eq!(
        run(&ws, &["check", "--step", "package"]).status.code(),
        Some(0)
    );

    // Every member read: the same package as two gzip members still passes.
    fs::write(&tgz_path, two_members(&inflate(&good))).unwrap();
    let out = run(&ws, &["check", "--step", "package"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");

    fs::write(&tgz_path, corrupt_crc(good)).unwrap();
    let out = run(&ws, &["check", "--step", "package"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("release/slackernews-0.5.0.tgz is truncated or corrupt"),
        "{stdout}"
    );
}

/// A subchart archive in charts/: the helm stand-in reads all of its gzip
/// members, and refuses it when its CRC does not match.
#[test]
fn the_helm_stand_in_reads_subchart_archives_whole() {
    let (_dir, ws) = workspace();
    let sub = ws.join("sub");
    fs::create_dir_all(sub.join("templates")).unwrap();
    fs::write(
        sub.join("Chart.yaml"),
        "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
    )
    .unwrap();
    fs::write(sub.join("values.yaml"), "a: 1\n").unwrap();
    fs::write(sub.join("templates/cm.yaml"), "kind: ConfigMap\n").unwrap();
    assert!(
        run(&ws, &["helm", "package", "sub", "-d", "subs"])
            .status
            .success()
    );
    let packed = fs::read(ws.join("subs/sub-0.1.0.tgz")).unwrap();
    let charts = ws.join("slackernews/charts");
    fs::create_dir_all(&charts).unwrap();

    fs::write(charts.join("sub-0.1.0.tgz"), two_members(&inflate(&packed))).unwrap();
    let out = run(&ws, PACKAGE);
    assert!(out.status.success(), "{out:?}");
    let raw = inflate(&fs::read(ws.join("release/slackernews-0.4.1.tgz")).unwrap());
    let names: Vec<String> = tar::Archive::new(raw.as_slice())
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect();
    assert!(
        names.contains(&"slackernews/charts/sub/templates/cm.yaml".to_string()),
        "{names:?}"
    );

    fs::write(charts.join("sub-0.1.0.tgz"), corrupt_crc(packed)).unwrap();
    let out = run(&ws, PACKAGE);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("sub-0.1.0.tgz: error unpacking chart archive"),
        "{stderr}"
    );
}

/// Lint of a 10,000-step lesson finds the one mistake, on the right line.
/// Loading was quadratic (minutes in a debug build); the timeout only keeps
/// a regression from hanging the suite.
#[test]
fn a_lesson_of_ten_thousand_steps_lints_with_the_right_lines() {
    let dir = tempfile::tempdir().unwrap();
    let lesson = dir.path().join("big");
    fs::create_dir(&lesson).unwrap();
    let mut text = String::from("---\nslug: big\ntitle: Big\n---\n");
    for i in 0..1000 {
        text.push_str(&format!("# Section {i}\n\nDo it.\n\n"));
    }
    fs::write(lesson.join("assignment.md"), text).unwrap();
    let mut toml = String::new();
    let steps = 10_000;
    for i in 0..steps {
        let section = if i == steps - 1 {
            "Nowhere"
        } else {
            "Section 7"
        };
        toml.push_str(&format!(
            "[[steps]]\nid = \"s{i}\"\ntitle = \"Step {i}\"\nsection = \"{section}\"\nsolution = \"true\"\n[[steps.checks]]\nkind = \"file_exists\"\nfile = \"f{i}\"\n\n"
        ));
    }
    fs::write(lesson.join("lesson.toml"), &toml).unwrap();
    // Each step takes 9 lines; the last begins on line 9 * 9999 + 1.
    let last_step_line = 9 * (steps - 1) + 1;
    let out = labrun()
        .arg("lint")
        .arg(&lesson)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let findings = String::from_utf8_lossy(&out.stderr);
    assert!(
        findings.contains(&format!(
            "lesson.toml:{last_step_line}: error: step \"s9999\": section \"Nowhere\" is not a heading"
        )),
        "{findings}"
    );
}
