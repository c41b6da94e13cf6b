//! The local Vendor API over real HTTP: the lesson's request sequence
//! (vendor-api.md §1.3), concurrency, persistence and the error contract.

mod support;

use labrun::standins::helm::{PackageOptions, package};
use labrun::vendor_api::server::{Sandbox, ServerConfig, ServerError};
use labrun::vendor_api::spec::{decode_content, decode_spec, encode_chart_spec};
use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use support::chart::tgz;

const SLUG: &str = "slackernews-mackerel";
const TOKEN: &str = "sandbox-token-1234";

fn config(state_path: Option<PathBuf>) -> ServerConfig {
    ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        state_path,
        app_slug: SLUG.to_string(),
        token: TOKEN.to_string(),
    }
}

/// A sandbox and a client that sends the token as the `replicated` CLI does.
struct Api {
    sandbox: Sandbox,
    client: Client,
}

impl Api {
    fn start(state_path: Option<PathBuf>) -> Api {
        Api {
            sandbox: Sandbox::start(config(state_path)).unwrap(),
            // An HTTP(S)_PROXY in the environment must not see loopback calls.
            client: Client::builder().no_proxy().build().unwrap(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.origin())
    }

    fn app(&self, rest: &str) -> String {
        format!("/v3/app/{}{rest}", self.sandbox.app_id())
    }

    fn send(&self, request: RequestBuilder) -> (StatusCode, Value) {
        let response = request
            .header("Authorization", TOKEN)
            .header("Accept", "application/json")
            .send()
            .unwrap();
        let status = response.status();
        let text = response.text().unwrap();
        let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status}: {e}: {text}"));
        (status, body)
    }

    fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(self.client.get(self.url(path)))
    }

    fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(self.client.post(self.url(path)).json(body))
    }

    fn channel_id(&self, name: &str) -> String {
        let path = self.app(&format!("/channels?channelName={name}&excludeDetail=true"));
        let (_, body) = self.get(&path);
        body["channels"][0]["id"].as_str().unwrap().to_string()
    }

    fn create_release(&self, tgz: &[u8]) -> i64 {
        let spec_gzip = encode_chart_spec("slackernews-0.5.0.tgz", tgz);
        let (status, body) = self.post(&self.app("/release"), &json!({ "spec_gzip": spec_gzip }));
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["release"]["sequence"].as_i64().unwrap()
    }

    fn promote(&self, sequence: i64, channel_id: &str) -> (StatusCode, Value) {
        let body = json!({
            "releaseNotes": "Uses the Replicated proxy registry to pull images",
            "versionLabel": "0.5.0",
            "isRequired": false,
            "channelIds": [channel_id],
            "ignoreWarnings": false,
            "omitDetailsInResponse": true,
        });
        self.post(&self.app(&format!("/release/{sequence}/promote")), &body)
    }
}

/// The lesson's chart packaged at 0.5.0, as the learner's `helm package` makes it.
fn chart_tgz(dir: &Path) -> Vec<u8> {
    let chart = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("lessons/proxying-private-images/files/slackernews");
    let options = PackageOptions {
        destination: dir.to_path_buf(),
        version: Some("0.5.0".to_string()),
        app_version: None,
    };
    std::fs::read(package(&chart, &options).unwrap()).unwrap()
}

fn error_message(body: &Value) -> &str {
    assert!(body["error"]["code"].is_string(), "{body}");
    body["message"].as_str().unwrap()
}

#[test]
fn the_token_is_required_before_anything_else() {
    let api = Api::start(None);
    for token in [None, Some("wrong"), Some("Bearer sandbox-token-1234")] {
        for path in ["/v3/apps", "/no/such/route"] {
            let mut request = api.client.get(api.url(path));
            if let Some(token) = token {
                request = request.header("Authorization", token);
            }
            let response = request.send().unwrap();
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "{path} {token:?}"
            );
            let body: Value = response.json().unwrap();
            assert_eq!(body["error"]["code"], "unauthorized");
        }
    }
}

