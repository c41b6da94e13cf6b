//! `labrun test`: proves that a lesson's checks and reference solutions agree,
//! so a learner never meets a step that cannot fail, cannot pass, or passes
//! for someone else's work.
//!
//! Each lesson is linted, then run in throw-away workspaces with the local
//! Vendor API: every check must fail on the starting files (baseline); each
//! solution, applied in order, must make its own step pass while later steps
//! still fail (solve); and each step must still fail when every other
//! solution except its own (and its dependents') is applied (mutation).
//!
//! An Instruqt track (or a bare challenge, or a lesson with scripts) is
//! tested as a learner goes through it, in one workspace: the track's
//! setup once, then per challenge setup, check must fail, solve, check
//! must pass, cleanup ([`course`]).
//!
//! - [`phases`]: the phases of a lesson and the deviations each one looks for
//! - [`course`]: a course's lifecycle per challenge, in order
//! - [`verdicts`]: what a course's case says (failed, skipped and why, what the machine lacks)
//! - [`lab`]: a throw-away workspace where checks and solutions run
//! - [`render`]: the results as lines for people, JSON, and JUnit XML

mod course;
mod lab;
mod phases;
mod render;
mod verdicts;

pub use course::test_course;
pub use phases::test_lesson;
pub use render::{render_human, render_json, render_junit};

use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Leave the workspaces on disk (their paths are in [`LessonRun::kept`]).
    pub keep: bool,
}

/// How a course is tested.
#[derive(Debug, Clone, Default)]
pub struct CourseOptions {
    /// Leave the workspace on disk (its path is in [`LessonRun::kept`]).
    pub keep: bool,
    /// Stop at the first case that fails (later challenges are not run).
    pub fail_fast: bool,
    /// Test only this challenge (an index from 0); the earlier ones are
    /// set up and solved first, untested, so it starts from a learner's state.
    pub only: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    Lint,
    Baseline,
    Solve,
    Mutation,
    /// A course: the earlier challenges set up and solved, untested, before
    /// the one `--challenge` selects.
    Prepare,
    /// A course: the track's or a challenge's setup scripts.
    Setup,
    /// A course: every check of the challenge fails before it is solved.
    CheckFails,
    /// A course: every check of the challenge passes once it is solved.
    CheckPasses,
    /// A course: the challenge's cleanup scripts.
    Cleanup,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Lint => "lint",
            Phase::Baseline => "baseline",
            Phase::Solve => "solve",
            Phase::Mutation => "mutation",
            Phase::Prepare => "prepare",
            Phase::Setup => "setup",
            Phase::CheckFails => "check-fails",
            Phase::CheckPasses => "check-passes",
            Phase::Cleanup => "cleanup",
        }
    }
}

/// One phase of one step (or of the whole lesson, when `step` is `None`),
/// or in a course of one challenge (`challenge`: `02 look-around`).
#[derive(Debug, Clone, PartialEq)]
pub struct CaseResult {
    pub phase: Phase,
    /// In a course: the challenge, its number and slug (`None`: the track's own).
    pub challenge: Option<String>,
    pub step: Option<String>,
    pub ok: bool,
    pub duration: Duration,
    /// Why the case could not be carried out here (a check for a host
    /// labrun cannot provide): no deviation (`ok`), reported as skipped.
    pub skipped: Option<String>,
    /// What deviated, redacted of secrets; empty when ok.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LessonRun {
    /// The lesson's slug.
    pub lesson: String,
    pub results: Vec<CaseResult>,
    /// Workspaces left on disk (with `keep`).
    pub kept: Vec<PathBuf>,
    /// What the reader should know about how the run went (challenges
    /// prepared quietly, a stop at the first failure).
    pub notes: Vec<String>,
}

impl LessonRun {
    pub fn ok(&self) -> bool {
        self.results.iter().all(|r| r.ok)
    }

    fn failures(&self) -> usize {
        self.results.iter().filter(|r| !r.ok).count()
    }

    fn skipped(&self) -> usize {
        self.results.iter().filter(|r| r.skipped.is_some()).count()
    }

    /// The case's subject: the step, the challenge (and its step), or `-`.
    fn subject(case: &CaseResult) -> String {
        match (&case.challenge, &case.step) {
            (Some(challenge), Some(step)) => format!("{challenge}/{step}"),
            (Some(challenge), None) => challenge.clone(),
            (None, Some(step)) => step.clone(),
            (None, None) => "-".into(),
        }
    }

    fn duration(&self) -> Duration {
        self.results.iter().map(|r| r.duration).sum()
    }
}

pub fn all_ok(runs: &[LessonRun]) -> bool {
    runs.iter().all(LessonRun::ok)
}
