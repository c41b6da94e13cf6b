//! The lesson author's `labrun test`: every lesson, challenge or track
//! tested as its CI should, with a JUnit report; a course's scripts run
//! only when trusted. (`labrun lint` is `lint.rs`.)

use super::error::CommandError;
use super::open::{ensure_trusted, load_course};
use super::{CHECKS_FAILED, SUCCESS};
use crate::cli::{CourseTestArgs, ProgressFormat, VarArgs};
use crate::lesson::{Course, Lesson, SourceKind, bundled};
use std::io::IsTerminal;
use std::path::Path;

pub(super) fn test(
    lesson_args: &[String],
    junit: Option<&Path>,
    format: ProgressFormat,
    keep: bool,
    flags: &CourseTestArgs,
) -> Result<u8, CommandError> {
    use crate::lesson_test::{self, CourseOptions, Options};
    let names: Vec<String> = if lesson_args.is_empty() {
        bundled::slugs()
    } else {
        lesson_args.to_vec()
    };
    // Every lesson must load before any runs: a typo fails fast, with exit 2.
    let courses = names
        .iter()
        .map(|name| load_course(Some(name)))
        .collect::<Result<Vec<_>, _>>()?;
    let trust = VarArgs {
        trust: flags.trust,
        ..VarArgs::default()
    };
    let mut plans = Vec::new();
    for course in &courses {
        // Refused before anything runs: exit 2 with what to do.
        ensure_trusted(course, &trust, false)?;
        let only = match &flags.challenge {
            Some(selector) => {
                Some(course.challenge(selector).map(|(i, _)| i).ok_or_else(|| {
                    CommandError::UnknownChallenge {
                        selector: selector.clone(),
                        known: course.challenges.iter().map(|c| c.slug.clone()).collect(),
                    }
                })?)
            }
            None => None,
        };
        plans.push((course, only));
    }
    let total_cases: usize = courses.iter().map(case_count).sum();
    let bar = test_progress_bar(total_cases as u64, format);
    let mut runs = Vec::new();
    for (course, only) in plans {
        bar.set_message(course.slug.clone());
        // The report below lists every case; the bar only shows that work goes on.
        let mut on_case = |_: &lesson_test::CaseResult| bar.inc(1);
        let run = match as_lesson(course) {
            Some(lesson) => lesson_test::test_lesson(lesson, &Options { keep }, &mut on_case),
            None => lesson_test::test_course(
                course,
                &CourseOptions {
                    keep,
                    fail_fast: flags.fail_fast,
                    only,
                },
                &mut on_case,
            ),
        };
        let failed = !run.ok();
        runs.push(run);
        if failed && flags.fail_fast {
            break;
        }
    }
    bar.finish_and_clear();
    match format {
        ProgressFormat::Human => print!("{}", lesson_test::render_human(&runs)),
        ProgressFormat::Json => print!("{}", lesson_test::render_json(&runs)),
    }
    if let Some(path) = junit {
        write_report_file(path, lesson_test::render_junit(&runs).as_bytes())?;
    }
    // Never 0 after a failure, nor when a lesson named was not run (--fail-fast).
    Ok(
        if lesson_test::all_ok(&runs) && runs.len() == courses.len() {
            SUCCESS
        } else {
            CHECKS_FAILED
        },
    )
}

/// A labrun lesson without lifecycle scripts: tested by its steps'
/// phases (lint, baseline, solve, mutation), as it always was.
fn as_lesson(course: &Course) -> Option<&Lesson> {
    match course.challenges.as_slice() {
        [lesson] if course.source == SourceKind::Lesson && course.scripts().next().is_none() => {
            Some(lesson)
        }
        _ => None,
    }
}

/// About how many cases a course has, for the progress bar.
fn case_count(course: &Course) -> usize {
    match as_lesson(course) {
        Some(lesson) => 1 + 3 * lesson.steps.len(),
        None => 6 * course.challenges.len() + 1,
    }
}

/// Writes a report file CI asked for, making its directory first as other
/// test runners do (`target/` may not exist when `CARGO_TARGET_DIR` is elsewhere).
fn write_report_file(path: &Path, bytes: &[u8]) -> Result<(), CommandError> {
    let failed = |source| CommandError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(failed)?;
    }
    crate::fsutil::write_atomic(path, bytes).map_err(failed)
}

/// A bar on a terminal; hidden (plain lines instead) in CI and pipes.
fn test_progress_bar(len: u64, format: ProgressFormat) -> indicatif::ProgressBar {
    let interactive = std::io::stderr().is_terminal() && matches!(format, ProgressFormat::Human);
    if !interactive || std::env::var_os("CI").is_some() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}") {
        bar.set_style(style);
    }
    bar
}
