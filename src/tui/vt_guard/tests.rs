//! The VT guard's tests: clamped counts, split reads, long OSCs, prompt marks.

use super::*;

const SIZE: (u16, u16) = (24, 80);

fn filtered(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    VtGuard::new().feed(input, SIZE, |piece| out.extend_from_slice(piece));
    out
}

/// What the parser makes of `bytes`.
fn parsed(bytes: &[u8]) -> String {
    let mut parser = vt100::Parser::new(SIZE.0, SIZE.1, 0);
    parser.process(b"0123456789abcdefghij\r\nsecond line\x1b[1;5H");
    parser.process(bytes);
    let screen = parser.screen();
    format!(
        "{:?} {:?} {}",
        screen.contents_formatted(),
        screen.cursor_position(),
        screen.alternate_screen()
    )
}

/// Every split of `input` into two reads parses as the one read does.
fn assert_split_invariant(input: &[u8]) {
    let whole = parsed(&filtered(input));
    for at in 0..=input.len() {
        let mut guard = VtGuard::new();
        let mut out = Vec::new();
        guard.feed(&input[..at], SIZE, |p| out.extend_from_slice(p));
        guard.feed(&input[at..], SIZE, |p| out.extend_from_slice(p));
        assert_eq!(parsed(&out), whole, "split at {at} of {input:?}: {out:?}");
    }
}

#[test]
fn huge_counts_are_clamped_to_the_screen() {
    assert_eq!(filtered(b"\x1b[99999999@"), b"\x1b[80@");
    assert_eq!(filtered(b"\x1b[65535L"), b"\x1b[24L");
    assert_eq!(filtered(b"\x1b[70000T"), b"\x1b[24T");
    assert_eq!(filtered(b"x\x1b[99999b"), b"x\x1b[1920b");
    assert_eq!(filtered(b"\x1b[99999;7H"), b"\x1b[80;7H");
    assert_split_invariant(b"ab\x1b[99999999@cd\x1b[3;99999Hef\x1b[99999T");
    // Split inside the count, the CSI is written back whole.
    let mut guard = VtGuard::new();
    let mut out = Vec::new();
    guard.feed(b"ab\x1b[999", SIZE, |p| out.extend_from_slice(p));
    guard.feed(b"99@cd", SIZE, |p| out.extend_from_slice(p));
    assert_eq!(out, b"ab\x1b[80@cd");
}

#[test]
fn sequences_left_as_they_are_pass_untouched() {
    for seq in [
        &b"\x1b[5@\x1b[@\x1b[0P\x1b[007X"[..],
        b"\x1b[?1049h",
        b"\x1b[?2004l",
        b"\x1b[38;2;255;128;0m",
        b"\x1b[38:5:200m",
        b"\x1b[99999999m",
        b"\x1b[8;9999;9999t",
        b"\x1b[6n",
        b"\x1b[>c",
        b"\x1b[5;99999r",
        b"\x1b[99999 q",
        b"\x1b[99999!@",
        // Ignored by vte, whatever the counts.
        b"\x1b[5?99999@x",
        b"\x1b[ 5@",
    ] {
        assert_eq!(filtered(seq), seq, "{seq:?}");
        assert_split_invariant(seq);
    }
}

#[test]
fn a_parameter_held_over_a_megabyte_of_digits_is_a_number() {
    let mut input = b"\x1b[".to_vec();
    input.extend(std::iter::repeat_n(b'9', 1 << 20));
    input.push(b'@');
    let mut guard = VtGuard::new();
    let mut out = Vec::new();
    for read in input.chunks(4096) {
        guard.feed(read, SIZE, |p| out.extend_from_slice(p));
    }
    assert_eq!(out, b"\x1b[80@");
}