#[test]
fn the_lesson_request_sequence_works() {
    let dir = tempfile::tempdir().unwrap();
    let tgz = chart_tgz(dir.path());
    let api = Api::start(None);
    assert_eq!(api.get("/v1/apps"), (StatusCode::OK, json!([])));

    let (status, apps) = api.get("/v3/apps?excludeChannels=true");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(apps["apps"][0]["slug"], SLUG);
    assert_eq!(apps["apps"][0]["id"], api.sandbox.app_id());
    assert!(apps["apps"][0].get("channels").is_none());

    // `release create --promote Unstable`: the name is tried as an id first.
    let (status, body) = api.get(&format!("/v3/app/{SLUG}/channel/Unstable"));
    assert_eq!(status, StatusCode::NOT_FOUND);
    error_message(&body);
    let (status, listed) = api.get(&api.app("/channels?channelName=Unstable&excludeDetail=true"));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed["totalCount"], 1);
    assert_eq!(listed["channels"][0]["name"], "Unstable");
    assert_eq!(listed["channels"][0]["releaseSequence"], 4);
    let unstable = listed["channels"][0]["id"].as_str().unwrap().to_string();
    let (status, by_id) = api.get(&api.app(&format!("/channel/{unstable}")));
    assert_eq!(
        (status, &by_id["channel"]["name"]),
        (StatusCode::OK, &json!("Unstable"))
    );

    assert_eq!(api.create_release(&tgz), 5);
    let (status, promoted) = api.promote(5, &unstable);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        promoted,
        json!({"release": {"appId": api.sandbox.app_id(), "sequence": 5}, "airgapBuilds": []})
    );

    // `release promote 5 Beta` and `Stable`.
    for name in ["Beta", "Stable"] {
        assert_eq!(api.promote(5, &api.channel_id(name)).0, StatusCode::OK);
    }

    // The uploaded chart can be read back.
    let (status, release) = api.get(&api.app("/release/5"));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        release["release"]["charts"],
        json!([{"name": "slackernews", "version": "0.5.0", "status": "pushed"}])
    );
    let spec = release["release"]["spec"].as_str().unwrap();
    let files = decode_spec(spec.as_bytes()).unwrap();
    assert_eq!(decode_content(&files[0]).unwrap(), tgz);
    assert_eq!(api.get(&api.app("/release/99")).0, StatusCode::NOT_FOUND);

    check_release_list(&api);

    let (_, apps) = api.get("/v3/apps");
    for channel in apps["apps"][0]["channels"].as_array().unwrap() {
        let expected = match channel["name"].as_str().unwrap() {
            "LTS" => (json!(0), json!("")),
            _ => (json!(5), json!("0.5.0")),
        };
        assert_eq!(
            (
                channel["releaseSequence"].clone(),
                channel["currentVersion"].clone()
            ),
            expected
        );
    }
}

/// `release ls`: pages of 20 until an empty one, newest first.
fn check_release_list(api: &Api) {
    let (status, page) = api.get(&api.app("/releases?currentPage=0&pageSize=20"));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["approximateTotalCount"], 5);
    let releases = page["releases"].as_array().unwrap();
    let sequences: Vec<_> = releases
        .iter()
        .map(|r| r["sequence"].as_i64().unwrap())
        .collect();
    assert_eq!(sequences, [5, 4, 3, 2, 1]);
    let active: Vec<_> = releases[0]["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(active, ["Stable", "Beta", "Unstable"]);
    assert_eq!(releases[0]["spec"], "");
    assert_eq!(releases[1]["channels"], json!([]));
    assert!(
        releases
            .iter()
            .all(|r| r["created"].as_str().is_some_and(|c| c.ends_with('Z')))
    );
    let (status, past_end) = api.get(&api.app("/releases?currentPage=1&pageSize=20"));
    assert_eq!(
        (status, &past_end["releases"]),
        (StatusCode::OK, &json!([]))
    );
    let (_, small) = api.get(&api.app("/releases?currentPage=2&pageSize=2"));
    assert_eq!(small["releases"][0]["sequence"], 1);
}

