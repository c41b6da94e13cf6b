//! A throw-away workspace for `labrun test`: the lesson's starting files,
//! its session (the local Vendor API, the stand-ins on PATH), its checks,
//! and its solutions run as a learner's shell would.

use super::phases::indent;
use crate::checks::{self, StepReport};
use crate::lesson::vars::WeakSecret;
use crate::lesson::{Lesson, Step, Vars};
use crate::script::{self, Script};
use crate::session::{ApiMode, Session};
use crate::workspace::{self, Workspace, WorkspaceError};
use std::path::PathBuf;
use std::time::Duration;
use tempfile::TempDir;

/// Why a throw-away workspace could not be made ready.
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error("could not make a temporary directory: {0}")]
    TempDir(std::io::Error),
    #[error("could not create a workspace: {0}")]
    Workspace(WorkspaceError),
    #[error(transparent)]
    WeakSecret(WeakSecret),
    /// The whole message, redacted: the session's error may quote a value.
    #[error("{0}")]
    Session(String),
}

/// A solution may package or talk to the API; it must still end.
const SOLUTION_TIMEOUT: Duration = Duration::from_secs(300);

/// A throw-away workspace with its session (local Vendor API, stand-ins).
pub(super) struct Lab<'l> {
    lesson: &'l Lesson,
    // Declared before `dir` so the API stops (and stops writing its state)
    // before the directory is removed.
    session: Session,
    workspace: Workspace,
    dir: TempDir,
}

/// How a solution ran, already redacted.
pub(super) struct Solved {
    pub success: bool,
    /// "exited with status 1" and the like.
    pub ending: String,
    pub output: String,
}

impl Solved {
    pub(super) fn output_block(&self) -> String {
        if self.output.trim().is_empty() {
            "solution output: (none)".into()
        } else {
            format!("solution output:\n{}", indent(self.output.trim_end()))
        }
    }
}

impl<'l> Lab<'l> {
    /// `name` names the workspace directory, for when it is kept.
    pub(super) fn open(lesson: &'l Lesson, name: &str) -> Result<Lab<'l>, LabError> {
        let dir = tempfile::Builder::new()
            .prefix("labrun-test-")
            .tempdir()
            .map_err(LabError::TempDir)?;
        let (workspace, _) =
            workspace::init(lesson, &dir.path().join(name), false).map_err(LabError::Workspace)?;
        // As `labrun check` resolves them: the environment, then the values made for the workspace.
        let vars = Vars::resolve(
            &lesson.variables,
            &[],
            |k| std::env::var(k).ok(),
            &workspace.state.vars,
        );
        vars.check_secrets().map_err(LabError::WeakSecret)?;
        let failed = |e: &dyn std::fmt::Display| {
            LabError::Session(vars.redact(&format!("could not open the lesson's session: {e}")))
        };
        let course = crate::lesson::Course::load(&lesson.dir).map_err(|e| failed(&e))?;
        let session = Session::open(&course, &workspace, vars.clone(), ApiMode::Offline)
            .map_err(|e| failed(&e))?;
        Ok(Lab {
            lesson,
            session,
            workspace,
            dir,
        })
    }

    pub(super) fn check(&self, step: &Step) -> StepReport {
        checks::run_step(step, &self.session.context(self.lesson, &self.workspace))
    }

    pub(super) fn solve(&self, step: &Step) -> Solved {
        let mut env = self.session.shell_env();
        env.push((
            "LABRUN_WORKSPACE".into(),
            self.workspace.root.display().to_string(),
        ));
        let run = script::run(&Script {
            source: &step.solution,
            dir: &self.workspace.root,
            env,
            extra_path: self.session.extra_path.as_deref(),
            timeout: SOLUTION_TIMEOUT,
            errexit: true,
        });
        let redact = |text: &str| self.session.vars.redact(text);
        match run {
            Ok(finished) => Solved {
                success: finished.success(),
                ending: finished.describe(SOLUTION_TIMEOUT),
                output: redact(&finished.output),
            },
            Err(e) => Solved {
                success: false,
                ending: redact(&format!("could not start: {e}")),
                output: String::new(),
            },
        }
    }

    /// Stops the session; removes the workspace unless `keep`, else returns its path.
    pub(super) fn finish(self, keep: bool) -> Option<PathBuf> {
        let Lab {
            session,
            workspace,
            dir,
            ..
        } = self;
        drop(session);
        if keep {
            let _ = dir.keep();
            Some(workspace.root)
        } else {
            None
        }
    }
}
