//! A class's progress from its records: learners × steps per lesson, who
//! passed, who is stuck where and on which condition, median times; a
//! course's records go to [`super::course`] (learners × challenges). Pure
//! and deterministic: the same records give the same report.

use super::course::{CourseReport, build_course};
use super::record::Record;
use super::standing::{is_course, not_passing};
use crate::checks::Status;
use crate::progress::StepProgress;
use serde::Serialize;
use std::collections::BTreeMap;

/// The version of `render_json`'s output.
pub const REPORT_SCHEMA: u32 = 1;

/// A class's progress, one table per lesson (lessons by slug) and one per
/// course (courses by slug): records of different lessons or courses are
/// never merged.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct ClassReport {
    pub schema: u32,
    pub lessons: Vec<LessonReport>,
    /// Absent when the records are of lessons only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub courses: Vec<CourseReport>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct LessonReport {
    pub lesson: String,
    /// In step order: what the records list, merged.
    pub steps: Vec<StepSummary>,
    /// Sorted by name (case-insensitively, then exactly).
    pub learners: Vec<LearnerRow>,
    /// Learners who passed every step.
    pub finished: usize,
    /// In step order: the steps someone is stuck at.
    pub stuck: Vec<StuckAt>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct StepSummary {
    pub id: String,
    pub title: String,
    /// Learners who checked it at least once.
    pub started: usize,
    pub passed: usize,
    pub median_seconds_to_pass: Option<u64>,
    /// Among learners not past this step, the condition failing for most.
    pub most_failing: Option<FailingCondition>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct FailingCondition {
    pub name: String,
    /// How many learners it fails for at their last check…
    pub learners: usize,
    /// …of this many who checked the step and have not passed it.
    pub of: usize,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct LearnerRow {
    pub name: String,
    /// Steps passed.
    pub passed: usize,
    /// One per step, in step order.
    pub cells: Vec<Cell>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Cell {
    pub state: CellState,
    pub attempts: u32,
    pub seconds_to_pass: Option<u64>,
    pub hints_shown: u32,
    /// The conditions not passing at the last check (none once passed).
    pub failing: Vec<String>,
}

#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum CellState {
    /// Never checked.
    NotStarted,
    /// Passed at some check (even if failing again since).
    Passed,
    /// Checked, never passed; failing at the last check.
    Failing,
    /// Checked, never passed; the last check could not be evaluated.
    Error,
    /// Checked, never passed; the step's check cannot run on the learner's
    /// machine (a script for a host labrun cannot provide). Not stuck.
    Skipped,
}

/// The learners stuck at a step: it is the first step they checked and have
/// not passed.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct StuckAt {
    pub step: String,
    pub title: String,
    pub learners: Vec<StuckLearner>,
    pub most_failing: Option<FailingCondition>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct StuckLearner {
    pub name: String,
    /// Failing or error.
    pub state: CellState,
    pub attempts: u32,
}

/// The class report of `records`: grouped by lesson, learners sorted by
/// name. A lesson some record of which names several challenges is a course.
pub fn build(records: &[Record]) -> ClassReport {
    let mut by_lesson: BTreeMap<&str, Vec<&Record>> = BTreeMap::new();
    for record in records {
        by_lesson.entry(&record.lesson).or_default().push(record);
    }
    let mut report = ClassReport {
        schema: REPORT_SCHEMA,
        lessons: Vec::new(),
        courses: Vec::new(),
    };
    for (slug, records) in by_lesson {
        if records.iter().any(|r| is_course(&r.progress)) {
            report.courses.push(build_course(slug, records));
        } else {
            report.lessons.push(build_lesson(slug, records));
        }
    }
    report
}

fn build_lesson(lesson: &str, mut records: Vec<&Record>) -> LessonReport {
    records.sort_by(|a, b| {
        (a.learner.to_lowercase(), &a.learner).cmp(&(b.learner.to_lowercase(), &b.learner))
    });
    let columns = step_order(&records);
    let learners: Vec<LearnerRow> = records
        .iter()
        .map(|r| {
            let cells: Vec<Cell> = columns
                .iter()
                .map(|(id, _)| cell(r.progress.steps.iter().find(|s| &s.id == id)))
                .collect();
            LearnerRow {
                name: r.learner.clone(),
                passed: cells
                    .iter()
                    .filter(|c| c.state == CellState::Passed)
                    .count(),
                cells,
            }
        })
        .collect();
    let steps: Vec<StepSummary> = columns
        .iter()
        .enumerate()
        .map(|(i, (id, title))| summarize(id, title, &learners, i))
        .collect();
    let mut stuck: Vec<StuckAt> = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let here: Vec<StuckLearner> = learners
            .iter()
            .filter(|l| stuck_at(l) == Some(i))
            .map(|l| StuckLearner {
                name: l.name.clone(),
                state: l.cells[i].state,
                attempts: l.cells[i].attempts,
            })
            .collect();
        if !here.is_empty() {
            stuck.push(StuckAt {
                step: step.id.clone(),
                title: step.title.clone(),
                learners: here,
                most_failing: step.most_failing.clone(),
            });
        }
    }
    LessonReport {
        lesson: lesson.to_string(),
        finished: learners
            .iter()
            .filter(|l| !columns.is_empty() && l.passed == columns.len())
            .count(),
        steps,
        learners,
        stuck,
    }
}

/// The steps of all records, merged in their order: a step one record lacks
/// goes right after the step it follows in another (or before the step it
/// precedes, when it is first).
fn step_order(records: &[&Record]) -> Vec<(String, String)> {
    let lists: Vec<Vec<(String, String)>> = records
        .iter()
        .map(|r| {
            let steps = r.progress.steps.iter();
            steps.map(|s| (s.id.clone(), s.title.clone())).collect()
        })
        .collect();
    merge_order(&lists)
}

/// Lists of (id, title) merged in their order: an id one list lacks goes
/// right after the id it follows in another (or before the id it precedes,
/// when it is first). The first title seen for an id is kept.
pub(super) fn merge_order(lists: &[Vec<(String, String)>]) -> Vec<(String, String)> {
    let mut order: Vec<(String, String)> = Vec::new();
    let position = |order: &[(String, String)], id: &str| order.iter().position(|(o, _)| o == id);
    for list in lists {
        let mut after: Option<usize> = None;
        for (j, (id, title)) in list.iter().enumerate() {
            if let Some(i) = position(&order, id) {
                after = Some(i);
                continue;
            }
            let at = after.map(|i| i + 1).unwrap_or_else(|| {
                list[j + 1..]
                    .iter()
                    .find_map(|(later, _)| position(&order, later))
                    .unwrap_or(order.len())
            });
            order.insert(at, (id.clone(), title.clone()));
            after = Some(at);
        }
    }
    order
}

fn cell(step: Option<&StepProgress>) -> Cell {
    let Some(step) = step else {
        return Cell {
            state: CellState::NotStarted,
            attempts: 0,
            seconds_to_pass: None,
            hints_shown: 0,
            failing: Vec::new(),
        };
    };
    let state = match step.status {
        None => CellState::NotStarted,
        Some(_) if step.first_passed_at.is_some() => CellState::Passed,
        Some(Status::Pass) => CellState::Passed,
        Some(Status::Fail) => CellState::Failing,
        Some(Status::Error) => CellState::Error,
        Some(Status::Skipped) => CellState::Skipped,
    };
    let failing = match state {
        CellState::Failing | CellState::Error => not_passing(&step.conditions),
        _ => Vec::new(),
    };
    Cell {
        state,
        attempts: step.attempts,
        seconds_to_pass: step.seconds_to_pass.filter(|_| state == CellState::Passed),
        hints_shown: step.hints_shown,
        failing,
    }
}

fn is_stuck(state: CellState) -> bool {
    matches!(state, CellState::Failing | CellState::Error)
}

/// The first step this learner checked and has not passed.
fn stuck_at(learner: &LearnerRow) -> Option<usize> {
    learner.cells.iter().position(|c| is_stuck(c.state))
}

fn summarize(id: &str, title: &str, learners: &[LearnerRow], i: usize) -> StepSummary {
    let cells: Vec<&Cell> = learners.iter().map(|l| &l.cells[i]).collect();
    let mut times: Vec<u64> = cells
        .iter()
        .filter(|c| c.state == CellState::Passed)
        .filter_map(|c| c.seconds_to_pass)
        .collect();
    times.sort_unstable();
    let stuck: Vec<&[String]> = cells
        .iter()
        .filter(|c| is_stuck(c.state))
        .map(|c| c.failing.as_slice())
        .collect();
    StepSummary {
        id: id.to_string(),
        title: title.to_string(),
        started: cells
            .iter()
            .filter(|c| c.state != CellState::NotStarted)
            .count(),
        passed: cells
            .iter()
            .filter(|c| c.state == CellState::Passed)
            .count(),
        median_seconds_to_pass: median(&times),
        most_failing: most_common(&stuck),
    }
}

/// The condition failing for most of the learners stuck somewhere, given
/// each one's failing conditions (each learner counts a condition once;
/// the first named wins a tie).
pub(super) fn most_common(stuck: &[&[String]]) -> Option<FailingCondition> {
    let mut counts: Vec<(&String, usize)> = Vec::new();
    for failing in stuck {
        for name in *failing {
            match counts.iter_mut().find(|(n, _)| *n == name) {
                Some((_, count)) => *count += 1,
                None => counts.push((name, 1)),
            }
        }
    }
    let mut most: Option<(&String, usize)> = None;
    for (name, count) in counts {
        if most.is_none_or(|(_, best)| count > best) {
            most = Some((name, count));
        }
    }
    most.map(|(name, learners)| FailingCondition {
        name: name.clone(),
        learners,
        of: stuck.len(),
    })
}

/// The median of sorted values; the lower-rounded mean of the middle two.
pub(super) fn median(sorted: &[u64]) -> Option<u64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => {
            let (a, b) = (sorted[n / 2 - 1], sorted[n / 2]);
            Some(a / 2 + b / 2 + (a % 2 + b % 2) / 2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Painter;
    use crate::report::fixtures::{cond, not_started, passed, record, step};
    use crate::report::render::render_human;

    #[test]
    fn lessons_are_reported_apart_and_steps_merge_in_order() {
        let records = vec![
            record("zed", "beta", vec![passed("b1", 61)]),
            record("amy", "alpha", vec![not_started("a1"), not_started("a3")]),
            record("Bea", "alpha", vec![not_started("a2"), not_started("a3")]),
            record("bea", "alpha", vec![not_started("a0"), not_started("a1")]),
        ];
        let report = build(&records);
        let lessons: Vec<&str> = report.lessons.iter().map(|l| l.lesson.as_str()).collect();
        assert_eq!(lessons, ["alpha", "beta"]);
        let alpha = &report.lessons[0];
        let ids: Vec<&str> = alpha.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["a0", "a1", "a2", "a3"]);
        let names: Vec<&str> = alpha.learners.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["amy", "Bea", "bea"]);
        // A step missing from a record is not started.
        assert_eq!(alpha.learners[0].cells[0].state, CellState::NotStarted);
        assert_eq!(alpha.finished, 0);
        let text = render_human(&report, Painter::PLAIN);
        assert!(
            text.starts_with(
                "These records are of 2 different lessons, each reported on its own: alpha, beta.\n\n"
            ),
            "{text}"
        );
        assert!(text.contains("alpha — 3 learners, 0 finished"), "{text}");
        assert!(text.contains("\nbeta — 1 learner, 1 finished"), "{text}");
        assert!(text.contains("Stuck: nobody"), "{text}");
    }

    #[test]
    fn a_pass_counts_even_if_failing_again_and_errors_show_apart() {
        let mut regressed = passed("one", 60);
        regressed.status = Some(Status::Fail);
        let broken = step(
            "two",
            Some(Status::Error),
            4,
            None,
            vec![cond("api", Status::Error)],
        );
        let report = build(&[record("ann", "demo", vec![regressed, broken])]);
        let text = render_human(&report, Painter::PLAIN);
        assert!(text.contains("ann      ✓ 1m  ! 4  1/2"), "{text}");
        assert!(text.contains("two: ann (! 4)"), "{text}");
        assert!(text.contains("“api” (1 of 1)"), "{text}");
    }

    #[test]
    fn a_step_that_cannot_run_here_is_skipped_not_stuck() {
        let vm = step(
            "check-cluster",
            Some(Status::Skipped),
            1,
            None,
            vec![cond("the challenge's check", Status::Skipped)],
        );
        let report = build(&[record("ann", "demo", vec![vm])]);
        let cell = &report.lessons[0].learners[0].cells[0];
        assert_eq!(cell.state, CellState::Skipped);
        let text = render_human(&report, Painter::PLAIN);
        assert!(text.contains("ann      –              0/1"), "{text}");
        assert!(text.contains("Stuck: nobody"), "{text}");
        let csv = crate::report::render::render_csv(&report);
        assert!(csv.contains(",skipped,1,"), "{csv}");
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5]), Some(5));
        assert_eq!(median(&[1, 2, 9]), Some(2));
        assert_eq!(median(&[3, 8]), Some(5));
        assert_eq!(median(&[u64::MAX, u64::MAX]), Some(u64::MAX));
    }
}
