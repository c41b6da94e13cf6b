//! The class state as the dashboard shows it: one part per lesson or course
//! of the class (as `labrun report` has them), each learners × steps or
//! learners × challenges, every learner's row carrying where they are stuck
//! (the first step or challenge failing: for how long, after how many
//! checks, on which condition) and when the server last heard from them.
//! Built on `report::build`, so the dashboard and `labrun report URL` agree.

use crate::class::protocol::{ClassState, LearnerState};
use crate::report::{self, CellState, ChallengeCellState, Record};
use std::time::{Duration, SystemTime};

/// A learner the server has heard nothing from for this long is idle.
pub const IDLE_AFTER: Duration = Duration::from_secs(5 * 60);

#[derive(Debug, Clone, PartialEq)]
pub struct Board {
    pub class: String,
    /// The server's clock when it made the state.
    pub generated_at: Option<SystemTime>,
    /// Everyone who joined, with progress or not.
    pub joined: usize,
    /// Lessons first, then courses, each by slug (as the report has them);
    /// never empty (a class nobody has checked in yet has one part, of no steps).
    pub parts: Vec<Part>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    Lesson,
    Course,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub kind: PartKind,
    pub slug: String,
    pub columns: Vec<Column>,
    /// By name, as the report sorts them; learners without progress yet last.
    pub rows: Vec<Row>,
}

/// A step (a lesson) or a challenge (a course), with its class totals.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub id: String,
    pub title: String,
    pub started: usize,
    pub passed: usize,
    pub median_seconds: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    NotStarted,
    Passed,
    Failing,
    /// The check could not be evaluated.
    Error,
    /// Skipped (a course), or cannot run on the learner's machine (a lesson).
    Skipped,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BoardCell {
    pub mark: Mark,
    pub attempts: u32,
    /// To pass; while stuck, the time spent on it so far.
    pub seconds: Option<u64>,
    /// The first condition not passing at the last check.
    pub condition: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub name: String,
    pub cells: Vec<BoardCell>,
    /// Steps passed (challenges passed or skipped).
    pub done: usize,
    pub finished: bool,
    pub stuck: Option<Stuck>,
    /// When the server last received an event of theirs (else when they joined).
    pub last_seen: Option<SystemTime>,
}

/// Where a learner is stuck: the first column failing.
#[derive(Debug, Clone, PartialEq)]
pub struct Stuck {
    pub column: usize,
    pub seconds: u64,
    pub attempts: u32,
    pub condition: Option<String>,
}

impl Row {
    /// No event for [`IDLE_AFTER`] at `now` (the server's clock).
    pub fn is_idle(&self, now: SystemTime) -> bool {
        self.idle_for(now).is_some_and(|d| d >= IDLE_AFTER)
    }

    pub fn idle_for(&self, now: SystemTime) -> Option<Duration> {
        self.last_seen
            .map(|seen| now.duration_since(seen).unwrap_or_default())
    }
}

fn parse_time(text: Option<&str>) -> Option<SystemTime> {
    text.and_then(|t| humantime::parse_rfc3339_weak(t).ok())
}

fn last_seen(learner: &LearnerState) -> Option<SystemTime> {
    parse_time(learner.last_seen_at.as_deref()).or_else(|| parse_time(Some(&learner.joined_at)))
}

/// The learners with progress in `slug`, in the order the report lists
/// them (a stable sort by name of the state's order, as `report::build`
/// sorts), each with their record.
fn learners_of<'s>(state: &'s ClassState, slug: &str) -> Vec<(&'s LearnerState, &'s Record)> {
    let mut of: Vec<(&LearnerState, &Record)> = state
        .learners
        .iter()
        .filter_map(|l| l.record.as_ref().map(|r| (l, r)))
        .filter(|(_, r)| r.lesson == slug)
        .collect();
    of.sort_by(|(a, _), (b, _)| {
        (a.name.to_lowercase(), &a.name).cmp(&(b.name.to_lowercase(), &b.name))
    });
    of
}

