//! The local Vendor API's responses, as golden JSON (insta snapshots under
//! tests/snapshots/), and its state surviving a `kill -9` in the middle of
//! a burst of releases.

use labrun::vendor_api::client::{Client, Config};
use labrun::vendor_api::server::{Sandbox, ServerConfig};
use labrun::vendor_api::spec::encode_chart_spec;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const APP: &str = "slackernews-golden";
const TOKEN: &str = "golden-token-0123456789";

fn sandbox(state: Option<std::path::PathBuf>) -> Sandbox {
    Sandbox::start(ServerConfig {
        listen: ([127, 0, 0, 1], 0).into(),
        state_path: state,
        app_slug: APP.into(),
        token: TOKEN.into(),
    })
    .unwrap()
}

fn client(origin: &str) -> Client {
    Client::new(Config::new(origin, TOKEN, APP)).unwrap()
}

fn get(origin: &str, path: &str) -> Value {
    let response = reqwest::blocking::Client::new()
        .get(format!("{origin}{path}"))
        .header("Authorization", TOKEN)
        .header("Accept", "application/json")
        .send()
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.json().unwrap()
}

/// Times of things made during the test change every run (seeded ones do not),
/// and so do the bytes of a freshly packaged chart.
fn redact_new_times(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                let is_time = matches!(key.as_str(), "created" | "updated");
                if is_time && v.as_str().is_some_and(|t| !t.starts_with("2024-04-22")) {
                    *v = Value::String("[now]".into());
                } else if key == "spec" && v.as_str().is_some_and(|s| s.len() > 2) {
                    // The chart inside carries packaging times.
                    *v = Value::String("[the uploaded spec]".into());
                } else {
                    redact_new_times(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_new_times),
        _ => {}
    }
}

fn golden(name: &str, mut value: Value) {
    redact_new_times(&mut value);
    insta::assert_snapshot!(name, serde_json::to_string_pretty(&value).unwrap());
}

fn chart() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("chart");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: slackernews\nversion: 0.5.0\n",
    )
    .unwrap();
    std::fs::write(chart.join("values.yaml"), "a: 1\n").unwrap();
    let options = labrun::standins::helm::PackageOptions {
        destination: dir.path().to_path_buf(),
        version: None,
        app_version: None,
    };
    std::fs::read(labrun::standins::helm::package(&chart, &options).unwrap()).unwrap()
}

#[test]
fn responses_match_the_golden_json() {
    let api = sandbox(None);
    let origin = api.origin();
    let app_id = api.app_id().to_string();
    golden("v1_apps", get(origin, "/v1/apps"));
    golden("v3_apps_seeded", get(origin, "/v3/apps"));
    golden(
        "channels_unstable",
        get(
            origin,
            &format!("/v3/app/{app_id}/channels?channelName=Unstable&excludeDetail=true"),
        ),
    );
    golden(
        "releases_page_0_seeded",
        get(
            origin,
            &format!("/v3/app/{app_id}/releases?currentPage=0&pageSize=20"),
        ),
    );
    golden(
        "releases_page_past_the_end",
        get(
            origin,
            &format!("/v3/app/{app_id}/releases?currentPage=1&pageSize=20"),
        ),
    );

    let client = client(origin);
    let release = client
        .create_release(
            &app_id,
            encode_chart_spec("slackernews-0.5.0.tgz", &chart()),
        )
        .unwrap();
    golden("release_created", serde_json::to_value(&release).unwrap());
    let stable = client.channel_by_name_or_id(&app_id, "Stable").unwrap();
    let promoted = client
        .promote(&app_id, release.sequence, &stable.id, "0.5.0", "notes")
        .unwrap();
    golden("release_promoted", serde_json::to_value(&promoted).unwrap());
    golden("v3_apps_after_promote", get(origin, "/v3/apps"));
}

#[test]
fn state_survives_kill_9_in_the_middle_of_a_burst() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let mut server = Command::new(env!("CARGO_BIN_EXE_labrun"))
        .args(["sandbox", "--app", APP, "--token", TOKEN, "--state"])
        .arg(&state)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let origin = loop {
        let line = lines
            .next()
            .expect("the sandbox printed its origin")
            .unwrap();
        if let Some(origin) = line.trim().strip_prefix("export REPLICATED_API_ORIGIN=") {
            break origin.to_string();
        }
    };
    let spec = encode_chart_spec("slackernews-0.5.0.tgz", &chart());
    // Each acknowledged release is reported, so that the kill lands in the
    // middle of the burst however slow the machine is (no fixed sleep).
    let (acked_tx, acked) = std::sync::mpsc::channel();
    let burst = {
        let (origin, spec) = (origin.clone(), spec.clone());
        std::thread::spawn(move || {
            let client = client(&origin);
            let app = client.app().expect("the sandbox answers before the kill");
            // Bounded: stops at the first failure (the kill) or after 200 releases.
            (0..200)
                .take_while(|_| {
                    let created = client.create_release(&app.id, spec.clone()).is_ok();
                    created && acked_tx.send(()).is_ok()
                })
                .count()
        })
    };
    for _ in 0..3 {
        acked
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the burst had releases acknowledged");
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    drop(acked);
    let acknowledged = burst.join().unwrap();
    assert!(acknowledged >= 3);

    // The file is whole, and holds at least every release that was acknowledged.
    let restarted = sandbox(Some(state));
    let releases = client(restarted.origin())
        .releases(restarted.app_id())
        .unwrap();
    let sequences: Vec<i64> = releases.iter().map(|r| r.sequence).collect();
    let newest = sequences[0];
    assert!(
        newest >= 4 + acknowledged as i64,
        "{acknowledged} acknowledged, newest {newest}"
    );
    let expected: Vec<i64> = (1..=newest).rev().collect();
    assert_eq!(sequences, expected, "no gap, no duplicate");
    drop(lines);
}
