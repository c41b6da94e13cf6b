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
