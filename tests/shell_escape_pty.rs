//! Hostile output in the shell pane, end to end: `labrun start` in a
//! pseudo-terminal, a program in its shell printing escape sequences that
//! once froze the lab, and the learner's keys (Ctrl-], F1, q) and SIGTERM
//! still answered. Liveness checks: conditions are awaited with a generous
//! deadline, nothing is timed.

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tui_term::vt100;

const WAIT: Duration = Duration::from_secs(60);
const F1: &[u8] = b"\x1bOP";
const CTRL_RIGHT_BRACKET: &[u8] = b"\x1d";

struct Lab {
    screen: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    dir: tempfile::TempDir,
}

impl Lab {
    /// `labrun start` in a fresh directory, as the README says, with /bin/sh as the shell.
    fn start() -> Lab {
        let dir = tempfile::tempdir().unwrap();
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 40,
                cols: 140,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_labrun"));
        cmd.arg("start");
        cmd.cwd(dir.path());
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
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (s, r) = (screen.clone(), raw.clone());
        std::thread::spawn(move || {
            let _master = pair.master;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                s.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let mut lab = Lab {
            screen,
            raw,
            writer,
            child,
            dir,
        };
        lab.wait_for("the lesson title", |s| {
            s.contains("Proxying Private Images")
        });
        lab.type_keys(b"echo ready-$((1+1))\r");
        lab.wait_for("the shell", |s| s.contains("ready-2"));
        lab
    }

    /// The workspace `start` created, where the shell runs.
    fn workspace(&self) -> std::path::PathBuf {
        self.dir.path().join("proxying-private-images")
    }

    /// Waits for the shell to create `name` in the workspace.
    fn wait_for_file(&self, name: &str) {
        let path = self.workspace().join(name);
        let start = Instant::now();
        while !path.exists() {
            assert!(
                start.elapsed() < WAIT,
                "no {} within {WAIT:?}",
                path.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn screen(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) {
        let start = Instant::now();
        while start.elapsed() < WAIT {
            if pred(&self.screen()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("no {what} within {WAIT:?}; screen:\n{}", self.screen());
    }

    fn type_keys(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }

    /// Ctrl-] then F1: the key list must open.
    fn open_help(&mut self) {
        self.type_keys(CTRL_RIGHT_BRACKET);
        self.type_keys(F1);
        self.wait_for("the key list after Ctrl-] F1", |s| {
            s.contains("Keys") && s.contains("this help")
        });
    }

    fn close_help(&mut self) {
        self.type_keys(b"\x1b");
        self.wait_for("the key list closed", |s| !s.contains("this help"));
    }

    /// Waits for labrun to end with `code` (0 after `q`, 143 after SIGTERM).
    fn wait_exit(&mut self, code: u32) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert_eq!(status.exit_code(), code, "labrun exited with {status:?}");
                break;
            }
            if start.elapsed() > WAIT {
                let _ = self.child.kill();
                panic!("labrun still running {WAIT:?} after quitting");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            let raw = self.raw.lock().unwrap();
            if String::from_utf8_lossy(&raw).contains("\x1b[?1049l") {
                return;
            }
            drop(raw);
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the alternate screen was not left");
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[test]
fn insert_characters_with_a_huge_count_leave_the_lab_answering() {
    let mut lab = Lab::start();
    // Each `CSI 99999999 @` once cost the pane's parser ~2 s; the learner presses
    // Ctrl-] F1 while they arrive.
    lab.type_keys(
        b"i=0; while [ $i -lt 200 ]; do printf '\\033[99999999@'; i=$((i+1)); done; echo attack-$((40+2))\r",
    );
    lab.open_help();
    lab.close_help();
    lab.wait_for("the shell's echo after the attack", |s| {
        s.contains("attack-42")
    });
    lab.type_keys(b"q");
    lab.wait_exit(0);
}

#[test]
fn sigterm_during_an_endless_escape_sequence_attack_ends_the_lab() {
    let mut lab = Lab::start();
    lab.type_keys(
        b"touch started; while :; do printf '\\033[99999999@\\033[99999999L\\033[99999999T'; done\r",
    );
    lab.wait_for_file("started");
    let pid = lab.child.process_id().unwrap() as i32;
    // SAFETY: kill(2) on the child we started.
    unsafe {
        libc::kill(pid, libc::SIGTERM);
    }
    lab.wait_exit(143);
}

#[test]
fn a_program_flooding_terminal_queries_leaves_the_lab_answering() {
    let mut lab = Lab::start();
    // Cursor-position queries the program never reads the answers to, on a
    // terminal in non-canonical mode (as readline, vim or less set it), whose
    // input fills up: writing every answer once blocked the lab for good while
    // the program blocked on its output, which the lab no longer read.
    lab.type_keys(
        b"stty -icanon; yes \"$(printf '\\033[6n')\" | head -n 200000; stty icanon; touch queried\r",
    );
    // The tty echoes the unread answers, scrolling any marker away: the shell leaves a file.
    lab.wait_for_file("queried");
    lab.open_help();
    lab.close_help();
    lab.type_keys(b"q");
    lab.wait_exit(0);
}
