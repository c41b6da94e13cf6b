//! What the shell pane sends to the program in its PTY for the learner's
//! keys and pastes: the bytes an xterm would send, in the program's modes.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

const ESC: u8 = 0x1b;

/// The terminal modes of the program in the PTY that change what keys
/// send (from `vt100::Screen::application_cursor()` / `bracketed_paste()`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Modes {
    pub application_cursor: bool,
    pub bracketed_paste: bool,
}

/// The bytes an xterm sends for `key`; nothing for key releases and keys
/// no terminal sends (media keys, lone modifiers).
pub fn encode_key(key: KeyEvent, modes: Modes) -> Vec<u8> {
    if key.kind == KeyEventKind::Release {
        return Vec::new();
    }
    let mods = key.modifiers;
    let alt = mods.contains(KeyModifiers::ALT);
    let ctrl = mods.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char(c) => with_alt(alt, char_bytes(c, ctrl)),
        KeyCode::Enter => with_alt(alt, vec![b'\r']),
        KeyCode::Backspace => with_alt(alt, vec![if ctrl { 0x08 } else { 0x7f }]),
        KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => b"\x1b[Z".to_vec(),
        KeyCode::Tab => with_alt(alt, vec![b'\t']),
        KeyCode::BackTab => b"\x1b[Z".to_vec(),
        KeyCode::Esc => with_alt(alt, vec![ESC]),
        KeyCode::Up => cursor_key(b'A', mods, modes),
        KeyCode::Down => cursor_key(b'B', mods, modes),
        KeyCode::Right => cursor_key(b'C', mods, modes),
        KeyCode::Left => cursor_key(b'D', mods, modes),
        KeyCode::Home => cursor_key(b'H', mods, modes),
        KeyCode::End => cursor_key(b'F', mods, modes),
        KeyCode::Insert => tilde_key(2, mods),
        KeyCode::Delete => tilde_key(3, mods),
        KeyCode::PageUp => tilde_key(5, mods),
        KeyCode::PageDown => tilde_key(6, mods),
        KeyCode::F(n) => function_key(n, mods),
        KeyCode::Null => vec![0],
        _ => Vec::new(),
    }
}

/// A paste, bracketed iff the program asked for it (so an editor or shell
/// does not run pasted lines as typed commands).
pub fn encode_paste(text: &str, modes: Modes) -> Vec<u8> {
    if modes.bracketed_paste {
        // Without ESC the text cannot end the bracket early and inject keys.
        let inner = text.replace('\x1b', "");
        [b"\x1b[200~", inner.as_bytes(), b"\x1b[201~"].concat()
    } else {
        // Typed, a newline is Enter, which is CR; the line discipline maps it back.
        text.replace("\r\n", "\r").replace('\n', "\r").into_bytes()
    }
}

fn with_alt(alt: bool, bytes: Vec<u8>) -> Vec<u8> {
    if alt {
        [vec![ESC], bytes].concat()
    } else {
        bytes
    }
}

fn char_bytes(c: char, ctrl: bool) -> Vec<u8> {
    match ctrl.then(|| control_byte(c)).flatten() {
        Some(byte) => vec![byte],
        None => c.encode_utf8(&mut [0; 4]).as_bytes().to_vec(),
    }
}

/// The C0 control a Ctrl chord types, where xterm has one.
fn control_byte(c: char) -> Option<u8> {
    match c {
        'a'..='z' | 'A'..='Z' => Some(c.to_ascii_lowercase() as u8 & 0x1f),
        '@' | ' ' | '2' => Some(0x00),
        '[' | '3' => Some(0x1b),
        '\\' | '4' => Some(0x1c),
        ']' | '5' => Some(0x1d),
        '^' | '6' => Some(0x1e),
        '_' | '7' | '/' => Some(0x1f),
        '8' | '?' => Some(0x7f),
        _ => None,
    }
}

/// xterm's modifier parameter: 1 + shift + 2·alt + 4·ctrl.
fn modifier_param(mods: KeyModifiers) -> u8 {
    1 + u8::from(mods.contains(KeyModifiers::SHIFT))
        + 2 * u8::from(mods.contains(KeyModifiers::ALT))
        + 4 * u8::from(mods.contains(KeyModifiers::CONTROL))
}

