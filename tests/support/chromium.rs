//! A real headless Chromium for the web page's tests, driven over the
//! DevTools protocol with no new dependency: `--remote-debugging-pipe`
//! makes Chromium read commands on its fd 3 and write answers and events on
//! its fd 4, each a JSON message ended by a NUL byte.
//!
//! [`Chromium::launch_or_skip`] finds the browser (`LABRUN_TEST_CHROMIUM`,
//! else Debian's `/usr/bin/chromium`); where there is none, the test says
//! `SKIPPED` loudly on stderr instead of passing silently. The browser and
//! everything it started are killed when the value is dropped.

use super::PATIENCE;
use serde_json::{Value, json};
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Where a test finds Chromium: this variable, else [`DEBIAN_CHROMIUM`].
pub const CHROMIUM_ENV: &str = "LABRUN_TEST_CHROMIUM";
pub const DEBIAN_CHROMIUM: &str = "/usr/bin/chromium";

/// The browser's fds the protocol uses (fixed by Chromium).
const COMMANDS_FD: i32 = 3;
const MESSAGES_FD: i32 = 4;

pub struct Chromium {
    child: Child,
    commands: File,
    messages: mpsc::Receiver<Value>,
    next_id: u64,
    /// The page's session (`Target.attachToTarget`, flattened).
    session: Option<String>,
    profile: tempfile::TempDir,
}

/// The Chromium to test with: `LABRUN_TEST_CHROMIUM` (which then must
/// exist) or `/usr/bin/chromium`; `None` when there is none.
pub fn find() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(CHROMIUM_ENV) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "{CHROMIUM_ENV}={} is not a file",
            path.display()
        );
        return Some(path);
    }
    let path = PathBuf::from(DEBIAN_CHROMIUM);
    path.is_file().then_some(path)
}

/// Two pipes' ends: `(read, write)`, close-on-exec, numbered 10 or above so
/// that the child's `dup2` onto 3 and 4 can never overwrite one of them.
fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0i32; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    let high = |fd: i32| {
        // SAFETY: `fd` is open and ours; the copy is ours to own and the
        // original is closed right after.
        unsafe {
            let copy = libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 10);
            assert!(copy >= 10, "fcntl(F_DUPFD_CLOEXEC) failed");
            libc::close(fd);
            OwnedFd::from_raw_fd(copy)
        }
    };
    (high(fds[0]), high(fds[1]))
}

impl Chromium {
    /// The browser, or `None` after a loud `SKIPPED` line when this machine
    /// has none (`test` names what was skipped).
    pub fn launch_or_skip(test: &str) -> Option<Chromium> {
        match find() {
            Some(path) => Some(Chromium::launch(&path)),
            None => {
                eprintln!(
                    "\n──── SKIPPED: {test} needs Chromium ({DEBIAN_CHROMIUM}, Debian's chromium \
                     package, or {CHROMIUM_ENV}=PATH); it was NOT tested ────\n"
                );
                None
            }
        }
    }

    /// Starts `path` headless with a fresh profile, talking over fds 3 and 4.
    pub fn launch(path: &Path) -> Chromium {
        let profile = tempfile::tempdir().unwrap();
        let log = File::create(profile.path().join("chromium.log")).unwrap();
        let (commands_read, commands_write) = pipe();
        let (messages_read, messages_write) = pipe();
        let mut cmd = Command::new(path);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--remote-debugging-pipe",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("about:blank")
        .env("HOME", profile.path())
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log);
        let (child_in, child_out) = (raw(&commands_read), raw(&messages_write));
        // SAFETY: between fork and exec only async-signal-safe calls: its own
        // process group (so drop ends every process the browser starts) and
        // the two pipe ends onto fds 3 and 4 (dup2 clears close-on-exec).
        unsafe {
            cmd.pre_exec(move || {
                if libc::setpgid(0, 0) != 0
                    || libc::dup2(child_in, COMMANDS_FD) < 0
                    || libc::dup2(child_out, MESSAGES_FD) < 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("Chromium starts");
        // The child has its copies: ours must close, or no EOF ever comes.
        drop((commands_read, messages_write));
        let (sender, messages) = mpsc::channel();
        let mut reader = File::from(messages_read);
        std::thread::spawn(move || read_messages(&mut reader, &sender));
        Chromium {
            child,
            commands: File::from(commands_write),
            messages,
            next_id: 0,
            session: None,
            profile,
        }
    }

    /// What the browser printed, to explain a failure.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.profile.path().join("chromium.log")).unwrap_or_default()
    }

    /// Sends `method` (in the page's session once there is one) and waits
    /// for its answer; events that come meanwhile are passed over.
    pub fn call(&mut self, method: &str, params: Value) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = &self.session {
            message["sessionId"] = json!(session);
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.commands
            .write_all(&bytes)
            .map_err(|e| format!("{method}: the browser's pipe: {e}\n{}", self.log()))?;
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let answer = match self.messages.recv_timeout(left) {
                Ok(answer) => answer,
                Err(e) => return Err(format!("{method}: no answer ({e})\n{}", self.log())),
            };
            if answer["id"] != json!(id) {
                continue;
            }
            return match answer.get("error") {
                Some(error) => Err(format!("{method}: {error}")),
                None => Ok(answer["result"].clone()),
            };
        }
    }

