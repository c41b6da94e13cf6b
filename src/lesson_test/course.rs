//! `labrun test` on a course (an Instruqt track, a bare challenge, a lesson
//! with scripts): Instruqt's lifecycle per challenge, in one workspace, as
//! a learner goes through it — the track's setup once, then for each
//! challenge in order, each building on the state the previous one left:
//! lint → setup → every check fails → solve → every check passes → cleanup.
//! A check that passes before the solve cannot fail: its script and its
//! conditions are named. Scripts for a host labrun cannot provide are
//! skipped with the reason, never counted as a pass.

use super::phases::indent;
use super::verdicts::{
    Done, NO_NETWORK, Verdict, conditions, error_result, label, missing_tools, passes_after,
    skip_reasons, took, variables, verdict, what,
};
use super::{CaseResult, CourseOptions, LessonRun, Phase};
use crate::checks::{self, Status, StepReport, quiz};
use crate::course_run::{CourseRun, Ran};
use crate::lesson::lint::{Finding, Lint, Severity};
use crate::lesson::{ChallengeKind, Course, Lesson, Phase as ScriptPhase, Step, Vars};
use crate::lifecycle::runner::{RunOutcome, ScriptResult, ScriptRun};
use crate::progress::Progress;
use crate::session::{ApiMode, Session};
use crate::workspace::{self, Workspace};
use std::fmt::Write;
use std::path::Path;
use std::time::{Duration, Instant};

mod mutation;

/// The lint rule whose findings fail a challenge's lint case besides errors:
/// a check that cannot fail is what `labrun test` exists to catch.
const CANNOT_FAIL_RULE: &str = "check-cannot-fail";

/// Tests `course` in one throw-away workspace; `progress` sees each case
/// as soon as it is decided.
pub fn test_course(
    course: &Course,
    options: &CourseOptions,
    progress: &mut dyn FnMut(&CaseResult),
) -> LessonRun {
    let mut cases = Cases {
        results: Vec::new(),
        progress,
        fail_fast: options.fail_fast,
        stopped: false,
    };
    let mut notes = Vec::new();
    let mut kept = Vec::new();
    let started = Instant::now();
    match Lab::open(course) {
        Ok(lab) => {
            lab.run(options, &mut cases, &mut notes);
            if options.keep {
                kept.push(lab.workspace.root.clone());
                let _ = lab.dir.keep();
            }
        }
        Err(why) => cases.record(Phase::Setup, None, started, Err(why)),
    }
    if cases.stopped {
        notes.push("stopped at the first failure (--fail-fast): later cases were not run".into());
    }
    LessonRun {
        lesson: course.slug.clone(),
        results: cases.results,
        kept,
        notes,
    }
}

struct Cases<'a> {
    results: Vec<CaseResult>,
    progress: &'a mut dyn FnMut(&CaseResult),
    fail_fast: bool,
    /// A case failed with `fail_fast`: nothing more runs.
    stopped: bool,
}

impl Cases<'_> {
    fn record(&mut self, phase: Phase, challenge: Option<&str>, started: Instant, v: Verdict) {
        self.record_took(phase, challenge, started.elapsed(), v);
    }

    fn record_took(&mut self, phase: Phase, challenge: Option<&str>, took: Duration, v: Verdict) {
        let case = CaseResult {
            phase,
            challenge: Some(challenge.unwrap_or("track").to_string()),
            step: None,
            ok: v.is_ok(),
            duration: took,
            skipped: match &v {
                Ok(Done::Skipped(why)) => Some(why.clone()),
                _ => None,
            },
            detail: v.err().unwrap_or_default(),
        };
        self.stopped |= self.fail_fast && !case.ok;
        (self.progress)(&case);
        self.results.push(case);
    }
}

/// The course's workspace, its session (the runner of its scripts) and lint.
struct Lab<'c> {
    course: &'c Course,
    // Before `workspace` and `dir`: scripts end and the API stops first.
    session: Session,
    workspace: Workspace,
    dir: tempfile::TempDir,
}

impl<'c> Lab<'c> {
    fn open(course: &'c Course) -> Result<Lab<'c>, String> {
        let dir = tempfile::Builder::new()
            .prefix("labrun-test-")
            .tempdir()
            .map_err(|e| format!("could not make a temporary directory: {e}"))?;
        let (workspace, _) = workspace::init(course, &dir.path().join(&course.slug), false)
            .map_err(|e| format!("could not create a workspace: {e}"))?;
        let vars = Vars::resolve(
            &variables(course),
            &[],
            |k| std::env::var(k).ok(),
            &workspace.state.vars,
        );
        vars.check_secrets().map_err(|e| e.to_string())?;
        let session = Session::open(course, &workspace, vars.clone(), ApiMode::Offline)
            .map_err(|e| vars.redact(&format!("could not open the course's session: {e}")))?;
        Ok(Lab {
            course,
            session,
            workspace,
            dir,
        })
    }

    fn course_run(&self) -> Option<CourseRun<'_>> {
        self.session.runner().map(|runner| CourseRun {
            course: self.course,
            workspace: &self.workspace,
            runner,
            vars: &self.session.vars,
        })
    }

