//! A child process in a process group of its own: its output captured
//! (stdout and stderr interleaved as written, the last N bytes kept), a
//! deadline, a cancel from any thread, and the whole group killed on
//! timeout, cancel or drop. When the child exits by itself the rest of its
//! group ends with it, or — for Instruqt setup scripts that start
//! background services — is left running as [`Survivors`], ended when those
//! are dropped. Lesson snippets (`script`) and Instruqt lifecycle scripts
//! (`lifecycle::runner`) both run through here.

use std::io::{self, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long to wait for the end of the output once the group has been
/// killed: only a process that left the group (a daemon that called
/// `setsid`) can still hold the pipe open then.
const OUTPUT_GRACE: Duration = Duration::from_secs(2);
/// The same when the group is left running: a background service keeps
/// the pipe open, and what the script itself wrote is already there.
const SURVIVOR_GRACE: Duration = Duration::from_millis(200);

/// What happens to the rest of the group when the child exits by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterExit {
    /// Everything the child started ends with it.
    EndGroup,
    /// What the child started in the background keeps running (as on
    /// Instruqt) until the returned [`Survivors`] are dropped.
    LeaveRunning,
}

/// A started child and everything it starts.
pub struct Group {
    /// None once reaped (or handed to `Survivors`).
    child: Option<Child>,
    shared: Arc<Shared>,
    /// Told how the child exited (unix; elsewhere `wait` waits on the child).
    exited: Option<Receiver<Exit>>,
    output: Arc<Capture>,
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

/// The output read so far, and whether every writer has closed the pipe.
#[derive(Default)]
struct Capture {
    state: Mutex<Captured>,
    changed: Condvar,
}

#[derive(Default)]
struct Captured {
    bytes: Vec<u8>,
    eof: bool,
}

impl Capture {
    fn lock(&self) -> MutexGuard<'_, Captured> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The bytes once the pipe is closed, or what came within `grace`.
    fn collect(&self, grace: Duration) -> (Vec<u8>, bool) {
        let deadline = Instant::now() + grace;
        let mut state = self.lock();
        while !state.eof {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            state = self
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        (state.bytes.clone(), state.eof)
    }
}

/// How the child exited, as waitid(2) tells without reaping it.
#[derive(Debug, Clone, Copy)]
enum Exit {
    Code(i32),
    /// Ended by a signal, or not known: the reaped status tells.
    Other,
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
    /// With [`AfterExit::LeaveRunning`], after a normal exit: the rest of the group.
    pub survivors: Option<Survivors>,
}

/// What is left of a group whose leader exited by itself: background
/// processes, left running. Dropping it kills them all. It keeps the
/// leader unreaped (a zombie) until then, so the group's id stays ours.
#[derive(Debug)]
pub struct Survivors {
    child: Child,
    pgid: i32,
}

impl Drop for Survivors {
    fn drop(&mut self) {
        kill_group(self.pgid);
        let _ = self.child.wait();
    }
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

    // Reads until every writer is gone, background services included, so
    // that none of them ever blocks on a full pipe.
    let output = Arc::new(Capture::default());
    let capture = Arc::clone(&output);
    let max = max_output.max(1);
    std::thread::Builder::new()
        .name("group-output".into())
        .spawn(move || {
            let mut chunk = [0u8; 8192];
            loop {
                let n = reader.read(&mut chunk).unwrap_or(0);
                let mut state = capture.lock();
                if n == 0 {
                    state.eof = true;
                    capture.changed.notify_all();
                    return;
                }
                state.bytes.extend_from_slice(&chunk[..n]);
                if state.bytes.len() > 2 * max {
                    let cut = state.bytes.len() - max;
                    state.bytes.drain(..cut);
                }
            }
        })?;