    /// A new tab attached to (flattened session), then sent to `url`.
    pub fn open(&mut self, url: &str) {
        self.session = None;
        let target = self
            .call("Target.createTarget", json!({"url": "about:blank"}))
            .unwrap();
        let attached = self
            .call(
                "Target.attachToTarget",
                json!({"targetId": target["targetId"], "flatten": true}),
            )
            .unwrap();
        let session = attached["sessionId"].as_str().expect("a session id");
        self.session = Some(session.to_string());
        let navigated = self.call("Page.navigate", json!({"url": url})).unwrap();
        assert!(
            navigated.get("errorText").is_none(),
            "{url} did not load: {navigated}"
        );
    }

    /// The value of a JavaScript expression in the page.
    pub fn eval(&mut self, expression: &str) -> Result<Value, String> {
        let result = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true}),
        )?;
        if let Some(thrown) = result.get("exceptionDetails") {
            return Err(format!("{expression}: {thrown}"));
        }
        Ok(result["result"]["value"].clone())
    }

    /// The page's text as a reader sees it (`document.body.innerText`).
    pub fn text(&mut self) -> String {
        self.eval("document.body ? document.body.innerText : ''")
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// Polls the page's text until `pred` holds; panics after
    /// [`PATIENCE`] with `what`, the text and the browser's log.
    pub fn wait_for_text(&mut self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let text = "document.body ? document.body.innerText : ''";
        let value = self.wait_for(what, text, |v| v.as_str().is_some_and(&pred));
        value.as_str().unwrap_or_default().to_string()
    }

    /// Polls the value of `expression` until `pred` holds; panics after
    /// [`PATIENCE`] with `what`, the last value, the page's text and the
    /// browser's log.
    pub fn wait_for(
        &mut self,
        what: &str,
        expression: &str,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + PATIENCE;
        let mut pause = Duration::from_millis(10);
        loop {
            let value = self.eval(expression).unwrap_or(Value::Null);
            if pred(&value) {
                return value;
            }
            if Instant::now() >= deadline {
                panic!(
                    "timed out waiting for {what}; last {value}; the page says:\n{}\n── chromium log:\n{}",
                    self.text(),
                    self.log()
                );
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(200));
        }
    }
}

fn raw(fd: &OwnedFd) -> i32 {
    use std::os::fd::AsRawFd;
    fd.as_raw_fd()
}

/// Splits the browser's fd 4 into messages at NUL bytes until it closes.
fn read_messages(pipe: &mut File, sender: &mpsc::Sender<Value>) {
    let mut pending: Vec<u8> = Vec::new();
    let mut buffer = [0u8; 64 * 1024];
    loop {
        let n = match pipe.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        pending.extend_from_slice(&buffer[..n]);
        while let Some(end) = pending.iter().position(|&b| b == 0) {
            let message: Vec<u8> = pending.drain(..=end).collect();
            if let Ok(value) = serde_json::from_slice(&message[..end])
                && sender.send(value).is_err()
            {
                return;
            }
        }
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        // The browser's whole process group: renderers, GPU and zygote too.
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: a signal to the group of our own child, not yet waited for.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
        let _ = self.child.wait();
    }
}
