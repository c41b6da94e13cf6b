//! A course in the lab, update in and effects out: three challenges of the
//! `shell-basics` fixture track (a challenge with notes, one without, a
//! quiz), unlocking, moving, skipping, the quiz, the summary, the timer.

use super::*;
use crate::checks::{Outcome, Status, StepReport};
use crate::progress::ChallengeState::{self, Locked, Open, Passed, Skipped};
use std::time::Duration;

const TRACK: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/tracks/shell-basics"
);

/// The track's first three challenges: notes, a second one, the quiz.
fn course() -> Course {
    let mut course = Course::load(std::path::Path::new(TRACK)).unwrap();
    course.challenges.truncate(3);
    course
}

fn app() -> App {
    App::for_course(&course(), Vars::default(), (120, 40))
}

fn states(app: &App) -> Vec<ChallengeState> {
    app.course.challenges.iter().map(|c| c.state).collect()
}

fn report(app: &App, step: usize, outcome: Outcome) -> StepReport {
    StepReport {
        id: app.steps[step].id.clone(),
        title: app.steps[step].title.clone(),
        status: outcome.status,
        outcomes: vec![outcome],
    }
}

fn checked(app: &mut App, outcome: Outcome) -> Vec<Effect> {
    let reports = vec![report(app, 0, outcome)];
    app.update(Action::Saw(Seen::Checked(reports)))
}

fn pass(app: &mut App) -> Vec<Effect> {
    checked(app, Outcome::pass("check-shell", "exit 0"))
}

fn records(states: &[(ChallengeState, Option<u64>)]) -> Vec<Recorded> {
    states
        .iter()
        .map(|&(state, seconds)| Recorded {
            state,
            seconds,
            entered: state != Locked,
        })
        .collect()
}

/// The app on the quiz, the two challenges before it passed earlier.
fn on_the_quiz() -> App {
    let mut app = app();
    let done = records(&[(Passed, Some(62)), (Passed, Some(15)), (Locked, None)]);
    app.update(Action::Saw(Seen::Recorded(done)));
    app.open_challenge(app.course.resume_at(None));
    app.update(Action::Saw(Seen::Started));
    app
}

#[test]
fn a_course_enters_its_first_challenge_with_its_notes_and_locks_the_rest() {
    let mut app = app();
    assert!(app.course.is_course());
    assert_eq!(states(&app), [Open, Locked, Locked]);
    assert_eq!(
        app.update(Action::Saw(Seen::Started)),
        [Effect::EnterChallenge(0)]
    );
    assert_eq!(app.overlay, Some(Overlay::Notes));
    assert!(
        app.notes.is_empty(),
        "notes are not in the text of a course"
    );
    assert_eq!(
        app.update(Action::Saw(Seen::ChallengeReady(0))),
        [Effect::Check {
            steps: vec![0],
            asked: false
        }]
    );
    // The notes go away with a key, or with typing in the shell.
    app.update(Action::Command(Command::Close));
    assert_eq!(app.overlay, None);
    // A stale "ready" of another challenge changes nothing.
    assert_eq!(app.update(Action::Saw(Seen::ChallengeReady(2))), []);
}

#[test]
fn the_next_challenge_unlocks_when_every_step_passes() {
    let mut app = app();
    app.update(Action::Saw(Seen::Started));
    app.update(Action::Saw(Seen::ChallengeReady(0)));
    let failing = checked(
        &mut app,
        Outcome::fail("FAIL: no notes.txt", "no notes.txt"),
    );
    assert_eq!(failing, []);
    assert_eq!(states(&app), [Open, Locked, Locked]);
    assert_eq!(pass(&mut app), [Effect::ChallengePassed(0)]);
    assert_eq!(states(&app), [Passed, Open, Locked]);
    assert_eq!(
        app.message.as_deref(),
        Some("Challenge 1 of 3 passed — press Ctrl-] then > for the next")
    );
    // Passing again (a re-check) is not a second pass; failing does not take it back.
    assert_eq!(pass(&mut app), []);
    checked(&mut app, Outcome::fail("FAIL: x", "x"));
    assert_eq!(states(&app)[0], Passed);
    // The learner moves on: the next challenge is shown and entered.
    assert_eq!(
        app.update(Action::Command(Command::NextChallenge)),
        [Effect::EnterChallenge(1)]
    );
    assert_eq!(app.course.current, 1);
    assert_eq!(app.title, "Look around");
    assert!(app.steps.iter().all(|s| s.report.is_none()));
    assert_eq!(
        app.overlay, None,
        "a challenge without notes starts at once"
    );
    // And back: the first one, done, without its notes again.
    assert_eq!(
        app.update(Action::Command(Command::PrevChallenge)),
        [Effect::EnterChallenge(0)]
    );
    assert_eq!(app.overlay, None);
}

