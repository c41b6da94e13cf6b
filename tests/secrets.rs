//! Secrets as a local attacker or a log reader meets them: never in another
//! process's command line, never in any output of the real binary.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Long enough for a loaded machine; reaching it means something hung.
const DEADLINE: Duration = Duration::from_secs(60);

fn labrun() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_labrun"));
    // Tests must not depend on the developer's environment.
    for var in [
        "REPLICATED_APP",
        "REPLICATED_API_TOKEN",
        "REPLICATED_API_ORIGIN",
        "USERNAME",
        "PASSWORD",
        "TOKEN",
        "APP",
        "NO_COLOR",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// A lesson in `dir` with the given `lesson.toml` and a one-heading text.
fn lesson(dir: &Path, manifest: &str) -> PathBuf {
    let lesson = dir.join("lesson");
    fs::create_dir_all(&lesson).unwrap();
    fs::write(
        lesson.join("assignment.md"),
        "---\nslug: secrets\ntitle: Secrets\n---\n# Do it\n",
    )
    .unwrap();
    fs::write(lesson.join("lesson.toml"), manifest).unwrap();
    lesson
}

fn init(lesson: &Path, ws: &Path) {
    let out = labrun().arg("init").arg(lesson).arg(ws).output().unwrap();
    assert!(out.status.success(), "{out:?}");
}

/// A value `init` made for the workspace.
fn saved_value(ws: &Path, name: &str) -> String {
    let text = fs::read_to_string(ws.join(".labrun/workspace.json")).unwrap();
    let state: serde_json::Value = serde_json::from_str(&text).unwrap();
    state["vars"][name].as_str().unwrap().to_string()
}

/// Every process below `root`, with its command line (arguments joined by spaces).
#[cfg(target_os = "linux")]
fn descendants(root: u32) -> Vec<(u32, String)> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        // `pid (comm) state ppid …`; comm may hold spaces and parentheses.
        let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let Some(after) = stat.rfind(')').map(|at| &stat[at + 1..]) else {
            continue;
        };
        if let Some(ppid) = after.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
            parents.push((pid, ppid));
        }
    }
    let mut found: Vec<u32> = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(parents.iter().filter(|(_, p)| *p == parent).map(|(c, _)| c));
        i += 1;
    }
    found
        .into_iter()
        .skip(1)
        .filter_map(|pid| {
            let bytes = fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            let args: Vec<String> = bytes
                .split(|b| *b == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            Some((pid, args.join(" ")))
        })
        .collect()
}

