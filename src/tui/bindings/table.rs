//! The lab's key bindings table: every command, its keys in each context,
//! and the words the help and the status line use for it. The order is the
//! help's.

use super::{Binding, Command, Key, ch, ctrl, f, key, shift};
use ratatui::crossterm::event::KeyCode;

const NONE: &[Key] = &[];

/// A binding with no keys: each entry of the table names the keys it has.
const UNBOUND: Binding = Binding {
    command: Command::Close,
    global: NONE,
    shell: NONE,
    lab: NONE,
    window: NONE,
    quiz: NONE,
    help: "",
    hint: "",
};

/// Every binding, in the order the help lists them.
pub const BINDINGS: &[Binding] = &[
    Binding {
        command: Command::FocusLab,
        shell: &[
            ctrl(']'),
            Key {
                alias: true,
                ..ctrl('5')
            },
        ],
        help: "shell → lab: give the keys to the lab",
        hint: "lab",
        ..UNBOUND
    },
    Binding {
        command: Command::FocusShell,
        lab: &[key(KeyCode::Tab), ch('i')],
        help: "lab → shell: type in the shell (any key that is not the lab's does too)",
        hint: "shell",
        ..UNBOUND
    },
    Binding {
        command: Command::Help,
        global: &[f(1)],
        lab: &[ch('?')],
        help: "this help",
        hint: "help",
        ..UNBOUND
    },
    Binding {
        command: Command::Hint,
        global: &[f(2)],
        lab: &[ch('h')],
        help: "hint for the current step",
        hint: "hint",
        ..UNBOUND
    },
    Binding {
        command: Command::Results,
        global: &[f(3)],
        lab: &[ch('d')],
        help: "results of the current step, with diffs",
        ..UNBOUND
    },
    Binding {
        command: Command::Edit,
        global: &[f(4)],
        lab: &[ch('e')],
        help: "edit the current step's file in your editor, in the shell (at the failing line)",
        hint: "edit",
        ..UNBOUND
    },
    Binding {
        command: Command::CheckCurrent,
        global: &[f(5)],
        lab: &[ch('c')],
        help: "check the current step",
        hint: "check",
        ..UNBOUND
    },
    Binding {
        command: Command::CheckAll,
        global: &[f(6)],
        lab: &[ch('a')],
        help: "check every step",
        ..UNBOUND
    },
    Binding {
        command: Command::PrevCodeBlock,
        global: &[f(7)],
        lab: &[ch('N')],
        help: "previous code block",
        ..UNBOUND
    },
    Binding {
        command: Command::NextCodeBlock,
        global: &[f(8)],
        lab: &[ch('n')],
        help: "next code block",
        hint: "next code",
        ..UNBOUND
    },
    Binding {
        command: Command::RunCode,
        global: &[f(9)],
        lab: &[key(KeyCode::Enter)],
        help: "run the code block in the shell (commands only)",
        hint: "run code",
        ..UNBOUND
    },
    Binding {
        command: Command::PasteCode,
        lab: &[ch('p')],
        help: "paste the code block into the shell without running it",
        ..UNBOUND
    },
    Binding {
        command: Command::CopyCode,
        lab: &[ch('y')],
        help: "copy the code block to the clipboard (OSC 52)",
        ..UNBOUND
    },
    Binding {
        command: Command::PrevStep,
        lab: &[ch('[')],
        help: "previous step",
        ..UNBOUND
    },
    Binding {
        command: Command::NextStep,
        lab: &[ch(']')],
        help: "next step",
        ..UNBOUND
    },
    Binding {
        command: Command::ScrollDown,
        lab: &[ch('j'), key(KeyCode::Down)],
        // The arrow first: a window's footer names it.
        window: &[key(KeyCode::Down), ch('j')],
        help: "scroll down a line",
        ..UNBOUND
    },
    Binding {
        command: Command::ScrollUp,
        lab: &[ch('k'), key(KeyCode::Up)],
        window: &[key(KeyCode::Up), ch('k')],
        help: "scroll up a line",
        ..UNBOUND
    },
    Binding {
        command: Command::PageDown,
        lab: &[key(KeyCode::PageDown), ch(' ')],
        window: &[key(KeyCode::PageDown), ch(' ')],
        help: "scroll down a page",
        ..UNBOUND
    },
    Binding {
        command: Command::PageUp,
        lab: &[key(KeyCode::PageUp)],
        window: &[key(KeyCode::PageUp)],
        help: "scroll up a page",
        ..UNBOUND
    },
    Binding {
        command: Command::Top,
        lab: &[ch('g'), key(KeyCode::Home)],
        window: &[ch('g'), key(KeyCode::Home)],
        help: "to the top",
        ..UNBOUND
    },
    Binding {
        command: Command::Bottom,
        lab: &[ch('G'), key(KeyCode::End)],
        window: &[ch('G'), key(KeyCode::End)],
        help: "to the end",
        ..UNBOUND
    },
    Binding {
        command: Command::ShellHistoryUp,
        shell: &[shift(KeyCode::PageUp)],
        help: "scroll the shell's history back (or the wheel over the shell)",
        ..UNBOUND
    },
    Binding {
        command: Command::ShellHistoryDown,
        shell: &[shift(KeyCode::PageDown)],
        help: "scroll the shell's history forward",
        ..UNBOUND
    },
    Binding {
        command: Command::ToggleSecrets,
        lab: &[ch('s')],
        help: "show / hide secret values",
        ..UNBOUND
    },
    Binding {
        command: Command::RestartShell,
        lab: &[ch('r')],
        help: "restart the shell after it exited",
        ..UNBOUND
    },
    Binding {
        command: Command::NextChallenge,
        lab: &[ch('>')],
        help: "a course: the next challenge, once this one is done; after the last, the summary",
        ..UNBOUND
    },
    Binding {
        command: Command::PrevChallenge,
        lab: &[ch('<')],
        help: "a course: the previous challenge",
        ..UNBOUND
    },
    Binding {
        command: Command::SkipChallenge,
        lab: &[ch('S')],
        help: "a course: skip this challenge, where the course allows it (asks first)",
        ..UNBOUND
    },
    Binding {
        command: Command::PrevAnswer,
        quiz: &[key(KeyCode::Up)],
        help: "a quiz: the answer above",
        ..UNBOUND
    },
    Binding {
        command: Command::NextAnswer,
        quiz: &[key(KeyCode::Down)],
        help: "a quiz: the answer below",
        ..UNBOUND
    },
    Binding {
        // Each digit gives its own answer (see `lookup`).
        command: Command::Answer(0),
        quiz: &[
            ch('1'),
            ch('2'),
            ch('3'),
            ch('4'),
            ch('5'),
            ch('6'),
            ch('7'),
            ch('8'),
            ch('9'),
        ],
        help: "a quiz: choose answer N (mark / unmark it, when several are right)",
        ..UNBOUND
    },
    Binding {
        command: Command::MarkAnswer,
        quiz: &[ch(' ')],
        help: "a quiz: mark / unmark the highlighted answer, when several are right",
        ..UNBOUND
    },
    Binding {
        command: Command::SubmitAnswer,
        quiz: &[key(KeyCode::Enter)],
        help: "a quiz: submit the answer, which is checked",
        ..UNBOUND
    },
    Binding {
        command: Command::Close,
        window: &[key(KeyCode::Esc), ch('q')],
        help: "close this window",
        ..UNBOUND
    },
    Binding {
        command: Command::Quit,
        lab: &[ch('q'), ctrl('c')],
        help: "quit (asks first while a program runs in the shell)",
        hint: "quit",
        ..UNBOUND
    },
];
