//! Instructors' view of a class: `labrun progress export` writes a portable,
//! redacted record of one workspace's progress; `labrun report` reads such
//! records (and workspaces) and shows learners × steps (a lesson) or
//! learners × challenges (a course), who is stuck where, and totals.
//!
//! Data flows one way: workspaces or record files → [`load`] → [`Record`]s →
//! [`build`] → [`ClassReport`] → one of the renderers. Everything after
//! [`load`] is pure and deterministic.
//!
//! - [`record`]: the exported record, made from a workspace and read back
//! - [`identity`]: who a record is of (the learner, the workspace)
//! - [`load`]: finding records in files, workspaces and class directories
//! - [`standing`]: where a learner stands in each challenge of a course
//! - [`build`]: the class report from the records; [`course`]: a course's part
//! - [`render`]: the report as a table, Markdown, CSV or JSON;
//!   [`course_render`]: a course's part

mod build;
mod course;
mod course_render;
mod identity;
mod load;
mod record;
mod render;
pub mod standing;

#[cfg(test)]
pub(crate) mod fixtures;

pub use build::{
    Cell, CellState, ClassReport, FailingCondition, LearnerRow, LessonReport, REPORT_SCHEMA,
    StepSummary, StuckAt, StuckLearner, build,
};
pub use course::{
    ChallengeCell, ChallengeCellState, ChallengeSummary, CourseLearner, CourseReport,
    StuckInChallenge, StuckLearner as StuckInCourse,
};
pub use identity::os_user;
pub use load::{Loaded, SkipReason, is_of, load};
pub use record::{
    ExportError, Record, RecordError, complete_course, course_record, export, export_course,
};
pub use render::{
    render_csv, render_human, render_json, render_markdown, render_skipped, short_duration,
};

/// The version of the exported record format.
pub const RECORD_SCHEMA: u32 = 1;
/// What a record says it is, to tell it from other JSON files.
pub const RECORD_KIND: &str = "labrun-progress";
