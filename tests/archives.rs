//! Chart archives are read as `tar` and `gzip -d` read them: to the end of
//! the gzip stream, whose CRC must match, across every gzip member; and by
//! one reader, so the package check, the `replicated` and `helm` stand-ins
//! and the local Vendor API refuse the same packages for the same reason.
//! And a lesson of 10,000 steps loads in linear time. Through the real binary.

mod support;

use std::ffi::OsStr;
use std::fs;
use std::path::Path;
use std::time::Duration;
use support::chart::{Tar, gzip_members, inflate, with_bad_crc};
use support::{SandboxProcess, labrun, labrun_std, workspace};

fn run(ws: &Path, args: &[&str]) -> std::process::Output {
    labrun().current_dir(ws).args(args).output().unwrap()
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
    fs::write(&tgz_path, gzip_members(&inflate(&good), 2)).unwrap();
    let out = run(&ws, &["check", "--step", "package"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");

    fs::write(&tgz_path, with_bad_crc(good)).unwrap();
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

    fs::write(
        charts.join("sub-0.1.0.tgz"),
        gzip_members(&inflate(&packed), 2),
    )
    .unwrap();
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

    fs::write(charts.join("sub-0.1.0.tgz"), with_bad_crc(packed)).unwrap();
    let out = run(&ws, PACKAGE);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("sub-0.1.0.tgz: error unpacking chart archive"),
        "{stderr}"
    );
}

const CHART_YAML: &[u8] = b"apiVersion: v2\nname: slackernews\nversion: 0.5.0\n";

/// Packages that once split the readers, each with the reason all now give.
/// Before one chart reader: the `replicated` stand-in and `helm` skipped a
/// link leading out of the chart and a FIFO, and the local API stored the
/// FIFO; the local API and `helm` took two top directories; the package
/// check and the local API took a file over Helm's 5 MiB limit; and only
/// `helm` held Chart.yaml to Helm's rules (a version `1.0`).
fn hostile_packages() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let chart = || Tar::new().file("slackernews/Chart.yaml", CHART_YAML);
    vec![
        (
            "a link out of the chart",
            chart()
                .symlink("slackernews/templates/x.yaml", "/etc/passwd")
                .tgz(),
            "holds slackernews/templates/x.yaml, a link to \"/etc/passwd\", which leads out of the archive",
        ),
        (
            "a FIFO",
            chart()
                .special("slackernews/pipe", tar::EntryType::Fifo)
                .tgz(),
            "holds slackernews/pipe, which is not a regular file (a FIFO)",
        ),
        (
            "two top directories",
            chart().file("other/values.yaml", b"a: 1\n").tgz(),
            "has 2 top-level entries (other, slackernews)",
        ),
        (
            "a file over 5 MiB",
            chart()
                .file("slackernews/big.bin", &vec![b'x'; (5 << 20) + 1])
                .tgz(),
            "holds slackernews/big.bin, which inflates to more than 5 MiB",
        ),
        (
            "a version that is not SemVer 2",
            Tar::new()
                .file(
                    "slackernews/Chart.yaml",
                    b"apiVersion: v2\nname: slackernews\nversion: \"1.0\"\n",
                )
                .tgz(),
            "chart.metadata.version \"1.0\" is invalid",
        ),
    ]
}

#[test]
fn every_reader_refuses_the_same_packages_for_the_same_reason() {
    let (_dir, ws) = workspace();
    let sandbox = SandboxProcess::start(&[OsStr::new("-w"), ws.as_os_str()]);
    let env = sandbox.env();
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    let (origin, token, app) = (
        sandbox.export("REPLICATED_API_ORIGIN"),
        sandbox.export("REPLICATED_API_TOKEN"),
        sandbox.export("REPLICATED_APP"),
    );
    let package = ws.join("release/slackernews-0.5.0.tgz");
    let subchart = ws.join("slackernews/charts/hostile-0.1.0.tgz");
    fs::create_dir_all(package.parent().unwrap()).unwrap();
    fs::create_dir_all(subchart.parent().unwrap()).unwrap();
    for (case, bytes, reason) in hostile_packages() {
        fs::write(&package, &bytes).unwrap();
        // The package check reads archives, not Chart.yaml (its inner checks do).
        if !case.contains("SemVer") {
            let out = run(&ws, &["check", "--step", "package"]);
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert_eq!(out.status.code(), Some(1), "{case}: {stdout}");
            assert!(stdout.contains(reason), "{case}: package check: {stdout}");
        }

        let out = labrun_std()
            .current_dir(&ws)
            .args([
                "replicated",
                "release",
                "create",
                "--chart",
                "release/slackernews-0.5.0.tgz",
            ])
            .envs(env.iter().map(|(k, v)| (k, v)))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{case}: {stderr}");
        assert!(stderr.contains(reason), "{case}: replicated: {stderr}");

        let spec_gzip =
            labrun::vendor_api::spec::encode_chart_spec("slackernews-0.5.0.tgz", &bytes);
        let response = http
            .post(format!("{origin}/v3/app/{app}/release"))
            .header("Authorization", &token)
            .json(&serde_json::json!({ "spec_gzip": spec_gzip }))
            .send()
            .unwrap();
        assert_eq!(response.status().as_u16(), 400, "{case}");
        let body: serde_json::Value = response.json().unwrap();
        let message = body["message"].as_str().unwrap_or_default();
        assert!(message.contains(reason), "{case}: local API: {message}");

        fs::write(&subchart, &bytes).unwrap();
        let out = run(&ws, &["helm", "package", "slackernews", "-d", "out"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{case}: {stderr}");
        assert!(stderr.contains(reason), "{case}: helm: {stderr}");
        fs::remove_file(&subchart).unwrap();
    }
    // Nothing was stored: the lesson's four seeded releases only.
    let out = labrun_std()
        .args(["replicated", "release", "ls"])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(listed.lines().count(), 5, "{listed}");
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
