//! A learner at a terminal, for the lab's end-to-end tests: the real
//! `labrun start` in a pseudo-terminal, its screen read back through a VT
//! parser, driven by keystrokes. Every wait polls a condition with a deadline.

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tui_term::vt100;

/// Generous: the suite runs on a loaded 2-core machine.
pub const WAIT: Duration = Duration::from_secs(30);

pub struct Lab {
    parser: Arc<Mutex<vt100::Parser>>,
    /// Everything the lab wrote, to see how it left the terminal.
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    exited: mpsc::Receiver<()>,
    /// The learner's directory (`labrun start` runs here) and the workspace it makes.
    pub dir: PathBuf,
    pub workspace: PathBuf,
    _tmp: tempfile::TempDir,
}

pub struct Options {
    pub cols: u16,
    pub rows: u16,
    pub shell: &'static str,
    pub env: Vec<(String, String)>,
}

impl Options {
    pub fn env(mut self, key: &str, value: impl Into<String>) -> Options {
        self.env.push((key.to_string(), value.into()));
        self
    }
}

impl Default for Options {
    fn default() -> Options {
        Options {
            cols: 140,
            rows: 40,
            shell: "/bin/sh",
            env: Vec::new(),
        }
    }
}

impl Lab {
    /// `labrun start` in a fresh directory, as the README says.
    pub fn start() -> Lab {
        Lab::start_with(Options::default())
    }

    pub fn start_with(options: Options) -> Lab {
        let lab = Lab::spawn(options);
        lab.wait_for("the lesson title", |s| {
            s.contains("Proxying Private Images")
        });
        lab
    }

    /// `labrun start` without waiting for anything.
    pub fn spawn(options: Options) -> Lab {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let size = PtySize {
            rows: options.rows,
            cols: options.cols,
            pixel_width: 0,
            pixel_height: 0,
        };
        let pair = native_pty_system().openpty(size).unwrap();
        let mut cmd = CommandBuilder::new(binary());
        cmd.arg("start");
        cmd.cwd(&dir);
        cmd.env("TERM", "xterm-256color");
        cmd.env("SHELL", options.shell);
        cmd.env("HOME", &dir);
        cmd.env_remove("REPLICATED_API_ORIGIN");
        cmd.env_remove("REPLICATED_APP");
        cmd.env_remove("REPLICATED_API_TOKEN");
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("VISUAL");
        cmd.env_remove("EDITOR");
        for (key, value) in &options.env {
            cmd.env(key, value);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            options.rows,
            options.cols,
            0,
        )));
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
            workspace: dir.join("proxying-private-images"),
            dir,
            _tmp: tmp,
        }
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// The screen's rows, for assertions about one line.
    pub fn rows(&self) -> Vec<String> {
        let parser = self.parser.lock().unwrap();
        let (_, cols) = parser.screen().size();
        parser.screen().rows(0, cols).collect()
    }

    /// The text of the lesson pane (the left pane), its lines joined and
    /// spaces collapsed, so phrases are found wherever the pane wrapped them.
    pub fn lesson_text(&self) -> String {
        let text: Vec<String> = self
            .rows()
            .iter()
            .filter_map(|row| row.split(['│', '┃']).nth(1).map(|s| s.replace('▌', " ")))
            .collect();
        text.join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Whether the cell at (row, col) is drawn in reverse video or bold.
    pub fn cell_attrs(&self, row: u16, col: u16) -> Option<(bool, bool)> {
        let parser = self.parser.lock().unwrap();
        let cell = parser.screen().cell(row, col)?;
        Some((cell.inverse(), cell.bold()))
    }

    pub fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) {
        let start = Instant::now();
        while start.elapsed() < WAIT {
            if pred(&self.screen()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("timed out waiting for {what}; screen:\n{}", self.screen());
    }

    pub fn type_keys(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }

    /// Runs a command in the shell pane (which must have the keys) and
    /// waits for the marker it prints, so the next keys meet a prompt.
    pub fn run_in_shell(&mut self, command: &str) {
        let marker = format!("done-{}", next_marker());
        let expr = format!("done-$(({}+0))", &marker[5..]);
        self.type_keys(format!("{command}; echo {expr}\r").as_bytes());
        self.wait_for(&marker, |s| s.contains(&marker));
    }

    /// Waits for labrun to exit and returns its exit code.
    pub fn wait_exit(&mut self) -> u32 {
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > WAIT {
                let _ = self.child.kill();
                panic!("labrun did not exit; screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let _ = self.exited.recv_timeout(Duration::from_secs(5));
        status.exit_code()
    }

    pub fn raw_output(&self) -> String {
        String::from_utf8_lossy(&self.raw.lock().unwrap()).into_owned()
    }

    pub fn assert_terminal_restored(&self) {
        let text = self.raw_output();
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

    /// The generated app slug of the workspace.
    pub fn app_slug(&self) -> String {
        let state: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(self.workspace.join(".labrun/workspace.json")).unwrap(),
        )
        .unwrap();
        state["vars"]["REPLICATED_APP"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        // A failed test must not leave the lab (and its shell) running.
        let _ = self.child.kill();
    }
}

/// The labrun under test: this build, or the one `LABRUN_TEST_BIN` names
/// (to see a regression test fail on a build from before its fix).
pub fn binary() -> std::ffi::OsString {
    std::env::var_os("LABRUN_TEST_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_labrun").into())
}

fn next_marker() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1000);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// SGR mouse report of a left click at (col, row), 0-based, as a terminal sends it.
pub fn click(col: u16, row: u16) -> Vec<u8> {
    let (x, y) = (col + 1, row + 1);
    format!("\x1b[<0;{x};{y}M\x1b[<0;{x};{y}m").into_bytes()
}

/// The (row, col) of the first occurrence of `needle` on the screen.
pub fn find(rows: &[String], needle: &str) -> Option<(u16, u16)> {
    rows.iter().enumerate().find_map(|(r, line)| {
        let byte = line.find(needle)?;
        let col = line[..byte].chars().count();
        Some((r as u16, col as u16))
    })
}

pub fn path_exists(path: &Path) -> bool {
    path.exists()
}
