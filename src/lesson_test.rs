//! `labrun test`: proves that a lesson's checks and reference solutions agree,
//! so a learner never meets a step that cannot fail, cannot pass, or passes
//! for someone else's work.
//!
//! Each lesson is linted, then run in throw-away workspaces with the local
//! Vendor API: every check must fail on the starting files (baseline); each
//! solution, applied in order, must make its own step pass while later steps
//! still fail (solve); and each step must still fail when every other
//! solution except its own (and its dependents') is applied (mutation).

use crate::checks::{self, Outcome, Status, StepReport};
use crate::lesson::lint::{self, Severity};
use crate::lesson::{Lesson, Step, Vars};
use crate::output::{terminal_safe, xml};
use crate::script::{self, Script};
use crate::session::{ApiMode, Session};
use crate::workspace::{self, Workspace};
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// A solution may package or talk to the API; it must still end.
const SOLUTION_TIMEOUT: Duration = Duration::from_secs(300);

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

    fn duration(&self) -> Duration {
        self.results.iter().map(|r| r.duration).sum()
    }
}

pub fn all_ok(runs: &[LessonRun]) -> bool {
    runs.iter().all(LessonRun::ok)
}

/// Tests one lesson; `progress` sees each case as soon as it is decided.
pub fn test_lesson(
    lesson: &Lesson,
    options: &Options,
    progress: &mut dyn FnMut(&CaseResult),
) -> LessonRun {
    let mut cases = Cases {
        results: Vec::new(),
        progress,
    };
    let mut kept = Vec::new();
    let started = Instant::now();
    cases.record(Phase::Lint, None, started, lint_case(lesson));
    let started = Instant::now();
    match Lab::open(lesson, "solve") {
        Ok(lab) => {
            in_order(&lab, lesson, &mut cases);
            kept.extend(lab.finish(options.keep));
        }
        // Without a workspace there is no baseline and nothing to solve in.
        Err(why) => cases.record(Phase::Baseline, None, started, Err(why)),
    }
    for step in &lesson.steps {
        let started = Instant::now();
        let (result, path) = mutation(lesson, step, options.keep);
        cases.record(Phase::Mutation, Some(step), started, result);
        kept.extend(path);
    }
    LessonRun {
        lesson: lesson.slug.clone(),
        results: cases.results,
        kept,
    }
}

/// Collects results and reports each one as it is recorded.
struct Cases<'a> {
    results: Vec<CaseResult>,
    progress: &'a mut dyn FnMut(&CaseResult),
}

impl Cases<'_> {
    fn record(
        &mut self,
        phase: Phase,
        step: Option<&Step>,
        started: Instant,
        result: Result<(), String>,
    ) {
        let case = CaseResult {
            phase,
            step: step.map(|s| s.id.clone()),
            ok: result.is_ok(),
            duration: started.elapsed(),
            detail: result.err().unwrap_or_default(),
        };
        (self.progress)(&case);
        self.results.push(case);
    }
}

/// The baseline and solve phases, in one workspace.
fn in_order(lab: &Lab, lesson: &Lesson, cases: &mut Cases) {
    // Steps already reported as not failing: reported once, where it began,
    // rather than again after every later solution.
    let mut reported = BTreeSet::new();
    for step in &lesson.steps {
        let started = Instant::now();
        let report = lab.check(step);
        if report.status != Status::Fail {
            reported.insert(step.id.clone());
        }
        cases.record(Phase::Baseline, Some(step), started, baseline(&report));
    }
    for (index, step) in lesson.steps.iter().enumerate() {
        let started = Instant::now();
        let result = solve(lab, lesson, index, &mut reported);
        cases.record(Phase::Solve, Some(step), started, result);
    }
}

fn lint_case(lesson: &Lesson) -> Result<(), String> {
    let errors: Vec<String> = lint::lint(lesson)
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(ToString::to_string)
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "lint found errors:\n{}",
            indent(&errors.join("\n"))
        ))
    }
}

