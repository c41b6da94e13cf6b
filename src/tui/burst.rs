//! Telling typing from commands while the lab has the keys.
//!
//! A learner who thinks the shell has the keys types words, and each letter
//! may be a lab key (`clear; seq 1 200`: `c` checks, `s` reveals secrets,
//! `q` quits). Keys that come in a burst — each within [`GAP`] of the one
//! before, faster than anyone presses commands one by one — are held as a
//! [`Burst`]: keys that only move the view act at once (and are undone if
//! the burst turns out to be text), keys that do more wait until the burst
//! ends. A key that is no lab key at all shows the burst was text: it all
//! goes to the shell, and the keys go back to the shell with it.

use super::bindings::Command;
use std::time::{Duration, Instant};

/// Keys closer together than this are one burst. Typists' keystrokes are
/// 100–200 ms apart; commands pressed one at a time, further.
pub const GAP: Duration = Duration::from_millis(200);

/// Keys typed in the lab in quick succession. `V` is the view as it was
/// before the burst, to put back if the burst was text.
#[derive(Debug, Clone, PartialEq)]
pub struct Burst<V> {
    /// The keys' characters, in order.
    pub text: String,
    /// When the last key came.
    pub last: Instant,
    /// Commands waiting for the burst to end.
    pub pending: Vec<Command>,
    /// The first key's command.
    pub first: Option<Command>,
    pub before: V,
}

impl<V> Burst<V> {
    pub fn new(before: V, at: Instant) -> Burst<V> {
        Burst {
            text: String::new(),
            last: at,
            pending: Vec::new(),
            first: None,
            before,
        }
    }

    /// The text meant for the shell, now that `c` (no lab key) shows the
    /// burst was typing. A burst opened by the key that gives the shell the
    /// keys (`i`, as in vi) was that command and then typing: the text is
    /// what followed it.
    pub fn into_text(self, c: char) -> String {
        let mut text = self.text;
        if self.first == Some(Command::FocusShell) {
            text = text.chars().skip(1).collect();
        }
        text.push(c);
        text
    }

    /// Whether a key at `at` is part of this burst (else it is over).
    pub fn continues_at(&self, at: Instant) -> bool {
        at.saturating_duration_since(self.last) < GAP
    }

    /// When the burst is over and its pending commands act, if any wait.
    pub fn deadline(&self) -> Option<Instant> {
        (!self.pending.is_empty()).then(|| self.last + GAP)
    }

    /// Adds a key bound to `command`; true when the command acts at once.
    pub fn push(&mut self, c: char, command: Command, at: Instant) -> bool {
        if self.text.is_empty() {
            self.first = Some(command);
        }
        self.text.push(c);
        self.last = at;
        if command.lasting() {
            self.pending.push(command);
            false
        } else {
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_keys_act_at_once_and_others_wait_for_the_burst_to_end() {
        let t0 = Instant::now();
        let mut burst = Burst::new((), t0);
        assert_eq!(burst.deadline(), None);
        assert!(burst.push('n', Command::NextCodeBlock, t0));
        assert_eq!(burst.deadline(), None, "nothing waits");
        let t1 = t0 + Duration::from_millis(50);
        assert!(!burst.push('c', Command::CheckCurrent, t1));
        assert_eq!(burst.deadline(), Some(t1 + GAP));
        assert_eq!(burst.pending, vec![Command::CheckCurrent]);
        assert_eq!(burst.text, "nc");
        assert!(burst.continues_at(t1 + GAP - Duration::from_millis(1)));
        assert!(!burst.continues_at(t1 + GAP));
        assert_eq!(burst.into_text('l'), "ncl");
    }

    #[test]
    fn a_burst_opened_by_i_was_i_then_typing() {
        let t0 = Instant::now();
        let mut burst = Burst::new((), t0);
        burst.push('i', Command::FocusShell, t0);
        burst.push('s', Command::ToggleSecrets, t0);
        assert_eq!(burst.into_text('l'), "sl");
        // Within a word, `i` is a letter like the others.
        let mut burst = Burst::new((), t0);
        burst.push('g', Command::Top, t0);
        burst.push('i', Command::FocusShell, t0);
        assert_eq!(burst.into_text('t'), "git");
    }
}
