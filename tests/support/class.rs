//! A class server for tests: the real binary (`labrun class serve --listen
//! 127.0.0.1:0 …`) in a directory of the test's, its URLs read from what it
//! prints (never a sleep), and the protocol's requests over real HTTP —
//! join, post events, read the class, and build events with a record.

use super::PATIENCE;
use labrun::checks::Status;
use labrun::class::protocol::{
    self, ClassState, Event, EventBatch, EventKind, JoinRequest, JoinResponse,
};
use labrun::progress::{Condition, Progress, StepProgress};
use labrun::report::Record;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Instant;

pub struct ClassServer {
    child: Child,
    /// What it printed, line by line (the lines before "Ctrl-C stops." are in `printed`).
    lines: mpsc::Receiver<String>,
    pub printed: Vec<String>,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    pub join_url: String,
    /// Only when the class was created by this start.
    pub instructor_token: Option<String>,
    /// The server's `XDG_DATA_HOME` (its remembered credentials).
    pub data_home: PathBuf,
    pub client: reqwest::blocking::Client,
}

/// A server that did not start: its exit and what it said.
#[derive(Debug)]
pub struct Failed {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(PATIENCE)
        .build()
        .unwrap()
}

impl ClassServer {
    /// `labrun class serve --listen 127.0.0.1:0 ARGS` in `dir`.
    pub fn start(dir: &Path, args: &[&str]) -> ClassServer {
        Self::try_start(dir, args).unwrap_or_else(|f| panic!("class serve did not start: {f:?}"))
    }

    pub fn try_start(dir: &Path, args: &[&str]) -> Result<ClassServer, Failed> {
        let mut all = vec!["class", "serve", "--listen", "127.0.0.1:0"];
        all.extend_from_slice(args);
        Self::try_start_args(dir, &all, &[])
    }

    /// `labrun ARGS` (a whole command line) in `dir`, with `env` added.
    pub fn try_start_args(
        dir: &Path,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Result<ClassServer, Failed> {
        let data_home = dir.join("data-home");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_labrun"));
        cmd.args(args)
            .current_dir(dir)
            .env("XDG_DATA_HOME", &data_home)
            .env_remove("LABRUN_CLASS_DB")
            .env_remove(protocol::INSTRUCTOR_TOKEN_ENV)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + PATIENCE;
        let mut printed = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) => {
                    let ready = line.contains("Ctrl-C stops.");
                    printed.push(line);
                    if ready {
                        break;
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    let status = child.wait().unwrap();
                    let mut stderr = String::new();
                    if let Some(mut e) = child.stderr.take() {
                        let _ = e.read_to_string(&mut stderr);
                    }
                    return Err(Failed {
                        code: status.code(),
                        stdout: printed.join("\n"),
                        stderr,
                    });
                }
            }
        }
        let url_after = |marker: &str| {
            printed
                .iter()
                .find_map(|l| l.split_whitespace().find(|w| w.contains(marker)))
                .map(str::to_string)
        };
        let join_url = url_after("/join/").expect("a join URL");
        let parsed = protocol::ClassUrl::parse(&join_url).unwrap();
        let instructor_token = printed
            .iter()
            .find_map(|l| l.split_once("/?token="))
            .map(|(_, t)| t.split_whitespace().next().unwrap_or("").to_string());
        Ok(ClassServer {
            child,
            lines,
            printed,
            base: parsed.base,
            join_url,
            instructor_token,
            data_home,
            client: client(),
        })
    }

    pub fn code(&self) -> String {
        protocol::ClassUrl::parse(&self.join_url)
            .unwrap()
            .code
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The instructor token: printed at creation, else remembered.
    pub fn instructor(&self) -> String {
        if let Some(token) = &self.instructor_token {
            return token.clone();
        }
        labrun::class::credentials::Credentials::in_dir(self.data_home.join("labrun"))
            .instructor_token(&self.base)
            .unwrap()
            .expect("a remembered instructor token")
    }

    /// Joins as `name`; panics unless 201.
    pub fn join(&self, name: &str) -> JoinResponse {
        let response = self.try_join(&self.code(), name);
        assert_eq!(response.status(), 201, "{:?}", response.text());
        response.json().unwrap()
    }

    pub fn try_join(&self, code: &str, name: &str) -> reqwest::blocking::Response {
        let request = JoinRequest {
            code: code.to_string(),
            name: name.to_string(),
            workspace_id: format!("ws-{name}"),
            lesson: "lesson".to_string(),
        };
        self.client
            .post(self.url(protocol::JOIN))
            .json(&request)
            .send()
            .unwrap()
    }

    pub fn post_events(&self, token: &str, events: &[Event]) -> reqwest::blocking::Response {
        let batch = EventBatch {
            events: events.to_vec(),
        };
        self.client
            .post(self.url(protocol::EVENTS))
            .bearer_auth(token)
            .json(&batch)
            .send()
            .unwrap()
    }

    pub fn get(&self, path: &str, token: &str) -> reqwest::blocking::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .unwrap()
    }

    /// `GET /api/class` with the instructor token.
    pub fn state(&self) -> ClassState {
        let response = self.get(protocol::CLASS, &self.instructor());
        assert_eq!(response.status(), 200);
        response.json().unwrap()
    }

    /// Stops it as Ctrl-C would (SIGINT) and waits; the rest of what it printed.
    pub fn stop(self) -> (ExitStatus, Vec<String>) {
        self.stop_by(libc::SIGINT)
    }

    /// Stops it as a service manager would (SIGTERM) and waits.
    pub fn terminate(self) -> (ExitStatus, Vec<String>) {
        self.stop_by(libc::SIGTERM)
    }

    fn stop_by(mut self, sig: i32) -> (ExitStatus, Vec<String>) {
        signal(&self.child, sig);
        let status = self.child.wait().unwrap();
        let rest = self.lines.try_iter().collect();
        (status, rest)
    }

    /// `kill -9`.
    pub fn kill_9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ClassServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn signal(child: &Child, signal: i32) {
    let pid = i32::try_from(child.id()).unwrap();
    // SAFETY: a signal to our own child, which has not been waited for.
    unsafe {
        libc::kill(pid, signal);
    }
}

