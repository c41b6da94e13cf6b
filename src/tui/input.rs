//! Terminal input → actions, through the bindings table. With the shell
//! focused every key goes to the shell except Ctrl-] (keys to the lab) and
//! the function keys, which no program in the shell needs. With the lab
//! focused, printable keys go to the app with their binding and their time,
//! so it can tell commands from typing meant for the shell (see `burst`).

use super::app::{Action, App, Focus, Overlay};
use super::bindings::{self, Command, Context};
use super::keys;
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};
use std::time::Instant;

/// The action for a terminal event that came at `at`.
pub fn action_for(event: &Event, at: Instant, app: &App) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => key_action(key, at, app),
        Event::Paste(text) => Some(Action::Paste(text.clone())),
        Event::Resize(cols, rows) => Some(Action::Resize(*cols, *rows)),
        Event::Mouse(mouse) => mouse_action(mouse.kind, (mouse.column, mouse.row), app),
        _ => None,
    }
}

fn key_action(key: &KeyEvent, at: Instant, app: &App) -> Option<Action> {
    if app.overlay.as_ref().is_some_and(Overlay::is_question) {
        // Only an explicit yes quits (or skips); any other key says no.
        return Some(Action::Confirm(bindings::is_yes(key)));
    }
    if app.overlay.is_some()
        && let Some(command) = bindings::lookup(Context::Window, key)
    {
        return Some(Action::Command(command));
    }
    match app.focus {
        Focus::Shell => shell_key(key, app),
        Focus::Lesson => {
            let context = if app.quiz.is_some() && app.overlay.is_none() {
                Context::Quiz
            } else {
                Context::Lab
            };
            lab_key(key, at, context)
        }
    }
}

fn shell_key(key: &KeyEvent, app: &App) -> Option<Action> {
    if let Some(command) = bindings::lookup(Context::Shell, key) {
        return Some(Action::Command(command));
    }
    if app.shell_exited.is_some() {
        // Nothing to type into: the keys go to the lab, where its restart key
        // (whatever the modifiers) restarts the shell.
        let bare = KeyEvent::new(key.code, KeyModifiers::NONE);
        let restart = bindings::lookup(Context::Lab, &bare) == Some(Command::RestartShell);
        return Some(Action::Command(if restart {
            Command::RestartShell
        } else {
            Command::FocusLab
        }));
    }
    let bytes = keys::encode_key(*key, app.shell_modes);
    (!bytes.is_empty()).then_some(Action::ShellInput(bytes))
}

fn lab_key(key: &KeyEvent, at: Instant, context: Context) -> Option<Action> {
    let command = bindings::lookup(context, key);
    let plain = (key.modifiers - KeyModifiers::SHIFT).is_empty();
    match key.code {
        KeyCode::Char(c) if plain => Some(Action::LabChar { c, command, at }),
        _ => command.map(Action::Command),
    }
}

