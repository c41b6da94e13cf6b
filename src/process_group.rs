//! A child process in a process group of its own, ended whole: its output
//! captured (stdout and stderr interleaved as written, the last N bytes
//! kept), a deadline, a cancel from any thread, and every process of the
//! group killed when the child exits, times out, is cancelled or dropped —
//! nothing a script starts outlives it. Lesson snippets (`script`) and
//! Instruqt lifecycle scripts (`lifecycle::runner`) both run through here.

use std::io::{self, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long to wait for the output after the group has been killed: only a
/// process that left the group (a daemon that called `setsid`) can still
/// hold the pipe open then.
const OUTPUT_GRACE: Duration = Duration::from_secs(2);

/// A started child and everything it starts.
pub struct Group {
    /// None once reaped.
    child: Option<Child>,
    shared: Arc<Shared>,
    /// Told when the child has exited (unix; elsewhere `wait` polls the child).
    exited: Option<Receiver<()>>,
    output: Receiver<Vec<u8>>,
    max_output: usize,
    started: Instant,
}

/// Ends a [`Group`] from another thread (the lab quitting while a check
/// runs on a worker).
#[derive(Clone)]
pub struct Canceller(Arc<Shared>);

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The group's id while its leader is not yet reaped, so that a signal
    /// can never reach a group whose id was reused.
    pgid: Option<i32>,
    cancelled: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// How a group's run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The child exited with this status.
    Exited(i32),
    /// The child was ended by this signal (not ours).
    Signalled(i32),
    TimedOut,
    Cancelled,
}

#[derive(Debug)]
pub struct Ended {
    pub ending: Ending,
    /// At most the last `max_output` bytes, with a line saying when earlier output was cut.
    pub output: String,
    pub duration: Duration,
}

impl Canceller {
    /// One that belongs to no group: cancelling it does nothing.
    pub fn detached() -> Canceller {
        Canceller(Arc::default())
    }

    /// Kills the whole group at once; its `wait` then reports `Cancelled`.
    pub fn cancel(&self) {
        let mut state = self.0.lock();
        state.cancelled = true;
        if let Some(pgid) = state.pgid {
            kill_group(pgid);
        }
    }
}

/// Starts `command` with no input, its output into a pipe this module reads,
/// as the leader of a new process group.
pub fn spawn(mut command: Command, max_output: usize) -> io::Result<Group> {
    let (mut reader, writer) = io::pipe()?;
    command
        .stdin(Stdio::null())
        .stdout(writer.try_clone()?)
        .stderr(writer);
    own_process_group(&mut command);
    let started = Instant::now();
    let child = command.spawn()?;
    // The command's own pipe ends must close here, or the reader never sees EOF.
    drop(command);

    let (output_tx, output) = mpsc::channel();
    std::thread::Builder::new()
        .name("group-output".into())
        .spawn(move || {
            let mut bytes = Vec::new();
            let mut chunk = [0u8; 8192];
            while let Ok(n) = reader.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                bytes.extend_from_slice(&chunk[..n]);
                if bytes.len() > 2 * max_output.max(1) {
                    bytes.drain(..bytes.len() - max_output);
                }
            }
            let _ = output_tx.send(bytes);
        })?;

    let pid = i32::try_from(child.id()).unwrap_or(0);
    let shared = Arc::new(Shared::default());
    shared.lock().pgid = (pid > 0).then_some(pid);
    let exited = if cfg!(unix) {
        let (exited_tx, exited) = mpsc::channel();
        std::thread::Builder::new()
            .name("group-wait".into())
            .spawn(move || {
                wait_without_reaping(pid);
                let _ = exited_tx.send(());
            })?;
        Some(exited)
    } else {
        None
    };
    Ok(Group {
        child: Some(child),
        shared,
        exited,
        output,
        max_output,
        started,
    })
}

impl Group {
    pub fn canceller(&self) -> Canceller {
        Canceller(Arc::clone(&self.shared))
    }

