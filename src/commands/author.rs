//! The lesson author's `labrun test`: every lesson tested as its CI should,
//! with a JUnit report. (`labrun lint` is `lint.rs`.)

use super::error::CommandError;
use super::open::load_lesson;
use super::{CHECKS_FAILED, SUCCESS};
use crate::cli::ProgressFormat;
use crate::lesson::bundled;
use std::io::IsTerminal;
use std::path::Path;

pub(super) fn test(
    lesson_args: &[String],
    junit: Option<&Path>,
    format: ProgressFormat,
    keep: bool,
) -> Result<u8, CommandError> {
    use crate::lesson_test::{self, Options};
    let names: Vec<String> = if lesson_args.is_empty() {
        bundled::slugs()
    } else {
        lesson_args.to_vec()
    };
    // Every lesson must load before any runs: a typo fails fast, with exit 2.
    let lessons = names
        .iter()
        .map(|name| load_lesson(Some(name)))
        .collect::<Result<Vec<_>, _>>()?;
    let total_cases: usize = lessons.iter().map(|l| 1 + 3 * l.steps.len()).sum();
    let bar = test_progress_bar(total_cases as u64, format);
    let mut runs = Vec::new();
    for lesson in &lessons {
        bar.set_message(lesson.slug.clone());
        // The report below lists every case; the bar only shows that work goes on.
        let mut on_case = |_: &lesson_test::CaseResult| bar.inc(1);
        runs.push(lesson_test::test_lesson(
            lesson,
            &Options { keep },
            &mut on_case,
        ));
    }
    bar.finish_and_clear();
    match format {
        ProgressFormat::Human => print!("{}", lesson_test::render_human(&runs)),
        ProgressFormat::Json => print!("{}", lesson_test::render_json(&runs)),
    }
    if let Some(path) = junit {
        write_report_file(path, lesson_test::render_junit(&runs).as_bytes())?;
    }
    Ok(if lesson_test::all_ok(&runs) {
        SUCCESS
    } else {
        CHECKS_FAILED
    })
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
