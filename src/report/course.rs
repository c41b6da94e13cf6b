//! A class's progress in a course: learners × challenges (passed and how
//! long it took, skipped, failing on which condition after how many checks,
//! not started), class totals per challenge, and who is stuck — longest on
//! one challenge, most checks failed. Built from records alone (challenge
//! titles come from them); pure and deterministic.

use super::build::{FailingCondition, median, merge_order, most_common};
use super::record::Record;
use super::standing::{self, ChallengeStanding, Standing};
use serde::Serialize;

/// One course's table.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct CourseReport {
    /// The course's slug.
    pub course: String,
    /// In course order: what the records list, merged.
    pub challenges: Vec<ChallengeSummary>,
    /// Sorted by name (case-insensitively, then exactly).
    pub learners: Vec<CourseLearner>,
    /// Learners who passed or skipped every challenge.
    pub finished: usize,
    /// In course order: the challenges someone is stuck at.
    pub stuck: Vec<StuckInChallenge>,
    /// The stuck learner who has been longest on one challenge.
    pub longest: Option<StuckLearner>,
    /// The stuck learner whose checks failed most often.
    pub most_attempts: Option<StuckLearner>,
}

/// Class totals of one challenge.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct ChallengeSummary {
    pub slug: String,
    pub title: String,
    /// Learners who passed, skipped or checked it.
    pub started: usize,
    pub passed: usize,
    pub skipped: usize,
    /// Learners whose last check of it failed (or could not be checked).
    pub stuck: usize,
    pub median_seconds_to_pass: Option<u64>,
    /// Among learners stuck at it, the condition failing for most.
    pub most_failing: Option<FailingCondition>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct CourseLearner {
    pub name: String,
    /// Challenges passed or skipped.
    pub done: usize,
    /// One per challenge, in course order.
    pub challenges: Vec<ChallengeCell>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct ChallengeCell {
    pub state: ChallengeCellState,
    /// Checks of the challenge.
    pub attempts: u32,
    /// To pass or skip it; while failing, the time at work on it so far.
    pub seconds: Option<u64>,
    pub hints_shown: u32,
    /// The step failing at the last check (failing or error only).
    pub step: Option<String>,
    /// That step's conditions not passing at the last check.
    pub failing: Vec<String>,
}

#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ChallengeCellState {
    /// Locked, or open with no failing check.
    NotStarted,
    Passed,
    Skipped,
    /// Its last check failed.
    Failing,
    /// Its last check could not be evaluated.
    Error,
}

impl ChallengeCellState {
    /// Failing or error: the learner is stuck here.
    pub fn is_stuck(self) -> bool {
        matches!(
            self,
            ChallengeCellState::Failing | ChallengeCellState::Error
        )
    }
}

/// The learners stuck at one challenge.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct StuckInChallenge {
    pub challenge: String,
    pub title: String,
    /// By name.
    pub learners: Vec<StuckLearner>,
    pub most_failing: Option<FailingCondition>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct StuckLearner {
    pub name: String,
    pub challenge: String,
    /// Failing or error.
    pub state: ChallengeCellState,
    pub attempts: u32,
    pub seconds: Option<u64>,
    pub step: Option<String>,
    /// The first condition not passing at the last check.
    pub condition: Option<String>,
}

/// The report of `records`, all of the course `course`, sorted by learner.
pub fn build_course(course: &str, mut records: Vec<&Record>) -> CourseReport {
    records.sort_by(|a, b| {
        (a.learner.to_lowercase(), &a.learner).cmp(&(b.learner.to_lowercase(), &b.learner))
    });
    let each: Vec<Vec<ChallengeStanding>> = records
        .iter()
        .map(|r| standing::standings(&r.progress))
        .collect();
    let listed: Vec<Vec<(String, String)>> = each
        .iter()
        .map(|s| {
            s.iter()
                .map(|c| (c.slug.clone(), c.title.clone()))
                .collect()
        })
        .collect();
    let columns = merge_order(&listed);
    let learners: Vec<CourseLearner> = records
        .iter()
        .zip(&each)
        .map(|(record, standings)| {
            let challenges: Vec<ChallengeCell> = columns
                .iter()
                .map(|(slug, _)| cell(standings.iter().find(|c| &c.slug == slug)))
                .collect();
            CourseLearner {
                name: record.learner.clone(),
                done: challenges.iter().filter(|c| is_done(c.state)).count(),
                challenges,
            }
        })
        .collect();
    let challenges: Vec<ChallengeSummary> = columns
        .iter()
        .enumerate()
        .map(|(i, (slug, title))| summarize(slug, title, &learners, i))
        .collect();
    let stuck = stuck_by_challenge(&challenges, &learners);
    let everyone = || stuck.iter().flat_map(|at| &at.learners);
    let longest = everyone()
        .max_by_key(|l| (l.seconds, l.attempts, std::cmp::Reverse(&l.name)))
        .cloned();
    let most_attempts = everyone()
        .max_by_key(|l| (l.attempts, l.seconds, std::cmp::Reverse(&l.name)))
        .cloned();
    CourseReport {
        course: course.to_string(),
        finished: learners
            .iter()
            .filter(|l| !columns.is_empty() && l.done == columns.len())
            .count(),
        challenges,
        learners,
        stuck,
        longest,
        most_attempts,
    }
}

