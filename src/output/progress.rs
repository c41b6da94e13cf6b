//! `labrun progress`: a workspace's progress. For a lesson, a table of its
//! steps — status, attempts, when each first passed. For a course, a line
//! per challenge (passed and how long it took, failing on which condition
//! after how many attempts, skipped, not started, locked), then the current
//! challenge's steps as a lesson's.

use super::style::{Painter, status_mark, status_style, styles};
use super::table::{Cell, Column, Table};
use super::text::{one_line, terminal_safe};
use crate::checks::Status;
use crate::lesson::{Course, Lesson};
use crate::progress::{Progress, StepProgress};
use crate::report::short_duration;
use crate::report::standing::{self, ChallengeStanding, Standing};
use anstyle::Style;

/// The lesson's title, then a row per step in lesson order (steps never
/// checked included).
pub fn progress_table(lesson: &Lesson, progress: &Progress) -> String {
    let mut out = format!("{}\n\n", terminal_safe(lesson.title()));
    // A track of one challenge may key its steps by the challenge.
    out.push_str(&steps_table(lesson, |id| {
        progress
            .step(id)
            .or_else(|| progress.step_in(Some(&lesson.slug), id))
    }));
    out
}

/// A row per step of `lesson`, as `recorded` finds its progress.
fn steps_table<'p>(lesson: &Lesson, recorded: impl Fn(&str) -> Option<&'p StepProgress>) -> String {
    // STATUS as wide as its widest value, so the table does not shift as steps progress.
    let mut table = Table::new(&[Column::left(0), Column::left(11), Column::right(8)]);
    table.row(
        ["STEP", "STATUS", "ATTEMPTS", "FIRST PASSED"]
            .map(Cell::plain)
            .to_vec(),
    );
    for step in &lesson.steps {
        let recorded = recorded(&step.id);
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
    table.render(Painter::PLAIN)
}

/// A course's progress: its title and how many challenges are done, a line
/// per challenge, then the current challenge's steps. `progress` holds every
/// challenge of the course (see [`crate::report::complete_course`]).
pub fn course_progress(course: &Course, progress: &Progress, paint: Painter) -> String {
    let all = standing::standings(progress);
    let done = all.iter().filter(|c| c.standing.is_done()).count();
    let mut out = format!(
        "{} — {done} of {} challenges done\n\n",
        paint.paint(styles::STRONG, &terminal_safe(&course.title)),
        all.len()
    );
    let mut table = Table::new(&[Column::left(0), Column::right(0)]);
    for (n, challenge) in all.iter().enumerate() {
        let (mark, style) = mark(&challenge.standing);
        let (detail, detail_style) = detail(challenge);
        table.row(vec![
            Cell::styled(style, mark),
            Cell::plain((n + 1).to_string()),
            Cell::plain(one_line(&challenge.title)),
            Cell::styled(detail_style, detail),
        ]);
    }
    out.push_str(&table.render(paint));
    let current = standing::current(&all).and_then(|i| {
        let lesson = course.challenges.iter().find(|l| l.slug == all[i].slug)?;
        Some((i, lesson))
    });
    if let Some((i, lesson)) = current {
        out.push_str(&format!(
            "\n{} — challenge {} of {}\n\n",
            paint.paint(styles::STRONG, &terminal_safe(lesson.title())),
            i + 1,
            all.len()
        ));
        out.push_str(&steps_table(lesson, |id| {
            progress.step_in(Some(&lesson.slug), id)
        }));
    }
    out
}

/// A challenge's mark: a check's `✓ ✗ !`, `⏭` skipped, `·` not started,
/// `🔒` locked.
fn mark(standing: &Standing) -> (&'static str, Style) {
    match standing {
        Standing::Passed => (status_mark(Status::Pass), status_style(Status::Pass)),
        Standing::Failing(f) if f.error => {
            (status_mark(Status::Error), status_style(Status::Error))
        }
        Standing::Failing(_) => (status_mark(Status::Fail), status_style(Status::Fail)),
        Standing::Skipped => ("⏭", styles::QUIET),
        Standing::Open => ("·", styles::QUIET),
        Standing::Locked => ("🔒", styles::QUIET),
    }
}

fn detail(challenge: &ChallengeStanding) -> (String, Style) {
    let attempts = match challenge.attempts {
        1 => "1 attempt".to_string(),
        n => format!("{n} attempts"),
    };
    let text = match &challenge.standing {
        Standing::Passed => match challenge.seconds {
            Some(s) => format!("passed in {}", short_duration(s)),
            None => "passed".into(),
        },
        Standing::Skipped => "skipped".into(),
        Standing::Locked => return ("locked".into(), styles::QUIET),
        Standing::Open if challenge.attempts == 0 => return ("not started".into(), styles::QUIET),
        Standing::Open => format!("in progress, {attempts}"),
        Standing::Failing(f) => {
            let why = if f.error {
                "could not be checked"
            } else {
                "failing"
            };
            match f.conditions.first() {
                Some(c) => format!("{attempts}, {why}: “{}”", one_line(c)),
                None => format!("{attempts}, {why} at {}", one_line(&f.step)),
            }
        }
    };
    (text, Style::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::standing::Failing;

    fn standing(standing: Standing, attempts: u32, seconds: Option<u64>) -> ChallengeStanding {
        ChallengeStanding {
            slug: "s".into(),
            title: "S".into(),
            standing,
            attempts,
            seconds,
            hints_shown: 0,
        }
    }

    #[test]
    fn a_fresh_course_opens_its_first_challenge_painted_only_when_asked() {
        let track = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/tracks/shell-basics");
        let course = Course::load(&track).unwrap();
        let progress = crate::report::complete_course(&Progress::new("shell-basics"), &course);
        let plain = course_progress(&course, &progress, Painter::PLAIN);
        assert_eq!(
            plain,
            "\
Shell Basics — 0 of 5 challenges done

·   1  Leave a note              not started
🔒  2  Look around               locked
🔒  3  Check your understanding  locked
🔒  4  Shout it out              locked
🔒  5  Tidy up                   locked

Leave a note — challenge 1 of 5

STEP         STATUS       ATTEMPTS  FIRST PASSED
check-shell  not checked         0  -
"
        );
        let colored = course_progress(&course, &progress, Painter::COLOR);
        assert!(
            colored.starts_with("\x1b[1mShell Basics\x1b[0m — 0 of 5 challenges done\n"),
            "{colored}"
        );
        assert!(colored.contains("\x1b[2m🔒\x1b[0m  2"), "{colored}");
        assert!(colored.contains("\x1b[2mlocked\x1b[0m"), "{colored}");
    }

    #[test]
    fn each_standing_has_its_mark_and_words() {
        let failing = |error, conditions: &[&str]| {
            Standing::Failing(Failing {
                step: "check-shell".into(),
                error,
                conditions: conditions.iter().map(|c| c.to_string()).collect(),
            })
        };
        let cases = [
            (
                standing(Standing::Passed, 2, Some(125)),
                "✓",
                "passed in 2m",
            ),
            (standing(Standing::Passed, 2, None), "✓", "passed"),
            (standing(Standing::Skipped, 0, Some(5)), "⏭", "skipped"),
            (standing(Standing::Locked, 0, None), "🔒", "locked"),
            (standing(Standing::Open, 0, None), "·", "not started"),
            (
                standing(Standing::Open, 2, None),
                "·",
                "in progress, 2 attempts",
            ),
            (
                standing(failing(false, &["FAIL: no\n\x1b[2Jnote"]), 1, None),
                "✗",
                "1 attempt, failing: “FAIL: no\u{fffd}\u{fffd}[2Jnote”",
            ),
            (
                standing(failing(true, &[]), 3, None),
                "!",
                "3 attempts, could not be checked at check-shell",
            ),
        ];
        for (challenge, expected_mark, words) in cases {
            assert_eq!(mark(&challenge.standing).0, expected_mark, "{challenge:?}");
            assert_eq!(detail(&challenge).0, words);
        }
    }
}
