//! Instructors' reports on a class directory: exported records (one
//! committed, others exported from real workspaces or made here), a workspace
//! made and checked by the real binary, and files that are not records.

use labrun::checks::Status;
use labrun::lesson::Lesson;
use labrun::progress::{Condition, Progress, StepProgress};
use labrun::report::{self, Record, SkipReason};
use labrun::workspace;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const STEPS: [&str; 5] = [
    "proxy-image",
    "bump-version",
    "pull-secret",
    "package",
    "promote",
];

fn labrun(args: &[&str], dir: &Path) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_labrun"));
    // Tests must not depend on the developer's environment.
    for var in [
        "REPLICATED_APP",
        "REPLICATED_API_TOKEN",
        "USERNAME",
        "PASSWORD",
        "NO_COLOR",
    ] {
        cmd.env_remove(var);
    }
    cmd.args(args).arg(dir).output().unwrap()
}

/// The real binary run as the OS user `user`.
fn labrun_as(user: &str, args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_labrun"))
        .args(args)
        .env("USER", user)
        .env_remove("USERNAME")
        .env_remove("REPLICATED_API_TOKEN")
        .env_remove("PASSWORD")
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

fn init(dir: &Path) {
    let out = labrun(&["init"], dir);
    assert!(out.status.success(), "{out:?}");
}

/// A workspace of the bundled lesson, checked once (every step fails).
fn init_and_check(dir: &Path) {
    init(dir);
    let out = labrun(&["check", "-w"], dir);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
}

/// The secret values saved in a workspace.
fn secrets(ws: &Path) -> Vec<String> {
    let text = fs::read_to_string(ws.join(".labrun/workspace.json")).unwrap();
    let state: serde_json::Value = serde_json::from_str(&text).unwrap();
    ["REPLICATED_API_TOKEN", "PASSWORD"]
        .iter()
        .map(|name| state["vars"][name].as_str().unwrap().to_string())
        .inspect(|value| assert!(value.len() >= 16, "{value}"))
        .collect()
}

/// Puts `text` into the name of a condition of the workspace's last check,
/// as a check naming a variable's value would.
fn leak_into_progress(ws: &Path, text: &str) {
    let path = ws.join(".labrun/progress.json");
    let mut progress = Progress::load(&path, "").unwrap();
    progress.steps[4].conditions.push(Condition {
        name: format!("token {text} is accepted"),
        status: Status::Fail,
    });
    progress.save(&path).unwrap();
}

fn export(ws: &Path, learner: &str) -> Record {
    let workspace = workspace::open(ws).unwrap();
    let lesson = Lesson::load(&workspace.state.lesson.dir).unwrap();
    report::export(&workspace, &lesson, Some(learner)).unwrap()
}

/// Bob passed the first step in 5 minutes and is stuck at the second.
fn bob() -> Record {
    let steps = STEPS
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let passed = i == 0;
            StepProgress {
                challenge: None,
                id: id.to_string(),
                title: format!("Step {id}"),
                status: Some(if passed { Status::Pass } else { Status::Fail }),
                attempts: 4,
                first_checked_at: Some("2026-01-05T09:00:00Z".into()),
                first_passed_at: passed.then(|| "2026-01-05T09:05:00Z".into()),
                seconds_to_pass: passed.then_some(300),
                seconds_spent: if passed { 300 } else { 1800 },
                last_checked_at: Some("2026-01-05T09:30:00Z".into()),
                hints_shown: 0,
                conditions: vec![Condition {
                    name: match i {
                        1 => "Chart.yaml version is 0.5.0".into(),
                        _ => format!("{id} is done"),
                    },
                    status: if passed { Status::Pass } else { Status::Fail },
                }],
            }
        })
        .collect();
    Record {
        schema: report::RECORD_SCHEMA,
        kind: report::RECORD_KIND.into(),
        learner: "bob".into(),
        lesson: "proxying-private-images".into(),
        exported_at: "2026-01-05T10:00:00Z".into(),
        workspace_id: None,
        progress: Progress {
            schema: 1,
            lesson: "proxying-private-images".into(),
            started_at: Some("2026-01-05T09:00:00Z".into()),
            steps,
            challenges: Vec::new(),
            track_setup_done: false,
            resume: None,
        },
    }
}