#[test]
fn a_passed_challenge_says_how_to_move_on_from_the_lab_too() {
    let mut app = app();
    app.update(Action::Saw(Seen::Started));
    app.focus = Focus::Lesson;
    pass(&mut app);
    assert_eq!(
        app.message.as_deref(),
        Some("Challenge 1 of 3 passed — press > for the next")
    );
}

#[test]
fn locked_challenges_are_not_entered() {
    let mut app = app();
    app.update(Action::Saw(Seen::Started));
    assert_eq!(app.update(Action::Command(Command::NextChallenge)), []);
    assert_eq!(
        app.message.as_deref(),
        Some("challenge 2 is locked: pass this one first (or S skips it)")
    );
    assert_eq!(app.update(Action::Command(Command::PrevChallenge)), []);
    assert_eq!(app.message.as_deref(), Some("this is the first challenge"));
    assert_eq!(app.course.current, 0);
}

#[test]
fn skipping_asks_first_then_moves_on() {
    let mut app = app();
    app.update(Action::Saw(Seen::Started));
    app.update(Action::Command(Command::Close));
    app.update(Action::Command(Command::SkipChallenge));
    assert_eq!(app.overlay, Some(Overlay::ConfirmSkip(0)));
    assert_eq!(app.update(Action::Confirm(false)), []);
    assert_eq!(app.message.as_deref(), Some("not skipping"));
    assert_eq!(states(&app)[0], Open);
    app.update(Action::Command(Command::SkipChallenge));
    assert_eq!(app.update(Action::Confirm(true)), [Effect::Skip(0)]);
    assert_eq!(app.course.skipping, Some(0));
    // Its check passing while the solve runs is not a pass.
    assert_eq!(pass(&mut app), []);
    assert_eq!(
        app.update(Action::Saw(Seen::ChallengeSkipped(0))),
        [Effect::EnterChallenge(1)]
    );
    assert_eq!(states(&app), [Skipped, Open, Locked]);
    assert_eq!(app.course.current, 1);
    assert_eq!(app.course.skipping, None);
    assert_eq!(app.message.as_deref(), Some("Challenge 1 of 3 skipped"));
}

#[test]
fn skipping_is_refused_where_the_course_does_not_allow_it() {
    let mut course = course();
    course.skipping_enabled = false;
    let mut app = App::for_course(&course, Vars::default(), (120, 40));
    app.update(Action::Command(Command::SkipChallenge));
    assert_eq!(app.overlay, None);
    assert_eq!(
        app.message.as_deref(),
        Some("this course does not allow skipping challenges")
    );
    app.update(Action::Command(Command::NextChallenge));
    assert_eq!(
        app.message.as_deref(),
        Some("challenge 2 is locked: pass this one first")
    );
}

#[test]
fn progress_recorded_earlier_resumes_the_course_where_it_was() {
    let mut app = app();
    let earlier = records(&[(Passed, Some(62)), (Open, None), (Locked, None)]);
    app.update(Action::Saw(Seen::Recorded(earlier)));
    assert_eq!(states(&app), [Passed, Open, Locked]);
    assert_eq!(app.course.challenges[0].seconds, Some(62));
    assert_eq!(app.course.resume_at(None), 1);
    assert_eq!(
        app.course.resume_at(Some(0)),
        0,
        "a done challenge, to review"
    );
    assert_eq!(app.course.resume_at(Some(2)), 1, "never a locked one");
    app.open_challenge(1);
    assert_eq!(
        app.update(Action::Saw(Seen::Started)),
        [Effect::EnterChallenge(1)]
    );
    assert_eq!(app.course.current, 1);
    // Progress never takes back what the lab saw done.
    let behind = records(&[(Open, None), (Open, None), (Locked, None)]);
    app.update(Action::Saw(Seen::Recorded(behind)));
    assert_eq!(states(&app), [Passed, Open, Locked]);
}

