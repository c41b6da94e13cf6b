//! Prompt marks: the OSC 133 sequences (FinalTerm's, as iTerm2, kitty, VS
//! Code and WezTerm read them) a shell prints around its prompt, so a
//! terminal knows where a prompt starts and when a command finished. The
//! lab's shell pane prints them from the rc files `shell_init` writes; the
//! VT guard (`vt_guard`) finds them in the PTY's output with
//! [`parse`] and keeps them from the screen.
//!
//! `ESC ] 133 ; A BEL` prompt start, `; B` command start (end of the
//! prompt), `; C` command executed (output follows), `; D ; <exit>` command
//! finished. More `;`-separated options may follow (`aid=…`): ignored.

/// The longest payload taken for a prompt mark (after `ESC ]`, before the
/// terminator). A mark is `133;D;` and an exit code, options aside: 64 bytes
/// leave room for those while bounding what the guard holds across reads.
pub const MARK_LIMIT: usize = 64;

/// What every prompt mark's payload begins with.
pub const PREFIX: &[u8] = b"133;";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptMark {
    /// `A`: the prompt is about to be drawn.
    PromptStart,
    /// `B`: the prompt is drawn; what follows is typed.
    CommandStart,
    /// `C`: a command was entered and runs now.
    CommandExecuted,
    /// `D`: the command finished, with its exit code when the shell gave one.
    CommandFinished { exit: Option<i32> },
}

/// The prompt mark an OSC payload (the bytes between `ESC ]` and its
/// terminator) stands for; None for any other OSC and for a 133 of an
/// unknown kind.
pub fn parse(payload: &[u8]) -> Option<PromptMark> {
    let rest = payload.strip_prefix(PREFIX)?;
    if rest.len() > MARK_LIMIT {
        return None;
    }
    let mut fields = rest.split(|&b| b == b';');
    let mark = match fields.next()? {
        b"A" => PromptMark::PromptStart,
        b"B" => PromptMark::CommandStart,
        b"C" => PromptMark::CommandExecuted,
        b"D" => PromptMark::CommandFinished {
            exit: fields
                .next()
                .and_then(|f| std::str::from_utf8(f).ok())
                .and_then(|f| f.parse().ok()),
        },
        _ => return None,
    };
    Some(mark)
}

/// Whether `byte`, at offset `at` of an OSC payload whose earlier bytes
/// could still become a prompt mark, keeps it so: it agrees with
/// [`PREFIX`], is printable, and the payload is not over [`MARK_LIMIT`].
pub fn continues_mark(at: usize, byte: u8) -> bool {
    match PREFIX.get(at) {
        Some(&expected) => byte == expected,
        None => at < PREFIX.len() + MARK_LIMIT && (0x20..=0x7e).contains(&byte),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_marks_and_the_exit_code() {
        assert_eq!(parse(b"133;A"), Some(PromptMark::PromptStart));
        assert_eq!(parse(b"133;B"), Some(PromptMark::CommandStart));
        assert_eq!(parse(b"133;C"), Some(PromptMark::CommandExecuted));
        assert_eq!(
            parse(b"133;D;0"),
            Some(PromptMark::CommandFinished { exit: Some(0) })
        );
        assert_eq!(
            parse(b"133;D;130;aid=7"),
            Some(PromptMark::CommandFinished { exit: Some(130) })
        );
        // Without a code (or with one that is no number) it still finished.
        assert_eq!(
            parse(b"133;D"),
            Some(PromptMark::CommandFinished { exit: None })
        );
        assert_eq!(
            parse(b"133;D;aid=7"),
            Some(PromptMark::CommandFinished { exit: None })
        );
        assert_eq!(parse(b"133;A;cl=m"), Some(PromptMark::PromptStart));
    }

    #[test]
    fn other_oscs_and_unknown_kinds_are_no_marks() {
        for payload in [
            &b"0;title"[..],
            b"133",
            b"133;",
            b"133;Z",
            b"133;AB",
            b"1337;SetMark",
            b"13;A",
            b"",
        ] {
            assert_eq!(parse(payload), None, "{payload:?}");
        }
        let mut long = b"133;D;0;".to_vec();
        long.extend(std::iter::repeat_n(b'x', MARK_LIMIT));
        assert_eq!(parse(&long), None);
    }

    #[test]
    fn a_payload_may_become_a_mark_only_along_the_prefix() {
        let may_become = |payload: &[u8]| {
            payload
                .iter()
                .enumerate()
                .all(|(at, &b)| continues_mark(at, b))
        };
        assert!(may_become(b""));
        assert!(may_become(b"13"));
        assert!(may_become(b"133;D;1"));
        assert!(!may_become(b"2;"));
        assert!(!may_become(b"1337"));
        assert!(!may_become(b"133;D\x01"));
        let long = [b"133;".as_slice(), &[b'9'; MARK_LIMIT]].concat();
        assert!(may_become(&long));
        let longer = [long.as_slice(), b"9"].concat();
        assert!(!may_become(&longer));
    }
}