/// alice (committed, done), bob (stuck at bump-version), carol (exported, not
/// started), the workspace ws-zoe (checked once: stuck at the first step), a
/// corrupt file, a foreign JSON file, a damaged workspace and a text file.
fn class(root: &Path) -> PathBuf {
    let class = root.join("class");
    fs::create_dir(&class).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/class/alice.json");
    fs::copy(fixture, class.join("alice.json")).unwrap();
    bob().save(&class.join("bob.json")).unwrap();
    let carol_ws = root.join("carol-ws");
    init(&carol_ws);
    export(&carol_ws, "carol")
        .save(&class.join("carol.json"))
        .unwrap();
    let zoe = class.join("ws-zoe");
    init_and_check(&zoe);
    leak_into_progress(&zoe, &secrets(&zoe)[0]);
    fs::write(class.join("bad.json"), "{not json").unwrap();
    fs::write(class.join("foreign.json"), r#"{"hello":1}"#).unwrap();
    fs::create_dir_all(class.join("broken-ws/.labrun")).unwrap();
    fs::write(class.join("broken-ws/.labrun/workspace.json"), "{").unwrap();
    fs::write(class.join("notes.txt"), "not a record, not .json: ignored").unwrap();
    class
}

#[test]
fn a_class_directory_is_reported_and_what_is_not_a_record_is_named() {
    let root = tempfile::tempdir().unwrap();
    let class = class(root.path());
    // The workspace ws-zoe is its owner's: the OS user, as an export names them.
    let out = labrun_as("zoe", &["report".as_ref(), class.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "\
proxying-private-images — 4 learners, 1 finished

LEARNER  proxy-image  bump-version  pull-secret  package  promote  PASSED
alice    ✓ 12m        ✓ 3m          ✓ 45s        ✓ 1h05m  ✓ 10m    5/5
bob      ✓ 5m         ✗ 4           ✗ 4          ✗ 4      ✗ 4      1/5
carol    ·            ·             ·            ·        ·        0/5
zoe      ✗ 1          ✗ 1           ✗ 1          ✗ 1      ✗ 1      0/5
passed   2/4          1/4           1/4          1/4      1/4
median   8m           3m            45s          1h05m    10m

Stuck:
  proxy-image: zoe (✗ 1)
    most often failing: “images.slackernews.repository uses the proxy registry” (1 of 1)
  bump-version: bob (✗ 4)
    most often failing: “Chart.yaml version is 0.5.0” (2 of 2)
"
    );

    let class_path = |name: &str| class.join(name).display().to_string();
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "\
warning: skipped {}: not valid JSON: key must be a string at line 1 column 2
warning: skipped {}: damaged workspace state (line 1): EOF while parsing an object at line 1 column 1
warning: skipped {}: not a labrun progress record (no \"kind\": \"labrun-progress\"); make one with `labrun progress export`
",
            class_path("bad.json"),
            class_path("broken-ws/.labrun/workspace.json"),
            class_path("foreign.json"),
        )
    );
}

#[test]
fn paths_may_be_files_workspaces_or_missing_and_each_is_read_once() {
    let root = tempfile::tempdir().unwrap();
    let class = class(root.path());
    let loaded = report::load(&[
        class.join("alice.json"),
        class.join("ws-zoe"),
        class.clone(),
        root.path().join("nowhere.json"),
    ]);
    let names: Vec<&str> = loaded.records.iter().map(|r| r.learner.as_str()).collect();
    assert_eq!(names, ["alice", &report::os_user(), "bob", "carol"]);
    let skipped: Vec<String> = loaded
        .skipped
        .iter()
        .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        skipped,
        ["bad.json", "workspace.json", "foreign.json", "nowhere.json"]
    );
    assert!(matches!(loaded.skipped[3].1, SkipReason::Missing));
    assert_eq!(loaded.skipped[3].1.to_string(), "does not exist");

    let empty = root.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let loaded = report::load(std::slice::from_ref(&empty));
    assert!(loaded.records.is_empty());
    assert!(matches!(loaded.skipped[0].1, SkipReason::NothingHere));
    // Nothing to report is a usage error, said after the skipped path.
    let out = labrun(&["report"], &empty);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.ends_with("labrun: no progress records or workspaces found in the given paths\n"),
        "{stderr}"
    );
}

