//! `App::update`: each action's change to the state and the effect asked for.

use super::*;
use crate::class::protocol::{ClassState, LearnerState};
use crate::report::fixtures::class;

/// 10:00, when the fixtures' server made its state.
pub(crate) fn ten() -> SystemTime {
    humantime::parse_rfc3339("2026-01-05T10:00:00Z").unwrap()
}

/// The fixture class (alice done, bob stuck at two, carol not started,
/// dave stuck at one), each last seen `minutes` before 10:00, and erin, who
/// joined at 09:30 and sent nothing.
pub(crate) fn lesson_state(minutes: [u64; 4]) -> ClassState {
    let mut records = class();
    records.sort_by(|a, b| a.learner.cmp(&b.learner));
    let mut learners: Vec<LearnerState> = records
        .into_iter()
        .zip(minutes)
        .enumerate()
        .map(|(i, (record, ago))| LearnerState {
            learner_id: i.to_string(),
            name: record.learner.clone(),
            joined_at: "2026-01-05T09:00:00Z".into(),
            last_event_at: None,
            last_seen_at: Some(
                humantime::format_rfc3339_seconds(ten() - Duration::from_secs(ago * 60))
                    .to_string(),
            ),
            events: 3,
            record: Some(record),
        })
        .collect();
    learners.push(LearnerState {
        learner_id: "9".into(),
        name: "erin".into(),
        joined_at: "2026-01-05T09:30:00Z".into(),
        last_event_at: None,
        last_seen_at: None,
        events: 0,
        record: None,
    });
    ClassState {
        class: "room-1".into(),
        generated_at: "2026-01-05T10:00:00Z".into(),
        version: 7,
        learners,
    }
}

pub(crate) fn app_with(state: ClassState, size: (u16, u16)) -> App {
    let mut app = App::new("http://127.0.0.1:7878", ten(), size, false);
    assert_eq!(
        app.update(Action::State(Box::new(state), ten())),
        Effect::Draw
    );
    app
}

fn names(app: &App) -> Vec<String> {
    app.visible_rows().iter().map(|r| r.name.clone()).collect()
}

fn command(app: &mut App, command: Command) -> Effect {
    app.update(Action::Command(command))
}

#[test]
fn sorting_cycles_through_every_order() {
    let mut app = app_with(lesson_state([1, 2, 20, 3]), (80, 24));
    assert_eq!(names(&app), ["alice", "bob", "carol", "dave", "erin"]);
    let mut seen = Vec::new();
    for _ in 0..5 {
        command(&mut app, Command::CycleSort);
        seen.push((app.sort, names(&app)));
    }
    let order = |s: &[&str]| s.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    assert_eq!(
        seen[0],
        (
            SortBy::Progress,
            order(&["alice", "bob", "carol", "dave", "erin"])
        )
    );
    // bob has been on `two` 0 s (the fixtures' failing steps have no time), dave too:
    // by name among equals; the stuck before the rest.
    assert_eq!(seen[1].0, SortBy::StuckLongest);
    assert_eq!(&seen[1].1[..2], order(&["bob", "dave"]));
    // bob failed 5 times at `two`, dave 3 at `one`.
    assert_eq!(
        seen[2],
        (
            SortBy::Attempts,
            order(&["bob", "dave", "alice", "carol", "erin"])
        )
    );
    // erin was last heard from at 09:30 (joining), carol at 09:40.
    assert_eq!(
        seen[3],
        (
            SortBy::LastSeen,
            order(&["erin", "carol", "dave", "bob", "alice"])
        )
    );
    assert_eq!(seen[4].0, SortBy::Name);
}

#[test]
fn showing_stuck_idle_or_finished_and_a_name_filter() {
    let mut app = app_with(lesson_state([1, 2, 20, 3]), (80, 24));
    let mut shown = Vec::new();
    for _ in 0..4 {
        command(&mut app, Command::CycleShow);
        shown.push((app.show, names(&app)));
    }
    assert_eq!(
        shown[0],
        (Show::Stuck, vec!["bob".to_string(), "dave".into()])
    );
    assert_eq!(
        shown[1],
        (Show::Idle, vec!["carol".to_string(), "erin".into()])
    );
    assert_eq!(shown[2], (Show::Finished, vec!["alice".to_string()]));
    assert_eq!(shown[3].0, Show::All);
    // `/`, typing, Backspace, Enter; Esc clears.
    command(&mut app, Command::EditFilter);
    assert!(app.typing);
    for c in "DAx".chars() {
        app.update(Action::FilterChar(c));
    }
    assert!(names(&app).is_empty());
    app.update(Action::Filter(FilterCommand::Delete));
    app.update(Action::Filter(FilterCommand::Accept));
    assert!(!app.typing);
    assert_eq!(names(&app), ["dave"]);
    command(&mut app, Command::Back);
    assert_eq!(names(&app).len(), 5);
    command(&mut app, Command::EditFilter);
    app.update(Action::FilterChar('e'));
    app.update(Action::Filter(FilterCommand::Cancel));
    assert_eq!((app.filter.as_str(), app.typing), ("", false));
}

