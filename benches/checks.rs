//! `cargo bench --bench checks`: every file step of the bundled lesson on a
//! solved workspace, next to `bash -c true` as a floor for "instant".

use criterion::{Criterion, criterion_group, criterion_main};
use labrun::checks::{self, Context, Status};
use labrun::lesson::{CheckKind, Lesson, Vars, bundled};
use std::process::Command;

fn solved_workspace() -> (tempfile::TempDir, Lesson, Vars) {
    let lesson = Lesson::load(&bundled::resolve(None).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("lab");
    let run = |args: &[&str]| {
        let status = Command::new(env!("CARGO_BIN_EXE_labrun"))
            .args(args)
            .arg(&ws)
            .status()
            .unwrap();
        assert!(status.success(), "labrun {args:?} failed");
    };
    run(&["init"]);
    for step in ["proxy-image", "bump-version", "pull-secret", "package"] {
        let status = Command::new(env!("CARGO_BIN_EXE_labrun"))
            .args(["solve", "--step", step, "-w"])
            .arg(&ws)
            .status()
            .unwrap();
        assert!(status.success());
    }
    let state = labrun::workspace::open(&ws).unwrap().state;
    let vars = Vars::resolve(&lesson.variables, &[], |_| None, &state.vars);
    (dir, lesson, vars)
}

fn bench(c: &mut Criterion) {
    let (dir, lesson, vars) = solved_workspace();
    let workspace = dir.path().join("lab");
    let ctx = Context {
        workspace: &workspace,
        lesson_dir: &lesson.dir,
        vars: &vars,
        extra_path: None,
        api: None,
        scripts: None,
    };
    // The file steps: every step but those that ask the Vendor API (benches/vendor.rs).
    let file_steps: Vec<_> = lesson
        .steps
        .iter()
        .filter(|s| {
            !s.checks
                .iter()
                .any(|c| matches!(c.kind, CheckKind::Release { .. }))
        })
        .collect();
    let run = || {
        file_steps
            .iter()
            .map(|s| checks::run_step(s, &ctx))
            .collect::<Vec<_>>()
    };
    assert_eq!(file_steps.len(), 4);
    assert!(run().iter().all(|r| r.status == Status::Pass));

    let mut group = c.benchmark_group("checks");
    group.bench_function("all file steps, solved workspace", |b| b.iter(run));
    group.bench_function("floor: bash -c true", |b| {
        b.iter(|| Command::new("bash").args(["-c", "true"]).status().unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
