//! A course's effects, as the event loop carries them out: entering a
//! challenge, one passing, skipping one, a quiz's answer. Each effect is
//! one function here. What is bookkeeping is done at once: progress (a
//! course's challenges, by slug; a lesson of one keeps its file as it
//! always was) and the quiz's answers file. A course with lifecycle
//! scripts has them run by the course runtime (`course_run`) on a worker
//! thread — setup on entering, cleanup after a pass, solve on a skip — which
//! answers with an `Event` (`ChallengeReady`, `ChallengeSkipped`, and a
//! `Notice` for a script that failed), so the lab never waits on a script.

use super::EventLoop;
use crate::course_run::{CourseRun, Ran};
use crate::lesson::Course;
use crate::lifecycle::runner::RunOutcome;
use crate::progress::{ChallengeState, Progress};
use crate::tui::app::{Action, Recorded, Seen};
use crate::tui::event::Event;
use std::time::{Duration, Instant, SystemTime};

impl EventLoop {
    /// `Effect::EnterChallenge`: the lab opened on challenge `index`, or
    /// the learner moved there. Recorded (its clock starts once), then it
    /// is ready: its steps are checked.
    ///
    /// Course runtime: before it is ready, the track's setup scripts (once
    /// per workspace) and the challenge's (once), on a worker that sends
    /// `Event::ChallengeReady(index)` when they are done.
    pub(super) fn enter_challenge(&mut self, index: usize) {
        if let Some((slug, title)) = self.course_challenge(index) {
            let now = SystemTime::now();
            self.update_progress(|p| p.enter_challenge(&slug, &title, now));
            self.show_records();
        }
        if !self.run_lifecycle(index, Lifecycle::Enter) {
            self.update(Action::Saw(Seen::ChallengeReady(index)));
        }
    }

    /// `Effect::ChallengePassed`: every step of challenge `index` passes.
    /// Recorded as passed, with its time.
    ///
    /// Course runtime: its cleanup scripts, on a worker.
    pub(super) fn challenge_passed(&mut self, index: usize) {
        if let Some((slug, title)) = self.course_challenge(index) {
            let now = SystemTime::now();
            self.update_progress(|p| {
                p.finish_challenge(&slug, &title, ChallengeState::Passed, now)
            });
            self.show_records();
        }
        self.run_lifecycle(index, Lifecycle::Passed);
    }

    /// `Effect::Skip`: the learner confirmed skipping challenge `index`
    /// (the course allows it). Recorded as skipped, then the lab moves on.
    ///
    /// Course runtime: its solve scripts first, on a worker that records
    /// the skip and sends `Event::ChallengeSkipped(index)` when they are done.
    pub(super) fn skip_challenge(&mut self, index: usize) {
        if self.run_lifecycle(index, Lifecycle::Skip) {
            return;
        }
        if let Some((slug, title)) = self.course_challenge(index) {
            let now = SystemTime::now();
            self.update_progress(|p| {
                p.finish_challenge(&slug, &title, ChallengeState::Skipped, now)
            });
            self.show_records();
        }
        self.update(Action::Saw(Seen::ChallengeSkipped(index)));
    }

    /// `Effect::AnswerQuiz`: the learner submitted `chosen` for the quiz
    /// of challenge `challenge` (its slug): written where the quiz check
    /// reads it (`.labrun/answers.json`); the app asked for the check.
    pub(super) fn record_answer(&mut self, challenge: &str, chosen: &[usize]) {
        let recorded = crate::checks::quiz::record(&self.workspace.root, challenge, chosen);
        if let Err(e) = recorded {
            self.update(Action::Saw(Seen::Notice(format!(
                "your answer was not saved: {e}"
            ))));
        }
    }

    /// The slug and title of challenge `index` of a course of several
    /// (None for a lesson of one: its progress has no challenges).
    fn course_challenge(&self, index: usize) -> Option<(String, String)> {
        let index = resume_key(&self.course, index)?;
        let challenge = self.course.challenges.get(index)?;
        Some((challenge.slug.clone(), challenge.title().to_string()))
    }

    /// Runs `what` of challenge `index` on a worker when the course has
    /// lifecycle scripts (false when it has none: nothing to run). The
    /// worker answers with the event `what` ends in, after a `Notice` for
    /// each script that did not pass.
    fn run_lifecycle(&mut self, index: usize, what: Lifecycle) -> bool {
        let Some(runner) = self.session.runner().cloned() else {
            return false;
        };
        let course = self.course.clone();
        let workspace = self.workspace.clone();
        let vars = self.session.vars.clone();
        let tx = self.tx.clone();
        let spawned = std::thread::Builder::new()
            .name("lifecycle".into())
            .spawn(move || {
                let run = CourseRun {
                    course: &course,
                    workspace: &workspace,
                    runner: &runner,
                    vars: &vars,
                };
                let ran = match what {
                    Lifecycle::Enter => run.enter(index),
                    Lifecycle::Passed => run.passed(index),
                    Lifecycle::Skip => run.skip(index),
                };
                for notice in notices(&ran, &vars) {
                    let _ = tx.send(Event::Notice(notice));
                }
                let done = match what {
                    Lifecycle::Enter => Some(Event::ChallengeReady(index)),
                    Lifecycle::Passed => None,
                    Lifecycle::Skip => Some(Event::ChallengeSkipped(index)),
                };
                if let Some(done) = done {
                    let _ = tx.send(done);
                }
            });
        if let Err(e) = spawned {
            self.update(Action::Saw(Seen::Notice(format!(
                "the course's scripts could not start: {e}"
            ))));
            return false;
        }
        true
    }

