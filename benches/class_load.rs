//! A class under load: N simulated learners against a real `labrun class
//! serve`, each sending one check event every few seconds for a while, with
//! an instructor's stream open. Prints events in vs stored, ingest latency
//! (p50/p99), dashboard latency (an event acknowledged → a streamed class
//! state that has it), and the server's peak RSS and CPU time. With
//! `--kill-at S` the server is killed with SIGKILL S seconds in and started
//! again on the same database and port; every learner keeps its own queue of
//! unacknowledged events and resends them (the same events, same ids), so
//! after the queues drain the stored count must still equal the count sent.
//!
//! Loopback only, bounded: every wait has a deadline. Run by
//! `benches/class.sh`, or:
//!
//!   cargo build --release
//!   cargo bench --bench class_load -- --labrun target/release/labrun \
//!       --learners 500 --seconds 120 --every 5 [--db postgres://…] [--kill-at 60]

use labrun::class::protocol::{
    self, BatchAck, ClassState, Event, EventBatch, EventKind, JoinRequest, JoinResponse,
};
use labrun::progress::{Condition, Progress, StepProgress};
use labrun::report::{RECORD_KIND, RECORD_SCHEMA, Record};
use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

const STEPS: usize = 7;

struct Options {
    labrun: PathBuf,
    learners: usize,
    seconds: u64,
    every: f64,
    db: Option<String>,
    kill_at: Option<u64>,
    /// How long the killed server stays down before it is started again.
    down: u64,
}

fn options() -> Options {
    let mut o = Options {
        labrun: PathBuf::from("target/release/labrun"),
        learners: 500,
        seconds: 120,
        every: 5.0,
        db: None,
        kill_at: None,
        down: 5,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--labrun" => o.labrun = PathBuf::from(value()),
            "--learners" => o.learners = value().parse().expect("--learners N"),
            "--seconds" => o.seconds = value().parse().expect("--seconds S"),
            "--every" => o.every = value().parse().expect("--every S"),
            "--db" => o.db = Some(value()),
            "--kill-at" => o.kill_at = Some(value().parse().expect("--kill-at S")),
            "--down" => o.down = value().parse().expect("--down S"),
            "--bench" => {} // cargo bench passes it
            other => panic!("unknown argument {other}"),
        }
    }
    // The server runs in a temporary directory: a relative path would not hold there.
    o.labrun = std::fs::canonicalize(&o.labrun)
        .unwrap_or_else(|e| panic!("{}: {e} (cargo build --release first)", o.labrun.display()));
    o
}

/// The class server as a child process, on a fixed port so it can come back.
struct Server {
    child: Child,
    join_url: String,
    port: u16,
    dir: PathBuf,
    db: String,
    name: String,
    labrun: PathBuf,
}

impl Server {
    fn start(labrun: &PathBuf, dir: &std::path::Path, db: &str, name: &str, port: u16) -> Server {
        let (child, printed) = spawn(labrun, dir, db, name, port);
        let mut server = Server {
            child,
            join_url: String::new(),
            port,
            dir: dir.to_path_buf(),
            db: db.to_string(),
            name: name.to_string(),
            labrun: labrun.clone(),
        };
        server.wait_ready();
        server.join_url = printed
            .recv_timeout(Duration::from_secs(60))
            .expect("class serve prints the join URL");
        server
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the class server ended: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "the class server did not listen in 60 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn kill_and_restart(&mut self, down: Duration) {
        self.child.kill().ok(); // SIGKILL
        self.child.wait().ok();
        std::thread::sleep(down);
        self.child = spawn(&self.labrun, &self.dir, &self.db, &self.name, self.port).0;
        self.wait_ready();
    }