#[test]
fn a_learner_turns_idle_as_the_clock_moves_and_the_loop_wakes_for_it() {
    let mut app = app_with(lesson_state([1, 2, 3, 4]), (80, 24));
    assert_eq!(
        app.visible_rows()
            .iter()
            .filter(|r| r.is_idle(app.server_now()))
            .count(),
        1
    );
    // dave, seen 4 minutes ago, turns idle in one minute: the loop wakes then.
    assert_eq!(app.next_tick(), Duration::from_secs(60));
    app.update(Action::Tick(ten() + Duration::from_secs(30)));
    assert_eq!(app.next_tick(), Duration::from_secs(30));
    app.update(Action::Tick(ten() + Duration::from_secs(60)));
    let idle: Vec<&str> = app
        .visible_rows()
        .into_iter()
        .filter(|r| r.is_idle(app.server_now()))
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(idle, ["dave", "erin"]);
}

#[test]
fn the_servers_clock_tells_idle_whatever_this_machines_says() {
    // This machine's clock is a day ahead of the server's.
    let local = ten() + Duration::from_secs(86_400);
    let mut app = App::new("http://h", local, (80, 24), false);
    app.update(Action::State(Box::new(lesson_state([1, 2, 3, 4])), local));
    assert_eq!(app.server_now(), ten());
    assert!(!app.visible_rows()[0].is_idle(app.server_now()));
}

#[test]
fn a_newer_state_replaces_the_board_and_an_older_one_is_ignored() {
    let mut app = app_with(lesson_state([1, 2, 3, 4]), (80, 24));
    app.update(Action::Connection(Connection::Reconnecting {
        attempt: 2,
        why: "down".into(),
    }));
    let mut older = lesson_state([1, 2, 3, 4]);
    older.version = 3;
    older.class = "old".into();
    assert_eq!(
        app.update(Action::State(Box::new(older), ten())),
        Effect::Nothing
    );
    let mut newer = lesson_state([1, 2, 3, 4]);
    newer.version = 8;
    newer.learners.truncate(1);
    assert_eq!(
        app.update(Action::State(Box::new(newer), ten())),
        Effect::Draw
    );
    assert_eq!(names(&app), ["alice"]);
    assert_eq!(app.connection, Connection::Live);
    // The same connection news twice draws once.
    assert_eq!(
        app.update(Action::Connection(Connection::Live)),
        Effect::Nothing
    );
}

#[test]
fn scrolling_stays_within_the_learners() {
    let mut state = lesson_state([1, 2, 3, 4]);
    let template = state.learners[0].clone();
    for i in 0..40 {
        let mut learner = template.clone();
        learner.name = format!("learner-{i:02}");
        if let Some(record) = &mut learner.record {
            record.learner = learner.name.clone();
        }
        state.learners.push(learner);
    }
    let mut app = app_with(state, (80, 24));
    let page = usize::from(crate::class::watch::render::table_rows(&app));
    assert!(page > 5, "{page}");
    command(&mut app, Command::ScrollUp);
    assert_eq!(app.scroll, 0);
    command(&mut app, Command::PageDown);
    assert_eq!(app.scroll, page);
    command(&mut app, Command::Bottom);
    assert_eq!(app.scroll, 45 - page);
    command(&mut app, Command::ScrollDown);
    assert_eq!(app.scroll, 45 - page);
    // A taller terminal shows more: the scroll shrinks to fit.
    app.update(Action::Resize(80, 80));
    assert!(app.scroll < 45 - page, "{}", app.scroll);
    command(&mut app, Command::Top);
    assert_eq!(app.scroll, 0);
}

#[test]
fn help_closes_on_any_key_and_quitting_and_signals_end_it() {
    let mut app = app_with(lesson_state([1, 2, 3, 4]), (80, 24));
    command(&mut app, Command::Help);
    assert!(app.help);
    assert_eq!(command(&mut app, Command::CycleSort), Effect::Draw);
    assert!(!app.help);
    assert_eq!(app.sort, SortBy::Name, "the key closed the help only");
    command(&mut app, Command::Help);
    assert_eq!(command(&mut app, Command::Quit), Effect::Quit(Ending::Quit));
    assert_eq!(
        app.update(Action::Signal(15)),
        Effect::Quit(Ending::Signal(15))
    );
    assert_eq!(
        app.update(Action::Refused("no".into())),
        Effect::Quit(Ending::Refused("no".into()))
    );
}

#[test]
fn tab_goes_through_the_lessons_and_courses_of_the_class() {
    let mut state = lesson_state([1, 2, 3, 4]);
    let mut course = state.learners[0].clone();
    course.name = "zoe".into();
    course.record = Some(crate::report::fixtures::course_record(
        "zoe",
        "course",
        &[("a", "passed 60"), ("b", "failing 2")],
    ));
    state.learners.push(course);
    let mut app = app_with(state, (80, 24));
    assert_eq!(app.current_part().unwrap().slug, "demo");
    command(&mut app, Command::NextPart);
    assert_eq!(app.current_part().unwrap().slug, "course");
    // erin, who sent nothing yet, is in both.
    assert_eq!(names(&app), ["erin", "zoe"]);
    command(&mut app, Command::NextPart);
    assert_eq!(app.current_part().unwrap().slug, "demo");
}
