//! The guard in front of the shell pane's VT parser: a streaming filter that
//! makes every byte a program prints cost the parser bounded work.
//!
//! vt100 0.16 loops once per unit of some CSI counts: `CSI 99999999 @` (ICH,
//! the count saturates at 65 535) inserts cells one `Vec::insert` at a time,
//! quadratic, about 2 s; IL and SD allocate a row per unit. For every count
//! or position clamped here, any value past the screen's size has the same
//! effect as the size itself, so the guard rewrites it to that size before
//! the parser sees it. It also caps OSC payloads, which vte buffers whole
//! (keeping the buffer's capacity for good) although the pane uses none.
//!
//! The guard mirrors the states of vte 0.15 (the parser inside vt100) that
//! decide where a CSI or an OSC begins and ends, and parses a CSI's
//! parameters the way vte does (at most 32 numbers, saturating at 65 535, so
//! a megabyte of digits is a few words). Everything passes through untouched
//! — a read is one parser call, coloured output included — except a CSI whose
//! counts it clamps, or whose parameters began in an earlier read: those it
//! holds back and writes in canonical form at the final byte (vte parses the
//! same values from it).
//!
//! It also keeps a character split across reads whole: vte 0.15 loses the
//! text after such a character when the next read ends inside another one
//! (`advance_partial_utf8` skips every valid byte it copied, not just the
//! character's; alacritty/vte#159), so the guard holds the incomplete end of
//! a read (at most 3 bytes) and hands it on with the next.

use tui_term::vt100;

/// vte's limits: parameters (and subparameters) kept, intermediates collected.
const MAX_PARAMS: usize = 32;
const MAX_INTERMEDIATES: usize = 2;
/// OSC payload bytes passed on; the rest of a longer one is dropped. The pane
/// acts on no OSC (titles and clipboard requests are ignored), and vte's own
/// no-std build bounds its buffer to 1 KiB.
pub const OSC_LIMIT: usize = 4096;

const ESC: u8 = 0x1b;
const CAN: u8 = 0x18;
const SUB: u8 = 0x1a;
const BEL: u8 = 0x07;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum State {
    /// Ground, and every state vte leaves only through ESC, CAN or SUB
    /// (escape intermediates, DCS, SOS/PM/APC): none of them starts a CSI.
    #[default]
    Ground,
    Escape,
    CsiEntry,
    CsiParam,
    CsiIntermediate,
    /// vte will not dispatch this CSI; the parser has been put in the same state.
    CsiIgnore,
    /// Inside an OSC, with this many payload bytes passed on.
    Osc(usize),
}

/// How vte stored a parameter: ended by `;` (a push), by `:` (a
/// subparameter) or by the final byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sep {
    Semicolon,
    Colon,
    Final,
}

/// What a held byte of a CSI leads to.
enum Csi {
    Continue,
    /// vte will ignore the whole sequence.
    Ignore,
    /// The final byte: the sequence is complete.
    Dispatch,
}

/// The streaming filter; feed it a program's output in any chunks.
#[derive(Debug, Default)]
pub struct VtGuard {
    state: State,
    params: Vec<(u16, Sep)>,
    param: u16,
    intermediates: Vec<u8>,
    /// The first intermediate is a private marker (`?`, `>`, …) read before the parameters.
    marker: bool,
    /// Where the current CSI's held bytes begin in the read being filtered.
    /// A CSI wholly inside one read and left as it is passes untouched.
    held_from: Option<usize>,
    /// The current CSI's held bytes began in an earlier read and were kept
    /// from the parser: it is written back in canonical form.
    spilled: bool,
    /// The CSI being written back.
    out: Vec<u8>,
    /// The start of a character the last read ended inside, held for the next.
    partial: Vec<u8>,
}

impl VtGuard {
    pub fn new() -> VtGuard {
        VtGuard {
            params: Vec::with_capacity(MAX_PARAMS),
            intermediates: Vec::with_capacity(MAX_INTERMEDIATES),
            ..VtGuard::default()
        }
    }

