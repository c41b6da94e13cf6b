//! The record `labrun progress export` writes: one learner's progress in
//! one lesson or course, portable and redacted — how it is made from a
//! workspace, written, and read back.
//!
//! A record is self-describing: a course's record lists every challenge
//! (slug, title, state, time) and every step under its challenge, so a
//! report needs no lesson directory. The record format did not change for
//! courses: its progress carries its own schema (2 for a course), which a
//! labrun that cannot read courses refuses rather than misreads.

use super::{RECORD_KIND, RECORD_SCHEMA, os_user};
use crate::fsutil::write_atomic;
use crate::lesson::{Course, Lesson, Variable, Vars};
use crate::progress::{self, ChallengeProgress, Progress, StepProgress};
use crate::workspace::{self, Workspace};
use serde::{Deserialize, Serialize};
use std::io;
use std::path::Path;

/// One learner's progress in one lesson, as exported: secrets redacted, no
/// variable values.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Record {
    pub schema: u32,
    /// Always [`RECORD_KIND`].
    pub kind: String,
    pub learner: String,
    /// The lesson slug.
    pub lesson: String,
    /// RFC 3339.
    pub exported_at: String,
    /// The workspace the record is of ([`workspace_id`]): a workspace and its
    /// exports are one learner. Absent from records of older labruns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_id: Option<String>,
    /// Every step of the lesson, in lesson order (steps never checked have
    /// no status).
    pub progress: Progress,
}

impl Record {
    pub(super) fn of_workspace(mut self, state: &workspace::State) -> Record {
        self.workspace_id = Some(state.id());
        self
    }

    /// Pretty JSON, ending in a newline.
    pub fn to_json(&self) -> String {
        let mut json = serde_json::to_string_pretty(self).expect("a record serializes");
        json.push('\n');
        json
    }

    /// Writes the record to `path` atomically.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        write_atomic(path, self.to_json().as_bytes())
    }

    /// Reads a record from JSON text; the error says why it is not one.
    pub fn parse(text: &str) -> Result<Record, RecordError> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(RecordError::NotJson)?;
        let Some(object) = value.as_object() else {
            return Err(RecordError::NotAnObject);
        };
        if object.get("kind").and_then(|k| k.as_str()) != Some(RECORD_KIND) {
            return Err(RecordError::NotARecord);
        }
        match object.get("schema").and_then(|s| s.as_u64()) {
            Some(s) if s == u64::from(RECORD_SCHEMA) => {}
            Some(s) if s > u64::from(RECORD_SCHEMA) => return Err(RecordError::NewerSchema(s)),
            _ => return Err(RecordError::NoSchema),
        }
        let record: Record = serde_json::from_value(value).map_err(RecordError::Damaged)?;
        if record.progress.schema > progress::SCHEMA {
            return Err(RecordError::NewerProgress(record.progress.schema));
        }
        Ok(record)
    }
}

/// Why text is not a progress record this labrun reads.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("not valid JSON: {0}")]
    NotJson(serde_json::Error),
    #[error("not a labrun progress record (JSON, but not an object)")]
    NotAnObject,
    #[error(
        "not a labrun progress record (no \"kind\": \"{RECORD_KIND}\"); \
         make one with `labrun progress export`"
    )]
    NotARecord,
    #[error("record schema {0} is newer than this labrun reads ({RECORD_SCHEMA}): upgrade labrun")]
    NewerSchema(u64),
    #[error("damaged progress record: no valid \"schema\"")]
    NoSchema,
    #[error("damaged progress record: {0}")]
    Damaged(serde_json::Error),
    #[error(
        "progress schema {0} is newer than this labrun reads ({reads}): upgrade labrun",
        reads = progress::SCHEMA
    )]
    NewerProgress(u32),
}

/// Why a workspace's progress could not be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Its progress file is unreadable or damaged (the message names it).
    #[error(transparent)]
    Progress(#[from] crate::progress::ProgressError),
}

