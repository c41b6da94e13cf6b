//! `cargo bench --bench redact`: hiding secrets in a check's JSON output
//! (every shape of two secrets, one regex pass) next to the replacement of
//! the values as written and `{:?}`-escaped only, as labrun did before.

use criterion::{Criterion, criterion_group, criterion_main};
use labrun::redact::{REDACTED, Redactor};
use std::hint::black_box;

const TOKEN: &str = "9f86d081884c7d659a2feaa0c55ad015";
const PASSWORD: &str = "it's \"qu0ted\"-zx\u{301}k";

/// About the size of `labrun check --format json` on the bundled lesson.
fn output() -> String {
    let line = format!(
        "{{\"name\":\"values.yaml: images.slackernews.repository\",\"message\":\"expected: {:?} found: \\\"ghcr.io/slackernews/slackernews-web:1.0.17\\\"\"}}\n",
        format!("proxy.replicated.com/proxy/{TOKEN}/x")
    );
    line.repeat(40) + &format!("password {PASSWORD:?}\n")
}

/// The previous redaction: each value as written, then `escape_debug`'d.
fn previous(text: &str) -> String {
    let mut out = text.to_string();
    for value in [TOKEN, PASSWORD] {
        out = out.replace(value, REDACTED);
        let escaped = value.escape_debug().to_string();
        if escaped != value {
            out = out.replace(&escaped, REDACTED);
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let text = output();
    let redactor = Redactor::new([TOKEN, PASSWORD]);
    assert!(!redactor.redact(&text).contains("qu0ted"));
    c.bench_function("previous: values as written and escape_debug'd", |b| {
        b.iter(|| previous(black_box(&text)))
    });
    c.bench_function("redact: every shape of every secret", |b| {
        b.iter(|| redactor.redact(black_box(&text)).len())
    });
    c.bench_function("redactor: built from two secrets", |b| {
        b.iter(|| Redactor::new(black_box([TOKEN, PASSWORD])))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