    /// Filters `bytes` for a screen of `size` (rows, cols), handing the
    /// result to `sink` in order, in one or more pieces.
    pub fn feed(&mut self, bytes: &[u8], size: (u16, u16), sink: impl FnMut(&[u8])) {
        if self.partial.is_empty() {
            self.feed_whole(bytes, size, sink);
        } else {
            let mut joined = std::mem::take(&mut self.partial);
            joined.extend_from_slice(bytes);
            self.feed_whole(&joined, size, sink);
        }
    }

    /// [`VtGuard::feed`], `bytes` starting on a character boundary.
    fn feed_whole(&mut self, bytes: &[u8], size: (u16, u16), mut sink: impl FnMut(&[u8])) {
        // bytes[run..i] are passed through untouched, flushed lazily.
        let mut run = 0;
        let mut i = 0;
        while i < bytes.len() {
            let byte = bytes[i];
            match self.state {
                State::Ground => match memchr::memchr(ESC, &bytes[i..]) {
                    Some(at) => {
                        i += at + 1;
                        self.state = State::Escape;
                    }
                    None => i = bytes.len(),
                },
                State::Escape => {
                    i += 1;
                    self.state = match byte {
                        b'[' => {
                            self.params.clear();
                            self.param = 0;
                            self.intermediates.clear();
                            self.marker = false;
                            self.held_from = None;
                            self.spilled = false;
                            State::CsiEntry
                        }
                        b']' => State::Osc(0),
                        CAN | SUB => State::Ground,
                        // vte executes C0 controls here and ignores DEL and
                        // 8-bit bytes, staying in Escape; ESC restarts it.
                        0x00..=0x1f | 0x7f..=0xff => State::Escape,
                        // Intermediates, DCS, SOS/PM/APC, or a final byte.
                        _ => State::Ground,
                    };
                }
                State::CsiEntry | State::CsiParam | State::CsiIntermediate => {
                    i += 1;
                    match byte {
                        // Executed in place by vte: they pass, in order, ahead of the CSI.
                        0x00..=0x17 | 0x19 | 0x1c..=0x1f => continue,
                        // vte abandons the CSI, and so does the parser, whether it
                        // saw the held bytes (passed untouched) or not (spilled).
                        CAN | SUB => {
                            self.state = State::Ground;
                            continue;
                        }
                        ESC => {
                            self.state = State::Escape;
                            continue;
                        }
                        _ => {}
                    }
                    if self.spilled {
                        if run < i - 1 {
                            sink(&bytes[run..i - 1]);
                        }
                        run = i;
                    } else if self.held_from.is_none() {
                        self.held_from = Some(i - 1);
                    }
                    match self.csi_byte(byte) {
                        Csi::Continue => {}
                        Csi::Ignore => {
                            // Passed untouched, the held bytes lead the parser
                            // there too; spilled, "0<" does from `ESC [`.
                            if self.spilled {
                                sink(b"0<");
                            }
                            self.held_from = None;
                            self.state = State::CsiIgnore;
                        }
                        Csi::Dispatch => {
                            let clamped = self.clamp(byte, size);
                            if clamped || self.spilled {
                                self.out.clear();
                                if let Some(from) = self.held_from {
                                    if run < from {
                                        sink(&bytes[run..from]);
                                    }
                                    self.out.extend(
                                        bytes[from..i - 1].iter().filter(|b| executed(**b)),
                                    );
                                }
                                self.write_csi(byte);
                                sink(&self.out);
                                run = i;
                            }
                            self.held_from = None;
                            self.state = State::Ground;
                        }
                    }
                }
                State::CsiIgnore => {
                    i += 1;
                    self.state = match byte {
                        0x40..=0x7e | CAN | SUB => State::Ground,
                        ESC => State::Escape,
                        _ => State::CsiIgnore,
                    };
                }
                State::Osc(len) => match byte {
                    BEL | CAN | SUB => {
                        i += 1;
                        self.state = State::Ground;
                    }
                    ESC => {
                        i += 1;
                        self.state = State::Escape;
                    }
                    _ if len < OSC_LIMIT => {
                        i += 1;
                        self.state = State::Osc(len + 1);
                    }
                    _ => {
                        // Past the limit: drop the payload up to its terminator.
                        if run < i {
                            sink(&bytes[run..i]);
                        }
                        let rest = &bytes[i..];
                        let end = rest
                            .iter()
                            .position(|&b| matches!(b, BEL | CAN | SUB | ESC))
                            .unwrap_or(rest.len());
                        i += end;
                        run = i;
                    }
                },
            }
        }
        let mut end = bytes.len();
        match self.state {
            State::Ground => {
                end -= incomplete_char_len(&bytes[run..]);
                self.partial.extend_from_slice(&bytes[end..]);
            }
            // A CSI goes on in the next read: keep its held bytes from the
            // parser (the controls among them pass) until its final byte.
            State::CsiEntry | State::CsiParam | State::CsiIntermediate => {
                if let Some(from) = self.held_from.take() {
                    if run < from {
                        sink(&bytes[run..from]);
                    }
                    self.out.clear();
                    self.out
                        .extend(bytes[from..].iter().filter(|b| executed(**b)));
                    sink(&self.out);
                    run = end;
                    self.spilled = true;
                }
            }
            _ => {}
        }
        if run < end {
            sink(&bytes[run..end]);
        }
    }

