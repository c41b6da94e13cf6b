//! `cargo bench --bench vt_guard`: the shell pane's parser, vt100 alone
//! (the baseline, what the pane fed before) next to vt100 behind the VT guard
//! (what it feeds now), on a 35×58 pane with 5 000 lines of scrollback:
//!   - plain text: `seq 1 200000` output, and the same lines in SGR colours;
//!   - adversarial: escape sequences that cost O(screen) each, counts already
//!     small (the guard's cost on the worst input it lets through);
//!   - the attack: one `CSI 99999999 @` (ICH), which the guard clamps;
//!   - each sequence with a count or a cost in screens, repeated: vt100 alone
//!     only where it finishes in milliseconds (ICH, IL and SD with huge counts
//!     take it seconds each: see the attack).
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

/// One sequence of each kind, with whether vt100 alone finishes it quickly.
const SEQUENCES: &[(&str, &[u8], bool)] = &[
    ("ICH huge", b"\x1b[99999999@", false),
    ("IL huge", b"\x1b[99999999L", false),
    ("SD huge", b"\x1b[99999999T", false),
    ("SU huge", b"\x1b[99999999S", true),
    ("DL huge", b"\x1b[99999999M", true),
    ("DCH huge", b"\x1b[99999999P", true),
    ("ECH huge", b"\x1b[99999999X", true),
    ("REP huge", b"x\x1b[99999999b", true),
    (
        "cursor moves huge",
        b"\x1b[99999A\x1b[99999C\x1b[99999;99999H\x1b[99999d",
        true,
    ),
    ("alternate screen", b"\x1b[?1049h\x1b[?1049l", true),
    ("erase screen", b"\x1b[2J", true),
    ("full reset", b"\x1bc", true),
    ("OSC title 64 KiB", b"\x1b]2;", true),
];

fn sequences(c: &mut Criterion) {
    let mut group = c.benchmark_group("sequence");
    group.sample_size(10);
    group.warm_up_time(std::time::Duration::from_secs(1));
    group.measurement_time(std::time::Duration::from_secs(2));
    for &(name, seq, raw_finishes) in SEQUENCES {
        let input: Vec<u8> = if seq == b"\x1b]2;" {
            let mut osc = seq.to_vec();
            osc.extend(std::iter::repeat_n(b'a', 64 * 1024));
            osc.push(0x07);
            osc
        } else {
            seq.repeat(64 * 1024 / seq.len())
        };
        group.throughput(Throughput::Bytes(input.len() as u64));
        if raw_finishes {
            group.bench_with_input(BenchmarkId::new("vt100", name), &input, |b, i| {
                b.iter(|| black_box(raw(i)))
            });
        }
        group.bench_with_input(BenchmarkId::new("guarded", name), &input, |b, i| {
            b.iter(|| black_box(guarded(i)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench, sequences);
criterion_main!(benches);
