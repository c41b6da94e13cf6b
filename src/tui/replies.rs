//! The shell pane's replies to terminal queries that vt100 leaves
//! unanswered: a program that probes the terminal (cursor position, status,
//! attributes) would otherwise stall waiting for the answer.

use tui_term::vt100;

/// Replies to terminal queries that vt100 does not answer: DSR 6 (cursor
/// position, `cursor` is vt100's 0-based (row, col)), DSR 5 (status) and
/// DA1 (primary attributes). Private forms (`CSI ? 6 n`, `CSI > c`) are left
/// unanswered, as `intermediates` is then not empty.
pub fn query_reply(
    params: &[&[u16]],
    intermediates: &[u8],
    c: char,
    cursor: (u16, u16),
) -> Option<Vec<u8>> {
    if !intermediates.is_empty() || params.len() > 1 {
        return None;
    }
    let param = params.first().and_then(|p| p.first()).copied().unwrap_or(0);
    match (c, param) {
        ('n', 6) => {
            let (row, col) = (u32::from(cursor.0) + 1, u32::from(cursor.1) + 1);
            Some(format!("\x1b[{row};{col}R").into_bytes())
        }
        ('n', 5) => Some(b"\x1b[0n".to_vec()),
        // VT100 with advanced video option, as xterm's default answer begins.
        ('c', 0) => Some(b"\x1b[?1;2c".to_vec()),
        _ => None,
    }
}

/// vt100 callbacks that queue [`query_reply`]s; write `replies` to the PTY
/// after each `Parser::process` (`parser.callbacks_mut().replies.drain(..)`).
#[derive(Debug, Default)]
pub struct QueryReplies {
    pub replies: Vec<u8>,
}

impl vt100::Callbacks for QueryReplies {
    fn unhandled_csi(
        &mut self,
        screen: &mut vt100::Screen,
        i1: Option<u8>,
        i2: Option<u8>,
        params: &[&[u16]],
        c: char,
    ) {
        let intermediates: Vec<u8> = [i1, i2].into_iter().flatten().collect();
        if let Some(reply) = query_reply(params, &intermediates, c, screen.cursor_position()) {
            self.replies.extend(reply);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_and_attribute_queries_get_replies() {
        let reply = |params: &[&[u16]], inter: &[u8], c| query_reply(params, inter, c, (4, 9));
        assert_eq!(reply(&[&[6]], b"", 'n'), Some(b"\x1b[5;10R".to_vec()));
        assert_eq!(reply(&[&[5]], b"", 'n'), Some(b"\x1b[0n".to_vec()));
        assert_eq!(reply(&[], b"", 'c'), Some(b"\x1b[?1;2c".to_vec()));
        assert_eq!(reply(&[&[0]], b"", 'c'), Some(b"\x1b[?1;2c".to_vec()));
        assert_eq!(reply(&[&[6]], b"?", 'n'), None);
        assert_eq!(reply(&[&[0]], b">", 'c'), None);
        assert_eq!(reply(&[&[7]], b"", 'n'), None);
        assert_eq!(reply(&[&[1]], b"", 'c'), None);
    }

    #[test]
    fn vt100_queries_are_answered_through_the_callbacks() {
        let mut parser = vt100::Parser::new_with_callbacks(24, 80, 0, QueryReplies::default());
        parser.process(b"\x1b[5;10H\x1b[6n");
        assert_eq!(parser.callbacks().replies, b"\x1b[5;10R");
        parser.callbacks_mut().replies.clear();
        parser.process(b"\x1b[5n\x1b[c\x1b[0c");
        assert_eq!(parser.callbacks().replies, b"\x1b[0n\x1b[?1;2c\x1b[?1;2c");
        parser.callbacks_mut().replies.clear();
        parser.process(b"\x1b[?6n\x1b[>c\x1b[>0c");
        assert_eq!(parser.callbacks().replies, b"");
    }
}
