//! A course's part of a class report as text: learners × challenges with
//! class totals and who is stuck, for a terminal, as Markdown, and as CSV
//! rows. The marks are those of the lesson table (`✓ 12m`, `✗ 3`, `! 3`,
//! `·`) and `⏭` for a challenge the learner skipped.

use super::course::{ChallengeCell, ChallengeCellState, CourseReport, StuckLearner};
use super::render::{failing_phrase, learners_phrase, md, short_duration};
use crate::output::table::{Cell, Table};
use crate::output::text::one_line;
use crate::output::{Painter, styles};
use anstyle::Style;
use std::fmt::Write;
use std::iter::once;

/// A challenge cell as text: `✓ 12m`, `⏭`, `✗ 3` (checks), `! 3`, `·`.
fn cell_text(cell: &ChallengeCell) -> String {
    match cell.state {
        ChallengeCellState::NotStarted => "·".into(),
        ChallengeCellState::Passed => match cell.seconds {
            Some(s) => format!("✓ {}", short_duration(s)),
            None => "✓".into(),
        },
        ChallengeCellState::Skipped => "⏭".into(),
        ChallengeCellState::Failing => format!("✗ {}", cell.attempts),
        ChallengeCellState::Error => format!("! {}", cell.attempts),
    }
}

/// As a check's status would be painted; skipped and not started quiet.
fn cell_style(state: ChallengeCellState) -> Style {
    match state {
        ChallengeCellState::NotStarted | ChallengeCellState::Skipped => styles::QUIET,
        ChallengeCellState::Passed => styles::PASS,
        ChallengeCellState::Failing => styles::FAIL,
        ChallengeCellState::Error => styles::ERROR,
    }
}

/// `✗ 6` or `! 2`: a stuck learner's mark and checks.
fn stuck_mark(learner: &StuckLearner) -> String {
    let mark = if learner.state == ChallengeCellState::Error {
        '!'
    } else {
        '✗'
    };
    format!("{mark} {}", learner.attempts)
}

fn seconds_text(seconds: Option<u64>) -> String {
    seconds.map_or("-".into(), short_duration)
}

/// The first line: what the course is and how far the class got.
fn headline(course: &CourseReport) -> String {
    let n = course.challenges.len();
    let challenges = if n == 1 {
        "1 challenge".to_string()
    } else {
        format!("{n} challenges")
    };
    format!(
        "course of {challenges}, {}, {} finished",
        learners_phrase(course.learners.len()),
        course.finished
    )
}