#[test]
fn controls_inside_a_csi_pass_in_order_and_escape_abandons_it() {
    assert_eq!(filtered(b"\x1b[12\r\n34@"), b"\x1b[\r\n80@");
    assert_eq!(filtered(b"\x1b[999\x1b[999L"), b"\x1b[999\x1b[24L");
    assert_eq!(filtered(b"\x1b[999\x18x"), b"\x1b[999\x18x");
    assert_split_invariant(b"\x1b[12\r\n34@\x1b[999\x1b[999L\x1b[1\x7f\x802\r3X");
}

#[test]
fn a_character_split_between_reads_reaches_the_parser_whole() {
    let text = "é N€ 🎉!".as_bytes();
    for at in 0..=text.len() {
        let mut guard = VtGuard::new();
        let mut pieces = Vec::new();
        guard.feed(&text[..at], SIZE, |p| pieces.push(p.to_vec()));
        guard.feed(&text[at..], SIZE, |p| pieces.push(p.to_vec()));
        assert_eq!(pieces.concat(), text);
        for piece in &pieces {
            assert!(
                std::str::from_utf8(piece).is_ok(),
                "split at {at}: {pieces:?}"
            );
        }
    }
    // Invalid bytes are not held: the parser shows them at once.
    assert_eq!(incomplete_char_len(b"a\xff"), 0);
    assert_eq!(incomplete_char_len(b"a\xe0\x80"), 0);
    assert_eq!(incomplete_char_len(b"a\xe2\x82"), 2);
    assert_eq!(incomplete_char_len(b"\xf0\x9f\x8e"), 3);
    assert_eq!(incomplete_char_len(b"\xf0\x9f\x8e\x89"), 0);
}

#[test]
fn long_osc_payloads_are_cut_and_the_sequence_still_ends() {
    let mut input = b"\x1b]2;".to_vec();
    input.extend(std::iter::repeat_n(b'a', 100_000));
    input.extend_from_slice(b"\x07\x1b[99999@");
    let out = filtered(&input);
    assert_eq!(out.len(), 2 + OSC_LIMIT + 1 + 5);
    assert!(out.ends_with(b"a\x07\x1b[80@"));
}

/// The guard's output and the marks it found, for `input` fed in `reads`.
fn feed_reads(reads: &[&[u8]]) -> (Vec<u8>, Vec<PromptMark>) {
    let mut guard = VtGuard::new();
    let mut out = Vec::new();
    let mut marks = Vec::new();
    for read in reads {
        guard.feed(read, SIZE, |p| out.extend_from_slice(p));
        marks.extend(guard.take_marks());
    }
    (out, marks)
}

const FINISHED_0: PromptMark = PromptMark::CommandFinished { exit: Some(0) };

#[test]
fn prompt_marks_are_taken_out_and_reported() {
    let input = b"out\r\n\x1b]133;D;0\x07\x1b]133;A\x07$ \x1b]133;B\x1b\\ls\x1b]133;C\x07x";
    let (out, marks) = feed_reads(&[input]);
    assert_eq!(out, b"out\r\n\x18\x18$ \x18ls\x18x");
    assert_eq!(
        marks,
        [
            FINISHED_0,
            PromptMark::PromptStart,
            PromptMark::CommandStart,
            PromptMark::CommandExecuted
        ]
    );
    // The screen is what it would be without them.
    assert_eq!(parsed(&out), parsed(b"out\r\n$ lsx"));
    // An exit code that is not 0, and none.
    let (_, marks) = feed_reads(&[b"\x1b]133;D;127\x07\x1b]133;D\x07"]);
    assert_eq!(
        marks,
        [
            PromptMark::CommandFinished { exit: Some(127) },
            PromptMark::CommandFinished { exit: None }
        ]
    );
}

