//! `cargo bench --bench scripts`: reading every lifecycle script of the two
//! fixture tracks without running them (the tools each calls, the ways each
//! could not fail), next to `bash -n` on the same scripts — bash merely
//! checking their syntax — as the baseline.

use criterion::{Criterion, criterion_group, criterion_main};
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture_scripts() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tracks");
    let mut scripts = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                dirs.push(path);
            } else if ["setup-", "check-", "solve-", "cleanup-"]
                .iter()
                .any(|p| name.starts_with(p))
            {
                scripts.push(path);
            }
        }
    }
    scripts.sort();
    scripts
}

fn bench(c: &mut Criterion) {
    let scripts = fixture_scripts();
    let texts: Vec<String> = scripts
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(texts.len() >= 20, "{}", texts.len());
    let read_all = || {
        texts
            .iter()
            .map(|t| {
                let tools = labrun::scripts::tools(t).unwrap();
                let findings = labrun::scripts::cannot_fail(t).unwrap();
                tools.len() + findings.len()
            })
            .sum::<usize>()
    };
    assert!(read_all() > 0);

    let mut group = c.benchmark_group("scripts");
    group.bench_function("tools + cannot_fail, every fixture script", |b| {
        b.iter(read_all)
    });
    group.bench_function("baseline: bash -n, every fixture script", |b| {
        b.iter(|| {
            for script in &scripts {
                assert!(
                    Command::new("bash")
                        .arg("-n")
                        .arg(script)
                        .status()
                        .unwrap()
                        .success()
                );
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
