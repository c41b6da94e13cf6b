//! The lab's key bindings, as data: one table (`table.rs`) that input
//! matching, the F1 help, the status line's hints and every message or
//! title that names a key ("r restarts", "F3 for details") all read, so
//! they cannot disagree.
//!
//! A binding names a command and the keys that give it in each context:
//! `global` keys (function keys) work whichever pane has the keys, as no
//! program in the shell needs them; `shell` keys while the shell has the
//! keys; `lab` keys after Ctrl-] gave the keys to the lab; `window` keys
//! while a window (help, hint, results) is open; `quiz` keys while the lab
//! has the keys and a quiz is on screen (they come before the lab's).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

mod table;
#[cfg(test)]
mod tests;

pub use table::BINDINGS;

/// What a key asks the lab to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    FocusLab,
    FocusShell,
    Help,
    Hint,
    Results,
    CheckCurrent,
    CheckAll,
    PrevCodeBlock,
    NextCodeBlock,
    RunCode,
    PasteCode,
    CopyCode,
    Edit,
    PrevStep,
    NextStep,
    ScrollDown,
    ScrollUp,
    PageDown,
    PageUp,
    Top,
    Bottom,
    ShellHistoryUp,
    ShellHistoryDown,
    ToggleSecrets,
    RestartShell,
    /// A course: the next unlocked challenge (after the last, the summary).
    NextChallenge,
    PrevChallenge,
    SkipChallenge,
    /// A quiz: move the highlight between the answers.
    PrevAnswer,
    NextAnswer,
    /// A quiz: answer number N (from 0), as its digit key gives it.
    Answer(u8),
    /// A quiz: choose (or, when several are right, mark) the highlighted answer.
    MarkAnswer,
    SubmitAnswer,
    Quit,
    Close,
}

impl Command {
    /// Whether the command does more than move the view (it runs, pastes,
    /// reveals, counts or quits). Typed in the lab, such a key waits until
    /// the burst of keys it is part of ends: if the burst turns out to be
    /// text meant for the shell, it never acts. (Choosing a quiz's answer
    /// is part of the view: a burst that was text puts it back.)
    pub fn lasting(self) -> bool {
        use Command::*;
        !matches!(
            self,
            Help | Results
                | PrevCodeBlock
                | NextCodeBlock
                | PrevStep
                | NextStep
                | ScrollDown
                | ScrollUp
                | PageDown
                | PageUp
                | Top
                | Bottom
                | ShellHistoryUp
                | ShellHistoryDown
                | PrevAnswer
                | NextAnswer
                | Answer(_)
                | MarkAnswer
                | Close
        )
    }
}

/// A key and the modifiers it needs. Shift is not compared for characters:
/// it is part of the character (`G`, `?`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
    /// An alias some terminals send for another key (Ctrl-5 for Ctrl-]): matched, not listed.
    pub alias: bool,
}

const fn key(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
        alias: false,
    }
}

const fn ch(c: char) -> Key {
    key(KeyCode::Char(c))
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
        alias: false,
    }
}

const fn shift(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::SHIFT,
        alias: false,
    }
}

const fn f(n: u8) -> Key {
    key(KeyCode::F(n))
}

pub struct Binding {
    pub command: Command,
    pub global: &'static [Key],
    pub shell: &'static [Key],
    pub lab: &'static [Key],
    pub window: &'static [Key],
    pub quiz: &'static [Key],
    /// What the command does, for the help.
    pub help: &'static str,
    /// A word or two for the status line's hints ("" = not hinted).
    pub hint: &'static str,
}

const NONE: &[Key] = &[];

/// Where a key is pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Shell,
    Lab,
    Window,
    /// The lab has the keys and a quiz is on screen: its keys, then the lab's.
    Quiz,
}

/// The keys that answer yes to the lab's questions (quit while a program
/// runs in the shell, skip a challenge); every other key answers no.
pub const YES: &[Key] = &[
    ch('y'),
    Key {
        alias: true,
        ..ch('Y')
    },
];

/// Whether `event` answers yes: the letter, whatever modifiers came with it.
pub fn is_yes(event: &KeyEvent) -> bool {
    YES.iter().any(|k| k.code == event.code)
}

/// One of a binding's lists of keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    Global,
    Shell,
    Lab,
    Window,
    Quiz,
}

