//! A course's lifecycle in a workspace, as Instruqt runs it: the track's
//! setup scripts once per workspace (hosts in name order), a challenge's
//! setup once when the learner enters it, its cleanup once after it
//! passes, its solve scripts when it is skipped. What ran is recorded in
//! progress (under its lock), so a resumed lab or a second `labrun`
//! process never runs a setup twice. The scripts run through the session's
//! [`Runner`] (host mode, process groups, time limits); nothing here
//! evaluates a check or draws anything.

use crate::lesson::{Course, Lesson, Phase, Script, Vars};
use crate::lifecycle::LifecycleError;
use crate::lifecycle::hostmode::{HostMap, HostMode};
use crate::lifecycle::runner::{RunOutcome, Runner, ScriptEnv, ScriptResult, ScriptRun};
use crate::progress::{ChallengeState, Progress, ProgressError};
use crate::workspace::Workspace;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// The host name the runner maps when the course has no local host (every
/// script is then for a host labrun cannot provide, and is skipped).
const NO_LOCAL_HOST: &str = "labrun-none";

#[derive(Debug, thiserror::Error)]
pub enum CourseRunError {
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
    #[error(transparent)]
    Progress(#[from] ProgressError),
}

/// The runner for a course's scripts in `workspace`: its local host mapped
/// into the workspace in this machine's host mode, every other host listed
/// as one labrun cannot provide, the workspace's id as the participant's.
pub fn runner_for(course: &Course, workspace: &Workspace) -> Result<Runner, LifecycleError> {
    let mode = HostMode::detect()?;
    let local = course.local_host();
    let host = local.map_or(NO_LOCAL_HOST, |h| h.name.as_str());
    let workdir = local.and_then(|h| h.workdir.as_deref()).map(Path::new);
    let map = HostMap::new(mode, &workspace.root, host, workdir)?;
    let elsewhere = course.hosts.iter().filter(|h| !h.local).cloned().collect();
    let env = ScriptEnv {
        participant_id: workspace.state.id(),
        track_slug: course.slug.clone(),
    };
    Ok(Runner::new(map, elsewhere, env))
}

/// What ran for one lifecycle event, in order.
#[derive(Debug, Default)]
pub struct Ran {
    pub results: Vec<ScriptResult>,
}

impl Ran {
    /// Every script passed, or was skipped (a host labrun cannot provide).
    pub fn ok(&self) -> bool {
        self.results
            .iter()
            .all(|r| matches!(r.outcome, RunOutcome::Passed | RunOutcome::Skipped(_)))
    }

    /// The scripts that did not pass, with how each ended.
    pub fn failures(&self) -> Vec<String> {
        self.results
            .iter()
            .filter(|r| !matches!(r.outcome, RunOutcome::Passed | RunOutcome::Skipped(_)))
            .map(|r| format!("{} {}", r.name(), r.describe()))
            .collect()
    }
}

/// One course in one workspace, with the session's runner.
pub struct CourseRun<'a> {
    pub course: &'a Course,
    pub workspace: &'a Workspace,
    pub runner: &'a Runner,
    pub vars: &'a Vars,
}