/// On the starting files every condition must fail: one that passes can
/// never fail, one that errors cannot be evaluated.
fn baseline(report: &StepReport) -> Result<(), String> {
    let mut problems = Vec::new();
    for outcome in &report.outcomes {
        match outcome.status {
            Status::Fail => {}
            Status::Pass => problems.push(format!(
                "step {}: check can never fail: {:?} already passes on the starting files\n{}",
                report.id,
                outcome.name,
                condition(outcome)
            )),
            Status::Error => problems.push(format!(
                "step {}: check {:?} could not be evaluated on the starting files\n{}",
                report.id,
                outcome.name,
                condition(outcome)
            )),
        }
    }
    verdict(problems)
}

/// Applies the solution of step `index` to the workspace all earlier
/// solutions were applied to: that step must pass, every later one fail.
fn solve(
    lab: &Lab,
    lesson: &Lesson,
    index: usize,
    reported: &mut BTreeSet<String>,
) -> Result<(), String> {
    let step = &lesson.steps[index];
    let solved = lab.solve(step);
    let mut problems = Vec::new();
    if !solved.success {
        problems.push(format!(
            "the solution of step {} {}",
            step.id, solved.ending
        ));
    }
    let report = lab.check(step);
    if report.status != Status::Pass {
        problems.push(format!(
            "step {} does not pass after its solution:\n{}",
            step.id,
            unmet(&report)
        ));
    }
    for later in &lesson.steps[index + 1..] {
        let report = lab.check(later);
        if report.status != Status::Fail && reported.insert(later.id.clone()) {
            problems.push(too_early(&report, step));
        }
    }
    if !problems.is_empty() {
        problems.push(solved.output_block());
    }
    verdict(problems)
}

/// A later step that no longer fails once `solved`'s solution ran.
fn too_early(later: &StepReport, solved: &Step) -> String {
    if later.status == Status::Pass {
        format!(
            "step {} already passes after the solution of {}, before its own solution ran:\n{}",
            later.id,
            solved.id,
            conditions(&later.outcomes)
        )
    } else {
        format!(
            "step {} could not be evaluated after the solution of {}:\n{}",
            later.id,
            solved.id,
            unmet(later)
        )
    }
}

/// Every other solution, except those of `target`'s dependents, applied in
/// a fresh workspace: `target` must still fail, or its checks do not
/// depend on its own work. Returns the workspace's path when kept.
fn mutation(lesson: &Lesson, target: &Step, keep: bool) -> (Result<(), String>, Option<PathBuf>) {
    let left_out = with_dependents(lesson, target);
    let (applied, skipped): (Vec<&Step>, Vec<&Step>) = lesson
        .steps
        .iter()
        .partition(|s| !left_out.contains(s.id.as_str()));
    let lab = match Lab::open(lesson, &format!("without-{}", target.id)) {
        Ok(lab) => lab,
        Err(why) => return (Err(why), None),
    };
    let failed = apply(&lab, &applied);
    let report = lab.check(target);
    let result = match report.status {
        Status::Fail => Ok(()),
        Status::Pass | Status::Error => {
            let verb = if report.status == Status::Pass {
                "passes without its own solution: its checks do not depend on its own work"
            } else {
                "could not be evaluated without its own solution"
            };
            let mut problems = vec![format!(
                "step {} {verb}\napplied: {}\nleft out: {}\n{}",
                target.id,
                names(&applied),
                names(&skipped),
                conditions(&report.outcomes)
            )];
            problems.extend(failed);
            verdict(problems)
        }
    };
    (result, lab.finish(keep))
}

/// Runs the solutions of `steps` in order; says which failed and how.
/// A failure is no deviation in itself (the solution may need the work
/// left out), but it explains a step that unexpectedly passes.
fn apply(lab: &Lab, steps: &[&Step]) -> Vec<String> {
    let mut failed = Vec::new();
    for step in steps {
        let solved = lab.solve(step);
        if !solved.success {
            failed.push(format!(
                "the solution of {} {}\n{}",
                step.id,
                solved.ending,
                solved.output_block()
            ));
        }
    }
    failed
}