    fn redact(&self, text: &str) -> String {
        self.session.vars.redact(text)
    }

    fn run(&self, options: &CourseOptions, cases: &mut Cases, notes: &mut Vec<String>) {
        let count = self.course.challenges.len();
        let (first, end) = match options.only {
            Some(index) => (index.min(count), (index + 1).min(count)),
            None => (0, count),
        };
        let lint = Lint::new(self.course);
        if first > 0 {
            notes.push(format!(
                "challenge{} {} set up and solved first, untested, so that challenge {} starts \
                 from the state a learner reaches",
                if first > 1 { "s" } else { "" },
                if first > 1 {
                    format!("1–{first} were")
                } else {
                    "1 was".into()
                },
                first + 1
            ));
            let started = Instant::now();
            let verdict = self.prepare(first);
            cases.record(Phase::Prepare, None, started, verdict);
        }
        for index in first..end {
            if cases.stopped {
                return;
            }
            self.challenge(index, &lint, cases);
        }
    }

    /// Challenges `0..until`, set up, solved and cleaned up without checks.
    fn prepare(&self, until: usize) -> Verdict {
        let mut problems = Vec::new();
        for index in 0..until {
            let challenge = &self.course.challenges[index];
            let mut ran = self.enter(index).1;
            match self.solve(index) {
                Ok((solved, more)) => {
                    ran.results.extend(solved.results);
                    problems.extend(more);
                }
                Err(why) => problems.push(why),
            }
            if let Some(run) = self.course_run() {
                match run.passed(index) {
                    Ok(cleaned) => ran.results.extend(cleaned.results),
                    Err(e) => problems.push(e.to_string()),
                }
            }
            problems.extend(
                ran.results
                    .iter()
                    .filter(|r| !matches!(r.outcome, RunOutcome::Passed | RunOutcome::Skipped(_)))
                    .map(|r| format!("{}: {}", label(index, challenge), self.script_problem(r))),
            );
        }
        verdict(problems, Vec::new())
    }

    /// One challenge's cases.
    fn challenge(&self, index: usize, lint: &Lint, cases: &mut Cases) {
        let lesson = &self.course.challenges[index];
        let name = label(index, lesson);
        let name = Some(name.as_str());
        let findings = lint.challenge(index);
        // A failure of this challenge also says which of its commands this machine lacks.
        let missing = missing_tools(lesson);
        let explain = |verdict: Verdict| match (verdict, &missing) {
            (Err(why), Some(note)) => Err(format!("{why}\n{note}")),
            (verdict, _) => verdict,
        };

        let started = Instant::now();
        cases.record(Phase::Lint, name, started, self.lint_case(&findings));
        if cases.stopped {
            return;
        }

        // The track's setup runs on entering the first challenge: each case takes its scripts' time.
        let (track, setup) = self.enter(index);
        if let Some(track) = track {
            let verdict = self.scripts_case(&track);
            cases.record_took(Phase::Setup, None, took(&track), verdict);
            if cases.stopped {
                return;
            }
        }
        let verdict = explain(self.scripts_case(&setup));
        cases.record_took(Phase::Setup, name, took(&setup), verdict);
        if cases.stopped {
            return;
        }

        let started = Instant::now();
        let before = self.check(lesson);
        cases.record(
            Phase::CheckFails,
            name,
            started,
            explain(self.fails_first(&before, &findings)),
        );
        if cases.stopped {
            return;
        }

        let started = Instant::now();
        let solved = match self.solve(index) {
            Ok((ran, problems)) => {
                let mut verdict = self.scripts_case(&ran);
                if !problems.is_empty() {
                    let mut all = problems;
                    all.extend(verdict.err());
                    verdict = Err(all.join("\n"));
                }
                verdict
            }
            Err(why) => Err(why),
        };
        cases.record(Phase::Solve, name, started, explain(solved));
        if cases.stopped {
            return;
        }

        let started = Instant::now();
        let after = self.check(lesson);
        let passes = explain(passes_after(&after));
        let passed = passes.is_ok();
        cases.record(Phase::CheckPasses, name, started, passes);
        if cases.stopped {
            return;
        }

        let started = Instant::now();
        let cleaned = match self.course_run() {
            // As the lab does after a pass; after a failure the cleanup still runs, to test it.
            Some(run) if passed => run.passed(index),
            Some(run) => run.run_phase(lesson, ScriptPhase::Cleanup),
            None => Ok(Ran::default()),
        };
        let verdict = match cleaned {
            Ok(ran) => self.scripts_case(&ran),
            Err(e) => Err(self.redact(&e.to_string())),
        };
        cases.record(Phase::Cleanup, name, started, explain(verdict));

        // labrun's own, where a challenge declares two or more steps: each
        // fails without its own work, the other declared solutions applied.
        let declared: Vec<&Step> = lesson.steps.iter().filter(|s| !s.is_instruqt()).collect();
        if declared.len() < 2 {
            return;
        }
        for target in &declared {
            if cases.stopped {
                return;
            }
            let started = Instant::now();
            let case = format!("{} {}", label(index, lesson), target.id);
            let verdict = self.mutation(index, target, &declared);
            cases.record(Phase::Mutation, Some(&case), started, verdict);
        }
    }

