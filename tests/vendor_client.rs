//! The Vendor API client and the `replicated` stand-in over real HTTP: the
//! lesson's command sequence against the local sandbox, and failures against
//! tiny hand-rolled servers (nothing listening, no answer, 5xx, 401, bad JSON,
//! a server that goes away). No error may ever show the token.

mod support;

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use labrun::standins::replicated;
use labrun::vendor_api::client::{Client, ClientError, Config};
use labrun::vendor_api::server::{Sandbox, ServerConfig};

const TOKEN: &str = "sandbox-SECRET-token-0123";
const SLUG: &str = "slackernews-mackerel";
const NOTES: &str = "Uses the Replicated proxy registry to pull images";

// ---------------------------------------------------------------- helpers

fn config(origin: &str) -> Config {
    Config::new(origin, TOKEN, SLUG)
}

fn client(origin: &str) -> Client {
    Client::new(config(origin)).unwrap()
}

/// Asserts the token is nowhere in the error's message or debug form.
fn no_token(e: &ClientError) {
    assert!(!e.to_string().contains(TOKEN), "token in {e}");
    assert!(!format!("{e:?}").contains(TOKEN), "token in {e:?}");
}

fn sandbox() -> Sandbox {
    Sandbox::start(ServerConfig {
        listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        state_path: None,
        app_slug: SLUG.to_string(),
        token: TOKEN.to_string(),
    })
    .unwrap()
}

