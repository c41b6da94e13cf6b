//! Terminal input → actions. With the shell focused every key goes to the
//! shell except Ctrl-] (back to the lab) and the function keys, which never
//! collide with what a learner types.

use super::app::{Action, App, Focus};
use super::keys::{self, Modes};
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};

/// Every key, for the help overlay: (keys, what they do).
pub const HELP: &[(&str, &str)] = &[
    ("Ctrl-]", "shell → lab: give the keys back to the lab"),
    ("Tab / i", "lab → shell: type in the shell"),
    ("F1 / ?", "this help"),
    ("F2 / h", "hint for the current step"),
    ("F3 / d", "results of the current step, with diffs"),
    ("F5 / c", "check the current step"),
    ("F6 / a", "check every step"),
    ("F7 F8 / N n", "previous / next code block"),
    (
        "F9 / Enter",
        "paste the code block into the shell and run it",
    ),
    ("p", "paste the code block without running it"),
    ("y", "copy the code block to the clipboard (OSC 52)"),
    ("[ ]", "previous / next step"),
    ("j k ↑ ↓ PgUp PgDn g G", "scroll the lesson"),
    (
        "Shift-PgUp Shift-PgDn / wheel",
        "scroll the shell's history",
    ),
    ("s", "show / hide secret values"),
    ("r", "restart the shell after it exited"),
    (
        "mouse",
        "click a step to select it, a pane to focus it; wheel scrolls",
    ),
    ("Esc", "close this window"),
    ("q / Ctrl-C", "quit (in the lab)"),
];

pub fn action_for(event: &Event, app: &App, modes: Modes) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => key_action(key, app, modes),
        Event::Paste(text) if app.focus == Focus::Shell => {
            Some(Action::ShellInput(keys::encode_paste(text, modes)))
        }
        Event::Resize(cols, rows) => Some(Action::Resize(*cols, *rows)),
        Event::Mouse(mouse) => mouse_action(mouse.kind, (mouse.column, mouse.row), app),
        _ => None,
    }
}

fn key_action(key: &KeyEvent, app: &App, modes: Modes) -> Option<Action> {
    if let Some(action) = function_key(key.code, modes) {
        return Some(action);
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if app.overlay.is_some() && matches!(key.code, KeyCode::Esc | KeyCode::Char('q')) && !ctrl {
        return Some(Action::CloseOverlay);
    }
    match app.focus {
        Focus::Shell => shell_key(key, app, modes),
        Focus::Lesson => lesson_key(key, app, modes),
    }
}

/// Lab actions that work from either focus.
fn function_key(code: KeyCode, modes: Modes) -> Option<Action> {
    Some(match code {
        KeyCode::F(1) => Action::ShowHelp,
        KeyCode::F(2) => Action::ShowHint,
        KeyCode::F(3) => Action::ShowResults,
        KeyCode::F(5) => Action::CheckCurrent,
        KeyCode::F(6) => Action::CheckAll,
        KeyCode::F(7) => Action::PrevCodeBlock,
        KeyCode::F(8) => Action::NextCodeBlock,
        KeyCode::F(9) => Action::PasteCode { run: true, modes },
        _ => return None,
    })
}

fn shell_key(key: &KeyEvent, app: &App, modes: Modes) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let shift = key.modifiers.contains(KeyModifiers::SHIFT);
    match key.code {
        KeyCode::Char(']') | KeyCode::Char('5') if ctrl => Some(Action::FocusLesson),
        KeyCode::PageUp if shift => Some(Action::ShellScroll(page(app))),
        KeyCode::PageDown if shift => Some(Action::ShellScroll(-page(app))),
        KeyCode::Char('r') if app.shell_exited.is_some() => Some(Action::RestartShell),
        _ if app.shell_exited.is_some() => Some(Action::FocusLesson),
        _ => {
            let bytes = keys::encode_key(*key, modes);
            (!bytes.is_empty()).then_some(Action::ShellInput(bytes))
        }
    }
}

fn page(app: &App) -> isize {
    (app.shell_size().0 as isize - 2).max(1)
}

fn lesson_key(key: &KeyEvent, app: &App, modes: Modes) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    Some(match key.code {
        KeyCode::Char('c') if ctrl => Action::Quit,
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Tab | KeyCode::Char('i') => Action::FocusShell,
        KeyCode::Char('?') => Action::ShowHelp,
        KeyCode::Char('h') => Action::ShowHint,
        KeyCode::Char('d') => Action::ShowResults,
        KeyCode::Char('c') => Action::CheckCurrent,
        KeyCode::Char('a') => Action::CheckAll,
        KeyCode::Char('n') => Action::NextCodeBlock,
        KeyCode::Char('N') => Action::PrevCodeBlock,
        KeyCode::Enter => Action::PasteCode { run: true, modes },
        KeyCode::Char('p') => Action::PasteCode { run: false, modes },
        KeyCode::Char('y') => Action::CopyCode,
        KeyCode::Char(']') => Action::SelectStep(1),
        KeyCode::Char('[') => Action::SelectStep(-1),
        KeyCode::Char('j') | KeyCode::Down => Action::Scroll(1),
        KeyCode::Char('k') | KeyCode::Up => Action::Scroll(-1),
        KeyCode::PageDown | KeyCode::Char(' ') => Action::ScrollPage(1),
        KeyCode::PageUp => Action::ScrollPage(-1),
        KeyCode::Char('g') | KeyCode::Home => Action::ScrollTo(0),
        KeyCode::Char('G') | KeyCode::End => Action::ScrollTo(usize::MAX),
        KeyCode::Char('s') => Action::ToggleSecrets,
        KeyCode::Char('r') if app.shell_exited.is_some() => Action::RestartShell,
        KeyCode::Esc => Action::CloseOverlay,
        _ => return None,
    })
}