/// Arrows, Home and End: `ESC O x` in application cursor mode (full-screen
/// programs match those bytes exactly), else `ESC [ x`; `ESC [ 1 ; m x`
/// when modified, in either mode.
fn cursor_key(letter: u8, mods: KeyModifiers, modes: Modes) -> Vec<u8> {
    match modifier_param(mods) {
        1 if modes.application_cursor => vec![ESC, b'O', letter],
        1 => vec![ESC, b'[', letter],
        m => format!("\x1b[1;{m}{}", char::from(letter)).into_bytes(),
    }
}

fn tilde_key(code: u8, mods: KeyModifiers) -> Vec<u8> {
    match modifier_param(mods) {
        1 => format!("\x1b[{code}~").into_bytes(),
        m => format!("\x1b[{code};{m}~").into_bytes(),
    }
}

fn function_key(n: u8, mods: KeyModifiers) -> Vec<u8> {
    const TILDE_CODES: [u8; 8] = [15, 17, 18, 19, 20, 21, 23, 24];
    match (n, modifier_param(mods)) {
        (1..=4, 1) => vec![ESC, b'O', b"PQRS"[usize::from(n - 1)]],
        (1..=4, m) => format!("\x1b[1;{m}{}", char::from(b"PQRS"[usize::from(n - 1)])).into_bytes(),
        (5..=12, _) => tilde_key(TILDE_CODES[usize::from(n - 5)], mods),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use KeyCode::*;

    const NONE: KeyModifiers = KeyModifiers::NONE;
    const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
    const CTRL: KeyModifiers = KeyModifiers::CONTROL;
    const ALT: KeyModifiers = KeyModifiers::ALT;
    const APP: Modes = Modes {
        application_cursor: true,
        bracketed_paste: false,
    };
    const NORMAL: Modes = Modes {
        application_cursor: false,
        bracketed_paste: false,
    };

    #[test]
    fn keys_encode_as_xterm_does() {
        let cases: &[(KeyCode, KeyModifiers, Modes, &[u8])] = &[
            (Char('a'), NONE, NORMAL, b"a"),
            (Char('A'), SHIFT, NORMAL, b"A"),
            (Char('é'), NONE, NORMAL, "é".as_bytes()),
            (Char('日'), NONE, NORMAL, "日".as_bytes()),
            (Char('a'), CTRL, NORMAL, b"\x01"),
            (Char('c'), CTRL, NORMAL, b"\x03"),
            (Char('z'), CTRL, NORMAL, b"\x1a"),
            (Char('C'), CTRL.union(SHIFT), NORMAL, b"\x03"),
            (Char('@'), CTRL, NORMAL, b"\x00"),
            (Char(' '), CTRL, NORMAL, b"\x00"),
            (Char('2'), CTRL, NORMAL, b"\x00"),
            (Char('['), CTRL, NORMAL, b"\x1b"),
            (Char('3'), CTRL, NORMAL, b"\x1b"),
            (Char('\\'), CTRL, NORMAL, b"\x1c"),
            (Char('4'), CTRL, NORMAL, b"\x1c"),
            (Char(']'), CTRL, NORMAL, b"\x1d"),
            (Char('5'), CTRL, NORMAL, b"\x1d"),
            (Char('^'), CTRL, NORMAL, b"\x1e"),
            (Char('6'), CTRL, NORMAL, b"\x1e"),
            (Char('_'), CTRL, NORMAL, b"\x1f"),
            (Char('7'), CTRL, NORMAL, b"\x1f"),
            (Char('x'), ALT, NORMAL, b"\x1bx"),
            (Char('é'), ALT, NORMAL, "\x1bé".as_bytes()),
            (Char('b'), CTRL.union(ALT), NORMAL, b"\x1b\x02"),
            (Enter, NONE, NORMAL, b"\r"),
            (Enter, ALT, NORMAL, b"\x1b\r"),
            (Backspace, NONE, NORMAL, b"\x7f"),
            (Backspace, CTRL, NORMAL, b"\x08"),
            (Backspace, ALT, NORMAL, b"\x1b\x7f"),
            (Tab, NONE, NORMAL, b"\t"),
            (BackTab, SHIFT, NORMAL, b"\x1b[Z"),
            (Esc, NONE, NORMAL, b"\x1b"),
            (Up, NONE, NORMAL, b"\x1b[A"),
            (Down, NONE, NORMAL, b"\x1b[B"),
            (Right, NONE, NORMAL, b"\x1b[C"),
            (Left, NONE, NORMAL, b"\x1b[D"),
            (Home, NONE, NORMAL, b"\x1b[H"),
            (End, NONE, NORMAL, b"\x1b[F"),
            (Up, NONE, APP, b"\x1bOA"),
            (Left, NONE, APP, b"\x1bOD"),
            (Home, NONE, APP, b"\x1bOH"),
            (End, NONE, APP, b"\x1bOF"),
            (Up, SHIFT, NORMAL, b"\x1b[1;2A"),
            (Right, ALT, NORMAL, b"\x1b[1;3C"),
            (Left, CTRL, NORMAL, b"\x1b[1;5D"),
            (Left, CTRL, APP, b"\x1b[1;5D"),
            (End, CTRL.union(SHIFT), NORMAL, b"\x1b[1;6F"),
            (Down, SHIFT.union(ALT).union(CTRL), APP, b"\x1b[1;8B"),
            (Insert, NONE, NORMAL, b"\x1b[2~"),
            (Delete, NONE, NORMAL, b"\x1b[3~"),
            (PageUp, NONE, NORMAL, b"\x1b[5~"),
            (PageDown, NONE, APP, b"\x1b[6~"),
            (Delete, CTRL, NORMAL, b"\x1b[3;5~"),
            (PageUp, SHIFT, NORMAL, b"\x1b[5;2~"),
            (F(1), NONE, NORMAL, b"\x1bOP"),
            (F(2), NONE, NORMAL, b"\x1bOQ"),
            (F(3), NONE, APP, b"\x1bOR"),
            (F(4), NONE, NORMAL, b"\x1bOS"),
            (F(1), SHIFT, NORMAL, b"\x1b[1;2P"),
            (F(4), CTRL, NORMAL, b"\x1b[1;5S"),
            (F(5), NONE, NORMAL, b"\x1b[15~"),
            (F(6), NONE, NORMAL, b"\x1b[17~"),
            (F(7), NONE, NORMAL, b"\x1b[18~"),
            (F(8), NONE, NORMAL, b"\x1b[19~"),
            (F(9), NONE, NORMAL, b"\x1b[20~"),
            (F(10), NONE, NORMAL, b"\x1b[21~"),
            (F(11), NONE, NORMAL, b"\x1b[23~"),
            (F(12), NONE, NORMAL, b"\x1b[24~"),
            (F(5), SHIFT, NORMAL, b"\x1b[15;2~"),
            (F(12), ALT, NORMAL, b"\x1b[24;3~"),
            (F(13), NONE, NORMAL, b""),
            (CapsLock, NONE, NORMAL, b""),
        ];
        for (code, mods, modes, want) in cases {
            let got = encode_key(KeyEvent::new(*code, *mods), *modes);
            assert_eq!(got, *want, "{code:?} with {mods:?} in {modes:?}");
        }
        assert!(cases.len() >= 40);
    }

    #[test]
    fn releases_send_nothing_and_repeats_send_the_key() {
        let release = KeyEvent::new_with_kind(Char('a'), NONE, KeyEventKind::Release);
        assert_eq!(encode_key(release, NORMAL), b"");
        let repeat = KeyEvent::new_with_kind(Char('a'), NONE, KeyEventKind::Repeat);
        assert_eq!(encode_key(repeat, NORMAL), b"a");
    }

    #[test]
    fn pastes_are_bracketed_only_when_asked() {
        let bracketed = Modes {
            bracketed_paste: true,
            ..Modes::default()
        };
        assert_eq!(encode_paste("ls\n", bracketed), b"\x1b[200~ls\n\x1b[201~");
        assert_eq!(encode_paste("ls\r\npwd\n", NORMAL), b"ls\rpwd\r");
        // An ESC in the text would let it close the bracket itself.
        assert_eq!(
            encode_paste("a\x1b[201~rm", bracketed),
            b"\x1b[200~a[201~rm\x1b[201~"
        );
    }
}
