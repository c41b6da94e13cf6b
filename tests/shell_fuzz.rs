//! The shell pane's parser under random and adversarial output: seeded
//! streams of escape sequences (huge counts, split at random read
//! boundaries) through the guard and vt100, as the pane feeds them.
//!
//! Two properties: behind the guard, vt100 shows exactly what it shows
//! without it (counts small enough to feed vt100 raw), and adversarial
//! streams finish — each megabyte in bounded work — with the screen inside
//! its size. Nothing here is timed: without the guard the adversarial test
//! does not finish (one `CSI 99999999 @` costs vt100 seconds).

use labrun::tui::replies::QueryReplies;
use labrun::tui::vt_guard::GuardedParser;
use tui_term::vt100;

/// splitmix64: a reproducible stream from a seed, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn pick_bytes<'a>(&mut self, items: &[&'a [u8]]) -> &'a [u8] {
        items[self.below(items.len())]
    }
}

/// Sequences with counts (the finals the guard clamps) and without.
const COUNTED: &[u8] = b"@PXLMSTbIZABCDEFGHfdea`";
const OTHER_FINALS: &[u8] = b"JKmrhlnctsuqgp";
const MODES: &[u16] = &[1, 6, 7, 25, 47, 1000, 1002, 1003, 1005, 1006, 1049, 2004];

/// One token of program output. `max_count` bounds the counts in CSIs:
/// small to compare with raw vt100, `None` for adversarial values.
fn token(rng: &mut Rng, out: &mut Vec<u8>, max_count: Option<u64>) {
    let number = |rng: &mut Rng| -> String {
        match max_count {
            Some(max) => (rng.next() % (max + 1)).to_string(),
            None => match rng.below(4) {
                0 => "99999999".into(),
                1 => "65535".into(),
                2 => "9".repeat(1 + rng.below(40)),
                _ => (rng.next() % 100_000).to_string(),
            },
        }
    };
    match rng.below(14) {
        0..=2 => {
            for _ in 0..1 + rng.below(30) {
                out.push(b' ' + rng.below(95) as u8);
            }
        }
        3 => out.extend_from_slice(
            rng.pick(&["é", "宽", "\u{301}", "🎉", "\u{200b}", "ｗ"])
                .as_bytes(),
        ),
        4 => out.push(*rng.pick(b"\r\n\t\x08\x07\x00\x0b\x0c\x0e\x18\x1a\x1b")),
        5..=8 => {
            out.extend_from_slice(b"\x1b[");
            if rng.below(5) == 0 {
                out.push(*rng.pick(b"?>=<"));
            }
            let final_byte = if rng.below(4) == 0 {
                *rng.pick(OTHER_FINALS)
            } else {
                *rng.pick(COUNTED)
            };
            if matches!(final_byte, b'h' | b'l') {
                out.extend_from_slice(rng.pick(MODES).to_string().as_bytes());
            } else {
                for i in 0..rng.below(5) {
                    if i > 0 {
                        out.push(*rng.pick(b";;;:"));
                    }
                    if rng.below(5) > 0 {
                        out.extend_from_slice(number(rng).as_bytes());
                    }
                }
            }
            if rng.below(12) == 0 {
                out.push(*rng.pick(b" !$\"'"));
            }
            if rng.below(15) == 0 {
                // Junk inside the sequence: controls, DEL, 8-bit bytes, markers, ESC.
                out.push(*rng.pick(b"\r\n\x7f\x80\x9c\xff?<\x1b\x18"));
            }
            out.push(final_byte);
        }
        9 => {
            out.push(0x1b);
            out.extend_from_slice(rng.pick_bytes(&[
                &b"7"[..],
                b"8",
                b"=",
                b">",
                b"M",
                b"D",
                b"E",
                b"c",
                b"(B",
                b"(0",
                b"#8",
                b"Pq#0;2;0;0;0\x1b\\",
                b"X junk \x1b\\",
                b"_apc\x9c",
            ]));
        }
        10 => {
            out.extend_from_slice(b"\x1b]");
            out.extend_from_slice(rng.pick_bytes(&[&b"0;"[..], b"2;", b"52;c;", b"8;;"]));
            let len = match max_count {
                Some(_) => rng.below(64),
                None => rng.below(20_000),
            };
            for _ in 0..len {
                out.push(b'A' + rng.below(26) as u8);
            }
            out.extend_from_slice(rng.pick_bytes(&[&b"\x07"[..], b"\x1b\\", b"\x18", b""]));
        }
        // Prompt marks (the guard takes them out), and near misses.
        13 => {
            out.extend_from_slice(b"\x1b]");
            out.extend_from_slice(rng.pick_bytes(&[
                &b"133;A"[..],
                b"133;B",
                b"133;C",
                b"133;D;0",
                b"133;D;130",
                b"133;D",
                b"133;Q",
                b"133",
                b"1337;x",
            ]));
            out.extend_from_slice(rng.pick_bytes(&[&b"\x07"[..], b"\x1b\\", b"\x18", b""]));
        }
        _ => {
            for _ in 0..1 + rng.below(8) {
                out.push(rng.next() as u8);
            }
        }
    }
}

fn stream(rng: &mut Rng, bytes: usize, max_count: Option<u64>) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes + 64);
    while out.len() < bytes {
        token(rng, &mut out, max_count);
    }
    out
}

