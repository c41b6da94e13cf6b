//! A terminal for the end-to-end tests: a program (labrun, as a learner runs
//! it) in a pseudo-terminal, its output read back through a VT parser into a
//! screen, driven by keystrokes. Every wait polls a condition with a
//! deadline; nothing waits a fixed time.

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};
use tui_term::vt100;

/// Generous: the suite runs on a loaded 2-core machine.
pub const WAIT: Duration = Duration::from_secs(60);

/// Ctrl-]: gives the keys from the shell to the lab.
pub const TO_LAB: &[u8] = b"\x1d";

/// What to run, and in what terminal.
pub struct Spawn<'a> {
    pub program: std::ffi::OsString,
    pub args: Vec<std::ffi::OsString>,
    pub cwd: &'a Path,
    pub rows: u16,
    pub cols: u16,
    /// Set after the defaults (TERM, SHELL=/bin/sh; the Vendor API's
    /// variables removed), so a test can override them.
    pub env: Vec<(String, std::ffi::OsString)>,
}

impl<'a> Spawn<'a> {
    /// `labrun ARGS…` in `cwd`, in a 40×140 terminal.
    pub fn labrun(cwd: &'a Path, args: &[&str]) -> Spawn<'a> {
        Spawn {
            program: binary(),
            args: args.iter().map(Into::into).collect(),
            cwd,
            rows: 40,
            cols: 140,
            env: Vec::new(),
        }
    }

    pub fn env(mut self, key: &str, value: impl Into<std::ffi::OsString>) -> Spawn<'a> {
        self.env.push((key.to_string(), value.into()));
        self
    }

    pub fn size(mut self, rows: u16, cols: u16) -> Spawn<'a> {
        (self.rows, self.cols) = (rows, cols);
        self
    }
}

pub struct Terminal {
    parser: Arc<Mutex<vt100::Parser>>,
    /// Everything the program wrote, to see how it left the terminal.
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    /// Closed when the program's output has all been read.
    drained: mpsc::Receiver<()>,
}

impl Terminal {
    pub fn spawn(spec: Spawn) -> Terminal {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: spec.rows,
                cols: spec.cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(&spec.program);
        cmd.args(&spec.args);
        cmd.cwd(spec.cwd);
        cmd.env("TERM", "xterm-256color");
        cmd.env("SHELL", "/bin/sh");
        for var in [
            "REPLICATED_API_ORIGIN",
            "REPLICATED_APP",
            "REPLICATED_API_TOKEN",
            "NO_COLOR",
            "CLICOLOR",
            "CLICOLOR_FORCE",
            // anstream colours a terminal on a CI machine; tests see what a learner's laptop shows.
            "CI",
            "VISUAL",
            "EDITOR",
        ] {
            cmd.env_remove(var);
        }
        for (key, value) in &spec.env {
            cmd.env(key, value);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(spec.rows, spec.cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (done, drained) = mpsc::channel();
        let (screen, log) = (parser.clone(), raw.clone());
        std::thread::spawn(move || {
            let _master = pair.master;
            let mut buf = [0u8; 8192];
            // The bytes of a character a read cut in two, kept for the next
            // read: the VT parser drops a character split across two calls.
            let mut held: Vec<u8> = Vec::new();
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                log.lock().unwrap().extend_from_slice(&buf[..n]);
                held.extend_from_slice(&buf[..n]);
                let whole = whole_characters(&held);
                screen.lock().unwrap().process(&held[..whole]);
                held.drain(..whole);
            }
            screen.lock().unwrap().process(&held);
            let _ = done.send(());
        });
        Terminal {
            parser,
            raw,
            writer,
            child,
            drained,
        }
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    pub fn shows(&self, text: &str) -> bool {
        self.screen().contains(text)
    }

    /// The screen's rows, for assertions about one line.
    pub fn rows(&self) -> Vec<String> {
        let parser = self.parser.lock().unwrap();
        let (_, cols) = parser.screen().size();
        parser.screen().rows(0, cols).collect()
    }

    /// Whether the cell at (row, col) is drawn in reverse video or bold.
    pub fn cell_attrs(&self, row: u16, col: u16) -> Option<(bool, bool)> {
        let parser = self.parser.lock().unwrap();
        let cell = parser.screen().cell(row, col)?;
        Some((cell.inverse(), cell.bold()))
    }

    pub fn alternate_screen(&self) -> bool {
        self.parser.lock().unwrap().screen().alternate_screen()
    }

    /// Waits until `pred` holds for the screen; panics with the screen after [`WAIT`].
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

    /// Waits for the program to end, and for its last output to reach the
    /// screen; its exit code. Kills it and panics after [`WAIT`].
    pub fn wait_exit(&mut self) -> u32 {
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > WAIT {
                let _ = self.child.kill();
                panic!("the program did not exit; screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let _ = self.drained.recv_timeout(WAIT);
        status.exit_code()
    }

    /// Quits the lab as a learner does (Ctrl-] then `q`, at an idle prompt)
    /// and checks that it ended well and gave the terminal back.
    pub fn quit(&mut self) {
        self.type_keys(TO_LAB);
        self.type_keys(b"q");
        let code = self.wait_exit();
        assert_eq!(code, 0, "labrun exited with {code}:\n{}", self.screen());
        assert!(
            !self.alternate_screen(),
            "the terminal was left on the lab's screen"
        );
    }

    pub fn raw_output(&self) -> String {
        String::from_utf8_lossy(&self.raw.lock().unwrap()).into_owned()
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        // A failed test must not leave the program (and its shell) running.
        let _ = self.child.kill();
    }
}

/// How many leading bytes of `bytes` end on a character boundary: all but
/// the start of a UTF-8 sequence that the next read completes.
pub fn whole_characters(bytes: &[u8]) -> usize {
    for back in 1..=bytes.len().min(3) {
        let byte = bytes[bytes.len() - back];
        if byte & 0b1100_0000 == 0b1000_0000 {
            continue; // a continuation byte: look further back for the lead
        }
        let needs = match byte {
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf7 => 4,
            _ => 1,
        };
        return if needs > back {
            bytes.len() - back
        } else {
            bytes.len()
        };
    }
    bytes.len()
}

/// The labrun under test: this build, or the one `LABRUN_TEST_BIN` names
/// (to see a regression test fail on a build from before its fix).
pub fn binary() -> std::ffi::OsString {
    std::env::var_os("LABRUN_TEST_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_labrun").into())
}
