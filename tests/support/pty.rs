//! The real `labrun` in a pseudo-terminal, its screen read back through a
//! VT parser and driven by keystrokes like a learner's: for tests that run
//! the lab (`labrun start`) the way the README tells a newcomer to.

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};
use tui_term::vt100;

/// How long to wait for the screen on a loaded machine; never a fixed sleep.
pub const WAIT: Duration = Duration::from_secs(60);

/// Ctrl-]: gives the keys from the shell to the lab.
pub const TO_LAB: &[u8] = b"\x1d";

pub struct Pty {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    exited: mpsc::Receiver<()>,
}

impl Pty {
    /// Runs `labrun ARGS…` in `cwd`, with `envs` set, in a 40×140 terminal.
    pub fn spawn(cwd: &Path, args: &[&str], envs: &[(&str, &Path)]) -> Pty {
        Self::spawn_program(Path::new(env!("CARGO_BIN_EXE_labrun")), cwd, args, envs)
    }

    pub fn spawn_program(program: &Path, cwd: &Path, args: &[&str], envs: &[(&str, &Path)]) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 40,
                cols: 140,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.cwd(cwd);
        cmd.env("TERM", "xterm-256color");
        cmd.env("SHELL", "/bin/sh");
        for var in [
            "REPLICATED_API_ORIGIN",
            "REPLICATED_APP",
            "REPLICATED_API_TOKEN",
        ] {
            cmd.env_remove(var);
        }
        for (name, value) in envs {
            cmd.env(name, value);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(40, 140, 0)));
        let (done_tx, exited) = mpsc::channel();
        let screen = parser.clone();
        std::thread::spawn(move || {
            let _master = pair.master;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                screen.lock().unwrap().process(&buf[..n]);
            }
            let _ = done_tx.send(());
        });
        Pty {
            parser,
            writer,
            child,
            exited,
        }
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Waits until `pred` holds for the screen; panics with the screen after [`WAIT`].
    pub fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) {
        let start = Instant::now();
        while start.elapsed() < WAIT {
            if pred(&self.screen()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("timed out waiting for {what}; screen:\n{}", self.screen());
    }

    pub fn type_keys(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }

    /// Waits for labrun to end and for its last output to reach the screen.
    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let status = self.child.wait().unwrap();
        let _ = self.exited.recv_timeout(WAIT);
        status
    }

    /// Quits the lab as a learner does (Ctrl-] then `q`) and waits for it to end.
    pub fn quit(&mut self) {
        self.type_keys(TO_LAB);
        self.type_keys(b"q");
        let status = self.wait_exit();
        assert!(
            status.success(),
            "labrun exited with {status:?}:\n{}",
            self.screen()
        );
        assert!(
            !self.parser.lock().unwrap().screen().alternate_screen(),
            "the terminal was left on the lab's screen"
        );
    }
}