/// A random event id (32 hex digits).
pub fn event_id() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).unwrap();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A check event of `seq`: `step` now has `status`, every step in `passed` passed.
pub fn check_event(seq: u64, step: &str, status: Status, passed: &[&str]) -> Event {
    let now = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let mut progress = Progress::new("lesson");
    let mut ids: Vec<&str> = passed.to_vec();
    if !ids.contains(&step) {
        ids.push(step);
    }
    for id in ids {
        let status = if id == step && status != Status::Pass {
            status
        } else {
            Status::Pass
        };
        progress.steps.push(StepProgress {
            challenge: None,
            id: id.to_string(),
            title: format!("Step {id}"),
            status: Some(status),
            attempts: 1,
            first_checked_at: Some(now.clone()),
            first_passed_at: (status == Status::Pass).then(|| now.clone()),
            seconds_to_pass: (status == Status::Pass).then_some(0),
            seconds_spent: 0,
            last_checked_at: Some(now.clone()),
            hints_shown: 0,
            conditions: vec![],
        });
    }
    Event {
        id: event_id(),
        seq,
        at: now.clone(),
        kind: EventKind::Check,
        challenge: None,
        step: Some(step.to_string()),
        status: Some(status),
        conditions: vec![Condition {
            name: "file exists".into(),
            status,
        }],
        record: Record {
            schema: labrun::report::RECORD_SCHEMA,
            kind: labrun::report::RECORD_KIND.into(),
            learner: "whatever the laptop says".into(),
            lesson: "lesson".into(),
            exported_at: now,
            workspace_id: None,
            progress,
        },
    }
}

/// The steps a learner of `state` passed, by name.
pub fn passed(state: &ClassState, name: &str) -> Vec<String> {
    state
        .learners
        .iter()
        .find(|l| l.name == name)
        .and_then(|l| l.record.as_ref())
        .map(|r| {
            r.progress
                .steps
                .iter()
                .filter(|s| s.status == Some(Status::Pass))
                .map(|s| s.id.clone())
                .collect()
        })
        .unwrap_or_default()
}
