//! `labrun start` end to end: the real binary in a pseudo-terminal, its
//! screen read back through a VT parser, driven by keystrokes like a learner.

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tui_term::vt100;

const WAIT: Duration = Duration::from_secs(30);

struct Lab {
    parser: Arc<Mutex<vt100::Parser>>,
    /// Everything the lab wrote, to see how it left the terminal.
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    exited: mpsc::Receiver<()>,
}

impl Lab {
    fn start(workspace: &Path) -> Lab {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 40,
                cols: 140,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_labrun"));
        cmd.args(["start", "--workspace"]);
        cmd.arg(workspace);
        cmd.env("TERM", "xterm-256color");
        cmd.env("SHELL", "/bin/sh");
        cmd.env_remove("REPLICATED_API_ORIGIN");
        cmd.env_remove("REPLICATED_APP");
        cmd.env_remove("REPLICATED_API_TOKEN");
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(40, 140, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (done_tx, exited) = mpsc::channel();
        let (p, r) = (parser.clone(), raw.clone());
        std::thread::spawn(move || {
            let _master = pair.master;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
            let _ = done_tx.send(());
        });
        Lab {
            parser,
            raw,
            writer,
            child,
            exited,
        }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) {
        let start = Instant::now();
        while start.elapsed() < WAIT {
            if pred(&self.screen()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("timed out waiting for {what}; screen:\n{}", self.screen());
    }

    fn type_keys(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }

    fn wait_exit(&mut self) {
        let status = self.child.wait().unwrap();
        assert!(status.success(), "labrun exited with {status:?}");
        let _ = self.exited.recv_timeout(Duration::from_secs(5));
    }

    fn assert_terminal_restored(&self) {
        let raw = self.raw.lock().unwrap();
        let text = String::from_utf8_lossy(&raw);
        let entered = text
            .rfind("\x1b[?1049h")
            .expect("entered the alternate screen");
        let left = text
            .rfind("\x1b[?1049l")
            .expect("left the alternate screen");
        assert!(left > entered);
        assert!(
            text.rfind("\x1b[?1000l").is_some() || text.rfind("\x1b[?1006l").is_some(),
            "mouse capture off"
        );
        assert!(text.rfind("\x1b[?2004l").is_some(), "bracketed paste off");
        assert!(!self.parser.lock().unwrap().screen().alternate_screen());
    }
}

fn workspace() -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("lab");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_labrun"))
        .arg("init")
        .arg(&ws)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ws.join(".labrun/workspace.json")).unwrap())
            .unwrap();
    let app = state["vars"]["REPLICATED_APP"]
        .as_str()
        .unwrap()
        .to_string();
    (dir, ws, app)
}

#[test]
fn a_learner_types_in_the_shell_and_a_step_turns_green() {
    let (_tmp, ws, app) = workspace();
    let mut lab = Lab::start(&ws);
    lab.wait_for("the lesson title", |s| {
        s.contains("Proxying Private Images")
    });
    // Ctrl-] to the lab, `n` `n` to the second code block: the proxied image with the slug.
    lab.type_keys(b"\x1dnn");
    lab.wait_for("the app slug filled in", |s| {
        s.contains(&format!("proxy/{app}/ghcr.io"))
    });
    lab.type_keys(b"\t");

    lab.type_keys(b"echo labrun-$((6*7))\r");
    lab.wait_for("the shell's answer", |s| s.contains("labrun-42"));

    // Fix values.yaml from the shell; the step turns green without a key press.
    let sed = format!(
        "sed -i 's|repository: ghcr.io/slackernews/slackernews-web|repository: proxy.replicated.com/proxy/{app}/ghcr.io/slackernews/slackernews-web|' slackernews/values.yaml\r"
    );
    lab.type_keys(sed.as_bytes());
    lab.wait_for("proxy-image passing", |s| {
        s.lines()
            .any(|l| l.contains("✓") && l.contains("Pull the Slackernews image"))
    });

    // A background job must not outlive the lab (a duration unique to this run).
    let job = format!("{}", 40_000 + std::process::id() % 20_000);
    lab.type_keys(format!("sleep {job} &\r").as_bytes());
    lab.wait_for("the background job", |s| {
        s.contains(&format!("sleep {job} &"))
    });
    std::thread::sleep(Duration::from_millis(300));
    assert!(sleeping(&job), "the job started");

    lab.type_keys(b"\x1d"); // Ctrl-]: back to the lab
    lab.type_keys(b"q");
    lab.wait_exit();
    lab.assert_terminal_restored();
    let start = Instant::now();
    while sleeping(&job) && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!sleeping(&job), "the shell's job was left running");
}

fn sleeping(arg: &str) -> bool {
    std::process::Command::new("pgrep")
        .args(["-f", &format!("^sleep {arg}$")])
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn sigterm_restores_the_terminal() {
    let (_tmp, ws, _) = workspace();
    let mut lab = Lab::start(&ws);
    lab.wait_for("the lesson title", |s| {
        s.contains("Proxying Private Images")
    });
    let pid = lab.child.process_id().unwrap() as i32;
    // SAFETY: kill(2) on the child we started.
    unsafe {
        libc::kill(pid, libc::SIGTERM);
    }
    lab.wait_exit();
    lab.assert_terminal_restored();
}

#[test]
fn floods_and_binary_output_leave_the_lab_responsive() {
    let (_tmp, ws, _) = workspace();
    let mut lab = Lab::start(&ws);
    lab.wait_for("the lesson title", |s| {
        s.contains("Proxying Private Images")
    });
    // Random bytes (escape sequences, invalid UTF-8), then a flood of lines.
    lab.type_keys(b"head -c 300000 /dev/urandom; yes labrun-flood | head -n 200000; clear; echo still-$((40+2))\r");
    lab.wait_for("the shell after the flood", |s| s.contains("still-42"));
    lab.type_keys(b"\x1dq");
    lab.wait_exit();
    lab.assert_terminal_restored();
}
