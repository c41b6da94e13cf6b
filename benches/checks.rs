//! `cargo bench --bench checks`: every file step of the bundled lesson on a
//! solved workspace, next to `bash -c true` as a floor for "instant".

use criterion::{Criterion, criterion_group, criterion_main};
use labrun::checks::{self, Context, Status};
use labrun::lesson::{Lesson, Vars, bundled};
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
    run(&["solve", "-w"]);
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
    };
    assert!(
        checks::run_all(&lesson, &ctx)
            .iter()
            .all(|r| r.status == Status::Pass)
    );

    let mut group = c.benchmark_group("checks");
    group.bench_function("all file steps, solved workspace", |b| {
        b.iter(|| checks::run_all(&lesson, &ctx))
    });
    group.bench_function("floor: bash -c true", |b| {
        b.iter(|| Command::new("bash").args(["-c", "true"]).status().unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