#[test]
fn a_quiz_takes_the_keys_and_submits_the_chosen_answer() {
    let mut app = on_the_quiz();
    assert_eq!(app.course.current, 2);
    assert_eq!(app.focus, Focus::Lesson, "a quiz is answered in the lab");
    let quiz = app.quiz.clone().unwrap();
    assert_eq!(quiz.challenge, "check-your-understanding");
    assert_eq!(quiz.answers.len(), 4);
    assert!(!quiz.several);
    app.update(Action::Command(Command::Answer(3)));
    app.update(Action::Command(Command::NextAnswer));
    assert_eq!(
        app.quiz.as_ref().unwrap().highlighted,
        3,
        "the last stays last"
    );
    app.update(Action::Command(Command::PrevAnswer));
    app.update(Action::Command(Command::PrevAnswer));
    app.update(Action::Command(Command::Answer(8)));
    assert_eq!(
        app.message.as_deref(),
        Some("the question has 4 answers: there is no answer 9")
    );
    assert_eq!(
        app.update(Action::Command(Command::SubmitAnswer)),
        [
            Effect::AnswerQuiz {
                challenge: "check-your-understanding".into(),
                chosen: vec![1]
            },
            Effect::Check {
                steps: vec![0],
                asked: true
            }
        ]
    );
    assert_eq!(app.quiz_status(), Some(QuizStatus::Checking));
    let wrong = "you chose \"It lists the files of a directory\": that is not the right answer";
    assert_eq!(checked(&mut app, Outcome::fail("quiz", wrong)), []);
    let shown: Vec<String> = app
        .quiz_lines(56)
        .into_iter()
        .filter_map(|l| match l {
            QuizLine::Status(_, text) => Some(text),
            _ => None,
        })
        .collect();
    assert_eq!(shown.join(" "), format!("✗ not right — {wrong}"));
    assert_eq!(states(&app)[2], Open);
    let right = "you chose \"It lists the files of a directory\": that is right";
    assert_eq!(
        checked(&mut app, Outcome::pass("quiz", right)),
        [Effect::ChallengePassed(2)]
    );
    assert_eq!(
        app.quiz_status(),
        Some(QuizStatus::Result(Status::Pass, right.into()))
    );
    // The last one: the course is done, and its summary shows.
    assert_eq!(app.overlay, Some(Overlay::Summary));
    assert_eq!(
        app.message.as_deref(),
        Some("Challenge 3 of 3 passed — the course is done: well done!")
    );
    app.update(Action::Command(Command::Close));
    app.update(Action::Command(Command::NextChallenge));
    assert_eq!(app.overlay, Some(Overlay::Summary), "> after the last");
}

#[test]
fn an_unanswered_quiz_says_nothing_until_the_learner_submits() {
    let mut app = on_the_quiz();
    checked(
        &mut app,
        Outcome::fail("quiz", "not answered yet: choose an answer"),
    );
    assert_eq!(app.quiz_status(), None);
}

#[test]
fn several_right_answers_are_marked_then_submitted() {
    let mut course = course();
    let answers = match &course.challenges[2].kind {
        crate::lesson::ChallengeKind::Quiz { answers, .. } => answers.clone(),
        other => panic!("{other:?}"),
    };
    course.challenges[2].kind = crate::lesson::ChallengeKind::Quiz {
        answers,
        solution: vec![0, 2],
    };
    let mut app = App::for_course(&course, Vars::default(), (120, 40));
    app.open_challenge(2);
    app.update(Action::Saw(Seen::Started));
    assert!(app.quiz.as_ref().unwrap().several);
    assert_eq!(app.update(Action::Command(Command::SubmitAnswer)), []);
    assert_eq!(
        app.message.as_deref(),
        Some("mark the right answers first (Space or an answer's number), then Enter")
    );
    for command in [
        Command::Answer(2),
        Command::Answer(3),
        Command::Answer(3),
        Command::PrevAnswer,
        Command::PrevAnswer,
        Command::PrevAnswer,
        Command::MarkAnswer,
    ] {
        app.update(Action::Command(command));
    }
    let quiz = app.quiz.as_ref().unwrap();
    assert_eq!(quiz.marked, [0, 2]);
    assert_eq!((quiz.mark(0), quiz.mark(1)), ("[x]", "[ ]"));
    let effects = app.update(Action::Command(Command::SubmitAnswer));
    assert_eq!(
        effects[0],
        Effect::AnswerQuiz {
            challenge: "check-your-understanding".into(),
            chosen: vec![0, 2]
        }
    );
}

