//! Where a learner stands in each challenge of a course, read from their
//! progress alone (no lesson directory needed): passed or skipped and how
//! long it took, locked, not started, or failing — at which step, on which
//! conditions, after how many checks, for how long. `labrun progress` shows
//! a learner theirs; class reports put every learner's side by side.
//!
//! A progress is a course when it names more than one challenge (in its
//! challenge list or its steps' keys); a lesson of one challenge is read
//! step by step, as it always was.

use crate::checks::Status;
use crate::progress::{ChallengeState, Condition, Progress, StepProgress};

/// Where a learner is in one challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// An earlier challenge is not done yet.
    Locked,
    /// Reachable, and no check of it fails: not started, or between checks.
    Open,
    /// At the last check, one of its steps fails or could not be checked.
    Failing(Failing),
    Passed,
    /// The learner skipped it (where the course allows skipping).
    Skipped,
}

impl Standing {
    /// Passed or skipped: the next challenge is reachable.
    pub fn is_done(&self) -> bool {
        matches!(self, Standing::Passed | Standing::Skipped)
    }
}

/// The step a challenge is failing at, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failing {
    /// The first of its steps not passing at the last check.
    pub step: String,
    /// The check could not be evaluated (not the learner's fault).
    pub error: bool,
    /// The step's conditions not passing at the last check, in order.
    pub conditions: Vec<String>,
}

/// One challenge of a learner's course progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeStanding {
    pub slug: String,
    pub title: String,
    pub standing: Standing,
    /// Checks of the challenge: the most any of its steps was checked.
    pub attempts: u32,
    /// Time to pass or skip it; while it is not done, from entering it (or
    /// its first check) to its latest check — time at work, not time away.
    pub seconds: Option<u64>,
    pub hints_shown: u32,
}

/// The challenges a progress names, in order, with their titles: its
/// challenge list, then any challenge its steps name that the list lacks.
pub fn challenges(progress: &Progress) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = progress
        .challenges
        .iter()
        .map(|c| (c.slug.clone(), c.title.clone()))
        .collect();
    for slug in progress.steps.iter().filter_map(|s| s.challenge.as_deref()) {
        if !found.iter().any(|(known, _)| known == slug) {
            found.push((slug.to_string(), slug.to_string()));
        }
    }
    found
}

/// Whether `progress` is of a course of several challenges.
pub fn is_course(progress: &Progress) -> bool {
    challenges(progress).len() > 1
}

/// The steps recorded for the challenge `slug`, in recorded order.
pub fn steps_of<'p>(progress: &'p Progress, slug: &str) -> Vec<&'p StepProgress> {
    progress
        .steps
        .iter()
        .filter(|s| s.challenge.as_deref() == Some(slug))
        .collect()
}

/// Each challenge of `progress` (see [`challenges`]) and where it stands.
/// A challenge is locked only while the one before it is not done; one the
/// learner has checked is never locked, whatever was recorded.
pub fn standings(progress: &Progress) -> Vec<ChallengeStanding> {
    let mut out: Vec<ChallengeStanding> = Vec::new();
    for (slug, title) in challenges(progress) {
        let recorded = progress.challenge(&slug);
        let steps = steps_of(progress, &slug);
        let checked = steps.iter().any(|s| s.status.is_some());
        let reachable = out.last().is_none_or(|before| before.standing.is_done());
        let state = recorded.map(|c| c.state).unwrap_or_default();
        let standing = match state {
            ChallengeState::Passed => Standing::Passed,
            ChallengeState::Skipped => Standing::Skipped,
            _ => match failing(&steps) {
                Some(failing) => Standing::Failing(failing),
                None if checked || reachable => Standing::Open,
                None => Standing::Locked,
            },
        };
        let seconds = match &standing {
            Standing::Passed | Standing::Skipped => recorded.and_then(|c| c.seconds),
            _ => time_at_work(recorded.and_then(|c| c.started_at.as_deref()), &steps),
        };
        out.push(ChallengeStanding {
            slug,
            title,
            standing,
            attempts: steps.iter().map(|s| s.attempts).max().unwrap_or(0),
            seconds,
            hints_shown: steps.iter().map(|s| s.hints_shown).sum(),
        });
    }
    out
}

/// The challenge the learner is at: the first one not done.
pub fn current(standings: &[ChallengeStanding]) -> Option<usize> {
    standings.iter().position(|c| !c.standing.is_done())
}

/// The first step failing (or not checkable) at its last check.
fn failing(steps: &[&StepProgress]) -> Option<Failing> {
    let step = steps
        .iter()
        .find(|s| matches!(s.status, Some(Status::Fail) | Some(Status::Error)))?;
    Some(Failing {
        step: step.id.clone(),
        error: step.status == Some(Status::Error),
        conditions: not_passing(&step.conditions),
    })
}