    /// Waits until the child exits or `timeout` (counted from the start)
    /// passes, then kills what is left of the group, reaps the child and
    /// collects the output.
    pub fn wait(mut self, timeout: Duration) -> io::Result<Ended> {
        let timeout = timeout.saturating_sub(self.started.elapsed());
        let timed_out = match (&self.exited, self.child.as_mut()) {
            (Some(exited), _) => {
                matches!(exited.recv_timeout(timeout), Err(RecvTimeoutError::Timeout))
            }
            (None, Some(child)) => {
                use wait_timeout::ChildExt;
                child.wait_timeout(timeout)?.is_none()
            }
            (None, None) => false,
        };
        let (status, cancelled) = self.end()?;
        let duration = self.started.elapsed();
        let output = self.output.recv_timeout(OUTPUT_GRACE).unwrap_or_else(|_| {
            b"(output unavailable: a process that left the group kept it open)".to_vec()
        });
        let ending = if cancelled {
            Ending::Cancelled
        } else if timed_out {
            Ending::TimedOut
        } else {
            ending_of(status)
        };
        Ok(Ended {
            ending,
            output: tail(&output, self.max_output),
            duration,
        })
    }

    /// Kills the group (its leader not yet reaped, so the id is still
    /// ours), forgets its id, then reaps the leader.
    fn end(&mut self) -> io::Result<(ExitStatus, bool)> {
        let cancelled = {
            let mut state = self.shared.lock();
            if let Some(pgid) = state.pgid.take() {
                kill_group(pgid);
            }
            state.cancelled
        };
        let mut child = self
            .child
            .take()
            .ok_or_else(|| io::Error::other("the group was already ended"))?;
        let _ = child.kill();
        Ok((child.wait()?, cancelled))
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        if self.child.is_some() {
            let _ = self.end();
        }
    }
}

fn ending_of(status: ExitStatus) -> Ending {
    if let Some(code) = status.code() {
        return Ending::Exited(code);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return Ending::Signalled(signal);
        }
    }
    Ending::Signalled(0)
}

/// The last `max` bytes, saying when earlier output was cut.
pub fn tail(bytes: &[u8], max: usize) -> String {
    let start = bytes.len().saturating_sub(max);
    let text = String::from_utf8_lossy(&bytes[start..]);
    if start > 0 {
        format!("(earlier output cut)\n{text}")
    } else {
        text.into_owned()
    }
}

#[cfg(unix)]
fn own_process_group(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    command.process_group(0);
}

#[cfg(not(unix))]
fn own_process_group(_: &mut Command) {}

/// Blocks until the child `pid` has exited, leaving it a zombie: its id
/// (and so its group's) stays ours until `Group::end` reaps it.
#[cfg(unix)]
fn wait_without_reaping(pid: i32) {
    let Ok(id) = libc::id_t::try_from(pid) else {
        return;
    };
    loop {
        // SAFETY: waitid(2) fills the zeroed siginfo_t we own; WNOWAIT leaves the child unreaped.
        let result = unsafe {
            let mut info: libc::siginfo_t = std::mem::zeroed();
            libc::waitid(libc::P_PID, id, &mut info, libc::WEXITED | libc::WNOWAIT)
        };
        if result == 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return;
        }
    }
}

/// Not used: without waitid, `Group::wait` waits on the child itself (and a
/// cancel from another thread takes effect at the deadline).
#[cfg(not(unix))]
fn wait_without_reaping(_: i32) {}

#[cfg(unix)]
fn kill_group(pgid: i32) {
    // SAFETY: kill(2) with a negative pid signals that process group; no memory is involved.
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
}

#[cfg(not(unix))]
fn kill_group(_: i32) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(source: &str) -> Command {
        let mut command = Command::new("sh");
        command.arg("-c").arg(source);
        command
    }

    #[test]
    fn exit_status_and_interleaved_output() {
        let ended = spawn(sh("echo out; echo err >&2; exit 4"), 1024)
            .unwrap()
            .wait(Duration::from_secs(30))
            .unwrap();
        assert_eq!(ended.ending, Ending::Exited(4));
        assert_eq!(ended.output, "out\nerr\n");
    }

    #[test]
    fn a_cancel_from_another_thread_ends_it() {
        let group = spawn(sh("echo started; sleep 60"), 1024).unwrap();
        let canceller = group.canceller();
        let waiter = std::thread::spawn(move || group.wait(Duration::from_secs(600)));
        canceller.cancel();
        let ended = waiter.join().unwrap().unwrap();
        assert_eq!(ended.ending, Ending::Cancelled);
    }

    #[test]
    fn a_detached_canceller_does_nothing() {
        Canceller::detached().cancel();
    }

    #[test]
    fn the_tail_keeps_the_end() {
        assert_eq!(tail(b"abcdef", 10), "abcdef");
        assert_eq!(tail(b"abcdef", 2), "(earlier output cut)\nef");
    }
}