    let pid = i32::try_from(child.id()).unwrap_or(0);
    let shared = Arc::new(Shared::default());
    shared.lock().pgid = (pid > 0).then_some(pid);
    let exited = if cfg!(unix) {
        let (exited_tx, exited) = mpsc::channel();
        std::thread::Builder::new()
            .name("group-wait".into())
            .spawn(move || {
                let _ = exited_tx.send(wait_without_reaping(pid));
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
    /// passes. Then, unless the child exited by itself and `after` leaves
    /// the rest running, kills the whole group; reaps the child; collects
    /// the output.
    pub fn wait(mut self, timeout: Duration, after: AfterExit) -> io::Result<Ended> {
        let timeout = timeout.saturating_sub(self.started.elapsed());
        let exit = match (&self.exited, self.child.as_mut()) {
            (Some(exited), _) => match exited.recv_timeout(timeout) {
                Ok(exit) => Some(exit),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => Some(Exit::Other),
            },
            (None, Some(child)) => {
                use wait_timeout::ChildExt;
                child.wait_timeout(timeout)?.map(|_| Exit::Other)
            }
            (None, None) => Some(Exit::Other),
        };
        if let (Some(Exit::Code(code)), AfterExit::LeaveRunning) = (exit, after)
            && let Some(survivors) = self.leave_running()
        {
            let duration = self.started.elapsed();
            let (output, _) = self.output.collect(SURVIVOR_GRACE);
            return Ok(Ended {
                ending: Ending::Exited(code),
                output: tail(&output, self.max_output),
                duration,
                survivors: Some(survivors),
            });
        }
        let (status, cancelled) = self.end()?;
        let duration = self.started.elapsed();
        let (mut output, complete) = self.output.collect(OUTPUT_GRACE);
        if !complete {
            output.extend_from_slice(
                b"\n(output cut: a process that left the group keeps it open)\n",
            );
        }
        let ending = match exit {
            _ if cancelled => Ending::Cancelled,
            None => Ending::TimedOut,
            Some(_) => ending_of(status),
        };
        Ok(Ended {
            ending,
            output: tail(&output, self.max_output),
            duration,
            survivors: None,
        })
    }

    /// Hands the exited (unreaped) leader and its group over to
    /// `Survivors`, unless a cancel came first.
    fn leave_running(&mut self) -> Option<Survivors> {
        let pgid = {
            let mut state = self.shared.lock();
            if state.cancelled {
                return None;
            }
            state.pgid.take()?
        };
        let child = self.child.take()?;
        Some(Survivors { child, pgid })
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

/// Blocks until the child `pid` has exited and says how, leaving it a
/// zombie: its id (and so its group's) stays ours until it is reaped.
#[cfg(unix)]
fn wait_without_reaping(pid: i32) -> Exit {
    let Ok(id) = libc::id_t::try_from(pid) else {
        return Exit::Other;
    };
    loop {
        // SAFETY: waitid(2) fills the zeroed siginfo_t we own; WNOWAIT leaves the child unreaped.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let result =
            unsafe { libc::waitid(libc::P_PID, id, &mut info, libc::WEXITED | libc::WNOWAIT) };
        if result == 0 {
            // SAFETY: after a successful waitid(WEXITED), si_status is the SIGCHLD field that is set.
            let status = unsafe { info.si_status() };
            return match info.si_code {
                libc::CLD_EXITED => Exit::Code(status),
                _ => Exit::Other,
            };
        }
        if io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return Exit::Other;
        }
    }
}

/// Not used: without waitid, `Group::wait` waits on the child itself (and a
/// cancel from another thread takes effect at the deadline).
#[cfg(not(unix))]
fn wait_without_reaping(_: i32) -> Exit {
    Exit::Other
}

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
            .wait(Duration::from_secs(30), AfterExit::EndGroup)
            .unwrap();
        assert_eq!(ended.ending, Ending::Exited(4));
        assert_eq!(ended.output, "out\nerr\n");
    }

    #[test]
    fn a_cancel_from_another_thread_ends_it() {
        let group = spawn(sh("echo started; sleep 60"), 1024).unwrap();
        let canceller = group.canceller();
        let waiter = std::thread::spawn(move || {
            group.wait(Duration::from_secs(600), AfterExit::LeaveRunning)
        });
        canceller.cancel();
        let ended = waiter.join().unwrap().unwrap();
        assert_eq!(ended.ending, Ending::Cancelled);
    }

    /// The pid a script printed, and whether that process is still alive (a zombie is not).
    fn alive(pid: &str) -> bool {
        std::fs::read_to_string(format!("/proc/{}/status", pid.trim()))
            .is_ok_and(|status| !status.contains("State:\tZ"))
    }

    fn until_gone(pid: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while alive(pid) {
            assert!(Instant::now() < deadline, "{pid} still runs");
            std::thread::yield_now();
        }
    }

    #[test]
    fn what_a_child_leaves_behind_ends_with_it_or_with_its_survivors() {
        let background = "sleep 60 & echo $!";
        let ended = spawn(sh(background), 1024)
            .unwrap()
            .wait(Duration::from_secs(30), AfterExit::EndGroup)
            .unwrap();
        assert_eq!(ended.ending, Ending::Exited(0));
        assert!(ended.survivors.is_none());
        until_gone(&ended.output);

        let ended = spawn(sh(background), 1024)
            .unwrap()
            .wait(Duration::from_secs(30), AfterExit::LeaveRunning)
            .unwrap();
        assert_eq!(ended.ending, Ending::Exited(0));
        // The background sleep holds the pipe: the script's own output is there all the same.
        assert!(
            ended.output.trim().parse::<u32>().is_ok(),
            "{}",
            ended.output
        );
        assert!(alive(&ended.output));
        drop(ended.survivors);
        until_gone(&ended.output);
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