/// The names of the conditions not passing, each once, in order.
pub(super) fn not_passing(conditions: &[Condition]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for c in conditions.iter().filter(|c| c.status != Status::Pass) {
        if !names.contains(&c.name) {
            names.push(c.name.clone());
        }
    }
    names
}

/// From entering the challenge (or its first check) to its latest check;
/// without stamps that parse, the longest any step took.
fn time_at_work(entered: Option<&str>, steps: &[&StepProgress]) -> Option<u64> {
    let parse = |stamp: Option<&str>| stamp.and_then(|t| humantime::parse_rfc3339(t).ok());
    let first = parse(entered).or_else(|| {
        steps
            .iter()
            .filter_map(|s| parse(s.first_checked_at.as_deref()))
            .min()
    });
    let last = steps
        .iter()
        .filter_map(|s| parse(s.last_checked_at.as_deref()))
        .max();
    if let (Some(first), Some(last)) = (first, last) {
        return Some(last.duration_since(first).map_or(0, |d| d.as_secs()));
    }
    steps
        .iter()
        .filter(|s| s.status.is_some())
        .map(|s| s.seconds_spent)
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures::{cond, course_progress, failing as failing_step, passed, step};

    #[test]
    fn a_lesson_of_one_is_not_a_course() {
        let mut lesson = Progress::new("demo");
        lesson.steps.push(passed("one", 5));
        assert!(!is_course(&lesson));
        assert!(standings(&lesson).is_empty());
        assert!(is_course(&course_progress(&[
            ("a", "passed 60"),
            ("b", "open")
        ])));
    }

    #[test]
    fn each_challenge_stands_where_its_state_and_checks_put_it() {
        let progress = course_progress(&[
            ("leave-a-note", "passed 120"),
            ("look-around", "failing 3"),
            ("check", "locked"),
            ("shout", "skipped 30"),
        ]);
        let all = standings(&progress);
        let slugs: Vec<&str> = all.iter().map(|c| c.slug.as_str()).collect();
        assert_eq!(slugs, ["leave-a-note", "look-around", "check", "shout"]);
        assert_eq!(all[0].standing, Standing::Passed);
        assert_eq!(all[0].seconds, Some(120));
        let Standing::Failing(f) = &all[1].standing else {
            panic!("{:?}", all[1]);
        };
        assert_eq!(f.step, "check-shell");
        assert_eq!(f.conditions, ["FAIL: look-around is not done"]);
        assert!(!f.error);
        assert_eq!(all[1].attempts, 3);
        // Entered 09:00, last checked 09:25.
        assert_eq!(all[1].seconds, Some(25 * 60));
        assert_eq!(all[2].standing, Standing::Locked);
        assert_eq!(all[3].standing, Standing::Skipped);
        assert_eq!(current(&all), Some(1));
    }

    #[test]
    fn reachable_challenges_are_open_and_checked_ones_never_locked() {
        let mut progress = course_progress(&[("a", "passed 60"), ("b", "locked"), ("c", "locked")]);
        let all = standings(&progress);
        assert_eq!(all[1].standing, Standing::Open, "a passed: b is reachable");
        assert_eq!(all[2].standing, Standing::Locked);
        // A check of `c` recorded under a locked state (an older lab): open.
        let mut checked = passed("check-shell", 5);
        checked.challenge = Some("c".into());
        progress.steps.push(checked);
        assert_eq!(standings(&progress)[2].standing, Standing::Open);
        // A challenge only its steps name is still listed, titled by its slug.
        let mut broken = step(
            "s",
            Some(Status::Error),
            2,
            None,
            vec![cond("x", Status::Error)],
        );
        broken.challenge = Some("d".into());
        progress.steps.push(broken);
        let all = standings(&progress);
        assert_eq!((all[3].slug.as_str(), all[3].title.as_str()), ("d", "d"));
        assert!(matches!(&all[3].standing, Standing::Failing(f) if f.error));
    }

    #[test]
    fn time_at_work_falls_back_to_the_steps_own_times() {
        let mut step = failing_step("s", 2, vec![]);
        step.first_checked_at = Some("garbled".into());
        step.last_checked_at = None;
        step.seconds_spent = 42;
        assert_eq!(time_at_work(None, &[&step]), Some(42));
        assert_eq!(time_at_work(None, &[]), None);
        let later = passed("t", 1);
        assert_eq!(
            time_at_work(Some("2026-01-05T08:59:00Z"), &[&later]),
            Some(60)
        );
    }
}