impl Board {
    pub fn of(state: &ClassState) -> Board {
        let report = report::build(&state.records());
        let mut parts: Vec<Part> = Vec::new();
        for lesson in &report.lessons {
            let learners = learners_of(state, &lesson.lesson);
            let columns: Vec<Column> = lesson
                .steps
                .iter()
                .map(|s| Column {
                    id: s.id.clone(),
                    title: s.title.clone(),
                    started: s.started,
                    passed: s.passed,
                    median_seconds: s.median_seconds_to_pass,
                })
                .collect();
            let rows = lesson
                .learners
                .iter()
                .enumerate()
                .map(|(i, row)| {
                    let (learner, record) = learners.get(i).copied().unzip();
                    let cells: Vec<BoardCell> = row
                        .cells
                        .iter()
                        .zip(&columns)
                        .map(|(cell, column)| {
                            let mark = match cell.state {
                                CellState::NotStarted => Mark::NotStarted,
                                CellState::Passed => Mark::Passed,
                                CellState::Failing => Mark::Failing,
                                CellState::Error => Mark::Error,
                                CellState::Skipped => Mark::Skipped,
                            };
                            let spent = record
                                .and_then(|r| r.progress.steps.iter().find(|s| s.id == column.id))
                                .map(|s| s.seconds_spent);
                            BoardCell {
                                mark,
                                attempts: cell.attempts,
                                seconds: match mark {
                                    Mark::Passed => cell.seconds_to_pass,
                                    Mark::Failing | Mark::Error => spent,
                                    _ => None,
                                },
                                condition: cell.failing.first().cloned(),
                            }
                        })
                        .collect();
                    let finished = !columns.is_empty() && row.passed == columns.len();
                    make_row(&row.name, cells, row.passed, finished, learner)
                })
                .collect();
            parts.push(Part {
                kind: PartKind::Lesson,
                slug: lesson.lesson.clone(),
                columns,
                rows,
            });
        }
        for course in &report.courses {
            let learners = learners_of(state, &course.course);
            let columns: Vec<Column> = course
                .challenges
                .iter()
                .map(|c| Column {
                    id: c.slug.clone(),
                    title: c.title.clone(),
                    started: c.started,
                    passed: c.passed + c.skipped,
                    median_seconds: c.median_seconds_to_pass,
                })
                .collect();
            let rows = course
                .learners
                .iter()
                .enumerate()
                .map(|(i, row)| {
                    let learner = learners.get(i).map(|(l, _)| *l);
                    let cells: Vec<BoardCell> = row
                        .challenges
                        .iter()
                        .map(|cell| BoardCell {
                            mark: match cell.state {
                                ChallengeCellState::NotStarted => Mark::NotStarted,
                                ChallengeCellState::Passed => Mark::Passed,
                                ChallengeCellState::Skipped => Mark::Skipped,
                                ChallengeCellState::Failing => Mark::Failing,
                                ChallengeCellState::Error => Mark::Error,
                            },
                            attempts: cell.attempts,
                            seconds: cell.seconds,
                            condition: cell.failing.first().cloned(),
                        })
                        .collect();
                    let finished = !cells.is_empty() && row.done == cells.len();
                    make_row(&row.name, cells, row.done, finished, learner)
                })
                .collect();
            parts.push(Part {
                kind: PartKind::Course,
                slug: course.course.clone(),
                columns,
                rows,
            });
        }
        if parts.is_empty() {
            parts.push(Part {
                kind: PartKind::Lesson,
                slug: String::new(),
                columns: Vec::new(),
                rows: Vec::new(),
            });
        }
        // Learners who joined and sent nothing yet: in every part, nowhere yet.
        for learner in state.learners.iter().filter(|l| l.record.is_none()) {
            for part in &mut parts {
                let cells = part
                    .columns
                    .iter()
                    .map(|_| BoardCell {
                        mark: Mark::NotStarted,
                        attempts: 0,
                        seconds: None,
                        condition: None,
                    })
                    .collect();
                part.rows
                    .push(make_row(&learner.name, cells, 0, false, Some(learner)));
            }
        }
        Board {
            class: state.class.clone(),
            generated_at: parse_time(Some(&state.generated_at)),
            joined: state.learners.len(),
            parts,
        }
    }
}

