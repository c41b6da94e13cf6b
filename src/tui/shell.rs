//! The shell pane's machinery: a real PTY running the learner's shell, a
//! reader thread feeding its output to the UI through a bounded channel
//! (backpressure: a flood waits for the UI, it never grows memory), a writer
//! thread (the UI never blocks on a shell that does not read its input), a
//! waiter thread that reports the exit, and the VT parser the UI thread owns,
//! behind the guard that bounds what each byte costs it.

use super::event::Event;
use super::jobs;
use super::keys;
use super::prompt_marks::PromptMark;
use super::replies::QueryReplies;
use super::vt_guard::GuardedParser;
use portable_pty::{ChildKiller, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, SyncSender};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Lines the pane keeps above the screen.
const SCROLLBACK: usize = 5_000;
/// Bytes of answers to terminal queries (DSR, DA) allowed to wait for the
/// shell to read its input; past this, answers are dropped. A program that
/// prints queries without reading the answers cannot use them, and writing
/// them all once froze the lab: the UI blocked in write(2) on the full PTY
/// while the program blocked on its full output.
const REPLY_BACKLOG: usize = 16 * 1024;
/// Bytes of output read and not yet parsed, past which the reader stops
/// reading. Keys and signals queue behind output, so this bounds how long
/// they wait during a flood whatever each byte costs the parser (a flood of
/// `ESC c`, the costliest per byte, parses at ~0.3 MB/s).
const OUTPUT_BACKLOG: usize = 64 * 1024;

/// Why the shell could not start in the pane. The messages are the
/// underlying errors' own: the caller says what failed ("the shell could
/// not start: …").
#[derive(Debug, thiserror::Error)]
pub enum ShellError {
    /// Opening the PTY, starting the shell in it, or taking its ends
    /// (portable-pty's errors).
    #[error("{0}")]
    Pty(Box<dyn std::error::Error + Send + Sync>),
    /// A thread of the pane (reader, writer, waiter) could not be started.
    #[error(transparent)]
    Thread(#[from] std::io::Error),
}

impl ShellError {
    fn pty(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> ShellError {
        ShellError::Pty(error.into())
    }
}

/// What to run in the pane.
#[derive(Clone)]
pub struct ShellSpec {
    pub program: String,
    pub args: Vec<String>,
    pub cwd: PathBuf,
    pub env: Vec<(String, String)>,
}

/// The environment holds the lesson's secrets: only its names are shown.
impl std::fmt::Debug for ShellSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.env.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("ShellSpec")
            .field("program", &self.program)
            .field("args", &self.args)
            .field("cwd", &self.cwd)
            .field("env", &names)
            .finish()
    }
}

impl ShellSpec {
    /// The learner's `$SHELL`, else `/bin/sh`.
    pub fn login_shell(cwd: PathBuf, env: Vec<(String, String)>) -> ShellSpec {
        let program = std::env::var("SHELL")
            .ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "/bin/sh".into());
        ShellSpec {
            program,
            args: Vec::new(),
            cwd,
            env,
        }
    }
}

/// A running shell: the PTY's master side and a way to end the child.
pub struct Shell {
    master: Box<dyn MasterPty + Send>,
    /// Kept for the whole session: dropping it ends the writer, which sends EOF to the shell.
    writer: PtyWriter,
    killer: Box<dyn ChildKiller + Send + Sync>,
    /// The shell's pid, which is also its session id (the PTY made it a session leader).
    pid: Option<u32>,
    backlog: Arc<Backlog>,
    pub parser: GuardedParser<QueryReplies>,
}

impl Shell {
    /// Starts `spec` in a PTY of `rows`×`cols`; output and exit arrive as events on `tx`.
    pub fn spawn(
        spec: &ShellSpec,
        rows: u16,
        cols: u16,
        tx: SyncSender<Event>,
    ) -> Result<Shell, ShellError> {
        let (rows, cols) = (rows.max(2), cols.max(2));
        let pair = native_pty_system()
            .openpty(pty_size(rows, cols))
            .map_err(ShellError::pty)?;
        let mut command = CommandBuilder::new(&spec.program);
        command.args(&spec.args);
        command.cwd(&spec.cwd);
        // The pane is an xterm-compatible terminal, whatever the host is.
        command.env("TERM", "xterm-256color");
        command.env("COLORTERM", "truecolor");
        for (key, value) in &spec.env {
            command.env(key, value);
        }
        let mut child = pair.slave.spawn_command(command).map_err(ShellError::pty)?;
        // Only the child may hold the slave, or the reader never sees EOF.
        drop(pair.slave);
        let killer = child.clone_killer();
        let pid = child.process_id();
        let reader = pair.master.try_clone_reader().map_err(ShellError::pty)?;
        let writer = spawn_writer(pair.master.take_writer().map_err(ShellError::pty)?)?;
        let backlog = Arc::new(Backlog::default());
        spawn_reader(reader, backlog.clone(), tx.clone())?;
        std::thread::Builder::new()
            .name("shell-wait".into())
            .spawn(move || {
                // The authoritative "shell exited": EOF may never come if a background job holds the PTY.
                let code = child.wait().ok().map(|status| status.exit_code());
                let _ = tx.send(Event::ShellExited(code));
            })?;
        Ok(Shell {
            master: pair.master,
            writer,
            killer,
            pid,
            backlog,
            parser: GuardedParser::with_callbacks(rows, cols, SCROLLBACK, QueryReplies::default()),
        })
    }