    /// Tells the app what progress now records of the course.
    fn show_records(&mut self) {
        let records = records(&self.course, &self.progress);
        self.update(Action::Saw(Seen::Recorded(records)));
    }
}

/// What a lifecycle worker does for a challenge.
#[derive(Debug, Clone, Copy)]
enum Lifecycle {
    /// Track setup (once), then the challenge's setup (once).
    Enter,
    /// Its cleanup (once).
    Passed,
    /// Its solve scripts; then it is skipped.
    Skip,
}

/// One line for each script that did not pass (secrets redacted), with the
/// last line of what it printed.
fn notices(
    ran: &Result<Ran, crate::course_run::CourseRunError>,
    vars: &crate::lesson::Vars,
) -> Vec<String> {
    let ran = match ran {
        Ok(ran) => ran,
        Err(e) => return vec![vars.redact(&format!("the course's scripts could not run: {e}"))],
    };
    ran.results
        .iter()
        .filter(|r| !matches!(r.outcome, RunOutcome::Passed))
        .map(|r| {
            let last = r.transcript();
            let last = last
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            let said = if last.trim().is_empty() {
                String::new()
            } else {
                format!(": {last}")
            };
            vars.redact(&format!("{} {}{said}", r.name(), r.describe()))
        })
        .collect()
}

/// The course's challenges as `progress` records them, in course order.
pub(super) fn records(course: &Course, progress: &Progress) -> Vec<Recorded> {
    course
        .challenges
        .iter()
        .map(|challenge| match progress.challenge(&challenge.slug) {
            Some(record) => Recorded {
                state: record.state,
                seconds: record.seconds,
                entered: record.started_at.is_some(),
            },
            None => Recorded::default(),
        })
        .collect()
}

/// The challenge a course's progress names (resume point, step keys):
/// `index` in a course of several; none in a lesson of one.
pub(super) fn resume_key(course: &Course, index: usize) -> Option<usize> {
    (course.challenges.len() > 1).then_some(index)
}

/// When the course's time is up, where it shows a timer: its `timelimit`
/// from when the learner started it (the first challenge entered or step
/// checked, in this session or an earlier one; else `now`, the wall
/// clock's time at the instant `at`).
pub(super) fn timer_ends(
    course: &Course,
    progress: &Progress,
    now: SystemTime,
    at: Instant,
) -> Option<Instant> {
    let limit = course.timelimit.filter(|_| course.show_timer)?;
    let started = progress
        .challenges
        .iter()
        .filter_map(|c| c.started_at.as_deref())
        .chain(progress.started_at.as_deref())
        .filter_map(|stamp| humantime::parse_rfc3339(stamp).ok())
        .min()
        .unwrap_or(now);
    let ends = started + Duration::from_secs(limit);
    let left = ends.duration_since(now).unwrap_or(Duration::ZERO);
    Some(at + left)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn course() -> Course {
        let track = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/tracks/shell-basics"
        );
        Course::load(std::path::Path::new(track)).unwrap()
    }

    #[test]
    fn progress_gives_each_challenge_its_state_time_and_whether_it_was_entered() {
        let course = course();
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut progress = Progress::new(&course.slug);
        let first = &course.challenges[0];
        progress.enter_challenge(&first.slug, first.title(), t0);
        let later = t0 + Duration::from_secs(62);
        progress.finish_challenge(&first.slug, first.title(), ChallengeState::Passed, later);
        progress.enter_challenge(&course.challenges[1].slug, "Look around", later);
        let records = records(&course, &progress);
        assert_eq!(records.len(), 5);
        assert_eq!(
            records[0],
            Recorded {
                state: ChallengeState::Passed,
                seconds: Some(62),
                entered: true
            }
        );
        assert_eq!(records[1].state, ChallengeState::Open);
        assert!(records[1].entered);
        assert_eq!(records[2], Recorded::default());
        assert_eq!(resume_key(&course, 3), Some(3));
    }

    #[test]
    fn the_timer_counts_from_the_courses_start_and_only_where_it_shows() {
        let course = course();
        assert!(course.show_timer);
        assert_eq!(course.timelimit, Some(3600));
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let at = Instant::now();
        let fresh = Progress::new(&course.slug);
        assert_eq!(
            timer_ends(&course, &fresh, now, at),
            Some(at + Duration::from_secs(3600))
        );
        let mut started = Progress::new(&course.slug);
        let ten_minutes_ago = now - Duration::from_secs(600);
        started.enter_challenge(&course.challenges[0].slug, "Leave a note", ten_minutes_ago);
        assert_eq!(
            timer_ends(&course, &started, now, at),
            Some(at + Duration::from_secs(3000))
        );
        let mut long_ago = Progress::new(&course.slug);
        long_ago.enter_challenge("x", "X", now - Duration::from_secs(7200));
        assert_eq!(
            timer_ends(&course, &long_ago, now, at),
            Some(at),
            "time is up"
        );
        let mut quiet = course.clone();
        quiet.show_timer = false;
        assert_eq!(timer_ends(&quiet, &fresh, now, at), None);
        quiet.show_timer = true;
        quiet.timelimit = None;
        assert_eq!(timer_ends(&quiet, &fresh, now, at), None);
    }
}