/// `target` and every step that needs it, directly or through another.
fn with_dependents<'a>(lesson: &'a Lesson, target: &'a Step) -> BTreeSet<&'a str> {
    let mut set = BTreeSet::from([target.id.as_str()]);
    // `needs` only names earlier steps, so one pass in order sees every chain.
    for step in &lesson.steps {
        if step.needs.iter().any(|n| set.contains(n.as_str())) {
            set.insert(step.id.as_str());
        }
    }
    set
}

fn names(steps: &[&Step]) -> String {
    if steps.is_empty() {
        return "(none)".into();
    }
    let ids: Vec<&str> = steps.iter().map(|s| s.id.as_str()).collect();
    ids.join(", ")
}

fn verdict(problems: Vec<String>) -> Result<(), String> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// The conditions of a report that are not met.
fn unmet(report: &StepReport) -> String {
    let failing: Vec<Outcome> = report
        .outcomes
        .iter()
        .filter(|o| o.status != Status::Pass)
        .cloned()
        .collect();
    conditions(&failing)
}

fn conditions(outcomes: &[Outcome]) -> String {
    let lines: Vec<String> = outcomes.iter().map(condition).collect();
    lines.join("\n")
}

/// One condition as `  ✓ name: message` (outcomes arrive redacted).
fn condition(outcome: &Outcome) -> String {
    let mark = match outcome.status {
        Status::Pass => "✓",
        Status::Fail => "✗",
        Status::Error => "!",
    };
    let mut text = format!("  {mark} {}", outcome.name);
    let mut lines = outcome.message.lines();
    if let Some(first) = lines.next() {
        let _ = write!(text, ": {first}");
    }
    for line in lines {
        let _ = write!(text, "\n      {line}");
    }
    text
}

fn indent(text: &str) -> String {
    let lines: Vec<String> = text.lines().map(|l| format!("  {l}")).collect();
    lines.join("\n")
}

/// A throw-away workspace with its session (local Vendor API, stand-ins).
struct Lab<'l> {
    lesson: &'l Lesson,
    // Declared before `dir` so the API stops (and stops writing its state)
    // before the directory is removed.
    session: Session,
    workspace: Workspace,
    dir: TempDir,
}

/// How a solution ran, already redacted.
struct Solved {
    success: bool,
    /// "exited with status 1" and the like.
    ending: String,
    output: String,
}

impl Solved {
    fn output_block(&self) -> String {
        if self.output.trim().is_empty() {
            "solution output: (none)".into()
        } else {
            format!("solution output:\n{}", indent(self.output.trim_end()))
        }
    }
}