/// The first key `command` has in `list`, as the help writes it ("F3",
/// "r", "Ctrl-]"): what the lab's messages name, so they say the keys
/// the table binds. Empty when the command has no key there.
pub fn first_key(command: Command, list: Keys) -> String {
    let binding = BINDINGS.iter().find(|b| b.command == command);
    let keys = binding.map_or(NONE, |b| match list {
        Keys::Global => b.global,
        Keys::Shell => b.shell,
        Keys::Lab => b.lab,
        Keys::Window => b.window,
        Keys::Quiz => b.quiz,
    });
    keys.iter()
        .find(|k| !k.alias)
        .map(key_name)
        .unwrap_or_default()
}

fn keys_in(binding: &Binding, context: Context) -> impl Iterator<Item = &Key> {
    let own = match context {
        Context::Shell => binding.shell,
        Context::Lab => binding.lab,
        Context::Window => binding.window,
        Context::Quiz => binding.quiz,
    };
    binding.global.iter().chain(own)
}

fn matches(key: &Key, event: &KeyEvent) -> bool {
    let mut mods = event.modifiers;
    if matches!(event.code, KeyCode::Char(_)) {
        mods.remove(KeyModifiers::SHIFT);
    }
    key.code == event.code && key.mods == mods
}

/// The command `event` gives in `context`, if any. With a quiz on screen
/// its keys come first and the lab's keys work as well; a digit names its
/// answer.
pub fn lookup(context: Context, event: &KeyEvent) -> Option<Command> {
    let found = BINDINGS
        .iter()
        .find(|b| keys_in(b, context).any(|k| matches(k, event)))
        .map(|b| b.command);
    match (found, context, event.code) {
        (Some(Command::Answer(_)), _, KeyCode::Char(digit)) => {
            let number = digit.to_digit(10)?.checked_sub(1)?;
            Some(Command::Answer(u8::try_from(number).ok()?))
        }
        (None, Context::Quiz, _) => lookup(Context::Lab, event),
        (found, ..) => found,
    }
}

/// How the help and the status line write a key.
pub fn key_name(key: &Key) -> String {
    let base = match key.code {
        KeyCode::Char(' ') => "Space".to_string(),
        // Ctrl chords are written with the capital, as keyboards label them.
        KeyCode::Char(c) if key.mods.contains(KeyModifiers::CONTROL) => {
            c.to_uppercase().to_string()
        }
        KeyCode::Char(c) => c.to_string(),
        KeyCode::F(n) => format!("F{n}"),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        other => format!("{other:?}"),
    };
    let mut name = String::new();
    if key.mods.contains(KeyModifiers::CONTROL) {
        name.push_str("Ctrl-");
    }
    if key.mods.contains(KeyModifiers::SHIFT) {
        name.push_str("Shift-");
    }
    name + &base
}

/// The help's rows: every key of a binding (function keys first) and what
/// it does; a run of digits is written as a range ("1–9").
pub fn help_rows() -> Vec<(String, &'static str)> {
    BINDINGS
        .iter()
        .map(|b| {
            let mut names: Vec<String> = Vec::new();
            let all = b.global.iter().chain(b.shell).chain(b.lab);
            for key in all.chain(b.window).chain(b.quiz) {
                let name = key_name(key);
                if !key.alias && !names.contains(&name) {
                    names.push(name);
                }
            }
            let digits = names.len() > 2 && names.iter().all(|n| n.parse::<u8>().is_ok());
            let keys = match (digits, names.first(), names.last()) {
                (true, Some(first), Some(last)) => format!("{first}–{last}"),
                _ => names.join(" / "),
            };
            (keys, b.help)
        })
        .collect()
}

/// Every listed key of `command`, as the help writes them ("F4 / e").
pub fn keys_for(command: Command) -> String {
    help_rows()
        .into_iter()
        .zip(BINDINGS)
        .find(|(_, b)| b.command == command)
        .map(|((keys, _), _)| keys)
        .unwrap_or_default()
}

/// The status line's hints in `context`: (the first key, the word). With
/// a quiz on screen, a lab key the quiz takes (Enter) is not hinted: the
/// answers pane names the quiz's keys.
pub fn hints(context: Context) -> Vec<(String, &'static str)> {
    let quiz_takes = |key: &Key| {
        context == Context::Quiz
            && BINDINGS.iter().any(|b| {
                b.quiz
                    .iter()
                    .any(|q| (q.code, q.mods) == (key.code, key.mods))
            })
    };
    BINDINGS
        .iter()
        .filter(|b| !b.hint.is_empty())
        .filter_map(|b| {
            // In the lab its own letters are easier; in the shell only function keys reach the lab.
            let key = match context {
                Context::Lab | Context::Quiz => b.lab.first().or(b.global.first()),
                Context::Shell => b.shell.first().or(b.global.first()),
                Context::Window => b.window.first(),
            }?;
            (!quiz_takes(key)).then(|| (key_name(key), b.hint))
        })
        .collect()
}
