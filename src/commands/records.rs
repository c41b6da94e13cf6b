//! Progress as records: `labrun progress` (a workspace's own table),
//! `progress export` (a portable record for an instructor) and `report`
//! (a class from records and workspaces). A workspace of a course shows and
//! exports its challenges; a lesson's, its steps, as always.

use super::SUCCESS;
use super::error::CommandError;
use super::open::open_course;
use crate::cli::{ProgressFormat, ReportFormat};
use crate::output::{self, Painter};
use crate::progress::Progress;
use crate::report;
use std::path::{Path, PathBuf};

pub(super) fn progress(dir: Option<&Path>, format: ProgressFormat) -> Result<u8, CommandError> {
    let (workspace, course) = open_course(None, dir)?;
    let progress = Progress::load(&workspace.progress_path(), &workspace.state.lesson.slug)?;
    if let [lesson] = course.challenges.as_slice() {
        match format {
            ProgressFormat::Json => println!(
                "{}",
                serde_json::to_string_pretty(&progress).expect("serializes")
            ),
            ProgressFormat::Human => print!("{}", output::progress_table(lesson, &progress)),
        }
        return Ok(SUCCESS);
    }
    // Every challenge of the course, those never entered included.
    let progress = report::complete_course(&progress, &course);
    match format {
        ProgressFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&progress).expect("serializes")
        ),
        ProgressFormat::Human => print!(
            "{}",
            output::progress::course_progress(&course, &progress, Painter::for_stdout())
        ),
    }
    Ok(SUCCESS)
}

pub(super) fn export(
    dir: Option<&Path>,
    output: Option<&Path>,
    learner: Option<&str>,
) -> Result<u8, CommandError> {
    let (workspace, course) = open_course(None, dir)?;
    let record = report::export_course(&workspace, &course, learner)?;
    match output {
        Some(path) => {
            record.save(path).map_err(|source| CommandError::Write {
                path: path.to_path_buf(),
                source,
            })?;
            println!(
                "Wrote {} ({} of {}).",
                path.display(),
                record.learner,
                record.lesson
            );
        }
        None => print!("{}", record.to_json()),
    }
    Ok(SUCCESS)
}

pub(super) fn report(paths: &[PathBuf], format: ReportFormat) -> Result<u8, CommandError> {
    let loaded = report::load(paths);
    eprint!("{}", report::render_skipped(&loaded.skipped));
    if loaded.records.is_empty() {
        return Err(CommandError::NoRecords);
    }
    print_report(&loaded.records, format)
}

/// The class report of `records` on standard output, in `format` — of
/// exported files or of a class server alike.
pub(super) fn print_report(
    records: &[report::Record],
    format: ReportFormat,
) -> Result<u8, CommandError> {
    let class = report::build(records);
    let text = match format {
        ReportFormat::Human => report::render_human(&class, Painter::for_stdout()),
        ReportFormat::Markdown => report::render_markdown(&class),
        ReportFormat::Csv => report::render_csv(&class),
        ReportFormat::Json => report::render_json(&class),
    };
    print!("{text}");
    Ok(SUCCESS)
}
