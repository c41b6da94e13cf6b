//! What a learner has done, step by step: recorded on every check in
//! `.labrun/progress.json`, read by `labrun progress` and instructors' reports.
//!
//! Several processes write it at once (the lab, `labrun check` and `hint`
//! in the lab's shell or in parallel), so every writer goes through
//! [`Progress::update`]: an advisory lock, a fresh read, the change, an
//! atomic rename. Nobody writes a copy held in memory over another's update.
//!
//! Schema 2 adds courses: each step names its challenge, and each challenge
//! has its own state (locked, open, passed, skipped) and lifecycle marks
//! (setup and cleanup done). A schema 1 file is a lesson of one challenge
//! and loads as it is: its steps name no challenge.

use crate::checks::{Status, StepReport};
use crate::fsutil::{self, write_atomic};
use serde::{Deserialize, Serialize};
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub const SCHEMA: u32 = 2;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub schema: u32,
    pub lesson: String,
    /// When the first check ran.
    pub started_at: Option<String>,
    /// In lesson order.
    pub steps: Vec<StepProgress>,
    /// A course's challenges, in course order; empty for a lesson of one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub challenges: Vec<ChallengeProgress>,
    /// The course's track setup scripts have run in this workspace.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub track_setup_done: bool,
    /// Where the learner was in the lab screen, to resume there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<Resume>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resume {
    pub step: usize,
    pub scroll: usize,
    /// The challenge on screen (its index in the course).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<usize>,
}

/// Where a challenge of a course stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChallengeState {
    /// Not reachable yet: an earlier challenge has not passed.
    #[default]
    Locked,
    /// Reachable; the learner may be working on it.
    Open,
    Passed,
    /// Skipped (its solve scripts ran, where the course allows skipping).
    Skipped,
}

impl ChallengeState {
    /// Passed or skipped: the next challenge is open.
    pub fn is_done(self) -> bool {
        matches!(self, ChallengeState::Passed | ChallengeState::Skipped)
    }
}

/// One challenge of a course in a workspace.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChallengeProgress {
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub state: ChallengeState,
    /// Its setup scripts have run (they run once, on entering it).
    #[serde(default)]
    pub setup_done: bool,
    /// Its cleanup scripts have run (after it passed).
    #[serde(default)]
    pub cleanup_done: bool,
    /// When the learner entered it.
    pub started_at: Option<String>,
    /// When it passed or was skipped.
    pub finished_at: Option<String>,
    /// Seconds from entering it to finishing it.
    pub seconds: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StepProgress {
    /// The challenge the step belongs to (its slug), in a course.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
    pub id: String,
    pub title: String,
    /// The status at the last check; `None` before any.
    pub status: Option<Status>,
    pub attempts: u32,
    pub first_checked_at: Option<String>,
    pub first_passed_at: Option<String>,
    /// Seconds from the first check of the step to its first pass.
    pub seconds_to_pass: Option<u64>,
    /// Time spent on the step: from its first check to its first pass, or
    /// to its latest check while it has not passed.
    #[serde(default)]
    pub seconds_spent: u64,
    pub last_checked_at: Option<String>,
    #[serde(default)]
    pub hints_shown: u32,
    /// Each condition of the last check.
    #[serde(default)]
    pub conditions: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    pub name: String,
    pub status: Status,
}

/// Why a workspace's progress could not be read or written; each names its file.
#[derive(Debug, thiserror::Error)]
pub enum ProgressError {
    /// Not a regular file, too large, not text, or an I/O error.
    #[error(transparent)]
    Unreadable(fsutil::ReadError),
    #[error("{}: damaged progress file (line {}): {source}", path.display(), source.line())]
    Damaged {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error(
        "{}: progress schema {schema} is newer than this labrun reads ({SCHEMA}): upgrade labrun",
        path.display()
    )]
    Newer { path: PathBuf, schema: u32 },
    #[error("{}: could not lock: {source}", path.display())]
    Lock { path: PathBuf, source: io::Error },
    #[error("{}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
}

impl Progress {
    pub fn new(lesson: &str) -> Progress {
        Progress {
            schema: SCHEMA,
            lesson: lesson.to_string(),
            started_at: None,
            steps: Vec::new(),
            challenges: Vec::new(),
            track_setup_done: false,
            resume: None,
        }
    }

