//! The lab asks the Vendor API through its session's one client: every
//! re-check reuses that client's open connection, where a client made for
//! each check would open a new one every time (and, online, load the
//! system's TLS roots again). Observed at a real socket: a Vendor API on
//! loopback that counts the connections it accepts.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use support::lab::{Lab, Options, WAIT};

const APP: &str = "slackernews-keepalive";
const TOKEN: &str = "lab-token-0123456789";
/// F6: check every step (a global key: it works while the shell has the keys).
const CHECK_ALL: &[u8] = b"\x1b[17~";
/// A release check with no release on its channels asks two things: the apps
/// with their channels, and the releases (for the sequence to suggest).
const REQUESTS_PER_CHECK: usize = 2;

#[test]
fn the_lab_rechecks_through_one_client_and_one_connection() {
    let api = CountingApi::start();
    let mut lab = Lab::start_with(
        Options::default()
            .env("REPLICATED_API_ORIGIN", api.origin.clone())
            .env("REPLICATED_API_TOKEN", TOKEN)
            .env("REPLICATED_APP", APP),
    );
    // The lab checks every step as it opens; then the learner asks twice more.
    api.wait_for_requests(REQUESTS_PER_CHECK);
    for run in 2..=3 {
        lab.type_keys(CHECK_ALL);
        api.wait_for_requests(run * REQUESTS_PER_CHECK);
    }
    assert_eq!(
        api.unauthorized.load(Ordering::SeqCst),
        0,
        "every request carried the token"
    );
    assert_eq!(
        api.connections.load(Ordering::SeqCst),
        1,
        "three check runs, {} requests: one client, one connection",
        api.requests.load(Ordering::SeqCst)
    );
    lab.quit();
}

/// A keep-alive HTTP/1.1 Vendor API on 127.0.0.1 (one app, no releases)
/// that counts the connections it accepts and the requests it answers.
struct CountingApi {
    origin: String,
    connections: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
    unauthorized: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl CountingApi {
    fn start() -> CountingApi {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let mut api = CountingApi {
            origin,
            connections: Arc::default(),
            requests: Arc::default(),
            unauthorized: Arc::default(),
            stop: Arc::default(),
            thread: None,
        };
        let counters = (
            api.connections.clone(),
            api.requests.clone(),
            api.unauthorized.clone(),
            api.stop.clone(),
        );
        let thread = std::thread::spawn(move || {
            let (connections, requests, unauthorized, stop) = counters;
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                connections.fetch_add(1, Ordering::SeqCst);
                let (requests, unauthorized) = (requests.clone(), unauthorized.clone());
                // Each connection is served until the client closes it.
                std::thread::spawn(move || serve(stream, &requests, &unauthorized));
            }
        });
        api.thread = Some(thread);
        api
    }

    /// Waits until at least `n` requests were answered; panics after [`WAIT`].
    fn wait_for_requests(&self, n: usize) {
        let start = Instant::now();
        while self.requests.load(Ordering::SeqCst) < n {
            assert!(
                start.elapsed() < WAIT,
                "{} of {n} requests within {WAIT:?}",
                self.requests.load(Ordering::SeqCst)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for CountingApi {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the blocking accept, which then sees `stop`.
        let _ = TcpStream::connect(self.origin.trim_start_matches("http://"));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Answers requests on one connection, keeping it open between them.
fn serve(stream: TcpStream, requests: &AtomicUsize, unauthorized: &AtomicUsize) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    while let Some((target, token)) = read_request(&mut reader) {
        if token.as_deref() != Some(TOKEN) {
            unauthorized.fetch_add(1, Ordering::SeqCst);
        }
        let (status, body) = answer(&target);
        let response = format!(
            "HTTP/1.1 {status} Whatever\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
        requests.fetch_add(1, Ordering::SeqCst);
    }
}

fn answer(target: &str) -> (u16, String) {
    if target == "/v3/apps" {
        let channel = |id: &str, name: &str| {
            format!(r#"{{"id":"{id}","appId":"2fAPP","name":"{name}","releaseSequence":0}}"#)
        };
        let channels = [("ch-u", "Unstable"), ("ch-b", "Beta"), ("ch-s", "Stable")]
            .map(|(id, name)| channel(id, name))
            .join(",");
        let app = format!(
            r#"{{"id":"2fAPP","name":"Slackernews","slug":"{APP}","channels":[{channels}]}}"#
        );
        (200, format!(r#"{{"apps":[{app}]}}"#))
    } else if target.starts_with("/v3/app/2fAPP/releases?") {
        (200, r#"{"releases":[]}"#.to_string())
    } else {
        (404, r#"{"message":"no such route"}"#.to_string())
    }
}

/// The target and `Authorization` of the next request; None when the client closed.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<(String, Option<String>)> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let target = line.split_whitespace().nth(1)?.to_string();
    let mut token = None;
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        if name.eq_ignore_ascii_case("authorization") {
            token = Some(value.trim().to_string());
        } else if name.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((target, token))
}