/// The table before any format: challenges, a row per learner (name, a cell
/// per challenge, challenges done), then the class totals per challenge.
struct Grid {
    challenges: Vec<String>,
    learners: Vec<GridRow>,
    totals: Vec<(&'static str, Vec<String>)>,
}

/// A learner's name, a cell per challenge, and challenges done.
type GridRow = (String, Vec<(ChallengeCellState, String)>, String);

fn grid(course: &CourseReport) -> Grid {
    let total = course.learners.len();
    let of = |count: usize| format!("{count}/{total}");
    let each = |f: &dyn Fn(&super::course::ChallengeSummary) -> String| {
        course.challenges.iter().map(f).collect::<Vec<String>>()
    };
    Grid {
        challenges: course.challenges.iter().map(|c| c.slug.clone()).collect(),
        learners: course
            .learners
            .iter()
            .map(|l| {
                let cells = l.challenges.iter().map(|c| (c.state, cell_text(c)));
                let done = format!("{}/{}", l.done, course.challenges.len());
                (l.name.clone(), cells.collect(), done)
            })
            .collect(),
        totals: vec![
            ("passed", each(&|c| of(c.passed))),
            ("skipped", each(&|c| of(c.skipped))),
            ("stuck", each(&|c| of(c.stuck))),
            ("median", each(&|c| seconds_text(c.median_seconds_to_pass))),
        ],
    }
}

/// The course for a terminal: headline, table, totals, who is stuck.
pub(super) fn human(out: &mut String, course: &CourseReport, paint: Painter) {
    let _ = writeln!(
        out,
        "{} — {}\n",
        paint.paint(styles::STRONG, &one_line(&course.course)),
        headline(course)
    );
    let g = grid(course);
    let strong = |text: &str| Cell::styled(styles::STRONG, text);
    let mut table = Table::new(&[]);
    let heads = g.challenges.iter().map(|slug| strong(&one_line(slug)));
    table.row(
        once(strong("LEARNER"))
            .chain(heads)
            .chain(once(strong("DONE")))
            .collect(),
    );
    for (name, cells, done) in &g.learners {
        let cells = cells
            .iter()
            .map(|(state, text)| Cell::styled(cell_style(*state), text));
        table.row(
            once(Cell::plain(one_line(name)))
                .chain(cells)
                .chain(once(Cell::plain(done)))
                .collect(),
        );
    }
    for (name, totals) in &g.totals {
        table.row(
            once(strong(name))
                .chain(totals.iter().map(Cell::plain))
                .collect(),
        );
    }
    out.push_str(&table.render(paint));
    out.push('\n');
    if course.stuck.is_empty() {
        let _ = writeln!(out, "{} nobody", paint.paint(styles::STRONG, "Stuck:"));
        return;
    }
    let _ = writeln!(out, "{}", paint.paint(styles::STRONG, "Stuck:"));
    // One table for every stuck learner, so columns line up across challenges.
    let mut rows = Table::new(&[]);
    for learner in course.stuck.iter().flat_map(|at| &at.learners) {
        let condition = learner
            .condition
            .as_deref()
            .map_or(String::new(), |c| format!("“{}”", one_line(c)));
        rows.row(vec![
            Cell::plain(format!("    {}", one_line(&learner.name))),
            Cell::styled(cell_style(learner.state), stuck_mark(learner)),
            Cell::plain(seconds_text(learner.seconds)),
            Cell::plain(one_line(learner.step.as_deref().unwrap_or("-"))),
            Cell::plain(condition),
        ]);
    }
    let mut lines = rows.lines(paint).into_iter();
    for at in &course.stuck {
        let _ = writeln!(out, "  {}", one_line(&at.challenge));
        for line in lines.by_ref().take(at.learners.len()) {
            let _ = writeln!(out, "{line}");
        }
        if let Some(f) = &at.most_failing.as_ref().filter(|_| at.learners.len() > 1) {
            let _ = writeln!(out, "    most often failing: {}", failing_phrase(f));
        }
    }
    for (label, line) in extremes(course) {
        let _ = writeln!(out, "{} {line}", paint.paint(styles::STRONG, label));
    }
}

/// Who has been longest on one challenge, and whose checks failed most.
fn extremes(course: &CourseReport) -> Vec<(&'static str, String)> {
    let mut lines = Vec::new();
    if let Some(l) = &course.longest {
        let time = seconds_text(l.seconds);
        let line = format!(
            "{}, {time} on {}",
            one_line(&l.name),
            one_line(&l.challenge)
        );
        lines.push(("Longest on one challenge:", line));
    }
    if let Some(l) = &course.most_attempts {
        let line = format!(
            "{}, {} on {}",
            one_line(&l.name),
            l.attempts,
            one_line(&l.challenge)
        );
        lines.push(("Most failed attempts:", line));
    }
    lines
}

/// The course as Markdown: heading, table with totals, who is stuck.
pub(super) fn markdown(out: &mut String, course: &CourseReport) {
    let _ = writeln!(
        out,
        "## {}\n\nA {}.\n",
        md(&course.course),
        headline(course)
    );
    let g = grid(course);
    let row = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
    let heads = g.challenges.iter().map(|slug| md(slug));
    out.push_str(&row(once("Learner".into())
        .chain(heads)
        .chain(once("Done".into()))
        .collect()));
    let _ = writeln!(out, "|{}", "---|".repeat(g.challenges.len() + 2));
    for (name, cells, done) in g.learners {
        let cells = cells.into_iter().map(|(_, text)| text);
        out.push_str(&row(once(md(&name))
            .chain(cells)
            .chain(once(done))
            .collect()));
    }
    for (name, totals) in g.totals {
        out.push_str(&row(once(format!("**{name}**"))
            .chain(totals)
            .chain(once(String::new()))
            .collect()));
    }
    out.push('\n');
    if course.stuck.is_empty() {
        out.push_str("**Stuck:** nobody\n");
        return;
    }
    out.push_str("**Stuck:**\n\n");
    for at in &course.stuck {
        let who: Vec<String> = at
            .learners
            .iter()
            .map(|l| {
                let mut text = format!(
                    "{} ({}, {}",
                    md(&l.name),
                    stuck_mark(l),
                    seconds_text(l.seconds)
                );
                if let Some(c) = &l.condition {
                    let _ = write!(text, ", “{}”", md(c));
                }
                text.push(')');
                text
            })
            .collect();
        let _ = write!(out, "- {}: {}", md(&at.challenge), who.join(", "));
        if let Some(f) = at.most_failing.as_ref().filter(|_| at.learners.len() > 1) {
            let _ = write!(
                out,
                " — most often failing: “{}” ({} of {})",
                md(&f.name),
                f.learners,
                f.of
            );
        }
        out.push('\n');
    }
    out.push('\n');
    let lines: Vec<String> = extremes(course)
        .into_iter()
        .map(|(label, line)| format!("**{label}** {}", md(&line)))
        .collect();
    // Two spaces: a Markdown line break between the lines.
    let _ = writeln!(out, "{}", lines.join("  \n"));
}

/// A course's CSV rows, one per learner and challenge (learners by name,
/// challenges in order): lesson, learner, challenge, step (the one failing),
/// title, status, attempts, seconds, hints_shown, failing_conditions.
pub(super) fn csv_rows(course: &CourseReport) -> Vec<[String; 10]> {
    let mut rows = Vec::new();
    for learner in &course.learners {
        for (challenge, cell) in course.challenges.iter().zip(&learner.challenges) {
            let status = match cell.state {
                ChallengeCellState::NotStarted => "not-started",
                ChallengeCellState::Passed => "passed",
                ChallengeCellState::Skipped => "skipped",
                ChallengeCellState::Failing => "failing",
                ChallengeCellState::Error => "error",
            };
            rows.push([
                course.course.clone(),
                learner.name.clone(),
                challenge.slug.clone(),
                cell.step.clone().unwrap_or_default(),
                challenge.title.clone(),
                status.to_string(),
                cell.attempts.to_string(),
                cell.seconds.map_or(String::new(), |s| s.to_string()),
                cell.hints_shown.to_string(),
                cell.failing.join("; "),
            ]);
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use crate::output::Painter;
    use crate::report::build;
    use crate::report::fixtures::course_record;
    use crate::report::render::{render_csv, render_human, render_markdown};

    fn class() -> Vec<crate::report::Record> {
        vec![
            course_record("ann", "c", &[("a", "passed 90"), ("b", "skipped 4")]),
            course_record(
                "\x1b[2Jmallory\n",
                "c",
                &[("a", "passed 30"), ("b", "failing 3")],
            ),
            course_record("=cmd()", "c", &[("a", "error 2"), ("b", "locked")]),
        ]
    }

    #[test]
    fn colours_only_when_asked_and_no_control_characters_from_records() {
        let report = build(&class());
        let plain = render_human(&report, Painter::PLAIN);
        assert!(!plain.contains('\x1b'), "{plain}");
        assert!(
            plain.contains("\u{fffd}[2Jmallory\u{fffd}  ✓ 30s"),
            "{plain}"
        );
        let colored = render_human(&report, Painter::COLOR);
        for painted in [
            "\x1b[32m✓ 1m\x1b[0m",
            "\x1b[2m⏭\x1b[0m",
            "\x1b[31m✗ 3\x1b[0m",
            "\x1b[33m! 2\x1b[0m",
        ] {
            assert!(colored.contains(painted), "{painted:?} not in {colored}");
        }
        assert!(!render_markdown(&report).contains('\x1b'));
    }

    #[test]
    fn csv_rows_are_quoted_and_cannot_inject_formulas() {
        let csv = render_csv(&build(&class()));
        assert!(
            csv.contains(
                "\nc,'=cmd(),a,check-shell,The a challenge,error,2,1500,0,the check could not run\n"
            ),
            "{csv}"
        );
        assert!(
            csv.contains("\nc,\"\x1b[2Jmallory\n\",b,check-shell,"),
            "{csv}"
        );
        assert!(
            csv.contains("\nc,ann,b,,The b challenge,skipped,0,4,0,\n"),
            "{csv}"
        );
    }

    #[test]
    fn nobody_stuck_is_said() {
        let records = [course_record(
            "ann",
            "c",
            &[("a", "passed 90"), ("b", "open")],
        )];
        let report = build(&records);
        assert!(render_human(&report, Painter::PLAIN).ends_with("\nStuck: nobody\n"));
        let markdown = render_markdown(&report);
        assert!(
            markdown.starts_with("## c\n\nA course of 2 challenges, 1 learner, 0 finished.\n"),
            "{markdown}"
        );
        assert!(markdown.ends_with("\n**Stuck:** nobody\n"), "{markdown}");
    }
}
