//! The lab's key bindings, as data: one table that input matching, the F1
//! help, the status line's hints and every message or title that names a
//! key ("r restarts", "F3 for details") all read, so they cannot disagree.
//!
//! A binding names a command and the keys that give it in each context:
//! `global` keys (function keys) work whichever pane has the keys, as no
//! program in the shell needs them; `shell` keys while the shell has the
//! keys; `lab` keys after Ctrl-] gave the keys to the lab; `window` keys
//! while a window (help, hint, results) is open.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

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
    Quit,
    Close,
}

impl Command {
    /// Whether the command does more than move the view (it runs, pastes,
    /// reveals, counts or quits). Typed in the lab, such a key waits until
    /// the burst of keys it is part of ends: if the burst turns out to be
    /// text meant for the shell, it never acts.
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
    /// What the command does, for the help.
    pub help: &'static str,
    /// A word or two for the status line's hints ("" = not hinted).
    pub hint: &'static str,
}

const NONE: &[Key] = &[];

/// Every binding, in the order the help lists them.
pub const BINDINGS: &[Binding] = &[
    Binding {
        command: Command::FocusLab,
        global: NONE,
        shell: &[
            ctrl(']'),
            Key {
                alias: true,
                ..ctrl('5')
            },
        ],
        lab: NONE,
        window: NONE,
        help: "shell → lab: give the keys to the lab",
        hint: "lab",
    },
    Binding {
        command: Command::FocusShell,
        global: NONE,
        shell: NONE,
        lab: &[key(KeyCode::Tab), ch('i')],
        window: NONE,
        help: "lab → shell: type in the shell (any key that is not the lab's does too)",
        hint: "shell",
    },
    Binding {
        command: Command::Help,
        global: &[f(1)],
        shell: NONE,
        lab: &[ch('?')],
        window: NONE,
        help: "this help",
        hint: "help",
    },
    Binding {
        command: Command::Hint,
        global: &[f(2)],
        shell: NONE,
        lab: &[ch('h')],
        window: NONE,
        help: "hint for the current step",
        hint: "hint",
    },
    Binding {
        command: Command::Results,
        global: &[f(3)],
        shell: NONE,
        lab: &[ch('d')],
        window: NONE,
        help: "results of the current step, with diffs",
        hint: "",
    },
    Binding {
        command: Command::Edit,
        global: &[f(4)],
        shell: NONE,
        lab: &[ch('e')],
        window: NONE,
        help: "edit the current step's file in your editor, in the shell (at the failing line)",
        hint: "edit",
    },
    Binding {
        command: Command::CheckCurrent,
        global: &[f(5)],
        shell: NONE,
        lab: &[ch('c')],
        window: NONE,
        help: "check the current step",
        hint: "check",
    },
    Binding {
        command: Command::CheckAll,
        global: &[f(6)],
        shell: NONE,
        lab: &[ch('a')],
        window: NONE,
        help: "check every step",
        hint: "",
    },
    Binding {
        command: Command::PrevCodeBlock,
        global: &[f(7)],
        shell: NONE,
        lab: &[ch('N')],
        window: NONE,
        help: "previous code block",
        hint: "",
    },
    Binding {
        command: Command::NextCodeBlock,
        global: &[f(8)],
        shell: NONE,
        lab: &[ch('n')],
        window: NONE,
        help: "next code block",
        hint: "next code",
    },
    Binding {
        command: Command::RunCode,
        global: &[f(9)],
        shell: NONE,
        lab: &[key(KeyCode::Enter)],
        window: NONE,
        help: "run the code block in the shell (commands only)",
        hint: "run code",
    },
    Binding {
        command: Command::PasteCode,
        global: NONE,
        shell: NONE,
        lab: &[ch('p')],
        window: NONE,
        help: "paste the code block into the shell without running it",
        hint: "",
    },
    Binding {
        command: Command::CopyCode,
        global: NONE,
        shell: NONE,
        lab: &[ch('y')],
        window: NONE,
        help: "copy the code block to the clipboard (OSC 52)",
        hint: "",
    },
    Binding {
        command: Command::PrevStep,
        global: NONE,
        shell: NONE,
        lab: &[ch('[')],
        window: NONE,
        help: "previous step",
        hint: "",
    },
    Binding {
        command: Command::NextStep,
        global: NONE,
        shell: NONE,
        lab: &[ch(']')],
        window: NONE,
        help: "next step",
        hint: "",
    },
    Binding {
        command: Command::ScrollDown,
        global: NONE,
        shell: NONE,
        lab: &[ch('j'), key(KeyCode::Down)],
        // The arrow first: a window's footer names it.
        window: &[key(KeyCode::Down), ch('j')],
        help: "scroll down a line",
        hint: "",
    },
    Binding {
        command: Command::ScrollUp,
        global: NONE,
        shell: NONE,
        lab: &[ch('k'), key(KeyCode::Up)],
        window: &[key(KeyCode::Up), ch('k')],
        help: "scroll up a line",
        hint: "",
    },
    Binding {
        command: Command::PageDown,
        global: NONE,
        shell: NONE,
        lab: &[key(KeyCode::PageDown), ch(' ')],
        window: &[key(KeyCode::PageDown), ch(' ')],
        help: "scroll down a page",
        hint: "",
    },
    Binding {
        command: Command::PageUp,
        global: NONE,
        shell: NONE,
        lab: &[key(KeyCode::PageUp)],
        window: &[key(KeyCode::PageUp)],
        help: "scroll up a page",
        hint: "",
    },
    Binding {
        command: Command::Top,
        global: NONE,
        shell: NONE,
        lab: &[ch('g'), key(KeyCode::Home)],
        window: &[ch('g'), key(KeyCode::Home)],
        help: "to the top",
        hint: "",
    },
    Binding {
        command: Command::Bottom,
        global: NONE,
        shell: NONE,
        lab: &[ch('G'), key(KeyCode::End)],
        window: &[ch('G'), key(KeyCode::End)],
        help: "to the end",
        hint: "",
    },
    Binding {
        command: Command::ShellHistoryUp,
        global: NONE,
        shell: &[shift(KeyCode::PageUp)],
        lab: NONE,
        window: NONE,
        help: "scroll the shell's history back (or the wheel over the shell)",
        hint: "",
    },
    Binding {
        command: Command::ShellHistoryDown,
        global: NONE,
        shell: &[shift(KeyCode::PageDown)],
        lab: NONE,
        window: NONE,
        help: "scroll the shell's history forward",
        hint: "",
    },
    Binding {
        command: Command::ToggleSecrets,
        global: NONE,
        shell: NONE,
        lab: &[ch('s')],
        window: NONE,
        help: "show / hide secret values",
        hint: "",
    },
    Binding {
        command: Command::RestartShell,
        global: NONE,
        shell: NONE,
        lab: &[ch('r')],
        window: NONE,
        help: "restart the shell after it exited",
        hint: "",
    },
    Binding {
        command: Command::Close,
        global: NONE,
        shell: NONE,
        lab: NONE,
        window: &[key(KeyCode::Esc), ch('q')],
        help: "close this window",
        hint: "",
    },
    Binding {
        command: Command::Quit,
        global: NONE,
        shell: NONE,
        lab: &[ch('q'), ctrl('c')],
        window: NONE,
        help: "quit (asks first while a program runs in the shell)",
        hint: "quit",
    },
];