    /// Feeds output to the parser and answers any queries it raised, as
    /// long as the shell reads the answers. When the output holds the
    /// shell's prompt mark for a finished command (see `shell_init`): the
    /// last one's exit code, if the shell gave one.
    pub fn process(&mut self, bytes: &[u8]) -> Option<Option<i32>> {
        self.parser.process(bytes);
        // The rest of the marks are dropped with the drain.
        let finished = self
            .parser
            .take_marks()
            .filter_map(|mark| match mark {
                PromptMark::CommandFinished { exit } => Some(exit),
                _ => None,
            })
            .next_back();
        self.backlog.parsed(bytes.len());
        let replies = std::mem::take(&mut self.parser.callbacks_mut().replies);
        if !replies.is_empty()
            && self.writer.pending.load(Ordering::Relaxed) + replies.len() <= REPLY_BACKLOG
        {
            self.write(&replies);
        }
        finished
    }

    /// Queues `bytes` (keys, pastes) for the shell's input, in order.
    pub fn write(&mut self, bytes: &[u8]) {
        self.writer
            .pending
            .fetch_add(bytes.len(), Ordering::Relaxed);
        // A send fails only when the writer is gone with the shell; its exit event says so.
        let _ = self.writer.tx.send(bytes.to_vec());
    }

    /// Resizes the PTY (the kernel sends SIGWINCH) and the parser's screen.
    pub fn resize(&mut self, rows: u16, cols: u16) {
        let (rows, cols) = (rows.max(2), cols.max(2));
        if self.parser.screen().size() == (rows, cols) {
            return;
        }
        self.parser.screen_mut().set_size(rows, cols);
        let _ = self.master.resize(pty_size(rows, cols));
    }

    /// The shell's pid, which is also its session id.
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// The PTY's foreground process group (`tcgetpgrp`): the shell's own at its prompt.
    pub fn foreground_group(&self) -> Option<i32> {
        self.master.process_group_leader()
    }

    pub fn modes(&self) -> keys::Modes {
        let screen = self.parser.screen();
        keys::Modes {
            application_cursor: screen.application_cursor(),
            bracketed_paste: screen.bracketed_paste(),
        }
    }

    /// Ends the shell and everything in its session, background jobs
    /// included: a hangup first, as a closing terminal gives, then a kill
    /// for whatever ignored it.
    pub fn kill(&mut self) {
        if let Some(session) = self.pid.and_then(|p| i32::try_from(p).ok()) {
            jobs::end_session(session);
        }
        let _ = self.killer.kill();
    }
}

impl Drop for Shell {
    fn drop(&mut self) {
        self.kill();
    }
}

fn pty_size(rows: u16, cols: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

/// The PTY's input side, written by a thread of its own: a program that does
/// not read its input blocks that thread, never the UI.
struct PtyWriter {
    tx: mpsc::Sender<Vec<u8>>,
    /// Bytes queued and not yet written.
    pending: Arc<AtomicUsize>,
}

fn spawn_writer(mut writer: Box<dyn Write + Send>) -> std::io::Result<PtyWriter> {
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    let pending = Arc::new(AtomicUsize::new(0));
    let written = pending.clone();
    std::thread::Builder::new()
        .name("shell-write".into())
        .spawn(move || {
            // Ends when the Shell is dropped (then dropping `writer` sends EOF) or the shell is gone.
            for bytes in rx {
                if writer
                    .write_all(&bytes)
                    .and_then(|()| writer.flush())
                    .is_err()
                {
                    break;
                }
                written.fetch_sub(bytes.len(), Ordering::Relaxed);
            }
        })?;
    Ok(PtyWriter { tx, pending })
}

/// Output between the reader and the parser, in bytes.
#[derive(Default)]
struct Backlog {
    bytes: Mutex<usize>,
    parsed: Condvar,
}

impl Backlog {
    fn read(&self, n: usize) {
        *self.bytes.lock().unwrap_or_else(|e| e.into_inner()) += n;
    }

    fn parsed(&self, n: usize) {
        let mut bytes = self.bytes.lock().unwrap_or_else(|e| e.into_inner());
        // Saturating: after a restart, the old shell's last output is parsed by the new Shell.
        *bytes = bytes.saturating_sub(n);
        self.parsed.notify_one();
    }

    /// Waits until less than `limit` bytes are waiting; false once the Shell
    /// is gone (nobody will parse them).
    fn wait_below(this: &Arc<Backlog>, limit: usize) -> bool {
        let mut bytes = this.bytes.lock().unwrap_or_else(|e| e.into_inner());
        while *bytes >= limit {
            if Arc::strong_count(this) == 1 {
                return false;
            }
            bytes = this
                .parsed
                .wait_timeout(bytes, Duration::from_millis(200))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        true
    }
}

fn spawn_reader(
    mut reader: Box<dyn Read + Send>,
    backlog: Arc<Backlog>,
    tx: SyncSender<Event>,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("shell-read".into())
        .spawn(move || {
            let mut buf = vec![0u8; 64 * 1024];
            while Backlog::wait_below(&backlog, OUTPUT_BACKLOG) {
                match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        backlog.read(n);
                        if tx.send(Event::ShellOutput(buf[..n].to_vec())).is_err() {
                            break;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(_) => break,
                }
            }
        })
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shell_that_cannot_start_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let spec = ShellSpec {
            program: dir.path().join("no-such-shell").display().to_string(),
            args: Vec::new(),
            cwd: dir.path().to_path_buf(),
            env: Vec::new(),
        };
        let (tx, _rx) = mpsc::sync_channel(8);
        let Err(error) = Shell::spawn(&spec, 24, 80, tx) else {
            panic!("a shell that does not exist started");
        };
        assert!(matches!(error, ShellError::Pty(_)), "{error:?}");
        assert!(error.to_string().contains("no-such-shell"), "{error}");
    }
}
