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
//! - [`phases`]: the phases and the deviations each one looks for
//! - [`lab`]: a throw-away workspace where checks and solutions run
//! - [`render`]: the results as lines for people, JSON, and JUnit XML

mod lab;
mod phases;
mod render;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Lint,
    Baseline,
    Solve,
    Mutation,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Lint => "lint",
            Phase::Baseline => "baseline",
            Phase::Solve => "solve",
            Phase::Mutation => "mutation",
        }
    }
}

/// One phase of one step (or of the whole lesson, when `step` is `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct CaseResult {
    pub phase: Phase,
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

    fn duration(&self) -> Duration {
        self.results.iter().map(|r| r.duration).sum()
    }
}

pub fn all_ok(runs: &[LessonRun]) -> bool {
    runs.iter().all(LessonRun::ok)
}