#[test]
fn no_secret_is_exported_or_reported() {
    let root = tempfile::tempdir().unwrap();
    let ws = root.path().join("dan-ws");
    init_and_check(&ws);
    let secrets = secrets(&ws);
    leak_into_progress(&ws, &secrets[0]);

    let record = export(&ws, &format!("dan {}", secrets[1]));
    let json = record.to_json();
    for secret in &secrets {
        assert!(!json.contains(secret.as_str()), "{json}");
    }
    assert!(json.contains("token [hidden] is accepted"), "{json}");
    assert_eq!(record.learner, "dan [hidden]");
    assert_eq!(record.kind, "labrun-progress");
    assert_eq!(record.schema, report::RECORD_SCHEMA);
    let ids: Vec<&str> = record
        .progress
        .steps
        .iter()
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(ids, STEPS);
    // No variable values at all, not even non-secret ones.
    let state: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(ws.join(".labrun/workspace.json")).unwrap())
            .unwrap();
    for (_, value) in state["vars"].as_object().unwrap() {
        assert!(!json.contains(value.as_str().unwrap()), "{value}");
    }
    // What is written reads back as it was.
    let file = root.path().join("dan.json");
    record.save(&file).unwrap();
    let loaded = report::load(&[file]);
    assert!(loaded.skipped.is_empty(), "{:?}", loaded.skipped);
    assert_eq!(loaded.records[0], record);

    // A workspace reported directly is redacted the same way.
    let direct = report::load(std::slice::from_ref(&ws));
    let class = report::build(&[loaded.records, direct.records].concat());
    for text in [
        report::render_human(&class, labrun::output::Painter::COLOR),
        report::render_markdown(&class),
        report::render_csv(&class),
        report::render_json(&class),
    ] {
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()), "{text}");
        }
    }
    assert!(report::render_csv(&class).contains("token [hidden] is accepted"));
}

