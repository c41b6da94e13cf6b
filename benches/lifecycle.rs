//! `cargo bench --bench lifecycle`: one lifecycle script (`#!/bin/bash`,
//! `true`) run through labrun's runner in each host mode, next to the same
//! script started directly (`bash script`) and under bare bubblewrap, as
//! floors: the difference is labrun's own overhead per script.

use criterion::{Criterion, criterion_group, criterion_main};
use labrun::lesson::Vars;
use labrun::lifecycle::Phase;
use labrun::lifecycle::hostmode::{HostMap, HostMode};
use labrun::lifecycle::runner::{RunOutcome, Runner, ScriptEnv, ScriptRun};
use std::path::Path;
use std::process::Command;

fn runner(mode: HostMode, ws: &Path) -> Runner {
    let map = HostMap::new(mode, ws, "shell", None).unwrap();
    let env = ScriptEnv {
        participant_id: "bench".into(),
        track_slug: "bench".into(),
    };
    Runner::new(map, Vec::new(), env)
}

fn bench(c: &mut Criterion) {
    let lesson = tempfile::tempdir().unwrap();
    let script = lesson.path().join("check-shell");
    std::fs::write(&script, "#!/bin/bash\ntrue\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let vars = Vars::default();
    let run = ScriptRun {
        phase: Phase::Check,
        host: "shell",
        path: &script,
        timeout: std::time::Duration::from_secs(
            labrun::lesson::Timeouts::default().for_phase(Phase::Check),
        ),
        challenge_id: Some("bench"),
        vars: &vars,
    };
    let mut group = c.benchmark_group("lifecycle");
    group.bench_function("bash script (floor)", |b| {
        b.iter(|| {
            let status = Command::new("bash").arg(&script).status().unwrap();
            assert!(status.success());
        })
    });
    let ws = tempfile::tempdir().unwrap();
    let rewrite = runner(
        HostMode::Rewrite {
            why: "bench".into(),
        },
        ws.path(),
    );
    group.bench_function("runner, rewrite mode", |b| {
        b.iter(|| assert_eq!(rewrite.run(&run).unwrap().outcome, RunOutcome::Passed))
    });
    if let Ok(mode @ HostMode::Namespace { .. }) = HostMode::namespace() {
        let HostMode::Namespace { bwrap } = &mode else {
            unreachable!()
        };
        let bwrap = bwrap.clone();
        group.bench_function("bwrap --dev-bind / / bash script (floor)", |b| {
            b.iter(|| {
                let status = Command::new(&bwrap)
                    .args(["--dev-bind", "/", "/", "bash"])
                    .arg(&script)
                    .status()
                    .unwrap();
                assert!(status.success());
            })
        });
        let ws = tempfile::tempdir().unwrap();
        let namespace = runner(mode, ws.path());
        group.bench_function("runner, namespace mode", |b| {
            b.iter(|| assert_eq!(namespace.run(&run).unwrap().outcome, RunOutcome::Passed))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