    /// Enters challenge `index`: the track's setup (the first time, split
    /// out) and the challenge's own.
    fn enter(&self, index: usize) -> (Option<Ran>, Ran) {
        let Some(run) = self.course_run() else {
            return (None, Ran::default());
        };
        let ran = match run.enter(index) {
            Ok(ran) => ran,
            Err(e) => {
                let mut failed = Ran::default();
                failed.results.push(error_result(&e.to_string()));
                return (None, failed);
            }
        };
        let track_paths: Vec<&Path> = self
            .course
            .track_scripts
            .scripts
            .iter()
            .map(|s| s.path.as_path())
            .collect();
        let (track, own): (Vec<ScriptResult>, Vec<ScriptResult>) = ran
            .results
            .into_iter()
            .partition(|r| track_paths.contains(&r.script.as_path()));
        if track.is_empty() {
            return (None, Ran { results: own });
        }
        let track = Ran { results: track };
        let mut own = Ran { results: own };
        if !track.ok() {
            // A failed track setup is reported once; the challenges go on.
            let _ = Progress::update(&self.workspace.progress_path(), &self.course.slug, |p| {
                p.track_setup_done = true
            });
            if let Ok(again) = run.enter(index) {
                own.results.extend(again.results);
            }
        }
        (Some(track), own)
    }

    fn check(&self, lesson: &Lesson) -> Vec<StepReport> {
        let ctx = self.session.context(lesson, &self.workspace);
        lesson
            .steps
            .iter()
            .map(|s| checks::run_step(s, &ctx))
            .collect()
    }

    /// The challenge solved: its solve scripts, the solutions of its
    /// declared steps, or (a quiz) a wrong answer that must fail and then
    /// the right one recorded. Returns what ran and the problems found
    /// besides scripts that failed.
    fn solve(&self, index: usize) -> Result<(Ran, Vec<String>), String> {
        let lesson = &self.course.challenges[index];
        let mut ran = match self.course_run() {
            Some(run) => run
                .run_phase(lesson, ScriptPhase::Solve)
                .map_err(|e| self.redact(&e.to_string()))?,
            None => Ran::default(),
        };
        let mut problems = Vec::new();
        for step in lesson
            .steps
            .iter()
            .filter(|s| !s.is_instruqt() && !s.solution.trim().is_empty())
        {
            match self.declared_solution(lesson, &step.id, &step.solution) {
                Ok(result) => ran.results.push(result),
                Err(why) => problems.push(why),
            }
        }
        if let ChallengeKind::Quiz { answers, solution } = &lesson.kind {
            problems.extend(self.answer_quiz(lesson, answers, solution));
        }
        Ok((ran, problems))
    }