fn is_done(state: ChallengeCellState) -> bool {
    matches!(
        state,
        ChallengeCellState::Passed | ChallengeCellState::Skipped
    )
}

fn cell(standing: Option<&ChallengeStanding>) -> ChallengeCell {
    let Some(c) = standing else {
        return ChallengeCell {
            state: ChallengeCellState::NotStarted,
            attempts: 0,
            seconds: None,
            hints_shown: 0,
            step: None,
            failing: Vec::new(),
        };
    };
    let (state, step, failing) = match &c.standing {
        Standing::Locked | Standing::Open => (ChallengeCellState::NotStarted, None, Vec::new()),
        Standing::Passed => (ChallengeCellState::Passed, None, Vec::new()),
        Standing::Skipped => (ChallengeCellState::Skipped, None, Vec::new()),
        Standing::Failing(f) => (
            if f.error {
                ChallengeCellState::Error
            } else {
                ChallengeCellState::Failing
            },
            Some(f.step.clone()),
            f.conditions.clone(),
        ),
    };
    ChallengeCell {
        seconds: c
            .seconds
            .filter(|_| state != ChallengeCellState::NotStarted),
        state,
        attempts: c.attempts,
        hints_shown: c.hints_shown,
        step,
        failing,
    }
}

fn summarize(slug: &str, title: &str, learners: &[CourseLearner], i: usize) -> ChallengeSummary {
    let cells: Vec<&ChallengeCell> = learners.iter().map(|l| &l.challenges[i]).collect();
    let count = |state| cells.iter().filter(|c| c.state == state).count();
    let mut times: Vec<u64> = cells
        .iter()
        .filter(|c| c.state == ChallengeCellState::Passed)
        .filter_map(|c| c.seconds)
        .collect();
    times.sort_unstable();
    let stuck: Vec<&[String]> = cells
        .iter()
        .filter(|c| c.state.is_stuck())
        .map(|c| c.failing.as_slice())
        .collect();
    ChallengeSummary {
        slug: slug.to_string(),
        title: title.to_string(),
        started: cells
            .iter()
            .filter(|c| c.state != ChallengeCellState::NotStarted)
            .count(),
        passed: count(ChallengeCellState::Passed),
        skipped: count(ChallengeCellState::Skipped),
        stuck: stuck.len(),
        median_seconds_to_pass: median(&times),
        most_failing: most_common(&stuck),
    }
}