/// Runs the stand-in with only these environment variables.
fn replicated(origin: &str, words: &[&str]) -> (i32, String, String) {
    let argv: Vec<OsString> = words.iter().map(OsString::from).collect();
    let origin = origin.to_string();
    let env = move |name: &str| match name {
        "REPLICATED_API_ORIGIN" => Some(origin.clone()),
        "REPLICATED_API_TOKEN" => Some(TOKEN.to_string()),
        "REPLICATED_APP" => Some(SLUG.to_string()),
        _ => None,
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = replicated::run_with(&argv, &env, &mut out, &mut err);
    let (out, err) = (
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    );
    assert!(
        !out.contains(TOKEN) && !err.contains(TOKEN),
        "token printed"
    );
    (code, out, err)
}

/// The lesson's `replicated release create --promote Unstable … --version 0.5.0`.
fn create_on_unstable(origin: &str, chart: &str) -> (i32, String, String) {
    replicated(
        origin,
        &[
            "release",
            "create",
            "--promote",
            "Unstable",
            "--chart",
            chart,
            "--version",
            "0.5.0",
            "--release-notes",
            NOTES,
        ],
    )
}

/// A chart package as `helm package` would write it.
fn write_chart(dir: &Path, version: &str) -> String {
    let files = [
        (
            "slackernews/Chart.yaml".to_string(),
            format!("apiVersion: v2\nname: slackernews\nversion: {version}\nappVersion: 1.0.17\n"),
        ),
        (
            "slackernews/values.yaml".to_string(),
            "images:\n  slackernews:\n    repository: proxy.replicated.com/proxy/slackernews-mackerel/ghcr.io/slackernews/slackernews-web:1.0.17\n".to_string(),
        ),
    ];
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    let bytes = support::chart::tgz(&files);
    std::fs::create_dir_all(dir.join("release")).unwrap();
    let path = dir.join(format!("release/slackernews-{version}.tgz"));
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_string()
}

// ---------------------------------------------------------------- the lesson

#[test]
fn the_lessons_commands_against_the_sandbox() {
    let sandbox = sandbox();
    let origin = sandbox.origin().to_string();
    let api = client(&origin);
    let app = api.app().unwrap();
    assert_eq!(app.slug, SLUG);
    assert_eq!(app.id, sandbox.app_id());
    let unstable = api.channel_by_name_or_id(&app.id, "Unstable").unwrap();
    assert_eq!(unstable.name, "Unstable");
    // By ID as well as by name.
    assert_eq!(
        api.channel_by_name_or_id(&app.id, &unstable.id).unwrap().id,
        unstable.id
    );
    let dir = tempfile::tempdir().unwrap();
    let chart = write_chart(dir.path(), "0.5.0");

    // A channel that does not exist stops the command before a release is made.
    let before = api.releases(&app.id).unwrap().len();
    assert_eq!(before, 4, "the sandbox seeds releases 1-4");
    let (code, _, err) = replicated(
        &origin,
        &[
            "release",
            "create",
            "--promote",
            "Unstabel",
            "--chart",
            &chart,
        ],
    );
    assert_eq!(code, 1);
    assert!(err.starts_with("Error: no channel \"Unstabel\""), "{err}");
    assert!(
        err.contains("Unstable"),
        "the hint lists the channels: {err}"
    );
    assert_eq!(api.releases(&app.id).unwrap().len(), before);

    let (code, out, err) = create_on_unstable(&origin, &chart);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        format!(
            "You are creating a release that will only be installable with the helm CLI.\n\
             For more information, see \n\
             https://docs.replicated.com/vendor/helm-install#about-helm-installations-with-replicated\n\
             \n  • Reading chart from {chart} ✓\n  • Creating Release ✓\n    • SEQUENCE: 5\n  \
             • Promoting ✓\n    • Channel {} successfully set to release 5\n",
            unstable.id
        )
    );

    for channel in ["Beta", "Stable"] {
        let (code, out, err) = replicated(
            &origin,
            &[
                "release",
                "promote",
                "5",
                channel,
                "--version",
                "0.5.0",
                "--release-notes",
                NOTES,
            ],
        );
        assert_eq!((code, err.as_str()), (0, ""));
        assert_eq!(
            out,
            format!("Channel {channel} successfully set to release 5\n")
        );
    }

    let (code, out, err) = replicated(&origin, &["release", "ls"]);
    assert_eq!((code, err.as_str()), (0, ""));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "SEQUENCE    CREATED                 EDITED                  ACTIVE_CHANNELS"
    );
    assert!(lines[1].starts_with("5           "), "{out}");
    assert!(
        lines[1].ends_with("    0001-01-01T00:00:00Z    Stable,Beta,Unstable"),
        "{out}"
    );
    for (line, sequence) in lines[2..].iter().zip([4, 3, 2, 1]) {
        assert!(line.starts_with(&format!("{sequence}           ")), "{out}");
        assert!(line.trim_end().ends_with("0001-01-01T00:00:00Z"), "{out}");
    }
    assert_eq!(lines.len(), 6);

    // What the lab's check reads.
    let apps = api.apps_with_channels().unwrap();
    let channels = apps[0].channels.as_ref().unwrap();
    for name in ["Unstable", "Beta", "Stable"] {
        let channel = channels.iter().find(|c| c.name == name).unwrap();
        assert_eq!(channel.current_version, "0.5.0", "{name}");
        assert_eq!(channel.release_sequence, 5, "{name}");
    }
    let release = api.release(&app.id, 5).unwrap();
    assert_eq!(release.charts[0].version, "0.5.0");
    let files = labrun::vendor_api::spec::decode_spec(release.spec.as_bytes()).unwrap();
    assert_eq!(files[0].name, "slackernews-0.5.0.tgz");

    let (code, out, _) = replicated(&origin, &["channel", "ls"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("ID "), "{out}");
    let stable = out.lines().find(|l| l.contains(" Stable ")).unwrap();
    assert!(stable.ends_with("    5          0.5.0"), "{out}");

    let (code, out, _) = replicated(&origin, &["app", "ls"]);
    assert_eq!(code, 0);
    assert!(out.lines().nth(1).unwrap().contains(SLUG), "{out}");
    assert!(out.lines().nth(1).unwrap().ends_with("kots"), "{out}");

    let (code, out, _) = replicated(&origin, &["release", "ls", "-o", "json"]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json[0]["sequence"], 5);
    assert_eq!(json[0]["activeChannels"][1]["name"], "Beta");

    // A wrong token is explained and never echoed.
    let mut wrong = config(&origin);
    wrong.token = "not-the-token".into();
    let e = Client::new(wrong).unwrap().app().unwrap_err();
    assert!(matches!(e, ClientError::Unauthorized { .. }), "{e}");
    assert!(!e.to_string().contains("not-the-token"));
}