impl CourseRun<'_> {
    fn progress_path(&self) -> std::path::PathBuf {
        self.workspace.progress_path()
    }

    /// The challenge the learner is at: the first one not passed or skipped
    /// (the last one when all are done).
    pub fn current(&self) -> Result<usize, CourseRunError> {
        let progress = Progress::load(&self.progress_path(), &self.course.slug)?;
        Ok(current_challenge(self.course, &progress))
    }

    /// The learner enters challenge `index`: the track's setup scripts if
    /// they have not run in this workspace, then the challenge's own if
    /// they have not. A setup that fails is not recorded as done, so the
    /// next entry runs it again.
    pub fn enter(&self, index: usize) -> Result<Ran, CourseRunError> {
        let Some(challenge) = self.course.challenges.get(index) else {
            return Ok(Ran::default());
        };
        let progress = Progress::load(&self.progress_path(), &self.course.slug)?;
        let mut ran = Ran::default();
        if !progress.track_setup_done {
            let track = self.run_all(self.course.track_scripts.phase(Phase::Setup), None)?;
            if track.ok() {
                self.update(|p| p.track_setup_done = true)?;
            }
            let stop = !track.ok();
            ran.results.extend(track.results);
            if stop {
                return Ok(ran);
            }
        }
        let done = progress
            .challenge(&challenge.slug)
            .is_some_and(|c| c.setup_done);
        let now = SystemTime::now();
        self.update(|p| p.enter_challenge(&challenge.slug, challenge.title(), now))?;
        if !done {
            let setup = self.run_phase(challenge, Phase::Setup)?;
            if setup.ok() {
                self.update(|p| {
                    p.challenge_mut(&challenge.slug, challenge.title())
                        .setup_done = true
                })?;
            }
            ran.results.extend(setup.results);
        }
        Ok(ran)
    }

    /// Challenge `index` passed: recorded (its time), and its cleanup
    /// scripts run once.
    pub fn passed(&self, index: usize) -> Result<Ran, CourseRunError> {
        let Some(challenge) = self.course.challenges.get(index) else {
            return Ok(Ran::default());
        };
        let now = SystemTime::now();
        let mut cleaned = false;
        self.update(|p| {
            p.finish_challenge(
                &challenge.slug,
                challenge.title(),
                ChallengeState::Passed,
                now,
            );
            let record = p.challenge_mut(&challenge.slug, challenge.title());
            cleaned = record.cleanup_done;
            record.cleanup_done = true;
        })?;
        if cleaned {
            return Ok(Ran::default());
        }
        self.run_phase(challenge, Phase::Cleanup)
    }

    /// The learner skips challenge `index`: its solve scripts run (as
    /// Instruqt does), then it is recorded as skipped, which opens the next.
    pub fn skip(&self, index: usize) -> Result<Ran, CourseRunError> {
        let Some(challenge) = self.course.challenges.get(index) else {
            return Ok(Ran::default());
        };
        let ran = self.run_phase(challenge, Phase::Solve)?;
        let now = SystemTime::now();
        self.update(|p| {
            p.finish_challenge(
                &challenge.slug,
                challenge.title(),
                ChallengeState::Skipped,
                now,
            )
        })?;
        Ok(ran)
    }

    /// Runs `challenge`'s scripts of `phase`, hosts in name order.
    pub fn run_phase(&self, challenge: &Lesson, phase: Phase) -> Result<Ran, CourseRunError> {
        self.run_all(challenge.scripts.phase(phase), Some(&challenge.slug))
    }

    fn run_all<'s>(
        &self,
        scripts: impl Iterator<Item = &'s Script>,
        challenge: Option<&str>,
    ) -> Result<Ran, CourseRunError> {
        let mut scripts: Vec<&Script> = scripts.collect();
        scripts.sort_by(|a, b| a.host.cmp(&b.host));
        let mut ran = Ran::default();
        for script in scripts {
            let run = ScriptRun {
                phase: script.phase,
                host: &script.host,
                path: &script.path,
                timeout: Duration::from_secs(self.course.timeouts.for_phase(script.phase)),
                challenge_id: challenge,
                vars: self.vars,
            };
            ran.results.push(self.runner.run(&run)?);
        }
        Ok(ran)
    }

    fn update(&self, change: impl FnOnce(&mut Progress)) -> Result<(), ProgressError> {
        // In a class, the change's events are queued (a failure to queue
        // them is not the lifecycle's: the progress is written).
        crate::class::outbox::update_progress(self.workspace, self.course, change).map(drop)
    }
}

/// The first challenge not passed or skipped (the last when all are done).
pub fn current_challenge(course: &Course, progress: &Progress) -> usize {
    course
        .challenges
        .iter()
        .position(|c| {
            !progress
                .challenge(&c.slug)
                .is_some_and(|p| p.state.is_done())
        })
        .unwrap_or(course.challenges.len().saturating_sub(1))
}