/// `bytes` in reads of random sizes, as a PTY hands them over.
fn chunks<'a>(rng: &mut Rng, bytes: &'a [u8]) -> Vec<&'a [u8]> {
    let mut pieces = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let n = (1 + rng.below(64)).min(rest.len());
        let (piece, tail) = rest.split_at(n);
        pieces.push(piece);
        rest = tail;
    }
    pieces
}

/// What a learner can see of a screen, and what the pane answers.
fn observable(screen: &vt100::Screen, replies: &[u8]) -> String {
    format!(
        "{:?}\ncursor {:?} hidden {} alt {} appcursor {} paste {} mouse {:?}/{:?}\nreplies {:?}",
        String::from_utf8_lossy(&screen.contents_formatted()),
        screen.cursor_position(),
        screen.hide_cursor(),
        screen.alternate_screen(),
        screen.application_cursor(),
        screen.bracketed_paste(),
        screen.mouse_protocol_mode(),
        screen.mouse_protocol_encoding(),
        String::from_utf8_lossy(replies),
    )
}

fn with_scrollback(screen: &mut vt100::Screen) -> String {
    screen.set_scrollback(usize::MAX);
    let top = screen.contents();
    screen.set_scrollback(0);
    top
}

#[test]
fn behind_the_guard_vt100_shows_what_it_shows_without_it() {
    let mut rng = Rng(0x1abe_1234);
    for case in 0..1_000 {
        let rows = 2 + rng.below(30) as u16;
        let cols = 2 + rng.below(90) as u16;
        // Counts up to three screens: beyond the clamp, yet cheap for raw vt100.
        let max = 3 * u64::from(rows.max(cols));
        let input = stream(&mut rng, 4_000, Some(max));

        let mut raw = vt100::Parser::new_with_callbacks(rows, cols, 100, QueryReplies::default());
        raw.process(&input);
        let mut guarded = GuardedParser::with_callbacks(rows, cols, 100, QueryReplies::default());
        for piece in chunks(&mut rng, &input) {
            guarded.process(piece);
        }

        let raw_replies = std::mem::take(&mut raw.callbacks_mut().replies);
        let guarded_replies = std::mem::take(&mut guarded.callbacks_mut().replies);
        assert_eq!(
            observable(guarded.screen(), &guarded_replies),
            observable(raw.screen(), &raw_replies),
            "case {case} ({rows}x{cols}), input {:?}",
            String::from_utf8_lossy(&input)
        );
        assert_eq!(
            with_scrollback(guarded.screen_mut()),
            with_scrollback(raw.screen_mut()),
            "case {case}: scrollback"
        );
    }
}

/// Asserts the screen is the size it was made, with the cursor on it.
fn assert_inside(screen: &vt100::Screen, rows: u16, cols: u16) {
    assert_eq!(screen.size(), (rows, cols));
    let (row, col) = screen.cursor_position();
    assert!(
        row < rows && col <= cols,
        "cursor {row},{col} on {rows}x{cols}"
    );
    assert_eq!(screen.rows(0, cols).count(), usize::from(rows));
    assert!(screen.cell(rows - 1, cols - 1).is_some());
    assert!(screen.cell(rows, 0).is_none() && screen.cell(0, cols).is_none());
}

#[test]
fn adversarial_streams_finish_and_stay_on_the_screen() {
    let mut rng = Rng(0xdead_beef);
    for _ in 0..4 {
        let (rows, cols) = (24, 80);
        let input = stream(&mut rng, 256 * 1024, None);
        let mut pane = GuardedParser::with_callbacks(rows, cols, 5_000, QueryReplies::default());
        for piece in chunks(&mut rng, &input) {
            pane.process(piece);
        }
        assert_inside(pane.screen(), rows, cols);
    }
}

#[test]
fn the_reported_attack_and_its_siblings_finish() {
    let (rows, cols) = (35, 58);
    let mut pane = GuardedParser::new(rows, cols, 5_000);
    for seq in [
        &b"\x1b[99999999@"[..],
        b"\x1b[99999999L",
        b"\x1b[99999999T",
        b"\x1b[99999999S",
        b"\x1b[99999999M",
        b"\x1b[99999999P",
        b"\x1b[99999999X",
        b"x\x1b[99999999b",
    ] {
        for _ in 0..1_000 {
            pane.process(seq);
        }
        assert_inside(pane.screen(), rows, cols);
    }
    // An OSC that never ends keeps a bounded buffer; text after it still shows.
    let payload = vec![b'x'; 8 << 20];
    pane.process(b"\x1b]2;");
    pane.process(&payload);
    pane.process(b"\x07\x1b[H\x1b[2Jafter");
    assert_eq!(pane.screen().contents(), "after");
}

#[test]
fn text_split_inside_a_character_keeps_every_character() {
    // vte 0.15 alone drops the 'C' when a read ends inside U+0301 (alacritty/vte#159).
    let text = "B\u{301}C\u{2500}".as_bytes();
    for at in 0..=text.len() {
        let mut pane = GuardedParser::new(4, 20, 0);
        pane.process(&text[..at]);
        pane.process(&text[at..]);
        assert_eq!(
            pane.screen().contents(),
            "B\u{301}C\u{2500}",
            "split at {at}"
        );
    }
}
