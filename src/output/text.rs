//! Text from lessons, learners' files and checks made safe for a
//! terminal: escape sequences and control characters taken out of a block
//! of text, or shown as `�` on a line of a table.

use std::borrow::Cow;

/// Text from a lesson or a learner's files made safe to print: terminal
/// escape sequences (CSI, OSC, DCS, …, parsed as a terminal would) and
/// control characters are removed; newlines and tabs are kept. Applied to
/// every human-readable output, terminal or not: a log or a file is read
/// on a terminal later, and CI log viewers interpret escapes too. A lesson
/// formats with markdown, never with escapes.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Cow::Borrowed(text);
    }
    let mut printable = Printable(String::with_capacity(text.len()));
    vte::Parser::new().advance(&mut printable, text.as_bytes());
    Cow::Owned(printable.0)
}

/// Text from a file made safe for one line of a table or a list: every
/// control character (line breaks too) shows as `�`, so a name can
/// neither break the layout nor send an escape sequence.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

/// Keeps what a terminal would print, and line structure.
struct Printable(String);

impl vte::Perform for Printable {
    fn print(&mut self, c: char) {
        // C1 controls arrive here as characters (UTF-8 text).
        if !c.is_control() {
            self.0.push(c);
        }
    }

    fn execute(&mut self, byte: u8) {
        if byte == b'\n' || byte == b'\t' {
            self.0.push(char::from(byte));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_controls_are_taken_out() {
        let hostile =
            "a\x1b[2J\x1b]0;title\x07b\x1bP1$q\x1b\\c\u{9b}31md\r\x08\te\nf\x1b]8;;http://x\x1b\\g";
        assert_eq!(terminal_safe(hostile), "abc31md\te\nfg");
        assert!(matches!(terminal_safe("plain\ttext\n"), Cow::Borrowed(_)));
        // Nothing after an unterminated string is printed: a terminal would swallow it too.
        assert_eq!(terminal_safe("x\x1b]0;never ended"), "x");
    }

    #[test]
    fn one_line_shows_every_control_character() {
        assert_eq!(
            one_line("a\x1b[2Jb\nc\td\u{9b}"),
            "a\u{fffd}[2Jb\u{fffd}c\u{fffd}d\u{fffd}"
        );
        assert_eq!(one_line("名前 ok"), "名前 ok");
    }
}