#[test]
fn a_sandbox_that_stops_between_two_requests_is_unreachable() {
    let sandbox = sandbox();
    let origin = sandbox.origin().to_string();
    let api = client(&origin);
    let app = api.app().unwrap();
    assert_eq!(api.list_channels(&app.id).unwrap().len(), 4);
    drop(sandbox);
    let e = api.list_channels(&app.id).unwrap_err();
    assert!(matches!(e, ClientError::Unreachable { .. }), "{e:?}");
    assert!(
        e.to_string().contains("is `labrun sandbox` running?"),
        "{e}"
    );
    no_token(&e);
}

// ---------------------------------------------------------------- fake servers

/// One request as the fake server read it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn line(&self) -> String {
        format!("{} {}", self.method, self.target)
    }
}

enum Reply {
    Json(u16, String),
    /// Keep the connection open and never answer.
    Hang,
}

type Handler = dyn Fn(&Seen, usize) -> Reply + Send + Sync;

/// A one-connection-at-a-time HTTP/1.1 server on 127.0.0.1 that records requests.
struct Fake {
    origin: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Fake {
    fn start(handler: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Fake {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let thread = {
            let (seen, stop) = (seen.clone(), stop.clone());
            std::thread::spawn(move || serve(listener, handler, seen, stop))
        };
        Fake {
            origin,
            seen,
            stop,
            thread: Some(thread),
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn lines(&self) -> Vec<String> {
        self.seen().iter().map(Seen::line).collect()
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the blocking accept, which then sees `stop` (no polling).
        let addr = self.origin.trim_start_matches("http://");
        let _ = TcpStream::connect(addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(
    listener: TcpListener,
    handler: Arc<Handler>,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
) {
    let mut held: Vec<TcpStream> = Vec::new();
    loop {
        let accepted = listener.accept();
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok((stream, _)) = accepted else {
            continue;
        };
        // Generous: a loaded machine may be slow to send; a hang still ends.
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        // One request per connection: every answer says `Connection: close`.
        let Some(request) = read_request(&mut reader) else {
            continue;
        };
        let index = {
            let mut seen = seen.lock().unwrap();
            seen.push(request.clone());
            seen.len() - 1
        };
        match handler(&request, index) {
            Reply::Json(status, body) => {
                let response = format!(
                    "HTTP/1.1 {status} Whatever\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let mut stream = &stream;
                let _ = stream.write_all(response.as_bytes());
                let _ = stream.flush();
            }
            Reply::Hang => held.push(stream),
        }
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Seen> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Seen {
        method,
        target,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

const APP_ID: &str = "2fAPP";

/// A small but well-behaved Vendor API: the answers of §1.4.
fn vendor_api(seen: &Seen, _: usize) -> Reply {
    let ok = |body: &str| Reply::Json(200, body.to_string());
    let channel = |id: &str, name: &str| {
        format!(r#"{{"id":"{id}","name":"{name}","releaseSequence":4,"currentVersion":"0.4.1"}}"#)
    };
    match (seen.method.as_str(), seen.target.as_str()) {
        ("GET", "/v1/apps") => ok("[]"),
        ("GET", "/v3/apps?excludeChannels=true") => ok(&format!(
            r#"{{"apps":[{{"id":"{APP_ID}","name":"Slackernews","slug":"{SLUG}"}}]}}"#
        )),
        ("GET", t) if t.starts_with("/v3/app/2fAPP/channel/") => Reply::Json(
            404,
            r#"{"error":{"code":"not_found","message":"channel not found"},"message":"channel not found"}"#.into(),
        ),
        ("GET", "/v3/app/2fAPP/channels?channelName=Unstable&excludeDetail=true") => ok(&format!(
            r#"{{"channels":[{}],"totalCount":1}}"#,
            channel("ch-unstable", "Unstable")
        )),
        ("GET", t) if t.starts_with("/v3/app/2fAPP/channels?") => ok(&format!(
            r#"{{"channels":[{},{}],"totalCount":2}}"#,
            channel("ch-stable", "Stable"),
            channel("ch-unstable", "Unstable")
        )),
        ("POST", "/v3/app/2fAPP/release") => Reply::Json(
            201,
            r#"{"release":{"appId":"2fAPP","sequence":5,"charts":[{"name":"slackernews","version":"0.5.0","status":"unknown"}]}}"#.into(),
        ),
        ("POST", "/v3/app/2fAPP/release/5/promote") => {
            ok(r#"{"release":{"appId":"2fAPP","sequence":5},"airgapBuilds":[]}"#)
        }
        _ => Reply::Json(404, r#"{"message":"no such route"}"#.into()),
    }
}

#[test]
fn requests_and_headers_are_the_clis() {
    let fake = Fake::start(vendor_api);
    let dir = tempfile::tempdir().unwrap();
    let chart = write_chart(dir.path(), "0.5.0");
    // One trailing slash on the origin is forgiven.
    let origin = format!("{}/", fake.origin);
    let (code, out, err) = create_on_unstable(&origin, &chart);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert!(out.ends_with("    • Channel ch-unstable successfully set to release 5\n"));
    assert_eq!(
        fake.lines(),
        [
            "GET /v1/apps",
            "GET /v3/apps?excludeChannels=true",
            "GET /v3/app/2fAPP/channel/Unstable",
            "GET /v3/app/2fAPP/channels?channelName=Unstable&excludeDetail=true",
            "POST /v3/app/2fAPP/release",
            "POST /v3/app/2fAPP/release/5/promote",
        ]
    );
    let seen = fake.seen();
    for request in &seen {
        assert_eq!(request.header("authorization"), Some(TOKEN));
        assert_eq!(request.header("content-type"), Some("application/json"));
        assert_eq!(request.header("accept"), Some("application/json"));
        assert_eq!(
            request.header("user-agent"),
            Some(concat!("labrun/", env!("CARGO_PKG_VERSION")))
        );
    }
    let upload: labrun::vendor_api::types::CreateReleaseRequest =
        serde_json::from_str(&seen[4].body).unwrap();
    let files = labrun::vendor_api::spec::decode_spec_gzip(&upload.spec_gzip.unwrap()).unwrap();
    assert_eq!(files[0].path, "slackernews-0.5.0.tgz");
    assert_eq!(
        labrun::vendor_api::spec::decode_content(&files[0]).unwrap(),
        std::fs::read(&chart).unwrap()
    );
    assert_eq!(
        seen[5].body,
        format!(
            r#"{{"releaseNotes":"{NOTES}","versionLabel":"0.5.0","isRequired":false,"channelIds":["ch-unstable"],"ignoreWarnings":false,"omitDetailsInResponse":true}}"#
        )
    );
}

#[test]
fn a_bad_chart_or_channel_creates_nothing() {
    let fake = Fake::start(vendor_api);
    let dir = tempfile::tempdir().unwrap();
    let not_a_chart = dir.path().join("notes.tgz");
    std::fs::write(&not_a_chart, "just text").unwrap();
    let (code, out, err) = replicated(
        &fake.origin,
        &[
            "release",
            "create",
            "--chart",
            not_a_chart.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    assert!(out.ends_with(" ✗\n"), "{out}");
    assert!(err.contains("is not a gzip file"), "{err}");

    let chart = write_chart(dir.path(), "0.5.0");
    let (code, _, err) = replicated(
        &fake.origin,
        &[
            "release",
            "create",
            "--promote",
            "Nightly",
            "--chart",
            &chart,
        ],
    );
    assert_eq!(code, 1);
    assert!(err.starts_with("Error: no channel \"Nightly\""), "{err}");
    assert!(err.contains("Stable, Unstable"), "{err}");
    assert!(fake.lines().iter().all(|l| l.starts_with("GET ")));
}

#[test]
fn nothing_listening_is_unreachable() {
    let port = {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        listener.local_addr().unwrap().port()
    };
    let api = client(&format!("http://127.0.0.1:{port}"));
    let e = api.app().unwrap_err();
    match &e {
        ClientError::Unreachable {
            method,
            url,
            reason,
        } => {
            assert_eq!(method, "GET");
            assert_eq!(url, &format!("http://127.0.0.1:{port}/v1/apps"));
            assert!(reason.starts_with("connection refused"), "{reason}");
        }
        other => panic!("expected Unreachable, got {other:?}"),
    }
    assert_eq!(
        e.to_string(),
        format!(
            "could not reach the Vendor API at http://127.0.0.1:{port}/v1/apps (GET): connection \
             refused — is `labrun sandbox` running?"
        )
    );
    no_token(&e);
    let e = api.create_release(APP_ID, "H4sI".into()).unwrap_err();
    assert!(matches!(e, ClientError::Unreachable { .. }), "{e:?}");

    let (code, _, err) = replicated(&format!("http://127.0.0.1:{port}"), &["release", "ls"]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("Error: could not reach the Vendor API"),
        "{err}"
    );
}

#[test]
fn a_server_that_never_answers_times_out_without_retrying() {
    let fake = Fake::start(|_, _| Reply::Hang);
    let mut config = config(&fake.origin);
    config.timeout = Duration::from_millis(300);
    let e = Client::new(config)
        .unwrap()
        .apps_with_channels()
        .unwrap_err();
    match &e {
        ClientError::Timeout { method, url, after } => {
            assert_eq!(method, "GET");
            assert_eq!(url, &format!("{}/v3/apps", fake.origin));
            assert_eq!(*after, Duration::from_millis(300));
        }
        other => panic!("expected Timeout, got {other:?}"),
    }
    assert!(e.to_string().ends_with("within 300ms"), "{e}");
    no_token(&e);
    assert_eq!(fake.seen().len(), 1);
}

#[test]
fn server_errors_are_retried_for_gets_only() {
    let fake = Fake::start(|_, _| Reply::Json(500, r#"{"message":"database is down"}"#.into()));
    let api = client(&fake.origin);
    let e = api.list_channels(APP_ID).unwrap_err();
    match &e {
        ClientError::Server {
            status, attempts, ..
        } => assert_eq!((*status, *attempts), (500, 3)),
        other => panic!("expected Server, got {other:?}"),
    }
    assert_eq!(e.status(), Some(500));
    assert!(
        e.to_string().ends_with("(3 attempts): database is down"),
        "{e}"
    );
    assert_eq!(fake.seen().len(), 3);
    no_token(&e);

    // A POST that reached the server is never sent twice.
    let e = api.create_release(APP_ID, "H4sI".into()).unwrap_err();
    assert!(
        matches!(e, ClientError::Server { attempts: 1, .. }),
        "{e:?}"
    );
    assert_eq!(fake.seen().len(), 4);

    // The stand-in prints HTTP errors like the CLI.
    let (code, _, err) = replicated(&fake.origin, &["channel", "ls"]);
    assert_eq!(code, 1);
    // /v1/apps failing falls through to /v3/apps, as in the CLI.
    assert_eq!(
        err,
        format!(
            "ERROR: 500\nMETHOD: GET\nENDPOINT: {}/v3/apps?excludeChannels=true\ndatabase is \
             down (after 3 attempts)\n",
            fake.origin
        )
    );
}

#[test]
fn a_server_error_that_clears_up_is_retried() {
    let fake = Fake::start(|seen, index| {
        if index < 2 {
            Reply::Json(503, String::new())
        } else {
            vendor_api(seen, index)
        }
    });
    let apps = client(&fake.origin).apps().unwrap();
    assert_eq!(apps[0].slug, SLUG);
    assert_eq!(fake.seen().len(), 3);
}

#[test]
fn a_refused_token_is_not_retried_and_not_shown() {
    let fake = Fake::start(|seen, _| {
        // A server that echoes the token back must not make us print it.
        let echoed = seen.header("authorization").unwrap_or_default().to_string();
        Reply::Json(401, format!(r#"{{"message":"bad token {echoed}"}}"#))
    });
    let api = client(&fake.origin);
    let e = api.apps_with_channels().unwrap_err();
    assert!(matches!(e, ClientError::Unauthorized { .. }), "{e:?}");
    assert_eq!(e.status(), Some(401));
    assert!(e.to_string().contains("check REPLICATED_API_TOKEN"), "{e}");
    assert_eq!(fake.seen().len(), 1);
    no_token(&e);
    // App resolution falls through /v1/apps to /v3/apps, like the CLI.
    let e = api.app().unwrap_err();
    assert!(matches!(e, ClientError::Unauthorized { .. }), "{e:?}");
    assert_eq!(fake.seen().len(), 3);

    let (code, out, err) = replicated(&fake.origin, &["release", "promote", "5", "Beta"]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(
        err,
        format!(
            "ERROR: 401\nMETHOD: GET\nENDPOINT: {}/v3/apps?excludeChannels=true\nthe Vendor API \
             refused the token: check REPLICATED_API_TOKEN (or --token)\n",
            fake.origin
        )
    );
}

#[test]
fn echoed_tokens_are_scrubbed_from_messages() {
    let fake = Fake::start(|seen, _| {
        let echoed = seen.header("authorization").unwrap_or_default().to_string();
        Reply::Json(422, format!(r#"{{"message":"no release for {echoed}"}}"#))
    });
    let e = client(&fake.origin).release(APP_ID, 7).unwrap_err();
    assert!(
        matches!(e, ClientError::Rejected { status: 422, .. }),
        "{e:?}"
    );
    assert!(e.to_string().ends_with("(422): no release for ***"), "{e}");
    no_token(&e);
}

#[test]
fn malformed_answers_are_bad_responses() {
    let fake = Fake::start(|seen, _| match seen.target.as_str() {
        "/v3/apps" => Reply::Json(200, r#"{"apps": [{"id": 1"#.into()),
        "/v3/apps?excludeChannels=true" => Reply::Json(200, String::new()),
        _ => Reply::Json(200, r#"{"channels":"none"}"#.into()),
    });
    let api = client(&fake.origin);
    let e = api.apps_with_channels().unwrap_err();
    assert!(matches!(e, ClientError::BadResponse { .. }), "{e:?}");
    assert!(e.to_string().contains("not the expected JSON"), "{e}");
    let e = api.apps().unwrap_err();
    assert!(
        e.to_string().ends_with("the body is empty; expected JSON"),
        "{e}"
    );
    let e = api.list_channels(APP_ID).unwrap_err();
    assert!(matches!(e, ClientError::BadResponse { .. }), "{e:?}");
    no_token(&e);
    // Not retried: a 200 is an answer.
    assert_eq!(fake.seen().len(), 3);
}

#[test]
fn releases_are_read_page_by_page() {
    let fake = Fake::start(|seen, _| {
        let release = |n: i64| {
            format!(r#"{{"appId":"2fAPP","sequence":{n},"created":"2024-04-22T16:23:22Z"}}"#)
        };
        match seen.target.as_str() {
            "/v3/app/2fAPP/releases?currentPage=0&pageSize=20" => Reply::Json(
                200,
                format!(r#"{{"releases":[{},{}]}}"#, release(2), release(1)),
            ),
            _ => Reply::Json(200, r#"{"releases":[]}"#.into()),
        }
    });
    let releases = client(&fake.origin).releases(APP_ID).unwrap();
    assert_eq!(
        releases.iter().map(|r| r.sequence).collect::<Vec<_>>(),
        [2, 1]
    );
    assert_eq!(
        fake.lines(),
        [
            "GET /v3/app/2fAPP/releases?currentPage=0&pageSize=20",
            "GET /v3/app/2fAPP/releases?currentPage=1&pageSize=20",
        ]
    );

    // A server that ignores currentPage cannot make the client loop.
    let fake = Fake::start(|_, _| {
        Reply::Json(
            200,
            r#"{"releases":[{"appId":"2fAPP","sequence":1}]}"#.into(),
        )
    });
    let e = client(&fake.origin).releases(APP_ID).unwrap_err();
    assert!(e.to_string().contains("ignores currentPage"), "{e}");
    assert_eq!(fake.seen().len(), 2);
}