#[cfg(target_os = "linux")]
#[test]
fn a_command_check_never_puts_a_variable_in_a_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    // The check waits for `release` to appear, so the test can look at it
    // while it runs; single quotes and double quotes both get the value.
    let lesson = lesson(
        tmp.path(),
        r#"
[[variables]]
name = "REPLICATED_API_TOKEN"
generate = "{token}"
secret = true

[[steps]]
id = "wait"
title = "Wait"
section = "Do it"
solution = "touch release"
[[steps.checks]]
kind = "command"
run = '''test '${REPLICATED_API_TOKEN}' = "$REPLICATED_API_TOKEN" && test -n "${REPLICATED_API_TOKEN}" && while [ ! -e release ]; do sleep 0.05; done'''
"#,
    );
    let ws = tmp.path().join("lab");
    init(&lesson, &ws);
    let token = saved_value(&ws, "REPLICATED_API_TOKEN");

    let check = labrun()
        .args(["check", "-w"])
        .arg(&ws)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let running = loop {
        let running = descendants(check.id());
        if running.iter().any(|(_, l)| l.starts_with("sh -c ")) {
            break running;
        }
        if started.elapsed() > DEADLINE {
            break running;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    // Let the check end before asserting, so no process outlives the test.
    fs::write(ws.join("release"), "").unwrap();
    let out = check.wait_with_output().unwrap();

    let script = running.iter().find(|(_, l)| l.starts_with("sh -c "));
    let (_, script) = script.unwrap_or_else(|| panic!("no check command seen: {running:?}"));
    for (pid, line) in &running {
        assert!(
            !line.contains(&token),
            "process {pid} shows the token: {line}"
        );
    }
    assert!(script.contains("${REPLICATED_API_TOKEN}"), "{script}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    // It passed: the shell read the value from its environment.
    assert_eq!(out.status.code(), Some(0), "{stdout}{out:?}");
    assert!(!stdout.contains(&token), "{stdout}");
}

/// Secrets of each awkward shape, each with a core no output may show.
const SHAPES: [(&str, &str); 3] = [
    // quotes (escaped by `{:?}` and JSON) and a combining mark (escaped by `{:?}`)
    ("it's \"qu0ted\"-zx\u{301}k", "qu0ted"),
    // regular-expression metacharacters (escaped in a pattern a check shows)
    ("p@ss.w0rd+x(1)", "w0rd"),
    // runs of spaces (collapsed by the text comparison)
    ("spaced   s3cret   words", "s3cret"),
];

const AWKWARD: &str = r#"
[[variables]]
name = "PASSWORD"
description = "A password"
secret = true

[[variables]]
name = "APP"
description = "An app"
default = "app"

[[steps]]
id = "pw"
title = "Set the password"
section = "Do it"
hint = "The password is ${PASSWORD}; the app is [${APP}]."
# Says the password (collapsed, quoted) and does not do the work: `labrun test` shows why.
solution = '''
printf 'pw: %s\n' "$PASSWORD" | tr -s ' '
printf '%s\n' "$PASSWORD" | sed 's/"/\\"/g'
printf 'password: wrong\n' > values.yaml
'''

[[steps.checks]]
name = "the password is set"
kind = "yaml"
file = "values.yaml"
key = "password"
equals = "${PASSWORD}"

[[steps.checks]]
name = "the password matches"
kind = "yaml"
file = "values.yaml"
key = "password"
matches = "^${PASSWORD}$"

[[steps.checks]]
name = "the notes say it"
kind = "text"
file = "notes.txt"
expected = "pw: ${PASSWORD}"
"#;

/// Every shape `secret` could take in output: as written or collapsed,
/// regex-escaped or not, `{:?}`-escaped or not, then JSON- or XML-escaped.
fn renderings(secret: &str) -> Vec<String> {
    let inner = |quoted: String| quoted[1..quoted.len() - 1].to_string();
    let collapsed = secret.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut all = Vec::new();
    for text in [secret.to_string(), collapsed] {
        for text in [regex::escape(&text), text] {
            for text in [inner(format!("{text:?}")), text] {
                all.push(inner(serde_json::to_string(&text).unwrap()));
                all.push(
                    text.replace('&', "&amp;")
                        .replace('"', "&quot;")
                        .replace('\'', "&apos;"),
                );
                all.push(text);
            }
        }
    }
    all
}

fn assert_hidden(what: &str, output: &str, secret: &str, core: &str) {
    for form in renderings(secret) {
        assert!(!output.contains(&form), "{what} shows {form:?}:\n{output}");
    }
    assert!(!output.contains(core), "{what} shows {core:?}:\n{output}");
}

/// The lesson with starting files the checks fail on.
fn awkward_lesson(dir: &Path) -> PathBuf {
    let lesson = lesson(dir, AWKWARD);
    fs::create_dir_all(lesson.join("files")).unwrap();
    fs::write(lesson.join("files/values.yaml"), "password: nope\n").unwrap();
    fs::write(lesson.join("files/notes.txt"), "pw: nope\n").unwrap();
    lesson
}

/// Runs labrun with PASSWORD set; stdout and stderr together.
fn with_password(password: &str, args: &[&std::ffi::OsStr]) -> (Option<i32>, String) {
    let out = labrun()
        .env("PASSWORD", password)
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[test]
fn no_output_shows_a_secret_in_any_shape() {
    for (secret, core) in SHAPES {
        let tmp = tempfile::tempdir().unwrap();
        let lesson = awkward_lesson(tmp.path());
        let ws = tmp.path().join("lab");
        init(&lesson, &ws);
        let w = ws.as_os_str();
        let run = |args: &[&std::ffi::OsStr], code: i32| {
            let (status, text) = with_password(secret, args);
            assert_eq!(status, Some(code), "{args:?}: {text}");
            text
        };

        for format in ["human", "json", "junit"] {
            let out = run(
                &[
                    "check".as_ref(),
                    "--format".as_ref(),
                    format.as_ref(),
                    "-w".as_ref(),
                    w,
                ],
                1,
            );
            // The checks did quote the password, hidden.
            assert!(out.contains("[hidden]"), "check {format}: {out}");
            assert_hidden(&format!("check --format {format}"), &out, secret, core);
        }
        let app = format!("APP=x {secret}");
        let out = run(
            &[
                "show".as_ref(),
                "--var".as_ref(),
                app.as_ref(),
                "-w".as_ref(),
                w,
            ],
            0,
        );
        assert_hidden("show", &out, secret, core);
        let out = run(&["hint".as_ref(), "pw".as_ref(), "-w".as_ref(), w], 0);
        assert_hidden("hint", &out, secret, core);

        let learner = format!("learner {secret}");
        let record = tmp.path().join("record.json");
        let out = run(
            &[
                "progress".as_ref(),
                "export".as_ref(),
                "--learner".as_ref(),
                learner.as_ref(),
                "-w".as_ref(),
                w,
            ],
            0,
        );
        assert_hidden("progress export", &out, secret, core);
        fs::write(&record, out).unwrap();
        for format in ["human", "csv", "json"] {
            for path in [record.as_os_str(), w] {
                let out = run(
                    &[
                        "report".as_ref(),
                        "--format".as_ref(),
                        format.as_ref(),
                        path,
                    ],
                    0,
                );
                assert_hidden(&format!("report {format}"), &out, secret, core);
            }
        }

        let junit = tmp.path().join("junit.xml");
        let out = run(
            &[
                "test".as_ref(),
                lesson.as_os_str(),
                "--junit".as_ref(),
                junit.as_os_str(),
            ],
            1,
        );
        assert!(out.contains("does not pass after its solution"), "{out}");
        assert_hidden("labrun test", &out, secret, core);
        assert_hidden(
            "labrun test --junit",
            &fs::read_to_string(&junit).unwrap(),
            secret,
            core,
        );
    }
}

#[test]
fn an_error_message_hides_the_token_it_quotes() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("lab");
    let out = labrun().arg("init").arg(&ws).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    for (secret, core) in SHAPES {
        let out = labrun()
            .args(["check", "-w"])
            .arg(&ws)
            .env("REPLICATED_API_TOKEN", secret)
            .env("REPLICATED_API_ORIGIN", format!("x {secret}"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("REPLICATED_API_ORIGIN"), "{stderr}");
        assert!(stderr.contains("[hidden]"), "{stderr}");
        assert_hidden("the error", &stderr, secret, core);
    }
}

#[test]
fn a_secret_too_short_to_hide_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let lesson = awkward_lesson(tmp.path());
    let ws = tmp.path().join("lab");
    init(&lesson, &ws);
    let (status, out) = with_password("pw1", &["check".as_ref(), "-w".as_ref(), ws.as_os_str()]);
    assert_eq!(status, Some(2), "{out}");
    assert!(
        out.contains("secret variable PASSWORD (from the environment) has 3 characters"),
        "{out}"
    );
    assert!(out.contains("at least 8 characters"), "{out}");
    // `labrun test` says so instead of testing with it.
    let (status, out) = with_password("pw1", &["test".as_ref(), lesson.as_os_str()]);
    assert_eq!(status, Some(1), "{out}");
    assert!(out.contains("has 3 characters"), "{out}");
}