/// The wheel scrolls the pane under the pointer; a click focuses the shell
/// or the lesson, and a click on a step selects it (leaving the keys where
/// they are: a learner clicks a step to read it, not to stop typing).
fn mouse_action(kind: MouseEventKind, (column, row): (u16, u16), app: &App) -> Option<Action> {
    let areas = app.areas();
    let position = (column, row).into();
    let over_shell = areas.shows_shell && areas.shell.contains(position);
    match (kind, over_shell) {
        (MouseEventKind::ScrollUp, false) => Some(Action::Scroll(-3)),
        (MouseEventKind::ScrollDown, false) => Some(Action::Scroll(3)),
        (MouseEventKind::ScrollUp, true) => Some(Action::ShellScroll(3)),
        (MouseEventKind::ScrollDown, true) => Some(Action::ShellScroll(-3)),
        (MouseEventKind::Down(MouseButton::Left), true) => {
            Some(Action::Command(Command::FocusShell))
        }
        (MouseEventKind::Down(MouseButton::Left), false) if areas.shows_lesson => {
            let steps = super::app::inner(areas.steps);
            let first =
                super::layout::first_visible_step(app.current, app.steps.len(), steps.height);
            let on_step = steps
                .contains(position)
                .then(|| first + usize::from(row - steps.y))
                .filter(|&i| i < app.steps.len());
            match on_step {
                Some(index) => Some(Action::SelectStepAt(index)),
                None if areas.lesson.contains(position) => Some(Action::FocusLesson),
                None => None,
            }
        }
        // The steps' strip over the shell: back to the lesson and the steps.
        (MouseEventKind::Down(MouseButton::Left), false) if areas.strip.contains(position) => {
            Some(Action::Command(Command::FocusLab))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
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
        let now = Instant::now();
        let to_shell = |code, m| action_for(&key(code, m), now, &app);
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
            Some(Action::Command(Command::FocusLab))
        );
        assert_eq!(
            to_shell(KeyCode::F(5), KeyModifiers::NONE),
            Some(Action::Command(Command::CheckCurrent))
        );
    }

    #[test]
    fn lab_focus_sends_printable_keys_with_their_binding_and_time() {
        let mut app = app();
        app.focus = Focus::Lesson;
        let at = Instant::now();
        let act = |code| action_for(&key(code, KeyModifiers::NONE), at, &app);
        assert_eq!(
            act(KeyCode::Char('q')),
            Some(Action::LabChar {
                c: 'q',
                command: Some(Command::Quit),
                at
            })
        );
        assert_eq!(
            act(KeyCode::Char('l')),
            Some(Action::LabChar {
                c: 'l',
                command: None,
                at
            })
        );
        assert_eq!(
            act(KeyCode::Tab),
            Some(Action::Command(Command::FocusShell))
        );
        assert_eq!(act(KeyCode::Enter), Some(Action::Command(Command::RunCode)));
        let ctrl_c = action_for(&key(KeyCode::Char('c'), KeyModifiers::CONTROL), at, &app);
        assert_eq!(ctrl_c, Some(Action::Command(Command::Quit)));
    }

    #[test]
    fn with_the_shell_exited_keys_go_to_the_lab_and_its_restart_key_restarts() {
        let mut app = app();
        app.shell_exited = Some(Some(0));
        let now = Instant::now();
        let act = |code, m| action_for(&key(code, m), now, &app);
        let restart = Some(Action::Command(Command::RestartShell));
        assert_eq!(act(KeyCode::Char('r'), KeyModifiers::NONE), restart);
        assert_eq!(act(KeyCode::Char('r'), KeyModifiers::CONTROL), restart);
        assert_eq!(
            act(KeyCode::Char('x'), KeyModifiers::NONE),
            Some(Action::Command(Command::FocusLab))
        );
        assert_eq!(
            act(KeyCode::F(5), KeyModifiers::NONE),
            Some(Action::Command(Command::CheckCurrent))
        );
    }

    #[test]
    fn release_events_are_ignored() {
        let app = app();
        let mut release = KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        assert_eq!(action_for(&Event::Key(release), Instant::now(), &app), None);
    }

    #[test]
    fn windows_take_their_keys_and_questions_take_every_key() {
        let mut app = app();
        app.overlay = Some(Overlay::Help);
        let now = Instant::now();
        let act = |app: &App, code| action_for(&key(code, KeyModifiers::NONE), now, app);
        assert_eq!(
            act(&app, KeyCode::Esc),
            Some(Action::Command(Command::Close))
        );
        assert_eq!(
            act(&app, KeyCode::Char('j')),
            Some(Action::Command(Command::ScrollDown))
        );
        app.overlay = Some(Overlay::ConfirmQuit("vim is running".into()));
        assert_eq!(act(&app, KeyCode::Char('y')), Some(Action::Confirm(true)));
        assert_eq!(act(&app, KeyCode::Char('Y')), Some(Action::Confirm(true)));
        assert_eq!(act(&app, KeyCode::Char('q')), Some(Action::Confirm(false)));
        assert_eq!(act(&app, KeyCode::Enter), Some(Action::Confirm(false)));
    }

    #[test]
    fn a_quiz_on_screen_takes_the_arrows_digits_and_enter_in_the_lab() {
        let track = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/tracks/shell-basics/03-check-your-understanding"
        );
        let quiz = Lesson::load(std::path::Path::new(track)).unwrap();
        let mut app = App::new(&quiz, Vars::default(), (120, 40));
        app.focus = Focus::Lesson;
        let at = Instant::now();
        let act = |app: &App, code| action_for(&key(code, KeyModifiers::NONE), at, app);
        assert_eq!(
            act(&app, KeyCode::Down),
            Some(Action::Command(Command::NextAnswer))
        );
        assert_eq!(
            act(&app, KeyCode::Enter),
            Some(Action::Command(Command::SubmitAnswer))
        );
        assert_eq!(
            act(&app, KeyCode::Char('2')),
            Some(Action::LabChar {
                c: '2',
                command: Some(Command::Answer(1)),
                at
            })
        );
        // Under a window, the lab's keys; a question takes every key.
        app.overlay = Some(Overlay::Help);
        assert_eq!(
            act(&app, KeyCode::Enter),
            Some(Action::Command(Command::RunCode))
        );
        app.overlay = Some(Overlay::ConfirmSkip(0));
        assert_eq!(act(&app, KeyCode::Char('y')), Some(Action::Confirm(true)));
        assert_eq!(act(&app, KeyCode::Down), Some(Action::Confirm(false)));
        // In the shell, the digits are typing.
        app.overlay = None;
        app.focus = Focus::Shell;
        assert_eq!(
            act(&app, KeyCode::Char('2')),
            Some(Action::ShellInput(b"2".to_vec()))
        );
    }

    #[test]
    fn a_click_on_a_step_selects_it_without_taking_the_keys() {
        use ratatui::crossterm::event::{MouseEvent, MouseEventKind};
        let app = app();
        let click = |column, row| {
            let mouse = MouseEvent {
                kind: MouseEventKind::Down(MouseButton::Left),
                column,
                row,
                modifiers: KeyModifiers::NONE,
            };
            action_for(&Event::Mouse(mouse), Instant::now(), &app)
        };
        let steps = super::super::app::inner(app.areas().steps);
        assert_eq!(
            click(steps.x + 2, steps.y + 2),
            Some(Action::SelectStepAt(2))
        );
        assert_eq!(
            click(app.areas().shell.x + 3, 10),
            Some(Action::Command(Command::FocusShell))
        );
        assert_eq!(click(2, 5), Some(Action::FocusLesson));
    }
}
