//! The bindings table's own rules: lookup by context, no key bound twice,
//! the help and the messages naming the table's keys.

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
    for context in [Context::Shell, Context::Lab, Context::Window, Context::Quiz] {
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

#[test]
fn a_quiz_takes_its_keys_first_and_leaves_the_labs_working() {
    let plain = |code| event(code, KeyModifiers::NONE);
    let quiz = |code| lookup(Context::Quiz, &plain(code));
    assert_eq!(quiz(KeyCode::Down), Some(Command::NextAnswer));
    assert_eq!(quiz(KeyCode::Up), Some(Command::PrevAnswer));
    assert_eq!(quiz(KeyCode::Enter), Some(Command::SubmitAnswer));
    assert_eq!(quiz(KeyCode::Char(' ')), Some(Command::MarkAnswer));
    assert_eq!(quiz(KeyCode::Char('1')), Some(Command::Answer(0)));
    assert_eq!(quiz(KeyCode::Char('4')), Some(Command::Answer(3)));
    assert_eq!(quiz(KeyCode::Char('0')), None);
    // The lab's own keys still work; outside a quiz the arrows scroll.
    assert_eq!(quiz(KeyCode::Char('q')), Some(Command::Quit));
    assert_eq!(quiz(KeyCode::Char('j')), Some(Command::ScrollDown));
    assert_eq!(
        lookup(Context::Quiz, &plain(KeyCode::F(5))),
        Some(Command::CheckCurrent)
    );
    assert_eq!(
        lookup(Context::Lab, &plain(KeyCode::Down)),
        Some(Command::ScrollDown)
    );
    assert_eq!(lookup(Context::Lab, &plain(KeyCode::Char('2'))), None);
    assert_eq!(first_key(Command::SubmitAnswer, Keys::Quiz), "Enter");
    let hinted = hints(Context::Quiz);
    assert!(!hinted.iter().any(|(key, _)| key == "Enter"), "{hinted:?}");
    assert!(hinted.contains(&("q".to_string(), "quit")));
    assert!(hints(Context::Lab).contains(&("Enter".to_string(), "run code")));
}

#[test]
fn the_course_keys_are_the_labs_and_listed_in_the_help() {
    let lab = |c| lookup(Context::Lab, &event(KeyCode::Char(c), KeyModifiers::NONE));
    assert_eq!(lab('>'), Some(Command::NextChallenge));
    assert_eq!(lab('<'), Some(Command::PrevChallenge));
    assert_eq!(lab('S'), Some(Command::SkipChallenge));
    assert_eq!(lab('s'), Some(Command::ToggleSecrets));
    let rows = help_rows();
    assert!(
        rows.iter()
            .any(|(keys, what)| keys == ">" && what.contains("next challenge"))
    );
    assert!(
        rows.iter()
            .any(|(keys, what)| keys == "1–9" && what.contains("answer N"))
    );
    assert_eq!(keys_for(Command::Answer(0)), "1–9");
    // Quitting stays the help's last row (it is what the help's end shows).
    assert_eq!(BINDINGS.last().map(|b| b.command), Some(Command::Quit));
    // Not lasting: a quiz's choice is part of the view a burst puts back.
    assert!(!Command::Answer(3).lasting() && !Command::MarkAnswer.lasting());
    assert!(Command::NextChallenge.lasting() && Command::SubmitAnswer.lasting());
}
