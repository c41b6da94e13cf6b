//! The phases of `labrun test` — lint, baseline, solve, mutation — run in
//! order on one lesson, each case decided as it ends; and the text that
//! says what deviated.

use super::lab::Lab;
use super::{CaseResult, LessonRun, Options, Phase};
use crate::checks::{Outcome, Status, StepReport};
use crate::lesson::lint::{self, Severity};
use crate::lesson::{Lesson, Step};
use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::PathBuf;
use std::time::Instant;

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
        Err(why) => cases.record(Phase::Baseline, None, started, Err(Deviation::one(why))),
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
        notes: Vec::new(),
    }
}

/// What deviated in one case, one problem a line, worded for the lesson's
/// author: the report's detail. The lesson's fault, not labrun's.
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("{}", .0.join("\n"))]
struct Deviation(Vec<String>);

impl Deviation {
    fn one(problem: impl ToString) -> Deviation {
        Deviation(vec![problem.to_string()])
    }
}

/// A case passes, is skipped (why: its check cannot run here), or says what deviated.
type Verdict = Result<Done, Deviation>;

#[derive(Debug, PartialEq)]
enum Done {
    Passed,
    Skipped(String),
}

/// Why a step's check cannot run here, when none of its conditions could.
fn skip_reason(report: &StepReport) -> Option<String> {
    (report.status == Status::Skipped).then(|| {
        report
            .outcomes
            .iter()
            .find(|o| o.status == Status::Skipped)
            .map_or_else(String::new, |o| o.message.clone())
    })
}

/// Collects results and reports each one as it is recorded.
struct Cases<'a> {
    results: Vec<CaseResult>,
    progress: &'a mut dyn FnMut(&CaseResult),
}

impl Cases<'_> {
    fn record(&mut self, phase: Phase, step: Option<&Step>, started: Instant, result: Verdict) {
        let case = CaseResult {
            phase,
            challenge: None,
            step: step.map(|s| s.id.clone()),
            ok: result.is_ok(),
            duration: started.elapsed(),
            skipped: match &result {
                Ok(Done::Skipped(why)) => Some(why.clone()),
                _ => None,
            },
            detail: result.err().map(|d| d.to_string()).unwrap_or_default(),
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

fn lint_case(lesson: &Lesson) -> Verdict {
    let errors: Vec<String> = lint::lint(lesson)
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(ToString::to_string)
        .collect();
    if errors.is_empty() {
        Ok(Done::Passed)
    } else {
        Err(Deviation::one(format!(
            "lint found errors:\n{}",
            indent(&errors.join("\n"))
        )))
    }
}

/// On the starting files every condition must fail: one that passes can
/// never fail, one that errors cannot be evaluated; one that cannot run
/// here (a host labrun cannot provide) proves nothing either way.
fn baseline(report: &StepReport) -> Verdict {
    if let Some(why) = skip_reason(report) {
        return Ok(Done::Skipped(why));
    }
    let mut problems = Vec::new();
    for outcome in &report.outcomes {
        match outcome.status {
            Status::Fail | Status::Skipped => {}
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
fn solve(lab: &Lab, lesson: &Lesson, index: usize, reported: &mut BTreeSet<String>) -> Verdict {
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
    if let Some(why) = skip_reason(&report).filter(|_| problems.is_empty()) {
        return Ok(Done::Skipped(why));
    }
    if report.status != Status::Pass {
        problems.push(format!(
            "step {} does not pass after its solution:\n{}",
            step.id,
            unmet(&report)
        ));
    }
    for later in &lesson.steps[index + 1..] {
        let report = lab.check(later);
        let fails = matches!(report.status, Status::Fail | Status::Skipped);
        if !fails && reported.insert(later.id.clone()) {
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
fn mutation(lesson: &Lesson, target: &Step, keep: bool) -> (Verdict, Option<PathBuf>) {
    let left_out = with_dependents(lesson, target);
    let (applied, skipped): (Vec<&Step>, Vec<&Step>) = lesson
        .steps
        .iter()
        .partition(|s| !left_out.contains(s.id.as_str()));
    let lab = match Lab::open(lesson, &format!("without-{}", target.id)) {
        Ok(lab) => lab,
        Err(why) => return (Err(Deviation::one(why)), None),
    };
    let failed = apply(&lab, &applied);
    let report = lab.check(target);
    let result = match report.status {
        Status::Fail => Ok(Done::Passed),
        Status::Skipped => Ok(Done::Skipped(skip_reason(&report).unwrap_or_default())),
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
pub(super) fn with_dependents<'a>(lesson: &'a Lesson, target: &'a Step) -> BTreeSet<&'a str> {
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

fn verdict(problems: Vec<String>) -> Verdict {
    if problems.is_empty() {
        Ok(Done::Passed)
    } else {
        Err(Deviation(problems))
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
        Status::Skipped => "–",
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

pub(super) fn indent(text: &str) -> String {
    let lines: Vec<String> = text.lines().map(|l| format!("  {l}")).collect();
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson_test::lab::LabError;
    use crate::lesson_test::{all_ok, render_human, render_json, render_junit};
    use std::fs;
    use tempfile::TempDir;

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
        let junit = render_junit(std::slice::from_ref(&run));
        for text in [
            render_human(std::slice::from_ref(&run)),
            render_json(std::slice::from_ref(&run)),
            junit.clone(),
        ] {
            assert!(!text.contains(SECRET), "{text}");
        }
        // The JUnit failure carries the redacted output, not nothing.
        let report = quick_junit::Report::deserialize_from_str(&junit).unwrap();
        let solve_two = &report.test_suites[0].test_cases[4];
        assert_eq!(solve_two.name.as_str(), "solve: two");
        let quick_junit::TestCaseStatus::NonSuccess { description, .. } = &solve_two.status else {
            panic!("{junit}");
        };
        assert!(
            description
                .as_deref()
                .unwrap_or("")
                .contains("token is [hidden]"),
            "{junit}"
        );
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
                .starts_with("could not create a workspace: ")
        );
        assert!(matches!(
            Lab::open(&lesson, "again").err(),
            Some(LabError::Workspace(_))
        ));
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
}