#[test]
fn a_burst_that_was_text_puts_the_quiz_choice_back() {
    let mut app = on_the_quiz();
    let start = Instant::now();
    let mut effects = Vec::new();
    for (i, c) in "2x".chars().enumerate() {
        let key =
            ratatui::crossterm::event::KeyEvent::from(ratatui::crossterm::event::KeyCode::Char(c));
        let command = crate::tui::bindings::lookup(crate::tui::bindings::Context::Quiz, &key);
        let at = start + Duration::from_millis(30) * i as u32;
        effects.extend(app.update(Action::LabChar { c, command, at }));
    }
    assert_eq!(effects, [Effect::WriteShell(b"2x".to_vec())]);
    assert_eq!(app.quiz.as_ref().unwrap().highlighted, 0);
    // One key at a time, it chooses.
    let key =
        ratatui::crossterm::event::KeyEvent::from(ratatui::crossterm::event::KeyCode::Char('3'));
    let command = crate::tui::bindings::lookup(crate::tui::bindings::Context::Quiz, &key);
    app.focus = Focus::Lesson;
    let at = start + Duration::from_secs(5);
    app.update(Action::LabChar {
        c: '3',
        command,
        at,
    });
    assert_eq!(app.quiz.as_ref().unwrap().highlighted, 2);
}

#[test]
fn the_timer_wakes_the_loop_once_a_second_only_while_it_shows() {
    let mut app = app();
    assert_eq!(app.deadline(), None, "idle: no wake-up");
    let now = Instant::now();
    app.start_timer(now + Duration::from_secs(90), now);
    assert_eq!(app.timer.unwrap().label(), "⏱ 1:30 left");
    let wake = app.deadline().unwrap();
    assert_eq!(wake, now + Duration::from_secs(1));
    app.update(Action::Tick(wake));
    assert_eq!(app.timer.unwrap().label(), "⏱ 1:29 left");
    assert_eq!(app.deadline(), Some(now + Duration::from_secs(2)));
    app.update(Action::Tick(now + Duration::from_secs(90)));
    assert_eq!(app.timer.unwrap().label(), "⏱ time is up");
    assert_eq!(app.deadline(), None, "no ticks after the end");
}

#[test]
fn a_challenge_with_nothing_to_check_is_done_when_the_learner_says_so() {
    let mut course = course();
    course.challenges[0].steps.clear();
    let mut app = App::for_course(&course, Vars::default(), (120, 40));
    app.update(Action::Saw(Seen::Started));
    app.update(Action::Saw(Seen::ChallengeReady(0)));
    assert_eq!(
        app.message.as_deref(),
        Some("this challenge has nothing to check: F5 marks it done")
    );
    assert_eq!(
        app.update(Action::Command(Command::CheckCurrent)),
        [Effect::ChallengePassed(0)]
    );
    assert_eq!(states(&app), [Passed, Open, Locked]);
}

#[test]
fn a_lesson_of_one_is_entered_and_has_no_course_keys() {
    let lesson = Lesson::load(&crate::lesson::bundled::resolve(None).unwrap()).unwrap();
    let mut app = App::new(&lesson, Vars::default(), (120, 40));
    assert!(!app.course.is_course());
    assert_eq!(
        app.update(Action::Saw(Seen::Started)),
        [Effect::EnterChallenge(0)]
    );
    assert_eq!(app.overlay, None);
    assert_eq!(app.focus, Focus::Shell);
    app.update(Action::Command(Command::NextChallenge));
    assert_eq!(
        app.message.as_deref(),
        Some("this lesson is a single challenge")
    );
    app.update(Action::Command(Command::SkipChallenge));
    assert_eq!(
        app.message.as_deref(),
        Some("this course does not allow skipping challenges")
    );
    // Every step passing is the challenge passing (the runtime's cleanup), without a word.
    app.message = None;
    let reports: Vec<StepReport> = (0..app.steps.len())
        .map(|i| report(&app, i, Outcome::pass("ok", "ok")))
        .collect();
    assert_eq!(
        app.update(Action::Saw(Seen::Checked(reports))),
        [Effect::ChallengePassed(0)]
    );
    assert_eq!(app.message, None);
    assert_eq!(app.overlay, None);
}