    /// A declared step's solution, run as a solve script on the local host
    /// (so `/root`, `/tmp` and the workdir are the ones the scripts see).
    fn declared_solution(
        &self,
        lesson: &Lesson,
        id: &str,
        solution: &str,
    ) -> Result<ScriptResult, String> {
        let failed = |e: &dyn std::fmt::Display| {
            self.redact(&format!("the solution of step {id} could not run: {e}"))
        };
        let dir = tempfile::tempdir().map_err(|e| failed(&e))?;
        let path = dir.path().join(format!("solution-{id}"));
        std::fs::write(&path, format!("#!/bin/sh -e\n{solution}\n")).map_err(|e| failed(&e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .map_err(|e| failed(&e))?;
        }
        let timeout = Duration::from_secs(self.course.timeouts.solve);
        match (self.session.runner(), self.course.local_host()) {
            (Some(runner), Some(host)) => runner
                .run(&ScriptRun {
                    phase: ScriptPhase::Solve,
                    host: &host.name,
                    path: &path,
                    timeout,
                    challenge_id: Some(&lesson.slug),
                    vars: &self.session.vars,
                })
                .map_err(|e| failed(&e)),
            // No scripts, no host mode: in the workspace, as `labrun solve` does.
            _ => {
                let finished = crate::script::run(&crate::script::Script {
                    source: solution,
                    dir: &self.workspace.root,
                    env: self.session.shell_env(),
                    extra_path: self.session.extra_path.as_deref(),
                    timeout,
                    errexit: true,
                })
                .map_err(|e| failed(&e))?;
                Ok(ScriptResult {
                    phase: ScriptPhase::Solve,
                    host: "local".into(),
                    script: path.clone(),
                    outcome: if finished.success() {
                        RunOutcome::Passed
                    } else {
                        RunOutcome::Failed(1)
                    },
                    output: finished.output.clone(),
                    notes: vec![finished.describe(timeout)],
                    duration: Duration::ZERO,
                    timeout,
                })
            }
        }
    }

    /// A wrong answer must fail the quiz; then the solution is recorded.
    fn answer_quiz(&self, lesson: &Lesson, answers: &[String], solution: &[usize]) -> Vec<String> {
        let mut problems = Vec::new();
        let root = &self.workspace.root;
        if let Some(wrong) = (0..answers.len()).find(|i| !solution.contains(i)) {
            match quiz::record(root, &lesson.slug, &[wrong]) {
                Ok(()) => {
                    let reports = self.check(lesson);
                    if reports.iter().any(|r| r.status != Status::Fail) {
                        problems.push(format!(
                            "the quiz does not fail with the wrong answer {:?}:\n{}",
                            answers[wrong],
                            conditions(&reports)
                        ));
                    }
                }
                Err(e) => problems.push(e.to_string()),
            }
        }
        if let Err(e) = quiz::record(root, &lesson.slug, solution) {
            problems.push(e.to_string());
        }
        problems
    }

    fn lint_case(&self, findings: &[Finding]) -> Verdict {
        let failing: Vec<String> = findings
            .iter()
            .filter(|f| f.severity == Severity::Error || f.rule == CANNOT_FAIL_RULE)
            .map(|f| self.finding(f))
            .collect();
        verdict(failing, Vec::new())
    }

    /// A finding, its file relative to the course.
    fn finding(&self, finding: &Finding) -> String {
        let mut shown = finding.clone();
        if let Ok(relative) = finding.file.strip_prefix(&self.course.dir) {
            shown.file = relative.to_path_buf();
        }
        self.redact(&shown.to_string())
    }

    /// Scripts of one phase: a failure names the script, how it ended and
    /// the end of its output; a skipped one makes the case skipped.
    fn scripts_case(&self, ran: &Ran) -> Verdict {
        let problems: Vec<String> = ran
            .results
            .iter()
            .filter(|r| !matches!(r.outcome, RunOutcome::Passed | RunOutcome::Skipped(_)))
            .map(|r| self.script_problem(r))
            .collect();
        let skipped: Vec<String> = ran
            .results
            .iter()
            .filter_map(|r| match &r.outcome {
                RunOutcome::Skipped(why) => Some(format!("{}: {why}", r.name())),
                _ => None,
            })
            .collect();
        verdict(problems, skipped)
    }

    fn script_problem(&self, result: &ScriptResult) -> String {
        let mut text = format!("{} {}", result.name(), result.describe());
        // What this machine lacks explains a failure better than its output does.
        if NO_NETWORK.iter().any(|sign| result.output.contains(sign)) {
            text.push_str("\nit needs the network, which this machine could not reach");
        }
        let transcript = result.transcript();
        let tail: Vec<&str> = transcript.lines().rev().take(10).collect();
        if !tail.is_empty() {
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            let _ = write!(text, "\noutput:\n{}", indent(&tail.join("\n")));
        }
        self.redact(&text)
    }

    /// Before the solve every check must fail: one that passes cannot
    /// fail (named with its conditions, and what lint reads in its script).
    fn fails_first(&self, reports: &[StepReport], findings: &[Finding]) -> Verdict {
        let mut problems = Vec::new();
        let mut skipped = Vec::new();
        for report in reports {
            match report.status {
                Status::Fail => {}
                Status::Skipped => skipped.extend(skip_reasons(report)),
                Status::Pass => {
                    let mut text = format!(
                        "{} passes before the challenge is solved: it cannot fail\n{}",
                        what(report),
                        conditions(std::slice::from_ref(report))
                    );
                    let script = report.id.as_str();
                    for f in findings.iter().filter(|f| {
                        f.rule == CANNOT_FAIL_RULE
                            && f.file.file_name().is_some_and(|n| n == script)
                    }) {
                        let _ = write!(text, "\n  why: {}", self.finding(f));
                    }
                    problems.push(text);
                }
                Status::Error => problems.push(format!(
                    "{} could not be evaluated before the solve\n{}",
                    what(report),
                    conditions(std::slice::from_ref(report))
                )),
            }
        }
        verdict(problems, skipped)
    }
}