impl<'l> Lab<'l> {
    /// `name` names the workspace directory, for when it is kept.
    fn open(lesson: &'l Lesson, name: &str) -> Result<Lab<'l>, String> {
        let dir = tempfile::Builder::new()
            .prefix("labrun-test-")
            .tempdir()
            .map_err(|e| format!("could not make a temporary directory: {e}"))?;
        let (workspace, _) = workspace::init(lesson, &dir.path().join(name), false)
            .map_err(|e| format!("could not create a workspace: {e}"))?;
        // As `labrun check` resolves them: the environment, then the values made for the workspace.
        let vars = Vars::resolve(
            &lesson.variables,
            &[],
            |k| std::env::var(k).ok(),
            &workspace.state.vars,
        );
        vars.check_secrets().map_err(|e| e.to_string())?;
        let session = Session::open(lesson, &workspace, vars.clone(), ApiMode::Offline)
            .map_err(|e| vars.redact(&format!("could not open the lesson's session: {e}")))?;
        Ok(Lab {
            lesson,
            session,
            workspace,
            dir,
        })
    }

    fn check(&self, step: &Step) -> StepReport {
        checks::run_step(step, &self.session.context(self.lesson, &self.workspace))
    }

    fn solve(&self, step: &Step) -> Solved {
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
    fn finish(self, keep: bool) -> Option<PathBuf> {
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

// ── Reports ─────────────────────────────────────────────────────────────

/// One case as a line: `ok    solve     bump-version  12ms`.
pub fn render_case(case: &CaseResult) -> String {
    let verdict = if case.ok { "ok" } else { "FAIL" };
    format!(
        "{verdict:4}  {:8}  {:24}  {}",
        case.phase.as_str(),
        case.step.as_deref().unwrap_or("-"),
        millis(case.duration)
    )
}

/// Every case of every lesson, details under the deviating ones, a summary per lesson.
pub fn render_human(runs: &[LessonRun]) -> String {
    let mut out = String::new();
    for run in runs {
        let _ = writeln!(out, "{}", terminal_safe(&run.lesson));
        for case in &run.results {
            let _ = writeln!(out, "  {}", render_case(case));
            if !case.ok {
                // Details quote the lesson's checks: no escape sequences from it reach a CI log.
                for line in terminal_safe(&case.detail).lines() {
                    let _ = writeln!(out, "        {line}");
                }
            }
        }
        let verdict = if run.ok() { "ok" } else { "FAILED" };
        let _ = writeln!(
            out,
            "{}: {verdict}: {} of {} cases pass ({})",
            terminal_safe(&run.lesson),
            run.results.len() - run.failures(),
            run.results.len(),
            millis(run.duration())
        );
        for path in &run.kept {
            let _ = writeln!(out, "  kept workspace {}", path.display());
        }
        out.push('\n');
    }
    let failed = runs.iter().filter(|r| !r.ok()).count();
    let _ = writeln!(
        out,
        "{} lesson(s) tested, {failed} with deviations",
        runs.len()
    );
    out
}

#[derive(Serialize)]
struct JsonCase<'a> {
    phase: Phase,
    step: Option<&'a str>,
    ok: bool,
    duration_ms: u64,
    detail: &'a str,
}

#[derive(Serialize)]
struct JsonLesson<'a> {
    lesson: &'a str,
    ok: bool,
    results: Vec<JsonCase<'a>>,
    kept: &'a [PathBuf],
}

pub fn render_json(runs: &[LessonRun]) -> String {
    let lessons: Vec<JsonLesson> = runs
        .iter()
        .map(|run| JsonLesson {
            lesson: &run.lesson,
            ok: run.ok(),
            results: run
                .results
                .iter()
                .map(|c| JsonCase {
                    phase: c.phase,
                    step: c.step.as_deref(),
                    ok: c.ok,
                    duration_ms: u64::try_from(c.duration.as_millis()).unwrap_or(u64::MAX),
                    detail: &c.detail,
                })
                .collect(),
            kept: &run.kept,
        })
        .collect();
    let report = serde_json::json!({ "ok": all_ok(runs), "lessons": lessons });
    serde_json::to_string_pretty(&report).expect("reports serialize") + "\n"
}

/// One testsuite per lesson, one testcase per phase and step.
pub fn render_junit(runs: &[LessonRun]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for run in runs {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{}\">",
            xml(&run.lesson),
            run.results.len(),
            run.failures(),
            secs(run.duration())
        );
        for case in &run.results {
            junit_case(&mut out, &run.lesson, case);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn junit_case(out: &mut String, lesson: &str, case: &CaseResult) {
    let name = match &case.step {
        Some(step) => format!("{}: {step}", case.phase.as_str()),
        None => case.phase.as_str().to_string(),
    };
    let _ = write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\" time=\"{}\">",
        xml(lesson),
        xml(&name),
        secs(case.duration)
    );
    if !case.ok {
        let summary = case.detail.lines().next().unwrap_or("deviation");
        let _ = write!(
            out,
            "\n      <failure message=\"{}\">{}</failure>\n    ",
            xml(summary),
            xml(&case.detail)
        );
    }
    out.push_str("</testcase>\n");
}

/// `12ms` under a second, `1.23s` above: enough to spot the slow step.
fn millis(duration: Duration) -> String {
    if duration < Duration::from_secs(1) {
        format!("{}ms", duration.as_millis())
    } else {
        format!("{:.2}s", duration.as_secs_f64())
    }
}

fn secs(duration: Duration) -> String {
    format!("{:.3}", duration.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    const TEXT: &str = "---\nslug: demo\ntitle: Demo\n---\n# Do it\n";
    const SECRET: &str = "s3cret-token-value";

    /// A two-step lesson (`two` needs `one`) in a temporary directory.
    fn lesson(second_solution: &str) -> (TempDir, Lesson) {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("assignment.md"), TEXT).unwrap();
        fs::create_dir(dir.path().join("files")).unwrap();
        fs::write(dir.path().join("files/start.txt"), "start\n").unwrap();
        let manifest = format!(
            r#"
[[variables]]
name = "TOKEN"
default = "{SECRET}"
secret = true

[[steps]]
id = "one"
title = "One"
section = "Do it"
solution = "echo one > one.txt"
[[steps.checks]]
kind = "file_exists"
file = "one.txt"

[[steps]]
id = "two"
title = "Two"
section = "Do it"
needs = ["one"]
solution = '''{second_solution}'''
[[steps.checks]]
kind = "file_exists"
file = "two.txt"
"#
        );
        fs::write(dir.path().join("lesson.toml"), manifest).unwrap();
        let lesson = Lesson::load(dir.path()).unwrap();
        (dir, lesson)
    }

    fn run(lesson: &Lesson, keep: bool) -> (LessonRun, usize) {
        let mut seen = 0;
        let run = test_lesson(lesson, &Options { keep }, &mut |_| seen += 1);
        (run, seen)
    }

    fn deviations(run: &LessonRun) -> Vec<(Phase, Option<&str>)> {
        run.results
            .iter()
            .filter(|r| !r.ok)
            .map(|r| (r.phase, r.step.as_deref()))
            .collect()
    }

    #[test]
    fn a_sound_lesson_passes_every_phase() {
        let (_dir, lesson) = lesson("cp one.txt two.txt");
        let (run, seen) = run(&lesson, false);
        assert_eq!(
            deviations(&run),
            [],
            "{}",
            render_human(std::slice::from_ref(&run))
        );
        // lint, then baseline, solve and mutation for each of the two steps
        assert_eq!((run.results.len(), seen), (7, 7));
        assert!(all_ok(&[run]));
    }

    #[test]
    fn a_failing_solution_is_reported_with_its_output_redacted() {
        let (_dir, lesson) = lesson("echo \"token is $TOKEN\"; exit 3");
        let (run, _) = run(&lesson, false);
        assert_eq!(deviations(&run), [(Phase::Solve, Some("two"))]);
        let detail = &run.results.iter().find(|r| !r.ok).unwrap().detail;
        assert!(
            detail.contains("the solution of step two exited with status 3"),
            "{detail}"
        );
        assert!(detail.contains("✗ two.txt exists"), "{detail}");
        assert!(detail.contains("token is [hidden]"), "{detail}");
        for text in [
            render_human(std::slice::from_ref(&run)),
            render_json(std::slice::from_ref(&run)),
            render_junit(&[run]),
        ] {
            assert!(!text.contains(SECRET), "{text}");
        }
    }

    #[test]
    fn kept_workspaces_are_listed_and_left_on_disk() {
        let (_dir, lesson) = lesson("cp one.txt two.txt");
        let (run, _) = run(&lesson, true);
        // the solve workspace and one per mutation
        assert_eq!(run.kept.len(), 3);
        for path in &run.kept {
            assert!(path.join("start.txt").is_file(), "{}", path.display());
            fs::remove_dir_all(path.parent().unwrap()).unwrap();
        }
    }

    #[test]
    fn a_workspace_that_cannot_be_made_is_a_deviation_not_a_panic() {
        let (dir, _) = lesson("cp one.txt two.txt");
        let manifest = fs::read_to_string(dir.path().join("lesson.toml")).unwrap();
        fs::write(
            dir.path().join("lesson.toml"),
            format!("files = \"no-such-dir\"\n{manifest}"),
        )
        .unwrap();
        let lesson = Lesson::load(dir.path()).unwrap();
        let (run, _) = run(&lesson, false);
        assert_eq!(
            deviations(&run),
            [
                (Phase::Baseline, None),
                (Phase::Mutation, Some("one")),
                (Phase::Mutation, Some("two"))
            ]
        );
        assert!(
            run.results[1]
                .detail
                .contains("could not create a workspace")
        );
    }

    #[test]
    fn dependents_follow_needs_transitively() {
        let dir = crate::lesson::bundled::resolve(None).unwrap();
        let lesson = Lesson::load(&dir).unwrap();
        let of = |id: &str| -> Vec<&str> {
            with_dependents(&lesson, lesson.step(id).unwrap())
                .into_iter()
                .collect()
        };
        assert_eq!(of("proxy-image"), ["package", "promote", "proxy-image"]);
        assert_eq!(of("pull-secret"), ["package", "promote", "pull-secret"]);
        assert_eq!(of("promote"), ["promote"]);
    }

    fn sample() -> LessonRun {
        let case = |phase, step: Option<&str>, detail: &str| CaseResult {
            phase,
            step: step.map(Into::into),
            ok: detail.is_empty(),
            duration: Duration::from_millis(12),
            detail: detail.into(),
        };
        LessonRun {
            lesson: "demo".into(),
            results: vec![
                case(Phase::Lint, None, ""),
                case(
                    Phase::Baseline,
                    Some("bump"),
                    "step bump: check can never fail: \"a<b\" already passes\n  ✓ a<b: ok",
                ),
            ],
            kept: vec![],
        }
    }

    #[test]
    fn human_report_has_a_line_per_case_and_the_details() {
        let text = render_human(&[sample()]);
        assert!(
            text.contains("  ok    lint      -                         12ms\n"),
            "{text}"
        );
        assert!(
            text.contains("  FAIL  baseline  bump                      12ms\n"),
            "{text}"
        );
        assert!(
            text.contains("        step bump: check can never fail"),
            "{text}"
        );
        assert!(
            text.contains("demo: FAILED: 1 of 2 cases pass (24ms)"),
            "{text}"
        );
        assert!(
            text.ends_with("1 lesson(s) tested, 1 with deviations\n"),
            "{text}"
        );
    }

    #[test]
    fn json_report_shape() {
        let v: serde_json::Value = serde_json::from_str(&render_json(&[sample()])).unwrap();
        assert_eq!(v["ok"], false);
        let case = &v["lessons"][0]["results"][1];
        assert_eq!(
            (
                &case["phase"],
                &case["step"],
                &case["ok"],
                &case["duration_ms"]
            ),
            (
                &serde_json::json!("baseline"),
                &serde_json::json!("bump"),
                &serde_json::json!(false),
                &serde_json::json!(12)
            )
        );
        assert_eq!(
            v["lessons"][0]["results"][0]["step"],
            serde_json::Value::Null
        );
    }

    #[test]
    fn junit_has_a_testcase_per_phase_and_step() {
        let xml = render_junit(&[sample()]);
        assert!(xml.contains(
            "<testsuite name=\"demo\" tests=\"2\" failures=\"1\" errors=\"0\" time=\"0.024\">"
        ));
        assert!(
            xml.contains("<testcase classname=\"demo\" name=\"lint\" time=\"0.012\"></testcase>")
        );
        assert!(xml.contains("name=\"baseline: bump\""), "{xml}");
        assert!(
            xml.contains("<failure message=\"step bump: check can never fail: &quot;a&lt;b&quot; already passes\">"),
            "{xml}"
        );
    }
}