fn make_row(
    name: &str,
    cells: Vec<BoardCell>,
    done: usize,
    finished: bool,
    learner: Option<&LearnerState>,
) -> Row {
    let stuck = cells
        .iter()
        .position(|c| matches!(c.mark, Mark::Failing | Mark::Error))
        .map(|column| {
            let cell = &cells[column];
            Stuck {
                column,
                seconds: cell.seconds.unwrap_or(0),
                attempts: cell.attempts,
                condition: cell.condition.clone(),
            }
        })
        .filter(|s| crate::class::is_stuck(s.seconds, s.attempts));
    Row {
        name: name.to_string(),
        cells,
        done,
        finished,
        stuck,
        last_seen: learner.and_then(last_seen),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures::{class, course_record};

    pub(crate) fn state_of(records: Vec<Record>) -> ClassState {
        ClassState {
            class: "room".into(),
            generated_at: "2026-01-05T10:00:00Z".into(),
            version: 1,
            learners: records
                .into_iter()
                .enumerate()
                .map(|(i, r)| LearnerState {
                    learner_id: i.to_string(),
                    name: r.learner.clone(),
                    joined_at: "2026-01-05T09:00:00Z".into(),
                    last_event_at: None,
                    last_seen_at: Some(format!("2026-01-05T09:{:02}:00Z", 50 + i)),
                    events: 1,
                    record: Some(r),
                })
                .collect(),
        }
    }

    #[test]
    fn a_lesson_class_has_its_rows_stuck_learners_and_totals() {
        let board = Board::of(&state_of(class()));
        assert_eq!(board.joined, 4);
        let part = &board.parts[0];
        assert_eq!(part.kind, PartKind::Lesson);
        let names: Vec<&str> = part.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["alice", "bob", "carol", "dave"]);
        let bob = &part.rows[1];
        let stuck = bob.stuck.as_ref().unwrap();
        assert_eq!((stuck.column, stuck.attempts), (1, 5));
        assert_eq!(stuck.condition.as_deref(), Some("c-a"));
        assert!(part.rows[0].finished && part.rows[0].stuck.is_none());
        assert_eq!(part.columns[0].passed, 2);
        // bob's last event (the state's 4th learner) at 09:53.
        let seen = humantime::parse_rfc3339("2026-01-05T09:53:00Z").unwrap();
        assert_eq!(bob.last_seen, Some(seen));
        assert!(!bob.is_idle(seen + Duration::from_secs(299)));
        assert!(bob.is_idle(seen + IDLE_AFTER));
    }

    #[test]
    fn a_course_class_and_a_learner_who_only_joined() {
        let mut state = state_of(vec![
            course_record("ann", "c", &[("a", "passed 60"), ("b", "failing 4")]),
            course_record("ben", "c", &[("a", "passed 90"), ("b", "passed 30")]),
        ]);
        let mut newcomer = state.learners[0].clone();
        newcomer.name = "new".into();
        newcomer.record = None;
        state.learners.push(newcomer);
        let board = Board::of(&state);
        let part = &board.parts[0];
        assert_eq!(part.kind, PartKind::Course);
        assert_eq!(part.columns.len(), 2);
        let ann = &part.rows[0];
        let stuck = ann.stuck.as_ref().unwrap();
        assert_eq!(
            (stuck.column, stuck.attempts, stuck.seconds),
            (1, 4, 25 * 60)
        );
        assert_eq!(stuck.condition.as_deref(), Some("FAIL: b is not done"));
        assert!(part.rows[1].finished);
        assert_eq!(part.rows[2].name, "new");
        assert!(
            part.rows[2]
                .cells
                .iter()
                .all(|c| c.mark == Mark::NotStarted)
        );
        assert_eq!(board.joined, 3);
    }
}
