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