#[test]
fn concurrent_releases_get_distinct_sequences_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let tgz = chart_tgz(dir.path());
    let state = dir.path().join("state").join("vendor.json");
    std::fs::create_dir_all(state.parent().unwrap()).unwrap();
    let api = Api::start(Some(state.clone()));
    let unstable = api.channel_id("Unstable");
    let mut sequences: Vec<i64> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..50)
            .map(|_| {
                scope.spawn(|| {
                    let sequence = api.create_release(&tgz);
                    assert_eq!(api.promote(sequence, &unstable).0, StatusCode::OK);
                    sequence
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    sequences.sort();
    assert_eq!(sequences, (5..=54).collect::<Vec<_>>());
    let app_id = api.sandbox.app_id().to_string();
    drop(api);

    let api = Api::start(Some(state));
    assert_eq!(api.sandbox.app_id(), app_id);
    let (_, page) = api.get(&api.app("/releases?currentPage=0&pageSize=100"));
    assert_eq!(page["approximateTotalCount"], 54);
    let (_, channel) = api.get(&api.app(&format!("/channel/{unstable}")));
    // Seeded at channel sequence 3, then promoted 50 times.
    assert_eq!(channel["channel"]["channelSequence"], 53);
    assert_eq!(api.create_release(&tgz), 55);
}

#[test]
fn a_damaged_state_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("vendor.json");
    std::fs::write(&state, "{\"format\": 1, \"app\": ").unwrap();
    match Sandbox::start(config(Some(state.clone()))) {
        Err(ServerError::State { path, .. }) => assert_eq!(path, state),
        Err(other) => panic!("unexpected error: {other}"),
        Ok(_) => panic!("a damaged state file was accepted"),
    }
}

#[test]
fn bad_requests_get_json_errors() {
    let api = Api::start(None);
    let release = api.url(&api.app("/release"));
    let (status, body) = api.send(api.client.post(&release).body("{not json"));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error_message(&body).contains("JSON"));

    let (status, body) = api.post(&api.app("/release"), &json!({"spec_gzip": "!!!"}));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error_message(&body).contains("base64"));

    let traversal = tgz(&[
        (
            "slackernews/Chart.yaml",
            "apiVersion: v2\nname: slackernews\nversion: 0.5.0\n",
        ),
        ("slackernews/../../evil.sh", "echo pwned\n"),
    ]);
    let spec_gzip = encode_chart_spec("slackernews-0.5.0.tgz", &traversal);
    let (status, body) = api.post(&api.app("/release"), &json!({ "spec_gzip": spec_gzip }));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error_message(&body).contains("evil.sh"), "{body}");

    let not_a_chart = encode_chart_spec("x.tgz", &tgz(&[("x/values.yaml", "a: 1\n")]));
    let (status, body) = api.post(&api.app("/release"), &json!({ "spec_gzip": not_a_chart }));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error_message(&body).contains("Chart.yaml"), "{body}");

    let (status, body) = api.promote(4, "no-such-channel");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error_message(&body).contains("no-such-channel"));
    assert_eq!(
        api.promote(99, &api.channel_id("Beta")).0,
        StatusCode::NOT_FOUND
    );

    // Nothing was created by the failures.
    let (_, page) = api.get(&api.app("/releases"));
    assert_eq!(page["approximateTotalCount"], 4);
}

#[test]
fn unknown_apps_routes_and_oversized_bodies_are_refused() {
    let api = Api::start(None);
    let (status, body) = api.get("/v3/app/someone-else/channels");
    assert_eq!(status, StatusCode::NOT_FOUND);
    error_message(&body);
    let (status, body) = api.get("/vendor/v3/apps");
    assert_eq!(status, StatusCode::NOT_FOUND);
    error_message(&body);

    let huge = vec![b' '; labrun::vendor_api::server::MAX_BODY_BYTES + 1];
    let (status, body) = api.send(api.client.post(api.url(&api.app("/release"))).body(huge));
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    error_message(&body);
}

#[test]
fn channels_are_created_and_archived() {
    let api = Api::start(None);
    let request = json!({"name": "Nightly", "description": "every night"});
    let (status, created) = api.post(&api.app("/channel"), &request);
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(created["channel"]["description"], "every night");
    assert_eq!(
        api.post(&api.app("/channel"), &request).0,
        StatusCode::BAD_REQUEST
    );
    let id = created["channel"]["id"].as_str().unwrap();
    let path = api.app(&format!("/channel/{id}"));
    let (status, archived) = api.send(api.client.delete(api.url(&path)));
    assert_eq!(
        (status, &archived["channel"]["isArchived"]),
        (StatusCode::OK, &json!(true))
    );
    assert_eq!(api.get(&path).0, StatusCode::NOT_FOUND);
}

#[test]
fn only_loopback_addresses_are_served() {
    for listen in ["0.0.0.0:0", "192.0.2.1:0", "[::]:0"] {
        let mut config = config(None);
        config.listen = listen.parse().unwrap();
        assert!(
            matches!(Sandbox::start(config), Err(ServerError::NotLoopback(_))),
            "{listen}"
        );
    }
    let mut config = config(None);
    config.listen = "127.0.0.2:0".parse().unwrap();
    // Any 127/8 address is loopback; Linux answers on all of them.
    if let Ok(sandbox) = Sandbox::start(config) {
        assert!(sandbox.origin().starts_with("http://127.0.0.2:"));
        sandbox.stop();
    }
}