    /// Reads `path`; a missing file is a fresh start. Only a regular file of
    /// at most [`fsutil::DEFAULT_READ_LIMIT`] bytes is read (a FIFO or a
    /// device is refused, never waited on).
    pub fn load(path: &Path, lesson: &str) -> Result<Progress, ProgressError> {
        match fsutil::read_text(path) {
            Ok(text) => {
                let mut progress: Progress =
                    serde_json::from_str(&text).map_err(|source| ProgressError::Damaged {
                        path: path.to_path_buf(),
                        source,
                    })?;
                if progress.schema > SCHEMA {
                    return Err(ProgressError::Newer {
                        path: path.to_path_buf(),
                        schema: progress.schema,
                    });
                }
                // Every older schema reads as this one; it is written back as this one.
                progress.schema = SCHEMA;
                Ok(progress)
            }
            Err(e) if e.is_not_found() => Ok(Progress::new(lesson)),
            Err(e) => Err(ProgressError::Unreadable(e)),
        }
    }

    /// Applies `change` to the progress on disk and writes it back, holding
    /// the progress lock from the read to the rename, so a concurrent
    /// writer's update is never lost. Returns the progress as written.
    pub fn update(
        path: &Path,
        lesson: &str,
        change: impl FnOnce(&mut Progress),
    ) -> Result<Progress, ProgressError> {
        Progress::update_observed(path, lesson, change, |_, _| {})
    }