    /// Parses one held byte of a CSI (a parameter, separator, intermediate
    /// or the final byte, or one vte ignores there) the way vte does.
    fn csi_byte(&mut self, byte: u8) -> Csi {
        match (self.state, byte) {
            (State::CsiEntry | State::CsiParam, b'0'..=b'9') => {
                if self.params.len() < MAX_PARAMS {
                    self.param = self
                        .param
                        .saturating_mul(10)
                        .saturating_add(u16::from(byte - b'0'));
                }
                self.state = State::CsiParam;
            }
            (State::CsiEntry | State::CsiParam, b';' | b':') => {
                if self.params.len() < MAX_PARAMS {
                    let sep = if byte == b';' {
                        Sep::Semicolon
                    } else {
                        Sep::Colon
                    };
                    self.params.push((self.param, sep));
                    self.param = 0;
                }
                self.state = State::CsiParam;
            }
            (State::CsiEntry, 0x3c..=0x3f) => {
                self.collect(byte);
                self.marker = true;
                self.state = State::CsiParam;
            }
            (_, 0x20..=0x2f) => {
                self.collect(byte);
                self.state = State::CsiIntermediate;
            }
            // A marker after parameters, or a parameter after an intermediate.
            (State::CsiParam | State::CsiIntermediate, 0x30..=0x3f) => return Csi::Ignore,
            (_, 0x40..=0x7e) => return Csi::Dispatch,
            // DEL and 8-bit bytes: vte ignores them inside a CSI.
            _ => {}
        }
        Csi::Continue
    }

    fn collect(&mut self, byte: u8) {
        if self.intermediates.len() < MAX_INTERMEDIATES {
            self.intermediates.push(byte);
        }
    }

    /// Completes the parameters as vte does at the final byte and clamps
    /// them; true when a value changed.
    fn clamp(&mut self, final_byte: u8, (rows, cols): (u16, u16)) -> bool {
        if self.params.len() < MAX_PARAMS {
            self.params.push((self.param, Sep::Final));
        }
        let mut clamped = false;
        if self.intermediates.is_empty()
            && let Some(limit) = count_limit(final_byte, rows, cols)
        {
            for (value, _) in &mut self.params {
                if *value > limit {
                    *value = limit;
                    clamped = true;
                }
            }
        }
        clamped
    }