/// Runs the real binary; a run still going after a generous deadline is a
/// hang (it is killed and the test fails) rather than a stuck test suite.
fn labrun_or_hang(args: &[&std::ffi::OsStr]) -> Output {
    use std::process::Stdio;
    use wait_timeout::ChildExt;
    let mut child = Command::new(env!("CARGO_BIN_EXE_labrun"))
        .args(args)
        .env_remove("REPLICATED_API_TOKEN")
        .env_remove("PASSWORD")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Duration::from_secs(120);
    if child.wait_timeout(deadline).unwrap().is_none() {
        let _ = child.kill();
        let _ = child.wait();
        panic!("labrun {args:?} hung");
    }
    child.wait_with_output().unwrap()
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: mkfifo with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_device_among_records_is_skipped_with_the_reason() {
    let root = tempfile::tempdir().unwrap();
    let class = root.path().join("class");
    fs::create_dir(&class).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/class/alice.json");
    fs::copy(fixture, class.join("alice.json")).unwrap();
    mkfifo(&class.join("pipe.json"));
    std::os::unix::fs::symlink("/dev/zero", class.join("zero.json")).unwrap();

    let out = labrun_or_hang(&["report".as_ref(), class.as_os_str()]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("alice"), "{stdout}");
    let skipped = |name: &str, why: &str| {
        format!(
            "warning: skipped {}: not a regular file ({why})\n",
            class.join(name).display()
        )
    };
    assert!(stderr.contains(&skipped("pipe.json", "a FIFO")), "{stderr}");
    assert!(
        stderr.contains(&skipped("zero.json", "a character device")),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn progress_export_refuses_a_fifo_progress_file() {
    let root = tempfile::tempdir().unwrap();
    let ws = root.path().join("lab");
    init(&ws);
    let progress = ws.join(".labrun/progress.json");
    let _ = fs::remove_file(&progress);
    mkfifo(&progress);
    let out = labrun_or_hang(&[
        "progress".as_ref(),
        "export".as_ref(),
        "-w".as_ref(),
        ws.as_os_str(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{} is not a regular file (a FIFO)",
            progress.display()
        )),
        "{stderr}"
    );
}

#[test]
fn a_workspace_and_its_export_are_one_learner_named_as_the_os_user() {
    let root = tempfile::tempdir().unwrap();
    let class = root.path().join("class");
    let ws = class.join("lab");
    init_and_check(&ws);
    let export = class.join("dana.json");
    let out = labrun_as(
        "dana",
        &[
            "progress".as_ref(),
            "export".as_ref(),
            "--learner".as_ref(),
            "Dana Q".as_ref(),
            "-o".as_ref(),
            export.as_os_str(),
            "-w".as_ref(),
            ws.as_os_str(),
        ],
    );
    assert!(out.status.success(), "{out:?}");
    // The workspace moves on after the export.
    init_and_check(&ws);

    let out = labrun_as("dana", &["report".as_ref(), class.as_os_str()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1 learner, 0 finished"), "{stdout}");
    // Under the name given at export, with the workspace's newer progress.
    assert!(stdout.contains("\nDana Q   ✗ 2          ✗ 2"), "{stdout}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "warning: skipped {}: the same workspace as {}, which is reported instead (its progress is the most recent)\n",
            export.display(),
            ws.display()
        )
    );

    // Read alone, the workspace is the OS user's, not its directory's.
    let out = labrun_as("dana", &["report".as_ref(), ws.as_os_str()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("\ndana     ✗ 2"), "{stdout}");
}

#[test]
fn learner_names_cannot_inject_formulas_or_misalign_tables() {
    let root = tempfile::tempdir().unwrap();
    let class = root.path().join("class");
    fs::create_dir(&class).unwrap();
    for (dir, learner) in [("ws-1", "张伟"), ("ws-2", "=HYPERLINK(\"http://x\",\"y\")")] {
        let ws = root.path().join(dir);
        init(&ws);
        let file = class.join(format!("{dir}.json"));
        let out = labrun_as(
            "someone",
            &[
                "progress".as_ref(),
                "export".as_ref(),
                "--learner".as_ref(),
                learner.as_ref(),
                "-o".as_ref(),
                file.as_os_str(),
                "-w".as_ref(),
                ws.as_os_str(),
            ],
        );
        assert!(out.status.success(), "{out:?}");
    }
    let report = |format: &str| {
        let out = labrun_as(
            "someone",
            &[
                "report".as_ref(),
                "--format".as_ref(),
                format.as_ref(),
                class.as_os_str(),
            ],
        );
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };

    let csv = report("csv");
    for line in csv.lines().skip(1) {
        let learner = line.split(',').nth(1).unwrap();
        assert!(
            !learner
                .trim_start_matches('"')
                .starts_with(['=', '+', '-', '@']),
            "{line}"
        );
    }
    assert!(
        csv.contains(",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","),
        "{csv}"
    );

    // Every row's first step column starts where the header's does.
    let human = report("human");
    let column = |line: &str| {
        let at = line.find(['·', '✗', '✓']).unwrap();
        unicode_width::UnicodeWidthStr::width(&line[..at])
    };
    let header = human.lines().find(|l| l.starts_with("LEARNER")).unwrap();
    let expected = unicode_width::UnicodeWidthStr::width(&header[..header.find("proxy").unwrap()]);
    let rows: Vec<&str> = human
        .lines()
        .filter(|l| l.starts_with("张伟") || l.starts_with("=HYPER"))
        .collect();
    assert_eq!(rows.len(), 2, "{human}");
    for row in rows {
        assert_eq!(column(row), expected, "{human}");
    }
}
