//! `cargo bench --bench vt_guard`: the shell pane's parser, vt100 alone
//! (the baseline, what the pane fed before) next to vt100 behind the VT guard
//! (what it feeds now), on a 35×58 pane with 5 000 lines of scrollback:
//!   - plain text: `seq 1 200000` output, and the same lines in SGR colours;
//!   - adversarial: escape sequences that cost O(screen) each, counts already
//!     small (the guard's cost on the worst input it lets through);
//!   - the attack: one `CSI 99999999 @` (ICH), which the guard clamps.
//!
//! Throughput is reported in bytes/s; compare the two lines of each group.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use labrun::tui::vt_guard::GuardedParser;
use std::hint::black_box;
use tui_term::vt100;

const ROWS: u16 = 35;
const COLS: u16 = 58;
const SCROLLBACK: usize = 5_000;
/// Bytes per PTY read, as the pane's reader hands them over.
const READ: usize = 4096;

fn plain() -> Vec<u8> {
    (1..=200_000)
        .flat_map(|i| format!("{i}\n").into_bytes())
        .collect()
}

fn coloured() -> Vec<u8> {
    (1..=100_000)
        .flat_map(|i| format!("\x1b[3{}m{i}\x1b[0m line of output\r\n", i % 8).into_bytes())
        .collect()
}

/// Sequences vt100 handles in O(screen) each, with counts within the screen.
fn adversarial() -> Vec<u8> {
    let mix: &[&[u8]] = &[
        b"\x1b[58@",
        b"\x1b[35L",
        b"\x1b[35T",
        b"\x1b[35S",
        b"\x1b[2J",
        b"\x1b[?1049h\x1b[?1049l",
        b"\x1bc",
        b"\x1b[9999;9999H",
    ];
    mix.iter()
        .cycle()
        .take(40_000)
        .flat_map(|s| s.iter().copied())
        .collect()
}

fn raw(input: &[u8]) -> vt100::Parser {
    let mut parser = vt100::Parser::new(ROWS, COLS, SCROLLBACK);
    for read in input.chunks(READ) {
        parser.process(read);
    }
    parser
}

fn guarded(input: &[u8]) -> GuardedParser {
    let mut parser = GuardedParser::new(ROWS, COLS, SCROLLBACK);
    for read in input.chunks(READ) {
        parser.process(read);
    }
    parser
}

fn bench(c: &mut Criterion) {
    for (name, input) in [
        ("plain", plain()),
        ("coloured", coloured()),
        ("adversarial", adversarial()),
    ] {
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.sample_size(20);
        group.bench_with_input(BenchmarkId::new("vt100", input.len()), &input, |b, i| {
            b.iter(|| black_box(raw(i)))
        });
        group.bench_with_input(BenchmarkId::new("guarded", input.len()), &input, |b, i| {
            b.iter(|| black_box(guarded(i)))
        });
        group.finish();
    }

    let attack = b"\x1b[99999999@";
    let mut group = c.benchmark_group("attack");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(attack.len() as u64));
    group.bench_function("vt100", |b| b.iter(|| black_box(raw(attack))));
    group.bench_function("guarded", |b| b.iter(|| black_box(guarded(attack))));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