/// The record of `workspace`'s progress in `lesson`: every lesson step in
/// lesson order, every text redacted of the lesson's secret values (those
/// saved in the workspace and those in the environment). The learner is
/// `learner`, else the OS user ([`os_user`]).
pub fn export(
    workspace: &Workspace,
    lesson: &Lesson,
    learner: Option<&str>,
) -> Result<Record, ExportError> {
    let progress = Progress::load(&workspace.progress_path(), &lesson.slug)?;
    let progress = complete(&progress, lesson);
    Ok(export_progress(
        workspace,
        &lesson.slug,
        progress,
        &lesson.variables,
        learner,
    ))
}

/// [`export`] for a course: every challenge in course order with its state,
/// every step under its challenge. A course of one is exported as a lesson.
pub fn export_course(
    workspace: &Workspace,
    course: &Course,
    learner: Option<&str>,
) -> Result<Record, ExportError> {
    if let [lesson] = course.challenges.as_slice() {
        return export(workspace, lesson, learner);
    }
    let progress = Progress::load(&workspace.progress_path(), &course.slug)?;
    Ok(course_record(workspace, course, &progress, learner))
}

/// The record [`export_course`] makes, of a progress in hand (a class's
/// event carries the progress as it is being written, under its lock).
pub fn course_record(
    workspace: &Workspace,
    course: &Course,
    progress: &Progress,
    learner: Option<&str>,
) -> Record {
    if let [lesson] = course.challenges.as_slice() {
        return export_progress(
            workspace,
            &lesson.slug,
            complete(progress, lesson),
            &lesson.variables,
            learner,
        );
    }
    let variables = course_variables(course);
    export_progress(
        workspace,
        &course.slug,
        complete_course(progress, course),
        &variables,
        learner,
    )
}

/// Every variable of every challenge of `course`, each once.
pub(super) fn course_variables(course: &Course) -> Vec<Variable> {
    let mut all: Vec<Variable> = Vec::new();
    for variable in course.challenges.iter().flat_map(|c| &c.variables) {
        if !all.iter().any(|v| v.name == variable.name) {
            all.push(variable.clone());
        }
    }
    all
}

fn export_progress(
    workspace: &Workspace,
    slug: &str,
    progress: Progress,
    variables: &[Variable],
    learner: Option<&str>,
) -> Record {
    let learner = learner
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map_or_else(os_user, str::to_string);
    let saved = &workspace.state.vars;
    let redactors = [
        Vars::resolve(variables, &[], |_| None, saved),
        Vars::resolve(variables, &[], |k| std::env::var(k).ok(), saved),
    ];
    let redact = |text: &str| redactors.iter().fold(text.to_string(), |t, v| v.redact(&t));
    make_record(&learner, slug, &workspace::now_rfc3339(), progress, &redact)
        .of_workspace(&workspace.state)
}

pub(super) fn make_record(
    learner: &str,
    lesson: &str,
    exported_at: &str,
    mut progress: Progress,
    redact: &dyn Fn(&str) -> String,
) -> Record {
    progress.lesson = redact(&progress.lesson);
    progress.started_at = progress.started_at.as_deref().map(redact);
    for challenge in &mut progress.challenges {
        challenge.slug = redact(&challenge.slug);
        challenge.title = redact(&challenge.title);
        for stamp in [&mut challenge.started_at, &mut challenge.finished_at] {
            *stamp = stamp.as_deref().map(redact);
        }
    }
    for step in &mut progress.steps {
        step.challenge = step.challenge.as_deref().map(redact);
        step.id = redact(&step.id);
        step.title = redact(&step.title);
        for stamp in [
            &mut step.first_checked_at,
            &mut step.first_passed_at,
            &mut step.last_checked_at,
        ] {
            *stamp = stamp.as_deref().map(redact);
        }
        for condition in &mut step.conditions {
            condition.name = redact(&condition.name);
        }
    }
    Record {
        schema: RECORD_SCHEMA,
        kind: RECORD_KIND.into(),
        learner: redact(learner),
        lesson: redact(lesson),
        exported_at: redact(exported_at),
        workspace_id: None,
        progress,
    }
}

