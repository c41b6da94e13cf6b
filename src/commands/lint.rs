//! `labrun lint [LESSON] [--format human|json]`: a lesson, an Instruqt
//! challenge or a whole track read as a course, every rule applied, each
//! finding printed with its file and line. Exit 1 when a finding is an
//! error; a course that does not load at all is a lesson error (exit 2).

use super::error::CommandError;
use super::{CHECKS_FAILED, SUCCESS};
use crate::cli::ProgressFormat;
use crate::lesson::lint::{self, Counts};
use crate::lesson::{Course, bundled};
use crate::output::Painter;
use crate::output::lint::{human_findings, human_summary, json, shown_path};

pub(super) fn lint(lesson_arg: Option<&str>, format: ProgressFormat) -> Result<u8, CommandError> {
    let dir = bundled::resolve(lesson_arg)?;
    let here = std::env::current_dir().ok();
    let base = here.as_deref();
    let course = match Course::load(&dir) {
        Ok(course) => course,
        Err(error) => {
            // Loading stops at the first broken file; name every broken
            // challenge text of a track, then fail as a lesson error.
            let message = error.to_string();
            let others: Vec<_> = lint::unloadable::challenge_texts(&dir)
                .into_iter()
                .filter(|f| message != format!("{}:{}: {}", f.file.display(), f.line, f.message))
                .collect();
            eprint!("{}", human_findings(&others, base, Painter::for_stderr()));
            return Err(error.into());
        }
    };
    let findings = lint::lint_course(&course);
    let name = match base {
        Some(here) if here == course.dir => ".".to_string(),
        _ => shown_path(&course.dir, base),
    };
    let counts = Counts::of(&findings);
    match format {
        // Findings are diagnostics (stderr, as a compiler's); the count is the result.
        ProgressFormat::Human => {
            eprint!("{}", human_findings(&findings, base, Painter::for_stderr()));
            print!("{}", human_summary(&name, counts));
        }
        ProgressFormat::Json => print!("{}", json(&name, course.source, &findings, base)),
    }
    Ok(if counts.errors == 0 {
        SUCCESS
    } else {
        CHECKS_FAILED
    })
}