/// The wheel scrolls the pane under the pointer.
/// The wheel scrolls the pane under the pointer; a click focuses the shell
/// or the lab, and a click on a step selects it.
fn mouse_action(kind: MouseEventKind, (column, row): (u16, u16), app: &App) -> Option<Action> {
    let areas = app.areas();
    let over_shell = column >= areas.shell.x;
    match (kind, over_shell) {
        (MouseEventKind::ScrollUp, false) => Some(Action::Scroll(-3)),
        (MouseEventKind::ScrollDown, false) => Some(Action::Scroll(3)),
        (MouseEventKind::ScrollUp, true) => Some(Action::ShellScroll(3)),
        (MouseEventKind::ScrollDown, true) => Some(Action::ShellScroll(-3)),
        (MouseEventKind::Down(MouseButton::Left), true) => Some(Action::FocusShell),
        (MouseEventKind::Down(MouseButton::Left), false) => {
            let steps = super::app::inner(areas.steps);
            let on_step = row
                .checked_sub(steps.y)
                .map(usize::from)
                .filter(|&i| i < app.steps.len());
            match on_step.filter(|_| row < steps.y + steps.height) {
                Some(index) => Some(Action::SelectStepAt(index)),
                None => Some(Action::FocusLesson),
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::app::Overlay;
    use super::*;
    use crate::lesson::{Lesson, Vars, bundled};

    fn app() -> App {
        let lesson = Lesson::load(&bundled::resolve(None).unwrap()).unwrap();
        App::new(&lesson, Vars::default(), (120, 40))
    }

    fn key(code: KeyCode, modifiers: KeyModifiers) -> Event {
        Event::Key(KeyEvent::new(code, modifiers))
    }

    #[test]
    fn shell_focus_sends_everything_but_ctrl_bracket_and_function_keys() {
        let app = app();
        let modes = Modes::default();
        let to_shell = |code, m| action_for(&key(code, m), &app, modes);
        assert_eq!(
            to_shell(KeyCode::Char('c'), KeyModifiers::CONTROL),
            Some(Action::ShellInput(vec![3]))
        );
        assert_eq!(
            to_shell(KeyCode::Char('q'), KeyModifiers::NONE),
            Some(Action::ShellInput(b"q".to_vec()))
        );
        assert_eq!(
            to_shell(KeyCode::Tab, KeyModifiers::NONE),
            Some(Action::ShellInput(b"\t".to_vec()))
        );
        assert_eq!(
            to_shell(KeyCode::Char(']'), KeyModifiers::CONTROL),
            Some(Action::FocusLesson)
        );
        assert_eq!(
            to_shell(KeyCode::F(5), KeyModifiers::NONE),
            Some(Action::CheckCurrent)
        );
    }

    #[test]
    fn lesson_focus_keys_drive_the_lab() {
        let mut app = app();
        app.focus = Focus::Lesson;
        let act = |code| action_for(&key(code, KeyModifiers::NONE), &app, Modes::default());
        assert_eq!(act(KeyCode::Char('q')), Some(Action::Quit));
        assert_eq!(act(KeyCode::Tab), Some(Action::FocusShell));
        assert_eq!(act(KeyCode::Char('n')), Some(Action::NextCodeBlock));
        assert_eq!(
            act(KeyCode::Enter),
            Some(Action::PasteCode {
                run: true,
                modes: Modes::default()
            })
        );
    }

    #[test]
    fn release_events_are_ignored() {
        let app = app();
        let mut release = KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        assert_eq!(
            action_for(&Event::Key(release), &app, Modes::default()),
            None
        );
    }

    #[test]
    fn overlays_close_on_escape() {
        let mut app = app();
        app.overlay = Some(Overlay::Help);
        let esc = action_for(
            &key(KeyCode::Esc, KeyModifiers::NONE),
            &app,
            Modes::default(),
        );
        assert_eq!(esc, Some(Action::CloseOverlay));
    }

    #[test]
    fn clicks_select_steps_and_focus_panes() {
        use ratatui::crossterm::event::{MouseEvent, MouseEventKind};
        let app = app();
        let click = |column, row| {
            let mouse = MouseEvent {
                kind: MouseEventKind::Down(MouseButton::Left),
                column,
                row,
                modifiers: KeyModifiers::NONE,
            };
            action_for(&Event::Mouse(mouse), &app, Modes::default())
        };
        let steps = super::super::app::inner(app.areas().steps);
        assert_eq!(
            click(steps.x + 2, steps.y + 2),
            Some(Action::SelectStepAt(2))
        );
        assert_eq!(click(app.areas().shell.x + 3, 10), Some(Action::FocusShell));
        assert_eq!(click(2, 5), Some(Action::FocusLesson));
    }
}