#[test]
fn a_mark_split_anywhere_between_reads_is_found_once_and_kept_from_the_screen() {
    let input: &[u8] =
        "é\x1b[1m\x1b]133;D;130\x1b\\\x1b]133;A\x07\x1b[0m$ \x1b]2;t\x1b\x1b]133;B\x07€".as_bytes();
    let (whole, marks) = feed_reads(&[input]);
    assert_eq!(
        marks,
        [
            PromptMark::CommandFinished { exit: Some(130) },
            PromptMark::PromptStart,
            PromptMark::CommandStart
        ]
    );
    let screen = parsed(&whole);
    assert_eq!(screen, parsed("é\x1b[1m\x1b[0m$ €".as_bytes()));
    // A CSI split between reads is written back in canonical form: the
    // parser makes the same of it, so compare what it makes.
    for at in 0..=input.len() {
        for second in at..=input.len() {
            let (out, found) = feed_reads(&[&input[..at], &input[at..second], &input[second..]]);
            assert_eq!(found, marks, "split at {at} and {second}");
            assert_eq!(parsed(&out), screen, "split at {at} and {second}: {out:?}");
        }
    }
    // One byte per read, as a slow PTY may deliver it.
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    let (out, found) = feed_reads(&bytes);
    assert_eq!(found, marks);
    assert_eq!(parsed(&out), screen);
}

#[test]
fn other_oscs_and_garbage_pass_as_they_are() {
    for seq in [
        &b"\x1b]0;title\x07"[..],
        b"\x1b]133;Z\x07",
        b"\x1b]133;\x07",
        b"\x1b]1337;SetMark\x07",
        b"\x1b]13;A\x07",
        // Controls inside: vte ignores them, so it is no mark of ours.
        b"\x1b]133;\rD;0\x07",
        // Cancelled by CAN: vte drops it.
        b"\x1b]133;D;0\x18",
        // Not right after ESC (vte executes the CR in between).
        b"\x1b\r]133;D;0\x07",
    ] {
        let (out, marks) = feed_reads(&[seq]);
        assert_eq!(out, seq, "{seq:?}");
        assert!(marks.is_empty(), "{seq:?}: {marks:?}");
    }
}

#[test]
fn a_long_mark_like_osc_is_no_mark_and_holds_no_more_than_a_mark() {
    let mut input = b"\x1b]133;D;".to_vec();
    input.extend(std::iter::repeat_n(b'1', 100_000));
    input.extend_from_slice(b"\x07ok");
    let mut guard = VtGuard::new();
    let mut out = Vec::new();
    for read in input.chunks(7) {
        guard.feed(read, SIZE, |p| out.extend_from_slice(p));
        assert!(
            guard.partial.len() <= prompt_marks::PREFIX.len() + prompt_marks::MARK_LIMIT + 3,
            "holds {} bytes",
            guard.partial.len()
        );
    }
    assert_eq!(guard.take_marks().count(), 0);
    // Passed as any OSC is: cut at the limit, terminated, then the text.
    assert_eq!(out.len(), 2 + OSC_LIMIT + 1 + 2);
    assert!(out.ends_with(b"1\x07ok"));
}

#[test]
fn a_flood_of_marks_keeps_the_latest() {
    let mut input = Vec::new();
    for exit in 0..1000 {
        input.extend_from_slice(format!("\x1b]133;D;{exit}\x07").as_bytes());
    }
    let (out, marks) = feed_reads(&[&input]);
    assert_eq!(out.len(), 1000, "one CAN per mark");
    assert_eq!(marks.len(), MARKS_KEPT);
    assert_eq!(
        marks.last(),
        Some(&PromptMark::CommandFinished { exit: Some(999) })
    );
}

#[test]
fn a_mark_inside_an_unfinished_csi_leaves_the_parser_as_the_mark_would() {
    // ESC abandons the CSI for vte; the CAN in the mark's place does too.
    let input = b"ab\x1b[12\x1b]133;D;0\x07cd";
    let (out, marks) = feed_reads(&[input]);
    assert_eq!(marks, [FINISHED_0]);
    assert_eq!(parsed(&out), parsed(b"abcd"));
    for at in 0..=input.len() {
        let (split, _) = feed_reads(&[&input[..at], &input[at..]]);
        assert_eq!(parsed(&split), parsed(b"abcd"), "split at {at}: {split:?}");
    }
}
