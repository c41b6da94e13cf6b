//! Records and steps for the report's unit tests: a class of four learners
//! and the pieces to make others.

use super::record::Record;
use super::{RECORD_KIND, RECORD_SCHEMA};
use crate::checks::Status;
use crate::progress::{self, Condition, Progress, StepProgress};

pub fn cond(name: &str, status: Status) -> Condition {
    Condition {
        name: name.into(),
        status,
    }
}

/// A step: `None` never checked; else the status, attempts, seconds to
/// pass and the last check's conditions.
pub fn step(
    id: &str,
    status: Option<Status>,
    attempts: u32,
    seconds: Option<u64>,
    conditions: Vec<Condition>,
) -> StepProgress {
    let stamp = status.map(|_| "2026-01-05T09:00:00Z".to_string());
    StepProgress {
        challenge: None,
        id: id.into(),
        title: format!("Do {id}, carefully"),
        status,
        attempts,
        first_checked_at: stamp.clone(),
        first_passed_at: seconds.map(|_| "2026-01-05T09:10:00Z".into()),
        seconds_to_pass: seconds,
        seconds_spent: seconds.unwrap_or(0),
        last_checked_at: stamp,
        hints_shown: 0,
        conditions,
    }
}

pub fn record(learner: &str, lesson: &str, steps: Vec<StepProgress>) -> Record {
    Record {
        schema: RECORD_SCHEMA,
        kind: RECORD_KIND.into(),
        learner: learner.into(),
        lesson: lesson.into(),
        exported_at: "2026-01-05T10:00:00Z".into(),
        workspace_id: None,
        progress: Progress {
            schema: progress::SCHEMA,
            lesson: lesson.into(),
            steps,
            started_at: None,
            ..Progress::new(lesson)
        },
    }
}

pub fn passed(id: &str, seconds: u64) -> StepProgress {
    step(
        id,
        Some(Status::Pass),
        2,
        Some(seconds),
        vec![cond("ok", Status::Pass)],
    )
}

pub fn failing(id: &str, attempts: u32, conditions: Vec<Condition>) -> StepProgress {
    step(id, Some(Status::Fail), attempts, None, conditions)
}

pub fn not_started(id: &str) -> StepProgress {
    step(id, None, 0, None, vec![])
}

/// Four learners: done, stuck at `two`, not started, stuck at `one`
/// (given out of order).
pub fn class() -> Vec<Record> {
    use Status::{Fail, Pass};
    vec![
        record(
            "dave",
            "demo",
            vec![
                failing("one", 3, vec![cond("o1", Fail), cond("o2", Pass)]),
                failing("two", 3, vec![cond("c-a", Fail), cond("c-b", Fail)]),
                failing("three", 3, vec![cond("x", Fail)]),
            ],
        ),
        record(
            "alice",
            "demo",
            vec![passed("one", 720), passed("two", 180), passed("three", 45)],
        ),
        record(
            "carol",
            "demo",
            vec![not_started("one"), not_started("two"), not_started("three")],
        ),
        record(
            "bob",
            "demo",
            vec![
                passed("one", 300),
                failing("two", 5, vec![cond("c-a", Fail), cond("c-b", Pass)]),
                failing("three", 5, vec![cond("x", Fail)]),
            ],
        ),
    ]
}

/// A course's progress: each challenge `(slug, how)` in order, `how` one of
/// `passed SECONDS`, `skipped SECONDS`, `failing ATTEMPTS`, `error
/// ATTEMPTS`, `open` or `locked`. Each challenge has one step, its check
/// script (`check-shell`), entered at 09:00 and last checked at 09:25;
/// a failing one fails on “FAIL: SLUG is not done”.
pub fn course_progress(challenges: &[(&str, &str)]) -> Progress {
    use progress::{ChallengeProgress, ChallengeState};
    let mut p = Progress::new("course");
    p.started_at = Some("2026-01-05T09:00:00Z".into());
    for (slug, how) in challenges {
        let (how, number) = how.split_once(' ').unwrap_or((how, "0"));
        let number: u64 = number.parse().expect("a number");
        let attempts = u32::try_from(number).unwrap_or(u32::MAX);
        let condition = vec![cond(&format!("FAIL: {slug} is not done"), Status::Fail)];
        let (state, step) = match how {
            "passed" => (ChallengeState::Passed, Some(passed("check-shell", number))),
            "skipped" => (ChallengeState::Skipped, None),
            "failing" => (
                ChallengeState::Open,
                Some(failing("check-shell", attempts, condition)),
            ),
            "error" => (
                ChallengeState::Open,
                Some(step(
                    "check-shell",
                    Some(Status::Error),
                    attempts,
                    None,
                    vec![cond("the check could not run", Status::Error)],
                )),
            ),
            "open" => (ChallengeState::Open, None),
            "locked" => (ChallengeState::Locked, None),
            other => panic!("unknown challenge state {other}"),
        };
        let done = matches!(state, ChallengeState::Passed | ChallengeState::Skipped);
        let entered = !matches!(state, ChallengeState::Locked);
        p.challenges.push(ChallengeProgress {
            slug: slug.to_string(),
            title: format!("The {slug} challenge"),
            state,
            setup_done: entered,
            cleanup_done: done,
            started_at: entered.then(|| "2026-01-05T09:00:00Z".into()),
            finished_at: done.then(|| "2026-01-05T09:30:00Z".into()),
            seconds: done.then_some(number),
        });
        if let Some(mut step) = step {
            step.challenge = Some(slug.to_string());
            if how != "passed" {
                step.last_checked_at = Some("2026-01-05T09:25:00Z".into());
            }
            p.steps.push(step);
        }
    }
    p
}

/// A learner's record of the course `course` (see [`course_progress`]).
pub fn course_record(learner: &str, course: &str, challenges: &[(&str, &str)]) -> Record {
    let mut record = record(learner, course, Vec::new());
    record.progress = Progress {
        lesson: course.into(),
        ..course_progress(challenges)
    };
    record
}
