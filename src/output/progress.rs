//! `labrun progress`: a workspace's progress as a table of the lesson's
//! steps — status, attempts, when each first passed.

use super::style::Painter;
use super::table::{Cell, Column, Table};
use super::text::terminal_safe;
use crate::checks::Status;
use crate::lesson::Lesson;
use crate::progress::Progress;

/// The lesson's title, then a row per step in lesson order (steps never
/// checked included).
pub fn progress_table(lesson: &Lesson, progress: &Progress) -> String {
    let mut out = format!("{}\n\n", terminal_safe(lesson.title()));
    // STATUS as wide as its widest value, so the table does not shift as steps progress.
    let mut table = Table::new(&[Column::left(0), Column::left(11), Column::right(8)]);
    table.row(
        ["STEP", "STATUS", "ATTEMPTS", "FIRST PASSED"]
            .map(Cell::plain)
            .to_vec(),
    );
    for step in &lesson.steps {
        let recorded = progress.step(&step.id);
        let status = match recorded.and_then(|s| s.status) {
            None => "not checked",
            Some(Status::Pass) => "passing",
            Some(Status::Fail) => "failing",
            Some(Status::Error) => "error",
            Some(Status::Skipped) => "skipped",
        };
        let attempts = recorded.map_or(0, |s| s.attempts);
        let passed = recorded
            .and_then(|s| s.first_passed_at.as_deref())
            .unwrap_or("-");
        table.row(vec![
            Cell::plain(&step.id),
            Cell::plain(status),
            Cell::plain(attempts.to_string()),
            Cell::plain(passed),
        ]);
    }
    out.push_str(&table.render(Painter::PLAIN));
    out
}
