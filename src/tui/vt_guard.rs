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
//! It takes the shell's prompt marks (OSC 133, see `prompt_marks`) out of
//! the stream and keeps them for the pane to read (`take_marks`): vt100
//! does nothing with them, and the lab learns from them when a command
//! finished. A mark cut by the end of a read waits, whole, for the next
//! (at most `prompt_marks::MARK_LIMIT` bytes and its prefix); in the parser's place stands a CAN,
//! which leaves it in the state the mark would (ground, whatever it was in).
//!
//! It also keeps a character split across reads whole: vte 0.15 loses the
//! text after such a character when the next read ends inside another one
//! (`advance_partial_utf8` skips every valid byte it copied, not just the
//! character's; alacritty/vte#159), so the guard holds the incomplete end of
//! a read (at most 3 bytes) and hands it on with the next.

use super::prompt_marks::{self, PromptMark};
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
/// Prompt marks kept until the pane takes them; older ones give way (the
/// pane takes them after every read, so this only bounds a flood of them).
const MARKS_KEPT: usize = 16;

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

/// An OSC that may be a prompt mark: where its ESC is in the read being
/// filtered, and the state the guard was in before that ESC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct MarkScan {
    start: usize,
    before: State,
}

/// What a byte of an OSC that may be a prompt mark leads to.
enum MarkStep {
    /// Still a mark so far.
    Continue,
    /// Its terminator is cut by the end of the read: held whole for the next.
    Held,
    /// A prompt mark, ending before this index.
    Mark(PromptMark, usize),
    /// An ordinary OSC after all.
    NotMark,
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
    /// The start of a character the last read ended inside, or of a prompt
    /// mark (or the ESC that may begin one), held for the next.
    partial: Vec<u8>,
    /// The last ESC of the read being filtered that led to `Escape`, and the state before it.
    esc_at: Option<(usize, State)>,
    mark: Option<MarkScan>,
    /// Prompt marks found, oldest first, until taken.
    marks: Vec<PromptMark>,
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

    /// The prompt marks found since the last call, oldest first.
    pub fn take_marks(&mut self) -> std::vec::Drain<'_, PromptMark> {
        self.marks.drain(..)
    }

    /// [`VtGuard::feed`], `bytes` starting on a character boundary.
    fn feed_whole(&mut self, bytes: &[u8], size: (u16, u16), mut sink: impl FnMut(&[u8])) {
        // bytes[run..i] are passed through untouched, flushed lazily.
        let mut run = 0;
        let mut i = 0;
        self.esc_at = None;
        self.mark = None;
        while i < bytes.len() {
            let byte = bytes[i];
            if byte == ESC && self.state != State::Ground {
                // Every state goes to Escape on ESC (below): where a prompt mark may begin.
                self.esc_at = Some((i, self.state));
            }
            match self.state {
                State::Ground => match memchr::memchr(ESC, &bytes[i..]) {
                    Some(at) => {
                        i += at + 1;
                        self.esc_at = Some((i - 1, State::Ground));
                        self.state = State::Escape;
                    }
                    None => i = bytes.len(),
                },
                State::Escape => {
                    i += 1;
                    if byte == b']' {
                        self.mark = self
                            .esc_at
                            .filter(|&(at, _)| at + 2 == i)
                            .map(|(start, before)| MarkScan { start, before });
                    }
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
                State::Osc(len) if self.mark.is_some() => match self.mark_byte(bytes, i) {
                    MarkStep::Continue => {
                        i += 1;
                        self.state = State::Osc(len + 1);
                    }
                    MarkStep::Held => i = bytes.len(),
                    MarkStep::Mark(mark, end) => {
                        let start = self.mark.take().map_or(i, |scan| scan.start);
                        if run < start {
                            sink(&bytes[run..start]);
                        }
                        sink(&[CAN]);
                        if self.marks.len() == MARKS_KEPT {
                            self.marks.remove(0);
                        }
                        self.marks.push(mark);
                        (i, run) = (end, end);
                        self.state = State::Ground;
                    }
                    // Handled as any OSC from this byte on.
                    MarkStep::NotMark => self.mark = None,
                },
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
        // A prompt mark, or an ESC that may begin one, cut by the end of the
        // read: held from the parser, whole, for the next read, and the
        // guard put back in the state it was in before that ESC.
        let held = match (self.mark.take(), self.state, self.esc_at) {
            (Some(scan), _, _) => Some((scan.start, scan.before)),
            (None, State::Escape, Some((at, before))) if at + 1 == bytes.len() => {
                Some((at, before))
            }
            _ => None,
        };
        if let Some((start, before)) =
            held.filter(|&(start, before)| run <= start && holdable(before))
        {
            if run < start {
                sink(&bytes[run..start]);
            }
            self.partial.extend_from_slice(&bytes[start..]);
            self.state = before;
            return;
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

    /// Reads one byte of an OSC that may be a prompt mark, at `i`.
    fn mark_byte(&self, bytes: &[u8], i: usize) -> MarkStep {
        let Some(scan) = self.mark else {
            return MarkStep::NotMark;
        };
        let payload = &bytes[scan.start + 2..i];
        let end = match (bytes[i], bytes.get(i + 1)) {
            (BEL, _) => i + 1,
            (ESC, Some(b'\\')) => i + 2,
            // ESC ends the OSC for vte, and begins what follows.
            (ESC, Some(_)) => i,
            (ESC, None) if holdable(scan.before) => return MarkStep::Held,
            (byte, _) if prompt_marks::continues_mark(payload.len(), byte) => {
                return MarkStep::Continue;
            }
            _ => return MarkStep::NotMark,
        };
        match prompt_marks::parse(payload) {
            Some(mark) => MarkStep::Mark(mark, end),
            None => MarkStep::NotMark,
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

/// Whether the guard can hold bytes from an ESC seen in `state` for the
/// next read, and resume in that state: not inside a CSI, whose held
/// parameters it writes out at the end of a read.
fn holdable(state: State) -> bool {
    !matches!(
        state,
        State::CsiEntry | State::CsiParam | State::CsiIntermediate
    )
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

    /// The prompt marks the shell printed since the last call, oldest first.
    pub fn take_marks(&mut self) -> std::vec::Drain<'_, PromptMark> {
        self.guard.take_marks()
    }
}

#[cfg(test)]
mod tests;