/// Where a key is pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Shell,
    Lab,
    Window,
}

/// The keys that answer yes to the lab's question (quit while a program
/// runs in the shell); every other key answers no.
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

/// The command `event` gives in `context`, if any.
pub fn lookup(context: Context, event: &KeyEvent) -> Option<Command> {
    BINDINGS
        .iter()
        .find(|b| keys_in(b, context).any(|k| matches(k, event)))
        .map(|b| b.command)
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

/// The help's rows: every key of a binding (function keys first) and what it does.
pub fn help_rows() -> Vec<(String, &'static str)> {
    BINDINGS
        .iter()
        .map(|b| {
            let mut names: Vec<String> = Vec::new();
            for key in b.global.iter().chain(b.shell).chain(b.lab).chain(b.window) {
                let name = key_name(key);
                if !key.alias && !names.contains(&name) {
                    names.push(name);
                }
            }
            (names.join(" / "), b.help)
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

/// The status line's hints in `context`: (the first key, the word).
pub fn hints(context: Context) -> Vec<(String, &'static str)> {
    BINDINGS
        .iter()
        .filter(|b| !b.hint.is_empty())
        .filter_map(|b| {
            // In the lab its own letters are easier; in the shell only function keys reach the lab.
            let key = match context {
                Context::Lab => b.lab.first().or(b.global.first()),
                Context::Shell => b.shell.first().or(b.global.first()),
                Context::Window => b.window.first(),
            }?;
            Some((key_name(key), b.hint))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn keys_are_looked_up_by_context() {
        let q = event(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(lookup(Context::Lab, &q), Some(Command::Quit));
        assert_eq!(lookup(Context::Window, &q), Some(Command::Close));
        assert_eq!(lookup(Context::Shell, &q), None);
        let f5 = event(KeyCode::F(5), KeyModifiers::NONE);
        assert_eq!(lookup(Context::Shell, &f5), Some(Command::CheckCurrent));
        assert_eq!(lookup(Context::Lab, &f5), Some(Command::CheckCurrent));
        let ctrl_5 = event(KeyCode::Char('5'), KeyModifiers::CONTROL);
        assert_eq!(lookup(Context::Shell, &ctrl_5), Some(Command::FocusLab));
        // Shift is part of the character.
        let big_g = event(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(lookup(Context::Lab, &big_g), Some(Command::Bottom));
        let shift_pgup = event(KeyCode::PageUp, KeyModifiers::SHIFT);
        assert_eq!(
            lookup(Context::Shell, &shift_pgup),
            Some(Command::ShellHistoryUp)
        );
        assert_eq!(lookup(Context::Lab, &shift_pgup), None);
    }

    #[test]
    fn no_key_means_two_commands_in_one_context() {
        for context in [Context::Shell, Context::Lab, Context::Window] {
            let mut seen: Vec<(KeyCode, KeyModifiers)> = Vec::new();
            for b in BINDINGS {
                for k in keys_in(b, context) {
                    assert!(
                        !seen.contains(&(k.code, k.mods)),
                        "{} bound twice in {context:?}",
                        key_name(k)
                    );
                    seen.push((k.code, k.mods));
                }
            }
        }
    }

    #[test]
    fn the_help_lists_every_command_with_its_keys() {
        let rows = help_rows();
        assert_eq!(rows.len(), BINDINGS.len());
        assert!(rows.contains(&("F5 / c".to_string(), "check the current step")));
        assert!(rows.iter().any(|(keys, _)| keys == "q / Ctrl-C"));
        let focus_lab = &rows[0].0;
        assert_eq!(focus_lab, "Ctrl-]", "aliases are not listed");
    }

    #[test]
    fn messages_name_the_first_listed_key_of_a_list() {
        assert_eq!(first_key(Command::Results, Keys::Global), "F3");
        assert_eq!(first_key(Command::FocusLab, Keys::Shell), "Ctrl-]");
        assert_eq!(first_key(Command::RestartShell, Keys::Lab), "r");
        assert_eq!(first_key(Command::ScrollUp, Keys::Window), "↑");
        assert_eq!(first_key(Command::PasteCode, Keys::Global), "");
        assert_eq!(key_name(&YES[0]), "y");
        let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        assert!(is_yes(&key('y')) && is_yes(&key('Y')));
        assert!(!is_yes(&key('n')));
    }

    #[test]
    fn hints_show_the_keys_of_the_context() {
        let shell = hints(Context::Shell);
        assert!(shell.contains(&("Ctrl-]".to_string(), "lab")));
        assert!(shell.contains(&("F5".to_string(), "check")));
        assert!(!shell.iter().any(|(_, w)| *w == "quit"));
        let lab = hints(Context::Lab);
        assert!(lab.contains(&("c".to_string(), "check")));
        assert!(lab.contains(&("q".to_string(), "quit")));
    }
}
