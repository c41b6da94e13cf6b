//! The local Vendor API against hostile state and uploads, over a real
//! socket to the real `labrun sandbox`: a state at the largest sequence,
//! large specs, damaged gzip data.

mod support;

use labrun::vendor_api::spec::encode_chart_spec;
use reqwest::StatusCode;
use reqwest::blocking::Client;
use serde_json::{Value, json};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use support::{SandboxProcess, workspace, workspace_var};

fn state_path(ws: &Path) -> PathBuf {
    let app = workspace_var(ws, "REPLICATED_APP");
    ws.join(".labrun/vendor-api").join(format!("{app}.json"))
}

struct Api {
    sandbox: SandboxProcess,
    http: Client,
}

impl Api {
    fn start(ws: &Path) -> Api {
        Api {
            sandbox: SandboxProcess::start(&[OsStr::new("-w"), ws.as_os_str()]),
            http: Client::builder()
                .no_proxy()
                .timeout(std::time::Duration::from_secs(120))
                .build()
                .unwrap(),
        }
    }

    fn url(&self, path: &str) -> String {
        let app = self.sandbox.export("REPLICATED_APP");
        let path = path.replace("{app}", &app);
        format!("{}{path}", self.sandbox.export("REPLICATED_API_ORIGIN"))
    }

    fn send(&self, request: reqwest::blocking::RequestBuilder) -> (StatusCode, Value) {
        let response = request
            .header("Authorization", self.sandbox.export("REPLICATED_API_TOKEN"))
            .send()
            .unwrap();
        let status = response.status();
        (status, response.json().unwrap())
    }

    fn create(&self, tgz: &[u8]) -> (StatusCode, Value) {
        let spec_gzip = encode_chart_spec("slackernews-0.5.0.tgz", tgz);
        self.send(
            self.http
                .post(self.url("/v3/app/{app}/release"))
                .json(&json!({ "spec_gzip": spec_gzip })),
        )
    }
}

/// A chart package with `extra` bytes of incompressible data in it.
fn chart(extra: usize) -> Vec<u8> {
    let mut noise = Vec::with_capacity(extra);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    while noise.len() < extra {
        // xorshift: incompressible, reproducible.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        noise.extend_from_slice(&x.to_le_bytes());
    }
    support::chart::Tar::new()
        .file(
            "slackernews/Chart.yaml",
            b"apiVersion: v2\nname: slackernews\nversion: 0.5.0\n",
        )
        .file("slackernews/files/noise.bin", &noise)
        .tgz()
}

#[test]
fn a_state_at_the_largest_sequence_gets_a_clear_error_not_a_wrap() {
    let (_dir, ws) = workspace();
    drop(Api::start(&ws)); // seeds the state file
    let path = state_path(&ws);
    let mut state: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    state["releases"][3]["sequence"] = json!(i64::MAX);
    std::fs::write(&path, serde_json::to_vec(&state).unwrap()).unwrap();

    let api = Api::start(&ws);
    let (status, body) = api.create(&chart(0));
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("largest possible"),
        "{body}"
    );
    let (status, page) = api.send(api.http.get(api.url("/v3/app/{app}/releases")));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["approximateTotalCount"], 4, "nothing was added");
}

#[test]
fn large_specs_are_stored_once_beside_a_small_state_file() {
    let (_dir, ws) = workspace();
    let api = Api::start(&ws);
    let tgz = chart(3 * 1024 * 1024);
    for expected in 5..=8 {
        let (status, body) = api.create(&tgz);
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["release"]["sequence"], expected);
    }
    let state = std::fs::metadata(state_path(&ws)).unwrap().len();
    assert!(state < 64 * 1024, "the state file is {state} bytes");
    let specs = state_path(&ws).with_extension("specs");
    assert_eq!(std::fs::read_dir(&specs).unwrap().count(), 1, "one copy");

    // Read back after a restart: the same chart bytes.
    drop(api);
    let api = Api::start(&ws);
    let (status, body) = api.send(api.http.get(api.url("/v3/app/{app}/release/7")));
    assert_eq!(status, StatusCode::OK);
    let files =
        labrun::vendor_api::spec::decode_spec(body["release"]["spec"].as_str().unwrap().as_bytes())
            .unwrap();
    assert_eq!(
        labrun::vendor_api::spec::decode_content(&files[0]).unwrap(),
        tgz
    );
}

#[test]
fn a_chart_whose_gzip_checksum_is_wrong_is_refused() {
    let (_dir, ws) = workspace();
    let api = Api::start(&ws);
    let mut tgz = chart(0);
    let crc = tgz.len() - 8;
    tgz[crc] ^= 0xff;
    let (status, body) = api.create(&tgz);
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("damaged gzip data"),
        "{body}"
    );
}