fn stuck_by_challenge(
    challenges: &[ChallengeSummary],
    learners: &[CourseLearner],
) -> Vec<StuckInChallenge> {
    let mut stuck = Vec::new();
    for (i, challenge) in challenges.iter().enumerate() {
        let here: Vec<StuckLearner> = learners
            .iter()
            .filter(|l| l.challenges[i].state.is_stuck())
            .map(|l| {
                let cell = &l.challenges[i];
                StuckLearner {
                    name: l.name.clone(),
                    challenge: challenge.slug.clone(),
                    state: cell.state,
                    attempts: cell.attempts,
                    seconds: cell.seconds,
                    step: cell.step.clone(),
                    condition: cell.failing.first().cloned(),
                }
            })
            .collect();
        if !here.is_empty() {
            stuck.push(StuckInChallenge {
                challenge: challenge.slug.clone(),
                title: challenge.title.clone(),
                learners: here,
                most_failing: challenge.most_failing.clone(),
            });
        }
    }
    stuck
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures::course_record;

    const COURSE: [&str; 4] = ["leave-a-note", "look-around", "quiz", "tidy-up"];

    fn class() -> Vec<Record> {
        let learner = |name: &str, hows: [&'static str; 4]| {
            let challenges: Vec<(&str, &str)> = COURSE.iter().copied().zip(hows).collect();
            course_record(name, "shell-basics", &challenges)
        };
        vec![
            learner("dave", ["passed 60", "error 2", "locked", "locked"]),
            learner(
                "alice",
                ["passed 120", "passed 300", "skipped 5", "passed 45"],
            ),
            learner("carol", ["open", "locked", "locked", "locked"]),
            learner("bob", ["passed 240", "failing 6", "locked", "locked"]),
        ]
    }

    #[test]
    fn learners_by_challenge_with_totals() {
        let records = class();
        let report = build_course("shell-basics", records.iter().collect());
        let names: Vec<&str> = report.learners.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["alice", "bob", "carol", "dave"]);
        let slugs: Vec<&str> = report.challenges.iter().map(|c| c.slug.as_str()).collect();
        assert_eq!(slugs, COURSE);
        assert_eq!(report.challenges[1].title, "The look-around challenge");
        assert_eq!(report.finished, 1);
        let alice = &report.learners[0];
        assert_eq!(alice.done, 4);
        assert_eq!(alice.challenges[2].state, ChallengeCellState::Skipped);
        let bob = &report.learners[1].challenges[1];
        assert_eq!(bob.state, ChallengeCellState::Failing);
        assert_eq!((bob.attempts, bob.seconds), (6, Some(1500)));
        assert_eq!(bob.step.as_deref(), Some("check-shell"));
        assert_eq!(bob.failing, ["FAIL: look-around is not done"]);
        // Carol entered the first challenge and has not checked it.
        assert_eq!(
            report.learners[2].challenges[0].state,
            ChallengeCellState::NotStarted
        );
        let first = &report.challenges[0];
        assert_eq!((first.started, first.passed, first.stuck), (3, 3, 0));
        assert_eq!(first.median_seconds_to_pass, Some(120));
        let second = &report.challenges[1];
        assert_eq!((second.passed, second.stuck), (1, 2));
        assert_eq!(report.challenges[2].skipped, 1);
    }

    #[test]
    fn who_is_stuck_longest_and_with_most_checks() {
        let records = class();
        let report = build_course("shell-basics", records.iter().collect());
        assert_eq!(report.stuck.len(), 1);
        let at = &report.stuck[0];
        assert_eq!(at.challenge, "look-around");
        let who: Vec<(&str, ChallengeCellState)> = at
            .learners
            .iter()
            .map(|l| (l.name.as_str(), l.state))
            .collect();
        assert_eq!(
            who,
            [
                ("bob", ChallengeCellState::Failing),
                ("dave", ChallengeCellState::Error)
            ]
        );
        let most = at.most_failing.as_ref().unwrap();
        assert_eq!((most.learners, most.of), (1, 2));
        // Both have been at it 25 minutes; bob checked more often.
        assert_eq!(report.longest.as_ref().unwrap().name, "bob");
        assert_eq!(report.most_attempts.as_ref().unwrap().name, "bob");
        assert_eq!(
            report.most_attempts.as_ref().unwrap().condition.as_deref(),
            Some("FAIL: look-around is not done")
        );
    }

    #[test]
    fn challenges_merge_across_records_and_missing_ones_are_not_started() {
        let older = course_record("ann", "c", &[("a", "passed 5"), ("c", "failing 1")]);
        let newer = course_record(
            "ben",
            "c",
            &[("a", "passed 5"), ("b", "open"), ("c", "open")],
        );
        let report = build_course("c", vec![&older, &newer]);
        let slugs: Vec<&str> = report.challenges.iter().map(|c| c.slug.as_str()).collect();
        assert_eq!(slugs, ["a", "b", "c"]);
        assert_eq!(
            report.learners[0].challenges[1].state,
            ChallengeCellState::NotStarted
        );
        assert_eq!(
            report.learners[0].challenges[2].state,
            ChallengeCellState::Failing
        );
        assert!(report.longest.is_some());
    }
}