    /// [`Progress::update`], handing `observe` the progress before and after
    /// the change while the lock is still held and before the write: a
    /// class's queue appends its events there, so they follow the order the
    /// progress changed in and are on disk before the change is.
    pub fn update_observed(
        path: &Path,
        lesson: &str,
        change: impl FnOnce(&mut Progress),
        observe: impl FnOnce(&Progress, &Progress),
    ) -> Result<Progress, ProgressError> {
        let lock = lock_path(path);
        let _held = fsutil::lock_exclusive(&lock)
            .map_err(|source| ProgressError::Lock { path: lock, source })?;
        let before = Progress::load(path, lesson)?;
        let mut progress = before.clone();
        change(&mut progress);
        observe(&before, &progress);
        progress.save(path).map_err(|source| ProgressError::Write {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(progress)
    }

    /// Writes this progress as is. Only for a file nobody else writes (an
    /// export, a test); shared progress goes through [`Progress::update`].
    pub fn save(&self, path: &Path) -> io::Result<()> {
        let written = Progress {
            schema: self.written_schema(),
            ..self.clone()
        };
        write_atomic(
            path,
            &serde_json::to_vec_pretty(&written).expect("progress serializes"),
        )
    }

    /// The schema this progress needs: 1 for a lesson of one challenge (so
    /// an instructor's older labrun still reads its exports), 2 for a course.
    pub fn written_schema(&self) -> u32 {
        let course = !self.challenges.is_empty()
            || self.track_setup_done
            || self.steps.iter().any(|s| s.challenge.is_some())
            || self.resume.is_some_and(|r| r.challenge.is_some());
        if course { SCHEMA } else { 1 }
    }

    /// A step of a lesson of one challenge.
    pub fn step(&self, id: &str) -> Option<&StepProgress> {
        self.step_in(None, id)
    }

    /// A step of `challenge` (None: a lesson of one challenge).
    pub fn step_in(&self, challenge: Option<&str>, id: &str) -> Option<&StepProgress> {
        self.steps
            .iter()
            .find(|s| s.id == id && s.challenge.as_deref() == challenge)
    }

    fn step_mut(&mut self, challenge: Option<&str>, id: &str, title: &str) -> &mut StepProgress {
        if let Some(index) = self
            .steps
            .iter()
            .position(|s| s.id == id && s.challenge.as_deref() == challenge)
        {
            return &mut self.steps[index];
        }
        self.steps.push(StepProgress {
            challenge: challenge.map(str::to_string),
            id: id.to_string(),
            title: title.to_string(),
            ..StepProgress::default()
        });
        self.steps.last_mut().expect("just pushed")
    }

    /// Records one check of these steps, made at `now`. `attempt` is false
    /// for the lab's automatic re-checks on file changes, which are not the
    /// learner trying.
    pub fn record(&mut self, reports: &[StepReport], now: SystemTime, attempt: bool) {
        self.record_in(None, reports, now, attempt);
    }

    /// [`Progress::record`] for the steps of one challenge of a course.
    pub fn record_in(
        &mut self,
        challenge: Option<&str>,
        reports: &[StepReport],
        now: SystemTime,
        attempt: bool,
    ) {
        let stamp = rfc3339(now);
        self.started_at.get_or_insert_with(|| stamp.clone());
        for report in reports {
            let step = self.step_mut(challenge, &report.id, &report.title);
            step.title = report.title.clone();
            step.attempts += u32::from(attempt);
            step.status = Some(report.status);
            step.first_checked_at.get_or_insert_with(|| stamp.clone());
            step.last_checked_at = Some(stamp.clone());
            if report.status == Status::Pass && step.first_passed_at.is_none() {
                step.first_passed_at = Some(stamp.clone());
                step.seconds_to_pass = Some(seconds_since(step.first_checked_at.as_deref(), now));
            }
            // Frozen at the first pass; until then, it grows with each check.
            step.seconds_spent = step
                .seconds_to_pass
                .unwrap_or_else(|| seconds_since(step.first_checked_at.as_deref(), now));
            step.conditions = report
                .outcomes
                .iter()
                .map(|o| Condition {
                    name: o.name.clone(),
                    status: o.status,
                })
                .collect();
        }
    }

    pub fn record_hint(&mut self, id: &str, title: &str) {
        self.record_hint_in(None, id, title);
    }

    pub fn record_hint_in(&mut self, challenge: Option<&str>, id: &str, title: &str) {
        self.step_mut(challenge, id, title).hints_shown += 1;
    }

    pub fn challenge(&self, slug: &str) -> Option<&ChallengeProgress> {
        self.challenges.iter().find(|c| c.slug == slug)
    }

    /// The challenge `slug`, added (locked) if the workspace has not seen it.
    pub fn challenge_mut(&mut self, slug: &str, title: &str) -> &mut ChallengeProgress {
        if let Some(index) = self.challenges.iter().position(|c| c.slug == slug) {
            return &mut self.challenges[index];
        }
        self.challenges.push(ChallengeProgress {
            slug: slug.to_string(),
            title: title.to_string(),
            ..ChallengeProgress::default()
        });
        self.challenges.last_mut().expect("just pushed")
    }

    /// The learner enters `slug`: it opens, and its clock starts once.
    pub fn enter_challenge(&mut self, slug: &str, title: &str, now: SystemTime) {
        let challenge = self.challenge_mut(slug, title);
        if challenge.state == ChallengeState::Locked {
            challenge.state = ChallengeState::Open;
        }
        challenge.started_at.get_or_insert_with(|| rfc3339(now));
    }

    /// `slug` passed or was skipped (`state`), at `now`; the first finish counts.
    pub fn finish_challenge(
        &mut self,
        slug: &str,
        title: &str,
        state: ChallengeState,
        now: SystemTime,
    ) {
        let challenge = self.challenge_mut(slug, title);
        if challenge.state.is_done() {
            return;
        }
        challenge.state = state;
        let stamp = rfc3339(now);
        challenge.seconds = Some(seconds_since(challenge.started_at.as_deref(), now));
        challenge.started_at.get_or_insert_with(|| stamp.clone());
        challenge.finished_at = Some(stamp);
    }
}

/// The lock every writer of `path` takes: `progress.json` → `progress.lock`,
/// beside it (never deleted; see [`fsutil::lock_exclusive`]).
fn lock_path(path: &Path) -> PathBuf {
    path.with_extension("lock")
}

/// Whole seconds from an RFC 3339 stamp to `now` (0 if unreadable or later).
fn seconds_since(stamp: Option<&str>, now: SystemTime) -> u64 {
    stamp
        .and_then(|t| humantime::parse_rfc3339(t).ok())
        .and_then(|first| now.duration_since(first).ok())
        .map_or(0, |d| d.as_secs())
}

fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Outcome;
    use std::time::Duration;

    fn report(status: Status) -> StepReport {
        StepReport {
            id: "bump-version".into(),
            title: "Bump".into(),
            status,
            outcomes: vec![Outcome::fail("version", "x")],
        }
    }

    #[test]
    fn counts_attempts_and_times_the_first_pass() {
        let mut p = Progress::new("lesson");
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        p.record(&[report(Status::Fail)], t0, true);
        p.record(&[report(Status::Pass)], t0 + Duration::from_secs(90), true);
        p.record(
            &[report(Status::Pass)],
            t0 + Duration::from_secs(200),
            false,
        );
        let step = p.step("bump-version").unwrap();
        assert_eq!(step.attempts, 2, "the automatic re-check is not an attempt");
        assert_eq!(step.seconds_to_pass, Some(90));
        assert_eq!(step.seconds_spent, 90, "frozen at the first pass");
        assert_eq!(
            step.first_passed_at.as_deref(),
            Some("2023-11-14T22:14:50Z")
        );
        assert_eq!(step.status, Some(Status::Pass));
    }

    #[test]
    fn saves_and_loads_and_names_a_damaged_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("progress.json");
        assert_eq!(Progress::load(&path, "l").unwrap(), Progress::new("l"));
        let mut p = Progress::new("l");
        p.record_hint("s", "S");
        p.save(&path).unwrap();
        assert_eq!(Progress::load(&path, "l").unwrap(), p);
        std::fs::write(&path, "{").unwrap();
        let err = Progress::load(&path, "l").unwrap_err();
        assert!(matches!(err, ProgressError::Damaged { .. }), "{err:?}");
        assert!(err.to_string().contains("damaged progress file"), "{err}");
        // A damaged file is not overwritten by an update.
        assert!(Progress::update(&path, "l", |p| p.record_hint("s", "S")).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"{");
    }