    fn usage(&self) -> (u64, f64) {
        let pid = self.child.id();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let hwm_kb = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        let ticks: u64 = [11, 12]
            .iter()
            .filter_map(|i| fields.get(*i).and_then(|v| v.parse::<u64>().ok()))
            .sum();
        (hwm_kb, ticks as f64 / 100.0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// The server, and the join URL it prints (sent once it is printed).
fn spawn(
    labrun: &PathBuf,
    dir: &std::path::Path,
    db: &str,
    name: &str,
    port: u16,
) -> (Child, std::sync::mpsc::Receiver<String>) {
    let mut child = Command::new(labrun)
        .args(["class", "serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--name", name])
        .env("LABRUN_CLASS_DB", db)
        .env("XDG_DATA_HOME", dir.join("data"))
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("labrun class serve starts");
    // Keep reading its output so it never blocks on a full pipe.
    let out = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if let Some(url) = line
                .split_whitespace()
                .find(|w| w.starts_with("http") && w.contains(protocol::JOIN_PATH_PREFIX))
            {
                let _ = tx.send(url.to_string());
            }
        }
    });
    (child, rx)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The instructor token, as `class serve` remembered it on this machine.
fn instructor_token(dir: &std::path::Path, base: &str) -> String {
    labrun::class::credentials::Credentials::in_dir(dir.join("data/labrun"))
        .instructor_token(base)
        .expect("credentials readable")
        .expect("class serve remembered the instructor token")
}

fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

/// A learner's record after `checks` checks: one step passed every third.
fn record(learner: usize, checks: u64) -> (Record, usize, bool) {
    let mut progress = Progress::new("proxying-private-images");
    progress.started_at = Some(now_rfc3339());
    let passed = (checks / 3) as usize;
    let current = passed.min(STEPS - 1);
    let pass_now = checks.is_multiple_of(3) && checks > 0;
    for i in 0..STEPS {
        let mut step = StepProgress {
            id: format!("step-{}", i + 1),
            title: format!("Step {} of the lesson", i + 1),
            ..StepProgress::default()
        };
        if i < passed || (i == current && pass_now) {
            step.status = Some(labrun::checks::Status::Pass);
            step.attempts = 3;
            step.seconds_to_pass = Some(15);
            step.first_passed_at = Some(now_rfc3339());
        } else if i == current {
            step.status = Some(labrun::checks::Status::Fail);
            step.attempts = (checks % 3) as u32;
            step.conditions = vec![Condition {
                name: "values.yaml sets the proxy registry".into(),
                status: labrun::checks::Status::Fail,
            }];
        }
        progress.steps.push(step);
    }
    let record = Record {
        schema: RECORD_SCHEMA,
        kind: RECORD_KIND.into(),
        learner: format!("learner-{learner}"),
        lesson: "proxying-private-images".into(),
        exported_at: now_rfc3339(),
        workspace_id: Some(format!("ws-{learner:04}")),
        progress,
    };
    (record, current, pass_now)
}

fn event_id() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).unwrap();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Default)]
struct Stats {
    generated: u64,
    acked_first: u64,
    duplicates: u64,
    failures: u64,
    ingest_ms: Vec<f64>,
    dashboard_ms: Vec<f64>,
    /// learner index → (events acked so far, when the latest was acked)
    acked: HashMap<usize, (u64, Instant)>,
    /// learner id → events in the latest streamed state (kept across reconnects)
    streamed: HashMap<String, u64>,
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    values[((values.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let o = options();
    let dir = tempfile::tempdir().unwrap();
    let db =
        o.db.clone()
            .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("class.db").display()));
    let name = format!("bench-{}", &event_id()[..8]);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = Server::start(&o.labrun, dir.path(), &db, &name, port);
    let instructor = instructor_token(dir.path(), &base);
    let code = protocol::ClassUrl::parse(&server.join_url)
        .ok()
        .and_then(|u| u.code)
        .expect("the printed join URL has a class code");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .pool_max_idle_per_host(1024)
        .build()
        .unwrap();
    let stats = Arc::new(Mutex::new(Stats::default()));

    // Join everybody.
    let tokens: Vec<String> = runtime.block_on(async {
        let mut tokens = Vec::new();
        for i in 0..o.learners {
            let join = JoinRequest {
                code: code.clone(),
                name: format!("learner-{i:03}"),
                workspace_id: format!("ws-{i:04}"),
                lesson: "proxying-private-images".into(),
            };
            let response: JoinResponse = client
                .post(format!("{base}{}", protocol::JOIN))
                .json(&join)
                .send()
                .await
                .expect("join")
                .error_for_status()
                .expect("join accepted")
                .json()
                .await
                .expect("join answer");
            tokens.push(response.token);
        }
        tokens
    });
    eprintln!("{} learners joined {base}", tokens.len());

    // The instructor's stream: every streamed state tells which learners'
    // events it has; the first state that has a learner's k-th event gives
    // that event's dashboard latency.
    let stream_stats = stats.clone();
    let stream_client = reqwest::Client::new();
    let stream_base = base.clone();
    let stream_token = instructor.clone();
    runtime.spawn(async move {
        loop {
            let _ = watch_stream(&stream_client, &stream_base, &stream_token, &stream_stats).await;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });

    let started = Instant::now();
    let load_for = Duration::from_secs(o.seconds);
    let every = Duration::from_secs_f64(o.every);
    let mut tasks = Vec::new();
    for (i, token) in tokens.into_iter().enumerate() {
        let client = client.clone();
        let stats = stats.clone();
        let url = format!("{base}{}", protocol::EVENTS);
        let offset = every.mul_f64(i as f64 / o.learners as f64);
        tasks.push(runtime.spawn(async move {
            learner(
                i, client, url, token, stats, started, offset, every, load_for,
            )
            .await
        }));
    }

    if let Some(at) = o.kill_at {
        let wait = Duration::from_secs(at).saturating_sub(started.elapsed());
        std::thread::sleep(wait);
        eprintln!(
            "kill -9 the server at {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let (rss, cpu) = server.usage();
        eprintln!(
            "  before the kill: peak RSS {} MiB, CPU {cpu:.1} s",
            rss / 1024
        );
        server.kill_and_restart(Duration::from_secs(o.down));
        eprintln!(
            "  listening again at {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }

    let drained = runtime.block_on(async {
        let mut left = 0;
        for task in tasks {
            left += tokio::time::timeout(Duration::from_secs(o.seconds + 120), task)
                .await
                .map(|r| r.unwrap_or(1))
                .unwrap_or(1);
        }
        left
    });
    let elapsed = started.elapsed();
    let (rss_kb, cpu_s) = server.usage();
    let state: ClassState = runtime.block_on(async {
        client
            .get(format!("{base}{}", protocol::CLASS))
            .bearer_auth(&instructor)
            .send()
            .await
            .expect("class state")
            .json()
            .await
            .expect("class state JSON")
    });
    // Let the stream catch up with the last events before reading its figures.
    std::thread::sleep(Duration::from_millis(1500));
    let stored: u64 = state.learners.iter().map(|l| l.events).sum();
    let mut s = stats.lock().unwrap();
    let generated = s.generated;
    let (acked_first, duplicates, failures) = (s.acked_first, s.duplicates, s.failures);
    let ingest_p50 = percentile(&mut s.ingest_ms, 0.5);
    let ingest_p99 = percentile(&mut s.ingest_ms, 0.99);
    let dash_n = s.dashboard_ms.len();
    let dash_p50 = percentile(&mut s.dashboard_ms, 0.5);
    let dash_p99 = percentile(&mut s.dashboard_ms, 0.99);
    let backend = if db.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "class load: {} learners, one check every {}s for {}s, {backend}{}",
        o.learners,
        o.every,
        o.seconds,
        o.kill_at
            .map(|k| format!(", server killed (-9) at {k}s and restarted"))
            .unwrap_or_default()
    );
    println!(
        "  events sent {generated}, stored {stored} ({}), first acks {acked_first}, acked again as duplicates {duplicates}, failed sends retried {failures}, queues left undrained {drained}",
        if generated == stored {
            "match"
        } else {
            "MISMATCH"
        }
    );
    println!("  ingest latency (request → ack): p50 {ingest_p50:.1} ms, p99 {ingest_p99:.1} ms");
    println!(
        "  dashboard latency (ack → streamed state has it, {dash_n} samples): p50 {dash_p50:.1} ms, p99 {dash_p99:.1} ms"
    );
    println!(
        "  server: peak RSS {:.1} MiB, CPU {cpu_s:.1} s over {:.0} s ({:.0}% of a core){}",
        rss_kb as f64 / 1024.0,
        elapsed.as_secs_f64(),
        100.0 * cpu_s / elapsed.as_secs_f64(),
        if o.kill_at.is_some() {
            " (the restarted server's)"
        } else {
            ""
        }
    );
    drop(s);
    drop(server);
    if generated != stored || drained != 0 {
        std::process::exit(1);
    }
}

#[allow(clippy::too_many_arguments)]
async fn learner(
    i: usize,
    client: reqwest::Client,
    url: String,
    token: String,
    stats: Arc<Mutex<Stats>>,
    started: Instant,
    offset: Duration,
    every: Duration,
    load_for: Duration,
) -> usize {
    let mut queue: VecDeque<Event> = VecDeque::new();
    let mut checks = 0u64;
    let mut next = started + offset;
    let mut backoff = Duration::from_millis(100);
    loop {
        let now = Instant::now();
        if now >= next && now < started + load_for {
            checks += 1;
            let (record, current, passed) = record(i, checks);
            queue.push_back(Event {
                id: event_id(),
                seq: checks,
                at: now_rfc3339(),
                kind: EventKind::Check,
                challenge: None,
                step: Some(format!("step-{}", current + 1)),
                status: Some(if passed {
                    labrun::checks::Status::Pass
                } else {
                    labrun::checks::Status::Fail
                }),
                conditions: Vec::new(),
                record,
            });
            stats.lock().unwrap().generated += 1;
            next += every;
        }
        if !queue.is_empty() {
            let batch = EventBatch {
                events: queue
                    .iter()
                    .take(protocol::MAX_EVENTS_PER_BATCH)
                    .cloned()
                    .collect(),
            };
            let sent = Instant::now();
            let answer = client
                .post(&url)
                .bearer_auth(&token)
                .json(&batch)
                .send()
                .await;
            match answer {
                Ok(r) if r.status().is_success() => {
                    let ack: BatchAck = r.json().await.unwrap_or(BatchAck {
                        stored: 0,
                        duplicates: 0,
                    });
                    let n = batch.events.len();
                    queue.drain(..n);
                    let mut s = stats.lock().unwrap();
                    s.ingest_ms.push(sent.elapsed().as_secs_f64() * 1000.0);
                    s.acked_first += u64::from(ack.stored);
                    s.duplicates += u64::from(ack.duplicates);
                    let acked = s.acked.entry(i).or_insert((0, Instant::now()));
                    acked.0 = checks - queue.len() as u64;
                    acked.1 = Instant::now();
                    backoff = Duration::from_millis(100);
                    continue;
                }
                Ok(r) => {
                    let retry = r
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse::<u64>().ok());
                    stats.lock().unwrap().failures += 1;
                    let wait = retry.map(Duration::from_secs).unwrap_or(backoff);
                    tokio::time::sleep(wait).await;
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                    continue;
                }
                Err(_) => {
                    stats.lock().unwrap().failures += 1;
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                    continue;
                }
            }
        }
        if Instant::now() >= started + load_for {
            return queue.len();
        }
        tokio::time::sleep_until(next.into()).await;
    }
}

/// Reads the instructor's stream until it ends. `client` has no overall
/// timeout: a stream lasts as long as the server.
async fn watch_stream(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    stats: &Arc<Mutex<Stats>>,
) -> Result<(), reqwest::Error> {
    let mut response = client
        .get(format!("{base}{}", protocol::STREAM))
        .bearer_auth(token)
        .send()
        .await?;
    let mut buffer = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        buffer.extend_from_slice(&chunk);
        while let Some(end) = find(&buffer, b"\n\n") {
            let message: Vec<u8> = buffer.drain(..end + 2).collect();
            let text = String::from_utf8_lossy(&message);
            let data: String = text
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(|l| l.strip_prefix(' ').unwrap_or(l))
                .collect::<Vec<_>>()
                .join("\n");
            let Ok(state) = serde_json::from_str::<ClassState>(&data) else {
                continue;
            };
            let arrived = Instant::now();
            let mut s = stats.lock().unwrap();
            for learner in &state.learners {
                let index: usize = learner
                    .name
                    .trim_start_matches("learner-")
                    .parse()
                    .unwrap_or(usize::MAX);
                let before = s
                    .streamed
                    .insert(learner.learner_id.clone(), learner.events)
                    .unwrap_or(0);
                if learner.events > before
                    && let Some((acked, at)) = s.acked.get(&index).copied()
                    && acked == learner.events
                {
                    s.dashboard_ms
                        .push(arrived.duration_since(at).as_secs_f64() * 1000.0);
                }
            }
        }
    }
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
