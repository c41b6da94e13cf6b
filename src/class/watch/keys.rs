//! The dashboard's key bindings, as data: one table that input matching,
//! the `?` help and the footer's hints all read, so they cannot disagree.
//! While a filter is typed, printable keys are its text and only the
//! filter's own keys (Enter, Esc, Backspace) are commands.

use super::app::Action;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// What a key asks the dashboard to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Quit,
    Help,
    CycleSort,
    EditFilter,
    CycleShow,
    NextPart,
    ScrollDown,
    ScrollUp,
    PageDown,
    PageUp,
    Top,
    Bottom,
    /// Closes the help, else clears the filter.
    Back,
}

/// A key: its code and the modifiers it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

const fn plain(code: KeyCode) -> Key {
    Key {
        code,
        modifiers: KeyModifiers::NONE,
    }
}

const fn ch(c: char) -> Key {
    plain(KeyCode::Char(c))
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::CONTROL,
    }
}

pub struct Binding {
    pub command: Command,
    pub keys: &'static [Key],
    /// What the help says it does.
    pub help: &'static str,
    /// Shown in the footer (the few an instructor needs to find the rest).
    pub hint: Option<&'static str>,
}

pub const BINDINGS: &[Binding] = &[
    Binding {
        command: Command::CycleSort,
        keys: &[ch('s')],
        help: "sort by: name, progress, stuck longest, most attempts, last seen",
        hint: Some("sort"),
    },
    Binding {
        command: Command::EditFilter,
        keys: &[ch('/')],
        help: "filter learners by name (Enter keeps it, Esc clears it)",
        hint: Some("filter"),
    },
    Binding {
        command: Command::CycleShow,
        keys: &[ch('f')],
        help: "show: all, stuck, idle, finished",
        hint: Some("show"),
    },
    Binding {
        command: Command::NextPart,
        keys: &[plain(KeyCode::Tab)],
        help: "next lesson or course of the class",
        hint: None,
    },
    Binding {
        command: Command::ScrollDown,
        keys: &[plain(KeyCode::Down), ch('j')],
        help: "scroll down",
        hint: None,
    },
    Binding {
        command: Command::ScrollUp,
        keys: &[plain(KeyCode::Up), ch('k')],
        help: "scroll up",
        hint: None,
    },
    Binding {
        command: Command::PageDown,
        keys: &[plain(KeyCode::PageDown), ch(' ')],
        help: "a page down",
        hint: None,
    },
    Binding {
        command: Command::PageUp,
        keys: &[plain(KeyCode::PageUp)],
        help: "a page up",
        hint: None,
    },
    Binding {
        command: Command::Top,
        keys: &[plain(KeyCode::Home), ch('g')],
        help: "the first learner",
        hint: None,
    },
    Binding {
        command: Command::Bottom,
        keys: &[plain(KeyCode::End), ch('G')],
        help: "the last learner",
        hint: None,
    },
    Binding {
        command: Command::Help,
        keys: &[ch('?')],
        help: "this help (any key closes it)",
        hint: Some("help"),
    },
    Binding {
        command: Command::Back,
        keys: &[plain(KeyCode::Esc)],
        help: "clear the filter",
        hint: None,
    },
    Binding {
        command: Command::Quit,
        keys: &[ch('q'), ctrl('c')],
        help: "quit",
        hint: Some("quit"),
    },
];

/// The keys while a filter is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterCommand {
    Accept,
    Cancel,
    Delete,
}

pub const FILTER_BINDINGS: &[(FilterCommand, Key, &str)] = &[
    (
        FilterCommand::Accept,
        plain(KeyCode::Enter),
        "keep the filter",
    ),
    (
        FilterCommand::Cancel,
        plain(KeyCode::Esc),
        "clear the filter",
    ),
    (
        FilterCommand::Delete,
        plain(KeyCode::Backspace),
        "delete a character",
    ),
];

fn matches(key: &Key, event: &KeyEvent) -> bool {
    // Shift is part of the character for printable keys (`?`, `G`).
    let modifiers = match event.code {
        KeyCode::Char(_) => event.modifiers - KeyModifiers::SHIFT,
        _ => event.modifiers,
    };
    key.code == event.code && key.modifiers == modifiers
}

pub fn lookup(event: &KeyEvent) -> Option<Command> {
    BINDINGS
        .iter()
        .find(|b| b.keys.iter().any(|k| matches(k, event)))
        .map(|b| b.command)
}

/// The action a terminal event asks for; `typing` while a filter is typed.
pub fn action_for(event: &Event, typing: bool) -> Option<Action> {
    match event {
        Event::Resize(cols, rows) => Some(Action::Resize(*cols, *rows)),
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            if !typing {
                return lookup(key).map(Action::Command);
            }
            if let Some((command, _, _)) = FILTER_BINDINGS.iter().find(|(_, k, _)| matches(k, key))
            {
                return Some(Action::Filter(*command));
            }
            match key.code {
                KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    Some(Action::Command(Command::Quit))
                }
                KeyCode::Char(c) if (key.modifiers - KeyModifiers::SHIFT).is_empty() => {
                    Some(Action::FilterChar(c))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// A key as the help and footer name it: `s`, `/`, `Tab`, `↓`, `Ctrl-c`.
pub fn label(key: &Key) -> String {
    let name = match key.code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Backspace => "Backspace".into(),
        other => format!("{other:?}"),
    };
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        format!("Ctrl-{name}")
    } else {
        name
    }
}

/// The footer: each hinted binding's first key and its hint.
pub fn hints() -> Vec<(String, &'static str)> {
    BINDINGS
        .iter()
        .filter_map(|b| Some((label(&b.keys[0]), b.hint?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_bound_once_and_has_a_label() {
        let all: Vec<&Key> = BINDINGS.iter().flat_map(|b| b.keys).collect();
        for (i, key) in all.iter().enumerate() {
            assert!(!all[i + 1..].contains(key), "{key:?} bound twice");
            assert!(!label(key).contains("Char"), "{key:?}");
        }
    }

    #[test]
    fn keys_map_to_commands_and_typing_goes_to_the_filter() {
        let key = |code, modifiers| Event::Key(KeyEvent::new(code, modifiers));
        let none = KeyModifiers::NONE;
        assert_eq!(
            action_for(&key(KeyCode::Char('s'), none), false),
            Some(Action::Command(Command::CycleSort))
        );
        assert_eq!(
            action_for(&key(KeyCode::Char('?'), KeyModifiers::SHIFT), false),
            Some(Action::Command(Command::Help))
        );
        assert_eq!(
            action_for(&key(KeyCode::Char('s'), none), true),
            Some(Action::FilterChar('s'))
        );
        assert_eq!(
            action_for(&key(KeyCode::Enter, none), true),
            Some(Action::Filter(FilterCommand::Accept))
        );
        assert_eq!(
            action_for(&key(KeyCode::Char('c'), KeyModifiers::CONTROL), true),
            Some(Action::Command(Command::Quit))
        );
        assert_eq!(action_for(&key(KeyCode::Char('x'), none), false), None);
        let hints: Vec<String> = hints().iter().map(|(k, h)| format!("{k} {h}")).collect();
        assert_eq!(hints, ["s sort", "/ filter", "f show", "? help", "q quit"]);
    }
}
