//! `labrun test` on the bundled lesson (it must pass every phase) and on
//! deliberately broken copies of it (each must fail where it is broken).
#![cfg(unix)]

use labrun::lesson::{Lesson, bundled};
use labrun::lesson_test::{self, CaseResult, LessonRun, Options, Phase};
use std::path::Path;
use std::sync::Once;

/// Solutions run `helm` and `replicated`. The stand-ins a workspace links
/// point at the running executable, which here is this test binary, so the
/// real `labrun` goes on PATH under those names instead.
fn standins_on_path() {
    static SETUP: Once = Once::new();
    SETUP.call_once(|| {
        let bin = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lesson-test-bin");
        std::fs::create_dir_all(&bin).unwrap();
        for tool in labrun::standins::STANDINS {
            let link = bin.join(tool);
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_labrun"), &link).unwrap();
        }
        let path = labrun::script::prepend_path(&bin);
        // SAFETY: every test calls this first and waits on the Once, so no
        // other thread of this process reads the environment meanwhile.
        unsafe {
            std::env::set_var("PATH", path);
            // Always the local Vendor API, whatever the developer's shell points at.
            std::env::remove_var("REPLICATED_API_ORIGIN");
        }
    });
}

fn run(lesson_dir: &Path) -> LessonRun {
    standins_on_path();
    let lesson = Lesson::load(lesson_dir).unwrap();
    lesson_test::test_lesson(&lesson, &Options { keep: false }, &mut |_| {})
}

fn fixture(name: &str) -> LessonRun {
    run(&Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/broken")
        .join(name))
}

/// The deviations, as (phase, step).
fn deviations(run: &LessonRun) -> Vec<(Phase, &str)> {
    run.results
        .iter()
        .filter(|r| !r.ok)
        .map(|r| (r.phase, r.step.as_deref().unwrap_or("-")))
        .collect()
}

fn case<'a>(run: &'a LessonRun, phase: Phase, step: &str) -> &'a CaseResult {
    run.results
        .iter()
        .find(|r| r.phase == phase && r.step.as_deref() == Some(step))
        .unwrap_or_else(|| panic!("no {phase:?} case for {step}"))
}

fn assert_detail(run: &LessonRun, phase: Phase, step: &str, phrases: &[&str]) {
    let case = case(run, phase, step);
    assert!(
        !case.ok,
        "{}",
        lesson_test::render_human(std::slice::from_ref(run))
    );
    for phrase in phrases {
        assert!(
            case.detail.contains(phrase),
            "{phrase:?} not in:\n{}",
            case.detail
        );
    }
}

#[test]
fn the_bundled_lesson_passes_every_phase() {
    let run = run(&bundled::resolve(None).unwrap());
    let runs = std::slice::from_ref(&run);
    let report = lesson_test::render_human(runs);
    assert!(lesson_test::all_ok(runs), "{report}");
    // lint, then baseline, solve and mutation for each of the five steps
    let phases: Vec<Phase> = run.results.iter().map(|r| r.phase).collect();
    let mut expected = vec![Phase::Lint];
    for phase in [Phase::Baseline, Phase::Solve, Phase::Mutation] {
        expected.extend([phase; 5]);
    }
    assert_eq!(phases, expected, "{report}");
    assert_eq!(run.lesson, "proxying-private-images");
    assert!(run.kept.is_empty());
    eprintln!("{report}");
}

#[test]
fn a_check_that_passes_on_the_starting_files_can_never_fail() {
    let run = fixture("always-passes");
    assert_detail(
        &run,
        Phase::Baseline,
        "bump-version",
        &[
            "step bump-version: check can never fail",
            "\"Chart.yaml version is 0.5.0\" already passes on the starting files",
        ],
    );
    // Only that step's baseline deviates: the others fail as they should.
    let baseline: Vec<_> = deviations(&run)
        .into_iter()
        .filter(|(phase, _)| *phase == Phase::Baseline)
        .collect();
    assert_eq!(baseline, [(Phase::Baseline, "bump-version")]);
    assert!(!lesson_test::all_ok(&[run]));
}

#[test]
fn a_solution_that_does_not_solve_its_step_is_reported_with_the_condition() {
    let run = fixture("unsolving-solution");
    assert_detail(
        &run,
        Phase::Solve,
        "pull-secret",
        &[
            "step pull-secret does not pass after its solution",
            "✗ slackernews/templates/imagepullsecret.yaml exists: slackernews/templates/imagepullsecret.yaml does not exist",
            "solution output: (none)",
        ],
    );
    // The package made from the incomplete chart lacks the template too;
    // the starting files and the mutation pass are sound.
    assert_eq!(
        deviations(&run),
        [(Phase::Solve, "pull-secret"), (Phase::Solve, "package")]
    );
}

#[test]
fn a_check_that_does_not_depend_on_its_own_work_fails_the_mutation_pass() {
    let run = fixture("independent-step");
    assert_detail(
        &run,
        Phase::Mutation,
        "pull-secret",
        &[
            "step pull-secret passes without its own solution",
            "applied: proxy-image, bump-version",
            "left out: pull-secret, package, promote",
            "✓ images.slackernews.repository uses the proxy registry",
        ],
    );
    // Solving in order already shows it passing early, right after proxy-image.
    assert_detail(
        &run,
        Phase::Solve,
        "proxy-image",
        &["step pull-secret already passes after the solution of proxy-image"],
    );
    // The JUnit report carries the case, its failure message and the details, and reads back.
    let detail = case(&run, Phase::Mutation, "pull-secret").detail.clone();
    let junit = lesson_test::render_junit(&[run]);
    let report = quick_junit::Report::deserialize_from_str(&junit).unwrap();
    let suite = &report.test_suites[0];
    assert_eq!((suite.tests, suite.failures), (16, 2), "{junit}");
    let mutation = suite
        .test_cases
        .iter()
        .find(|c| c.name.as_str() == "mutation: pull-secret")
        .unwrap_or_else(|| panic!("{junit}"));
    assert!(mutation.time.is_some());
    let quick_junit::TestCaseStatus::NonSuccess {
        message,
        description,
        ..
    } = &mutation.status
    else {
        panic!("{junit}");
    };
    assert_eq!(
        message.as_deref(),
        Some(
            "step pull-secret passes without its own solution: its checks do not depend on its own work"
        )
    );
    assert_eq!(description.as_deref(), Some(detail.trim_end()));
}