/// `progress` with exactly the lesson's steps, in lesson order: those never
/// checked are added without a status; those the lesson no longer has are
/// dropped. Steps recorded under the lesson's slug as a challenge (a track
/// of one challenge) count as its own.
pub(super) fn complete(progress: &Progress, lesson: &Lesson) -> Progress {
    let steps = lesson
        .steps
        .iter()
        .map(|s| {
            let recorded = progress
                .step(&s.id)
                .or_else(|| progress.step_in(Some(&lesson.slug), &s.id));
            match recorded {
                Some(recorded) => StepProgress {
                    challenge: None,
                    title: s.title.clone(),
                    ..recorded.clone()
                },
                None => StepProgress {
                    id: s.id.clone(),
                    title: s.title.clone(),
                    ..StepProgress::default()
                },
            }
        })
        .collect();
    let mut completed = Progress {
        schema: progress.schema,
        lesson: lesson.slug.clone(),
        started_at: progress.started_at.clone(),
        steps,
        challenges: progress.challenges.clone(),
        track_setup_done: progress.track_setup_done,
        resume: progress.resume,
    };
    // An instructor's older labrun reads a lesson's record.
    completed.schema = completed.written_schema();
    completed
}

/// `progress` with exactly the course's challenges, in course order, each
/// titled as the course says (one never entered is added as recorded
/// nowhere: locked, no times), and exactly each challenge's steps under it,
/// in order (as [`complete`] does for a lesson). Steps of no challenge, and
/// challenges the course no longer has, are dropped.
pub fn complete_course(progress: &Progress, course: &Course) -> Progress {
    let mut challenges = Vec::new();
    let mut steps = Vec::new();
    for lesson in &course.challenges {
        let slug = &lesson.slug;
        challenges.push(match progress.challenge(slug) {
            Some(recorded) => ChallengeProgress {
                title: lesson.title().to_string(),
                ..recorded.clone()
            },
            None => ChallengeProgress {
                slug: slug.clone(),
                title: lesson.title().to_string(),
                ..ChallengeProgress::default()
            },
        });
        steps.extend(lesson.steps.iter().map(|s| {
            let title = s.title.clone();
            match progress.step_in(Some(slug), &s.id) {
                Some(recorded) => StepProgress {
                    title,
                    ..recorded.clone()
                },
                None => StepProgress {
                    challenge: Some(slug.clone()),
                    id: s.id.clone(),
                    title,
                    ..StepProgress::default()
                },
            }
        }));
    }
    Progress {
        lesson: course.slug.clone(),
        steps,
        challenges,
        ..progress.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::progress::ChallengeState;
    use crate::report::fixtures::{cond, course_progress, failing, passed, record};

    #[test]
    fn parse_names_what_is_wrong() {
        let good = record("ann", "demo", vec![passed("s", 1)]);
        assert_eq!(Record::parse(&good.to_json()).unwrap(), good);
        let err = |text: &str| Record::parse(text).unwrap_err();
        use RecordError::*;
        assert!(matches!(err("{not json"), NotJson(_)));
        assert!(matches!(err("[1]"), NotAnObject));
        assert!(matches!(err(r#"{"hello":1}"#), NotARecord));
        assert!(matches!(
            err(r#"{"kind":"labrun-progress","schema":9}"#),
            NewerSchema(9)
        ));
        assert!(matches!(
            err(r#"{"kind":"labrun-progress","schema":"1"}"#),
            NoSchema
        ));
        assert!(matches!(
            err(r#"{"kind":"labrun-progress","schema":1,"learner":3}"#),
            Damaged(_)
        ));
        let mut newer = good.clone();
        newer.progress.schema = progress::SCHEMA + 1;
        assert!(matches!(err(&newer.to_json()), NewerProgress(s) if s == progress::SCHEMA + 1));
        // The messages say what is wrong and what to do.
        let says = |text: &str| err(text).to_string();
        assert!(says("{not json").starts_with("not valid JSON: "));
        assert_eq!(
            says("[1]"),
            "not a labrun progress record (JSON, but not an object)"
        );
        assert_eq!(
            says(r#"{"hello":1}"#),
            "not a labrun progress record (no \"kind\": \"labrun-progress\"); \
             make one with `labrun progress export`"
        );
        assert_eq!(
            says(r#"{"kind":"labrun-progress","schema":9}"#),
            "record schema 9 is newer than this labrun reads (1): upgrade labrun"
        );
        assert_eq!(
            says(r#"{"kind":"labrun-progress","schema":"1"}"#),
            "damaged progress record: no valid \"schema\""
        );
        assert!(
            says(r#"{"kind":"labrun-progress","schema":1,"learner":3}"#)
                .starts_with("damaged progress record: invalid type")
        );
        assert_eq!(
            err(&newer.to_json()).to_string(),
            format!(
                "progress schema {} is newer than this labrun reads ({}): upgrade labrun",
                progress::SCHEMA + 1,
                progress::SCHEMA
            )
        );
    }

    #[test]
    fn a_course_progress_is_completed_with_the_course() {
        let track = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/tracks/shell-basics");
        let course = Course::load(&track).unwrap();
        let mut p = course_progress(&[("look-around", "failing 2"), ("gone", "passed 5")]);
        p.steps.push(passed("of-no-challenge", 1));
        let done = complete_course(&p, &course);
        let challenges: Vec<(&str, &str, ChallengeState)> = done
            .challenges
            .iter()
            .map(|c| (c.slug.as_str(), c.title.as_str(), c.state))
            .collect();
        use crate::progress::ChallengeState::{Locked, Open};
        assert_eq!(
            challenges,
            [
                ("leave-a-note", "Leave a note", Locked),
                ("look-around", "Look around", Open),
                (
                    "check-your-understanding",
                    "Check your understanding",
                    Locked
                ),
                ("shout-it-out", "Shout it out", Locked),
                ("tidy-up", "Tidy up", Locked),
            ],
            "in course order, titled by the course; one it no longer has is dropped"
        );
        let steps: Vec<(&str, &str, u32)> = done
            .steps
            .iter()
            .map(|s| (s.challenge.as_deref().unwrap(), s.id.as_str(), s.attempts))
            .collect();
        assert_eq!(
            steps,
            [
                ("leave-a-note", "check-shell", 0),
                ("look-around", "check-shell", 2),
                ("check-your-understanding", "quiz", 0),
                ("shout-it-out", "shout", 0),
                ("shout-it-out", "check-shell", 0),
                ("tidy-up", "check-shell", 0),
            ]
        );
        assert_eq!(done.steps[1].title, "the challenge's check (check-shell)");
        assert_eq!(
            (done.lesson.as_str(), done.started_at),
            ("shell-basics", p.started_at)
        );
    }

    #[test]
    fn a_record_is_redacted_everywhere() {
        let mut p = Progress::new("demo");
        p.started_at = Some("s3cret-at".into());
        let mut s = failing("s3cret", 1, vec![cond("token is s3cret", Status::Fail)]);
        s.title = "use s3cret".into();
        s.challenge = Some("s3cret-challenge".into());
        p.steps.push(s);
        // A course's challenges: slugs, titles and times come from lessons
        // and workspaces too.
        p.challenges = course_progress(&[("s3cret-a", "passed 5"), ("b", "open")]).challenges;
        p.challenges[1].title = "about s3cret".into();
        p.challenges[1].started_at = Some("s3cret-stamp".into());
        let record = make_record("s3cret-learner", "demo", "now", p, &|t: &str| {
            t.replace("s3cret", "[hidden]")
        });
        let json = record.to_json();
        assert!(!json.contains("s3cret"), "{json}");
        assert!(json.contains("token is [hidden]"), "{json}");
        assert_eq!(record.learner, "[hidden]-learner");
    }
}
