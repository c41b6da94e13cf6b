//! `cargo bench --bench vendor`: the `promote` check against the local
//! Vendor API (one check = the whole step), the server's throughput on
//! `GET /v3/apps`, with the cheapest authenticated route as the floor, and
//! making a client for the plain-HTTP local API against a client that loads
//! the system's TLS roots (the baseline).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use labrun::checks::{self, Context, Status};
use labrun::lesson::{Lesson, Vars, bundled};
use labrun::vendor_api::client::{Client, Config};
use labrun::vendor_api::server::{Sandbox, ServerConfig};
use labrun::vendor_api::spec::encode_chart_spec;

const APP: &str = "slackernews-bench";
const TOKEN: &str = "bench-token-0123456789";

fn released_sandbox() -> (Sandbox, Config, tempfile::TempDir) {
    let sandbox = Sandbox::start(ServerConfig {
        listen: ([127, 0, 0, 1], 0).into(),
        state_path: None,
        app_slug: APP.into(),
        token: TOKEN.into(),
    })
    .unwrap();
    let config = Config::new(sandbox.origin(), TOKEN, APP);
    // A solved chart, packaged and released on all three channels.
    let dir = tempfile::tempdir().unwrap();
    let lesson = Lesson::load(&bundled::resolve(None).unwrap()).unwrap();
    let chart = dir.path().join("slackernews");
    copy_dir(
        &lesson.files_dir.clone().unwrap().join("slackernews"),
        &chart,
    );
    let values = std::fs::read_to_string(chart.join("values.yaml")).unwrap().replace(
        "repository: ghcr.io/slackernews/slackernews-web:1.0.17",
        &format!("repository: proxy.replicated.com/proxy/{APP}/ghcr.io/slackernews/slackernews-web:1.0.17"),
    );
    std::fs::write(chart.join("values.yaml"), values).unwrap();
    let options = labrun::standins::helm::PackageOptions {
        destination: dir.path().to_path_buf(),
        version: Some("0.5.0".into()),
        app_version: None,
    };
    let tgz = std::fs::read(labrun::standins::helm::package(&chart, &options).unwrap()).unwrap();
    let client = Client::new(config.clone()).unwrap();
    let app = client.app().unwrap();
    let release = client
        .create_release(&app.id, encode_chart_spec("slackernews-0.5.0.tgz", &tgz))
        .unwrap();
    for name in ["Unstable", "Beta", "Stable"] {
        let channel = client.channel_by_name_or_id(&app.id, name).unwrap();
        client
            .promote(&app.id, release.sequence, &channel.id, "0.5.0", "bench")
            .unwrap();
    }
    (sandbox, config, dir)
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

fn bench(c: &mut Criterion) {
    let (sandbox, config, dir) = released_sandbox();
    let lesson = Lesson::load(&bundled::resolve(None).unwrap()).unwrap();
    let step = lesson.step("promote").unwrap();
    let cli = [("REPLICATED_APP".to_string(), APP.to_string())];
    let vars = Vars::resolve(&lesson.variables, &cli, |_| None, &Default::default());
    // One client for every check, as the session makes it.
    let session_client = Client::new(config.clone()).unwrap();
    let ctx = Context {
        workspace: dir.path(),
        lesson_dir: &lesson.dir,
        vars: &vars,
        extra_path: None,
        api: Some(Ok(&session_client)),
        scripts: None,
    };
    let report = checks::run_step(step, &ctx);
    assert_eq!(report.status, Status::Pass, "{report:#?}");

    let mut group = c.benchmark_group("vendor");
    group.throughput(Throughput::Elements(1));
    group.bench_function("promote check (local API)", |b| {
        b.iter(|| checks::run_step(step, &ctx))
    });
    let client = Client::new(config).unwrap();
    group.bench_function("GET /v3/apps", |b| {
        b.iter(|| client.apps_with_channels().unwrap())
    });
    // The same on a state file, re-read on every request (several processes
    // may write it), against the in-memory sandbox above.
    let files = tempfile::tempdir().unwrap();
    let on_file = Sandbox::start(ServerConfig {
        listen: ([127, 0, 0, 1], 0).into(),
        state_path: Some(files.path().join("state.json")),
        app_slug: APP.into(),
        token: TOKEN.into(),
    })
    .unwrap();
    let file_client = Client::new(Config::new(on_file.origin(), TOKEN, APP)).unwrap();
    group.bench_function("GET /v3/apps (state file)", |b| {
        b.iter(|| file_client.apps_with_channels().unwrap())
    });
    // Floor: the cheapest authenticated route (an empty list), same connection.
    let http = reqwest::blocking::Client::new();
    let v1 = format!("{}/v1/apps", sandbox.origin());
    group.bench_function("floor: GET /v1/apps (empty list)", |b| {
        b.iter(|| {
            http.get(&v1)
                .header("Authorization", TOKEN)
                .send()
                .unwrap()
                .bytes()
                .unwrap()
        })
    });
    // Making the client: no TLS roots for http://, against reqwest's default
    // client, which loads the system's CA certificates (the old cost).
    group.throughput(Throughput::Elements(1));
    group.bench_function("Client::new (http:// origin)", |b| {
        b.iter(|| Client::new(Config::new(sandbox.origin(), TOKEN, APP)).unwrap())
    });
    group.bench_function("baseline: a client with the system's TLS roots", |b| {
        b.iter(|| reqwest::blocking::Client::builder().build().unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
