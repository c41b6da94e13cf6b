//! What happened between two states of a workspace's progress, as class
//! events: a pure function, so every writer of the progress (the lab,
//! `labrun check`, `labrun hint`, a course's lifecycle) makes the same
//! events from its change, and none has to say what it did.

use crate::checks::Status;
use crate::class::protocol::EventKind;
use crate::progress::{Condition, Progress, StepProgress};

/// An event before it is numbered, stamped and given the record.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub kind: EventKind,
    pub challenge: Option<String>,
    pub step: Option<String>,
    pub status: Option<Status>,
    pub conditions: Vec<Condition>,
}

impl Draft {
    fn new(kind: EventKind, challenge: Option<&str>) -> Draft {
        Draft {
            kind,
            challenge: challenge.map(str::to_string),
            step: None,
            status: None,
            conditions: Vec::new(),
        }
    }
}

/// The events that take `before` to `after`, in the order a learner lives
/// them: challenges entered, steps checked, hints shown, challenges finished.
pub fn events_between(before: &Progress, after: &Progress) -> Vec<Draft> {
    let mut started = Vec::new();
    let mut finished = Vec::new();
    for now in &after.challenges {
        let was = before.challenge(&now.slug);
        let was_started = was.is_some_and(|c| c.started_at.is_some());
        if now.started_at.is_some() && !was_started {
            started.push(Draft::new(EventKind::ChallengeStarted, Some(&now.slug)));
        }
        if now.state.is_done() && !was.is_some_and(|c| c.state.is_done()) {
            finished.push(Draft::new(EventKind::ChallengeFinished, Some(&now.slug)));
        }
    }
    let mut checks = Vec::new();
    let mut hints = Vec::new();
    for now in &after.steps {
        let was = before.step_in(now.challenge.as_deref(), &now.id);
        if was_checked(was, now) {
            checks.push(Draft {
                step: Some(now.id.clone()),
                status: now.status,
                conditions: now.conditions.clone(),
                ..Draft::new(EventKind::Check, now.challenge.as_deref())
            });
        }
        if now.hints_shown > was.map_or(0, |w| w.hints_shown) {
            hints.push(Draft {
                step: Some(now.id.clone()),
                ..Draft::new(EventKind::Hint, now.challenge.as_deref())
            });
        }
    }
    [started, checks, hints, finished].concat()
}

/// A check ran on the step: it counted an attempt, or its result or time
/// changed (an automatic re-check on a save counts no attempt).
fn was_checked(before: Option<&StepProgress>, now: &StepProgress) -> bool {
    if now.status.is_none() {
        return false;
    }
    match before {
        None => true,
        Some(was) => {
            was.attempts != now.attempts
                || was.status != now.status
                || was.conditions != now.conditions
                || was.last_checked_at != now.last_checked_at
        }
    }
}

/// The events that tell a class where a workspace already stands (joined
/// after some work): one check-less event carrying the record, if there is
/// anything to tell.
pub fn standing(progress: &Progress) -> Option<Draft> {
    let anything = progress.started_at.is_some()
        || progress.challenges.iter().any(|c| c.started_at.is_some())
        || progress.steps.iter().any(|s| s.hints_shown > 0);
    anything.then(|| Draft::new(EventKind::Check, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{Outcome, StepReport};
    use crate::progress::ChallengeState;
    use std::time::{Duration, SystemTime};

    fn at(seconds: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + seconds)
    }

    fn report(id: &str, status: Status) -> StepReport {
        StepReport {
            id: id.into(),
            title: id.to_uppercase(),
            status,
            outcomes: vec![Outcome::fail("file exists", "no")],
        }
    }

    #[test]
    fn nothing_changed_is_no_event() {
        let mut p = Progress::new("l");
        p.record(&[report("a", Status::Fail)], at(0), true);
        assert!(events_between(&p, &p).is_empty());
        let mut moved = p.clone();
        moved.resume = Some(crate::progress::Resume {
            step: 1,
            scroll: 3,
            challenge: None,
        });
        assert!(
            events_between(&p, &moved).is_empty(),
            "resume is not an event"
        );
    }

    #[test]
    fn each_step_checked_is_one_check_event_with_its_conditions() {
        let before = Progress::new("l");
        let mut after = before.clone();
        after.record(
            &[report("a", Status::Fail), report("b", Status::Pass)],
            at(0),
            true,
        );
        let events = events_between(&before, &after);
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].kind, EventKind::Check);
        assert_eq!(events[0].step.as_deref(), Some("a"));
        assert_eq!(events[0].status, Some(Status::Fail));
        assert_eq!(events[0].conditions[0].name, "file exists");
        assert_eq!(events[1].status, Some(Status::Pass));
        // A second attempt in the same second with the same result still counts.
        let mut again = after.clone();
        again.record(&[report("a", Status::Fail)], at(0), true);
        let events = events_between(&after, &again);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].step.as_deref(), Some("a"));
        // An automatic re-check that changed nothing is no event.
        let mut quiet = again.clone();
        quiet.record(&[report("a", Status::Fail)], at(0), false);
        assert!(events_between(&again, &quiet).is_empty());
    }

    #[test]
    fn hints_and_a_challenge_started_and_finished() {
        let before = Progress::new("course");
        let mut after = before.clone();
        after.enter_challenge("01-a", "A", at(0));
        after.record_in(Some("01-a"), &[report("s", Status::Pass)], at(5), true);
        after.record_hint_in(Some("01-a"), "s", "S");
        after.finish_challenge("01-a", "A", ChallengeState::Passed, at(6));
        let events = events_between(&before, &after);
        let kinds: Vec<(EventKind, Option<&str>)> = events
            .iter()
            .map(|d| (d.kind, d.challenge.as_deref()))
            .collect();
        assert_eq!(
            kinds,
            [
                (EventKind::ChallengeStarted, Some("01-a")),
                (EventKind::Check, Some("01-a")),
                (EventKind::Hint, Some("01-a")),
                (EventKind::ChallengeFinished, Some("01-a")),
            ]
        );
        // Skipping after the pass finishes nothing new.
        let mut skipped = after.clone();
        skipped.finish_challenge("01-a", "A", ChallengeState::Skipped, at(9));
        assert!(events_between(&after, &skipped).is_empty());
    }

    #[test]
    fn the_standing_is_told_only_when_there_is_some() {
        let mut p = Progress::new("l");
        assert_eq!(standing(&p), None);
        p.record_hint("a", "A");
        assert_eq!(standing(&p).unwrap().kind, EventKind::Check);
    }
}