    /// Appends the CSI after its `ESC [` to `out`, in canonical form: what
    /// vte parses from it is what it parsed from the original.
    fn write_csi(&mut self, final_byte: u8) {
        let (marker, rest) = self.intermediates.split_at(usize::from(self.marker));
        self.out.extend_from_slice(marker);
        for &(value, sep) in &self.params {
            push_decimal(&mut self.out, value);
            match sep {
                Sep::Semicolon => self.out.push(b';'),
                Sep::Colon => self.out.push(b':'),
                Sep::Final => {}
            }
        }
        self.out.extend_from_slice(rest);
        self.out.push(final_byte);
    }
}

/// C0 controls vte executes in place inside a CSI (CAN, SUB and ESC end it instead).
fn executed(byte: u8) -> bool {
    matches!(byte, 0x00..=0x17 | 0x19 | 0x1c..=0x1f)
}

/// `value` in decimal, nothing for 0 (an empty parameter is 0 to vte).
fn push_decimal(out: &mut Vec<u8>, mut value: u16) {
    let mut digits = [0u8; 5];
    let mut n = 0;
    while value > 0 {
        digits[n] = b'0' + (value % 10) as u8;
        value /= 10;
        n += 1;
    }
    out.extend(digits[..n].iter().rev());
}

/// Bytes at the end of `bytes` that begin a UTF-8 character and do not finish it.
fn incomplete_char_len(bytes: &[u8]) -> usize {
    let Some(back) =
        (1..=bytes.len().min(3)).find(|&back| bytes[bytes.len() - back] & 0xc0 != 0x80)
    else {
        return 0;
    };
    match std::str::from_utf8(&bytes[bytes.len() - back..]) {
        // error_len None: valid so far, cut off by the end.
        Err(e) if e.valid_up_to() == 0 && e.error_len().is_none() => back,
        _ => 0,
    }
}

/// The largest useful value of the parameters of CSI `final_byte` (no
/// intermediates) on a screen of `rows`×`cols`: counts of cells, lines or
/// tab stops and cursor positions, for which every larger value does what
/// this one does. None for the rest (modes, colours, reports…).
fn count_limit(final_byte: u8, rows: u16, cols: u16) -> Option<u16> {
    match final_byte {
        // ICH DCH ECH, CHT CBT, CUF CUB CHA, HPA HPR
        b'@' | b'P' | b'X' | b'I' | b'Z' | b'C' | b'D' | b'G' | b'`' | b'a' => Some(cols),
        // IL DL SU SD, CUU CUD CNL CPL, VPA VPR
        b'L' | b'M' | b'S' | b'T' | b'A' | b'B' | b'E' | b'F' | b'd' | b'e' => Some(rows),
        // CUP HVP: row;column
        b'H' | b'f' => Some(rows.max(cols)),
        // REP repeats the last character at most a screenful.
        b'b' => Some(rows.saturating_mul(cols)),
        _ => None,
    }
}

/// vt100's parser behind the guard: what the shell pane feeds.
pub struct GuardedParser<CB: vt100::Callbacks = ()> {
    guard: VtGuard,
    parser: vt100::Parser<CB>,
}

impl GuardedParser {
    pub fn new(rows: u16, cols: u16, scrollback: usize) -> GuardedParser {
        GuardedParser::with_callbacks(rows, cols, scrollback, ())
    }
}

impl<CB: vt100::Callbacks> GuardedParser<CB> {
    pub fn with_callbacks(rows: u16, cols: u16, scrollback: usize, callbacks: CB) -> Self {
        GuardedParser {
            guard: VtGuard::new(),
            parser: vt100::Parser::new_with_callbacks(rows, cols, scrollback, callbacks),
        }
    }

    pub fn process(&mut self, bytes: &[u8]) {
        let size = self.parser.screen().size();
        let parser = &mut self.parser;
        self.guard.feed(bytes, size, |piece| parser.process(piece));
    }

    pub fn screen(&self) -> &vt100::Screen {
        self.parser.screen()
    }

    pub fn screen_mut(&mut self) -> &mut vt100::Screen {
        self.parser.screen_mut()
    }

    pub fn callbacks_mut(&mut self) -> &mut CB {
        self.parser.callbacks_mut()
    }
}

#[cfg(test)]
mod tests {
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
}
