//! The dashboard's screen, drawn on a test backend and compared with
//! snapshots: 80×24 and 160×40, a lesson and a course, stuck and idle
//! learners, a filter and a sort, many steps, the help, a server that is
//! down; and that colour is only ever an addition to the symbols.

use super::draw;
use crate::checks::Status;
use crate::class::protocol::{ClassState, LearnerState};
use crate::class::watch::app::tests::{app_with, lesson_state, ten};
use crate::class::watch::app::{Action, App, Connection};
use crate::class::watch::keys::Command;
use crate::report::fixtures::{cond, course_record, failing, not_started, passed, record};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use std::time::Duration;

fn screen(app: &App) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    terminal.draw(|f| draw(f, app)).unwrap();
    terminal
}

fn course_state() -> ClassState {
    let hows: [(&str, [(&str, &str); 4]); 4] = [
        (
            "amir",
            [
                ("setup", "passed 300"),
                ("explore", "passed 540"),
                ("build", "failing 6"),
                ("ship", "locked"),
            ],
        ),
        (
            "bea",
            [
                ("setup", "passed 120"),
                ("explore", "passed 200"),
                ("build", "passed 900"),
                ("ship", "passed 60"),
            ],
        ),
        (
            "chen",
            [
                ("setup", "error 2"),
                ("explore", "locked"),
                ("build", "locked"),
                ("ship", "locked"),
            ],
        ),
        (
            "dana",
            [
                ("setup", "passed 90"),
                ("explore", "skipped 10"),
                ("build", "open"),
                ("ship", "locked"),
            ],
        ),
    ];
    let mut state = lesson_state([1, 2, 3, 4]);
    state.learners.truncate(4);
    for (learner, (name, how)) in state.learners.iter_mut().zip(hows) {
        learner.name = name.into();
        learner.record = Some(course_record(name, "k8s-course", &how));
    }
    state.learners[2].last_seen_at = Some("2026-01-05T09:31:00Z".into());
    state
}

#[test]
fn a_lesson_at_80x24_and_160x40() {
    for (w, h) in [(80, 24), (160, 40)] {
        let app = app_with(lesson_state([1, 2, 20, 3]), (w, h));
        insta::assert_snapshot!(format!("lesson_{w}x{h}"), screen(&app).backend());
    }
}

#[test]
fn a_course_at_80x24_and_160x40() {
    for (w, h) in [(80, 24), (160, 40)] {
        let app = app_with(course_state(), (w, h));
        insta::assert_snapshot!(format!("course_{w}x{h}"), screen(&app).backend());
    }
}

#[test]
fn stuck_learners_sorted_longest_first_with_a_name_filter() {
    let mut app = app_with(course_state(), (80, 24));
    app.update(Action::Command(Command::CycleSort));
    app.update(Action::Command(Command::CycleSort));
    app.update(Action::Command(Command::CycleShow));
    insta::assert_snapshot!("course_stuck_longest_80x24", screen(&app).backend());
    app.update(Action::Command(Command::CycleShow));
    app.update(Action::Command(Command::CycleShow));
    app.update(Action::Command(Command::CycleShow));
    app.update(Action::Command(Command::EditFilter));
    app.update(Action::FilterChar('a'));
    insta::assert_snapshot!("course_filter_typing_80x24", screen(&app).backend());
}

#[test]
fn idle_learners_shown_by_themselves() {
    let mut app = app_with(lesson_state([1, 2, 20, 3]), (80, 24));
    app.update(Action::Command(Command::CycleShow));
    app.update(Action::Command(Command::CycleShow));
    insta::assert_snapshot!("lesson_idle_80x24", screen(&app).backend());
}

/// Twelve steps and thirty learners: step numbers for names, and a scroll.
fn big_state() -> ClassState {
    let mut state = lesson_state([1, 2, 3, 4]);
    let template = state.learners[0].clone();
    state.learners.clear();
    for i in 0..30u32 {
        let steps = (0..12u32)
            .map(|s| {
                let id = format!("step-{s:02}-long-name");
                match (i + s) % 5 {
                    0 | 1 => passed(&id, u64::from(60 * (s + 1))),
                    2 if s == i % 12 => {
                        failing(&id, i % 7 + 1, vec![cond("the file exists", Status::Fail)])
                    }
                    _ => not_started(&id),
                }
            })
            .collect();
        let mut learner = template.clone();
        learner.name = format!("learner {i:02}");
        learner.record = Some(record(&learner.name, "big", steps));
        state.learners.push(learner);
    }
    state
}

#[test]
fn many_steps_go_by_number_and_many_learners_scroll() {
    let mut app = app_with(big_state(), (80, 24));
    insta::assert_snapshot!("many_80x24", screen(&app).backend());
    app.update(Action::Command(Command::PageDown));
    insta::assert_snapshot!("many_80x24_page_down", screen(&app).backend());
    app.update(Action::Command(Command::Help));
    insta::assert_snapshot!("many_80x24_help", screen(&app).backend());
}

#[test]
fn before_the_first_state_and_while_the_server_is_down() {
    let mut app = App::new("http://127.0.0.1:7878", ten(), (80, 24), false);
    app.update(Action::Connection(Connection::Reconnecting {
        attempt: 3,
        why: "GET http://127.0.0.1:7878/api/stream failed: the class server did not answer".into(),
    }));
    insta::assert_snapshot!("waiting_80x24", screen(&app).backend());
    let mut nobody = lesson_state([1, 2, 3, 4]);
    nobody.learners.retain(|l| l.record.is_none());
    let app = app_with(nobody, (80, 24));
    insta::assert_snapshot!("only_joined_80x24", screen(&app).backend());
}

#[test]
fn colour_only_adds_to_the_symbols_and_no_color_has_none() {
    let mut app = app_with(lesson_state([1, 2, 3, 4]), (80, 24));
    let colours = |app: &App| -> Vec<Color> {
        let terminal = screen(app);
        terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.fg)
            .filter(|c| *c != Color::Reset)
            .collect()
    };
    assert!(colours(&app).is_empty(), "NO_COLOR: no colour at all");
    let plain = screen(&app).backend().to_string();
    app.color = true;
    assert!(colours(&app).contains(&Color::Green));
    assert!(colours(&app).contains(&Color::Red));
    assert_eq!(
        screen(&app).backend().to_string(),
        plain,
        "the same text either way"
    );
    // An idle learner is marked in words, not only dimmed.
    app.update(Action::Tick(ten() + Duration::from_secs(600)));
    assert!(screen(&app).backend().to_string().contains("idle 1"));
}

#[test]
fn a_learner_in_the_state_is_one_row() {
    let state = lesson_state([1, 2, 3, 4]);
    let learners: Vec<&LearnerState> = state.learners.iter().collect();
    let app = app_with(state.clone(), (160, 40));
    assert_eq!(app.visible_rows().len(), learners.len());
}
