//! Several labrun processes on one workspace at once, as a learner gets with
//! the lab open and `labrun check` or `hint` in its shell (or a script that
//! runs them in parallel): no update of `.labrun/progress.json` is lost.

mod support;

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use serde_json::Value;
use std::io::{Read, Write};
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use support::{labrun, labrun_std, wait_until, workspace};
use tui_term::vt100;

const RUNS: usize = 20;

fn progress(ws: &Path) -> Value {
    labrun()
        .args(["progress", "--format", "json", "-w"])
        .arg(ws)
        .output()
        .map(|out| serde_json::from_slice(&out.stdout).unwrap())
        .unwrap()
}

fn step_field(progress: &Value, id: &str, field: &str) -> u64 {
    progress["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .and_then(|s| s[field].as_u64())
        .unwrap_or(0)
}

/// Runs `labrun ARGS -w WS` RUNS times at once and waits for all of them.
fn in_parallel(ws: &Path, args: &[&str]) {
    let children: Vec<_> = (0..RUNS)
        .map(|_| {
            labrun_std()
                .args(args)
                .arg("-w")
                .arg(ws)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("not recorded"), "{err}");
        assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    }
}

#[test]
fn parallel_checks_each_count_an_attempt() {
    let (_dir, ws) = workspace();
    in_parallel(&ws, &["check"]);
    let progress = progress(&ws);
    for id in [
        "proxy-image",
        "bump-version",
        "pull-secret",
        "package",
        "promote",
    ] {
        assert_eq!(step_field(&progress, id, "attempts"), RUNS as u64, "{id}");
    }
}

#[test]
fn parallel_hints_are_each_counted() {
    let (_dir, ws) = workspace();
    in_parallel(&ws, &["hint", "bump-version"]);
    assert_eq!(
        step_field(&progress(&ws), "bump-version", "hints_shown"),
        RUNS as u64
    );
}

/// The lab in a pseudo-terminal, its screen parsed.
struct Lab {
    screen: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Lab {
    fn start(ws: &Path) -> Lab {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 40,
                cols: 140,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_labrun"));
        cmd.args(["start", "-w"]);
        cmd.arg(ws);
        cmd.env("TERM", "xterm-256color");
        cmd.env("SHELL", "/bin/sh");
        for var in [
            "REPLICATED_API_ORIGIN",
            "REPLICATED_APP",
            "REPLICATED_API_TOKEN",
        ] {
            cmd.env_remove(var);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let screen = Arc::new(Mutex::new(vt100::Parser::new(40, 140, 0)));
        let parser = Arc::clone(&screen);
        std::thread::spawn(move || {
            let _master = pair.master;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                parser.lock().unwrap().process(&buf[..n]);
            }
        });
        Lab {
            screen,
            writer,
            child,
        }
    }

    fn shows(&self, text: &str) -> bool {
        self.screen
            .lock()
            .unwrap()
            .screen()
            .contents()
            .contains(text)
    }

    fn type_keys(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_check_in_the_labs_shell_is_kept_when_the_lab_records() {
    let (_dir, ws) = workspace();
    let mut lab = Lab::start(&ws);
    // The lab checks every step on start and records it (not as attempts).
    wait_until("the lab's first record", || {
        step_field(&progress(&ws), "promote", "attempts") == 0
            && progress(&ws)["steps"]
                .as_array()
                .is_some_and(|s| s.len() == 5)
    });
    let command = format!(
        "{} check >/dev/null; echo checked-$((40+2))\r",
        env!("CARGO_BIN_EXE_labrun")
    );
    lab.type_keys(command.as_bytes());
    wait_until("the check in the lab's shell", || lab.shows("checked-42"));
    assert_eq!(step_field(&progress(&ws), "bump-version", "attempts"), 1);
    // Quitting records where the learner was: on top of the shell's check.
    lab.type_keys(b"\x1dq");
    let status = lab.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let after = progress(&ws);
    for id in ["proxy-image", "bump-version", "package", "promote"] {
        assert_eq!(step_field(&after, id, "attempts"), 1, "{id}: {after}");
    }
    assert!(after["resume"].is_object(), "{after}");
}