    #[test]
    fn concurrent_updates_are_all_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("progress.json");
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    for _ in 0..5 {
                        Progress::update(&path, "l", |p| p.record_hint("s", "S")).unwrap();
                    }
                });
            }
        });
        let progress = Progress::load(&path, "l").unwrap();
        assert_eq!(progress.step("s").unwrap().hints_shown, 40);
    }

    #[test]
    fn a_course_keys_steps_by_challenge_and_times_each_challenge() {
        let mut p = Progress::new("shell-basics");
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let check = |status| StepReport {
            id: "check-shell".into(),
            title: "the challenge's check (check-shell)".into(),
            status,
            outcomes: vec![Outcome::fail("FAIL: no note", "x")],
        };
        p.enter_challenge("01-leave-a-note", "Leave a note", t0);
        p.record_in(Some("01-leave-a-note"), &[check(Status::Pass)], t0, true);
        p.record_in(Some("02-look-around"), &[check(Status::Fail)], t0, true);
        assert_eq!(
            p.step_in(Some("01-leave-a-note"), "check-shell")
                .unwrap()
                .status,
            Some(Status::Pass)
        );
        assert_eq!(
            p.step_in(Some("02-look-around"), "check-shell")
                .unwrap()
                .status,
            Some(Status::Fail),
            "the same step id in another challenge is another step"
        );
        assert!(
            p.step("check-shell").is_none(),
            "no step outside a challenge"
        );
        let later = t0 + Duration::from_secs(75);
        p.finish_challenge(
            "01-leave-a-note",
            "Leave a note",
            ChallengeState::Passed,
            later,
        );
        // A second finish (a skip after the pass) changes nothing.
        p.finish_challenge(
            "01-leave-a-note",
            "Leave a note",
            ChallengeState::Skipped,
            later + Duration::from_secs(9),
        );
        let first = p.challenge("01-leave-a-note").unwrap();
        assert_eq!(first.state, ChallengeState::Passed);
        assert_eq!(first.seconds, Some(75));
        assert_eq!(p.challenge("02-look-around"), None);
    }

    #[test]
    fn a_schema_1_file_loads_as_a_lesson_of_one_challenge() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("progress.json");
        std::fs::write(
            &path,
            r#"{"schema":1,"lesson":"l","started_at":null,"steps":[{"id":"s","title":"S","status":"pass","attempts":1,"first_checked_at":null,"first_passed_at":null,"seconds_to_pass":null,"last_checked_at":null}],"resume":{"step":1,"scroll":4}}"#,
        )
        .unwrap();
        let p = Progress::load(&path, "l").unwrap();
        assert_eq!(p.step("s").unwrap().status, Some(Status::Pass));
        assert!(p.challenges.is_empty());
        assert_eq!(p.resume.unwrap().challenge, None);
        // Written back as schema 1, without course fields it does not have:
        // an older labrun still reads it.
        Progress::update(&path, "l", |_| {}).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"schema\": 1"), "{text}");
        assert!(
            !text.contains("challenges") && !text.contains("\"challenge\""),
            "{text}"
        );
        // A course needs schema 2.
        Progress::update(&path, "l", |p| {
            p.enter_challenge("01-a", "A", SystemTime::UNIX_EPOCH)
        })
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"schema\": 2"), "{text}");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_not_waited_on() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("progress.json");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: mkfifo with a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let err = Progress::load(&fifo, "l").unwrap_err().to_string();
        assert!(err.contains("not a regular file (a FIFO)"), "{err}");
    }
}
