//! A class report as text: a table for a terminal, Markdown, CSV and JSON,
//! and the warnings for paths that were skipped. A lesson's part is here, a
//! course's in [`super::course_render`]; several lessons or courses are
//! reported one after the other, and the report says so first.

use super::build::{
    Cell as ReportCell, CellState, ClassReport, FailingCondition, LessonReport, StuckLearner,
};
use super::course::CourseReport;
use super::course_render;
use super::load::SkipReason;
use crate::output::table::{Cell, Table};
use crate::output::text::one_line;
use crate::output::{Painter, styles};
use anstyle::Style;
use std::fmt::Write;
use std::iter::once;
use std::path::PathBuf;

/// A short duration: `45s`, `12m`, `1h05m`, `2d03h`.
pub fn short_duration(seconds: u64) -> String {
    let (m, h, d) = (seconds / 60, seconds / 3600, seconds / 86_400);
    if seconds < 60 {
        format!("{seconds}s")
    } else if m < 60 {
        format!("{m}m")
    } else if h < 24 {
        format!("{h}h{:02}m", m % 60)
    } else {
        format!("{d}d{:02}h", h % 24)
    }
}

/// A cell as text: `✓ 12m`, `✗ 3` (attempts), `! 3` (error), `–` (cannot
/// run on the learner's machine), `·`.
fn cell_text(cell: &ReportCell) -> String {
    match cell.state {
        CellState::NotStarted => "·".into(),
        CellState::Passed => match cell.seconds_to_pass {
            Some(s) => format!("✓ {}", short_duration(s)),
            None => "✓".into(),
        },
        CellState::Failing => format!("✗ {}", cell.attempts),
        CellState::Error => format!("! {}", cell.attempts),
        CellState::Skipped => "–".into(),
    }
}

fn stuck_text(learner: &StuckLearner) -> String {
    let symbol = if learner.state == CellState::Error {
        '!'
    } else {
        '✗'
    };
    format!("{symbol} {}", learner.attempts)
}

/// How a cell of the table is painted: as a check's status would be.
fn cell_style(state: CellState) -> Style {
    match state {
        CellState::NotStarted => styles::QUIET,
        CellState::Passed => styles::PASS,
        CellState::Failing => styles::FAIL,
        CellState::Error => styles::ERROR,
        CellState::Skipped => styles::QUIET,
    }
}

/// A lesson's table before any format: the steps, a row per learner (name,
/// a cell per step, steps passed), then how many passed each step and
/// their median time.
struct Grid<'a> {
    steps: Vec<&'a str>,
    learners: Vec<GridRow<'a>>,
    passed: Vec<String>,
    median: Vec<String>,
}

struct GridRow<'a> {
    name: &'a str,
    cells: Vec<(CellState, String)>,
    passed: String,
}

fn grid(lesson: &LessonReport) -> Grid<'_> {
    let total = lesson.learners.len();
    Grid {
        steps: lesson.steps.iter().map(|s| s.id.as_str()).collect(),
        learners: lesson
            .learners
            .iter()
            .map(|l| GridRow {
                name: &l.name,
                cells: l.cells.iter().map(|c| (c.state, cell_text(c))).collect(),
                passed: format!("{}/{}", l.passed, lesson.steps.len()),
            })
            .collect(),
        passed: lesson
            .steps
            .iter()
            .map(|s| format!("{}/{total}", s.passed))
            .collect(),
        median: lesson
            .steps
            .iter()
            .map(|s| s.median_seconds_to_pass.map_or("-".into(), short_duration))
            .collect(),
    }
}

pub(super) fn learners_phrase(n: usize) -> String {
    if n == 1 {
        "1 learner".into()
    } else {
        format!("{n} learners")
    }
}

pub(super) fn failing_phrase(f: &FailingCondition) -> String {
    format!("“{}” ({} of {})", one_line(&f.name), f.learners, f.of)
}

/// One lesson's or one course's part of a report.
#[derive(Clone, Copy)]
enum Part<'a> {
    Lesson(&'a LessonReport),
    Course(&'a CourseReport),
}

impl Part<'_> {
    fn slug(&self) -> &str {
        match self {
            Part::Lesson(l) => &l.lesson,
            Part::Course(c) => &c.course,
        }
    }

    /// The slug, and what it is when that is a course.
    fn described(&self, name: impl Fn(&str) -> String) -> String {
        match self {
            Part::Lesson(l) => name(&l.lesson),
            Part::Course(c) => format!("{} (a course)", name(&c.course)),
        }
    }
}

/// The lessons and courses of a report, by slug.
fn parts(r: &ClassReport) -> Vec<Part<'_>> {
    let mut parts: Vec<Part> = r.lessons.iter().map(Part::Lesson).collect();
    parts.extend(r.courses.iter().map(Part::Course));
    parts.sort_by(|a, b| a.slug().cmp(b.slug()));
    parts
}

/// Each part written by `lesson` or `course`, a blank line between two,
/// after a sentence saying the records are of several lessons when they
/// are (named by `name`); a class without records says so.
fn per_part(
    r: &ClassReport,
    name: impl Fn(&str) -> String,
    mut lesson: impl FnMut(&mut String, &LessonReport),
    mut course: impl FnMut(&mut String, &CourseReport),
) -> String {
    let parts = parts(r);
    if parts.is_empty() {
        return "No progress records.\n".into();
    }
    let mut out = String::new();
    if parts.len() > 1 {
        let names: Vec<String> = parts.iter().map(|p| p.described(&name)).collect();
        let _ = writeln!(
            out,
            "These records are of {} different lessons, each reported on its own: {}.\n",
            parts.len(),
            names.join(", ")
        );
    }
    for (n, part) in parts.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        match part {
            Part::Lesson(l) => lesson(&mut out, l),
            Part::Course(c) => course(&mut out, c),
        }
    }
    out
}

/// The report for a terminal: per lesson, the table, totals and who is stuck.
pub fn render_human(r: &ClassReport, paint: Painter) -> String {
    let course = |out: &mut String, c: &CourseReport| course_render::human(out, c, paint);
    per_part(
        r,
        one_line,
        |out, lesson| {
            let _ = writeln!(
                out,
                "{} — {}, {} finished\n",
                paint.paint(styles::STRONG, &one_line(&lesson.lesson)),
                learners_phrase(lesson.learners.len()),
                lesson.finished
            );
            let g = grid(lesson);
            let strong = |text: &str| Cell::styled(styles::STRONG, text);
            let mut table = Table::new(&[]);
            let steps = g.steps.iter().map(|id| strong(&one_line(id)));
            table.row(
                once(strong("LEARNER"))
                    .chain(steps)
                    .chain(once(strong("PASSED")))
                    .collect(),
            );
            for row in &g.learners {
                let cells = row
                    .cells
                    .iter()
                    .map(|(state, text)| Cell::styled(cell_style(*state), text));
                let passed = Cell::plain(&row.passed);
                table.row(
                    once(Cell::plain(one_line(row.name)))
                        .chain(cells)
                        .chain(once(passed))
                        .collect(),
                );
            }
            for (name, totals) in [("passed", &g.passed), ("median", &g.median)] {
                table.row(
                    once(strong(name))
                        .chain(totals.iter().map(Cell::plain))
                        .collect(),
                );
            }
            out.push_str(&table.render(paint));
            out.push('\n');
            if lesson.stuck.is_empty() {
                let _ = writeln!(out, "{} nobody", paint.paint(styles::STRONG, "Stuck:"));
                return;
            }
            let _ = writeln!(out, "{}", paint.paint(styles::STRONG, "Stuck:"));
            for at in &lesson.stuck {
                let who: Vec<String> = at
                    .learners
                    .iter()
                    .map(|l| {
                        let text = stuck_text(l);
                        format!(
                            "{} ({})",
                            one_line(&l.name),
                            paint.paint(cell_style(l.state), &text)
                        )
                    })
                    .collect();
                let _ = writeln!(out, "  {}: {}", one_line(&at.step), who.join(", "));
                if let Some(f) = &at.most_failing {
                    let _ = writeln!(out, "    most often failing: {}", failing_phrase(f));
                }
            }
        },
        course,
    )
}

/// Markdown text, escaped so that names render as written.
pub(super) fn md(text: &str) -> String {
    let mut out = String::new();
    for c in one_line(text).chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The report as Markdown: per lesson a heading, a table and who is stuck.
pub fn render_markdown(r: &ClassReport) -> String {
    per_part(
        r,
        md,
        |out, lesson| {
            let _ = writeln!(
                out,
                "## {}\n\n{}, {} finished.\n",
                md(&lesson.lesson),
                learners_phrase(lesson.learners.len()),
                lesson.finished
            );
            let g = grid(lesson);
            let row = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
            let steps = g.steps.iter().map(|id| md(id));
            out.push_str(&row(once("Learner".into())
                .chain(steps)
                .chain(once("Passed".into()))
                .collect()));
            let _ = writeln!(out, "|{}", "---|".repeat(g.steps.len() + 2));
            for learner in g.learners {
                let cells = learner.cells.into_iter().map(|(_, text)| text);
                out.push_str(&row(once(md(learner.name))
                    .chain(cells)
                    .chain(once(learner.passed))
                    .collect()));
            }
            for (name, totals) in [("**passed**", g.passed), ("**median**", g.median)] {
                out.push_str(&row(once(name.into())
                    .chain(totals)
                    .chain(once(String::new()))
                    .collect()));
            }
            out.push('\n');
            if lesson.stuck.is_empty() {
                out.push_str("**Stuck:** nobody\n");
                return;
            }
            out.push_str("**Stuck:**\n\n");
            for at in &lesson.stuck {
                let who: Vec<String> = at
                    .learners
                    .iter()
                    .map(|l| format!("{} ({})", md(&l.name), stuck_text(l)))
                    .collect();
                let _ = write!(out, "- {}: {}", md(&at.step), who.join(", "));
                if let Some(f) = &at.most_failing {
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
        },
        course_render::markdown,
    )
}

/// One CSV field, quoted per RFC 4180 when it needs to be. A field that a
/// spreadsheet would take for a formula (`= + - @`, tab, CR first) gets a
/// leading `'` (OWASP's rule against CSV injection): names and conditions
/// come from learners and lessons.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The report as CSV, one row per learner and step (lessons, then learners
/// by name, then steps in order); `status` is `passed`, `failing`, `error`, `skipped`
/// or `not-started`; `failing_conditions` are joined by `; `.
///
/// With a course among the records, a `challenge` column follows `learner`
/// and a course has one row per learner and challenge: `step` is the step
/// it is failing at, `status` may also be `skipped`, and `seconds` is the
/// time to pass or skip it, or the time at work on it while failing.
pub fn render_csv(r: &ClassReport) -> String {
    let mut out = String::new();
    let mut line = |fields: &[String]| {
        let fields: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        let _ = writeln!(out, "{}", fields.join(","));
    };
    if r.courses.is_empty() {
        line(&LESSON_CSV_HEADER.map(String::from));
        for row in r.lessons.iter().flat_map(lesson_rows) {
            line(&row);
        }
        return out;
    }
    line(&COURSE_CSV_HEADER.map(String::from));
    for part in parts(r) {
        match part {
            Part::Lesson(lesson) => {
                for [lesson, learner, rest @ ..] in lesson_rows(lesson) {
                    let fields = [lesson, learner, String::new()];
                    line(&fields.into_iter().chain(rest).collect::<Vec<String>>());
                }
            }
            Part::Course(course) => {
                for row in course_render::csv_rows(course) {
                    line(&row);
                }
            }
        }
    }
    out
}

const LESSON_CSV_HEADER: [&str; 9] = [
    "lesson",
    "learner",
    "step",
    "title",
    "status",
    "attempts",
    "seconds_to_pass",
    "hints_shown",
    "failing_conditions",
];

const COURSE_CSV_HEADER: [&str; 10] = [
    "lesson",
    "learner",
    "challenge",
    "step",
    "title",
    "status",
    "attempts",
    "seconds",
    "hints_shown",
    "failing_conditions",
];

/// A lesson's CSV rows (see [`LESSON_CSV_HEADER`]), learners by name.
fn lesson_rows(lesson: &LessonReport) -> Vec<[String; 9]> {
    let mut rows = Vec::new();
    for learner in &lesson.learners {
        for (step, cell) in lesson.steps.iter().zip(&learner.cells) {
            let status = match cell.state {
                CellState::NotStarted => "not-started",
                CellState::Passed => "passed",
                CellState::Failing => "failing",
                CellState::Error => "error",
                CellState::Skipped => "skipped",
            };
            rows.push([
                lesson.lesson.clone(),
                learner.name.clone(),
                step.id.clone(),
                step.title.clone(),
                status.to_string(),
                cell.attempts.to_string(),
                cell.seconds_to_pass
                    .map_or(String::new(), |s| s.to_string()),
                cell.hints_shown.to_string(),
                cell.failing.join("; "),
            ]);
        }
    }
    rows
}

/// The report as pretty JSON (see [`ClassReport`]), ending in a newline.
pub fn render_json(r: &ClassReport) -> String {
    let mut json = serde_json::to_string_pretty(r).expect("a report serializes");
    json.push('\n');
    json
}

/// The warnings for skipped paths, one line each: `warning: skipped PATH: WHY`.
pub fn render_skipped(skipped: &[(PathBuf, SkipReason)]) -> String {
    skipped
        .iter()
        .map(|(path, why)| {
            let why = why.to_string();
            format!("warning: skipped {}: {}\n", path.display(), one_line(&why))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::build;
    use crate::report::fixtures::{class, passed, record};

    #[test]
    fn human_table_totals_and_stuck() {
        let report = build(&class());
        assert_eq!(
            render_human(&report, Painter::PLAIN),
            "\
demo — 4 learners, 1 finished

LEARNER  one    two   three  PASSED
alice    ✓ 12m  ✓ 3m  ✓ 45s  3/3
bob      ✓ 5m   ✗ 5   ✗ 5    1/3
carol    ·      ·     ·      0/3
dave     ✗ 3    ✗ 3   ✗ 3    0/3
passed   2/4    1/4   1/4
median   8m     3m    45s

Stuck:
  one: dave (✗ 3)
    most often failing: “o1” (1 of 1)
  two: bob (✗ 5)
    most often failing: “c-a” (2 of 2)
"
        );
    }

    #[test]
    fn csv_has_a_row_per_learner_and_step_quoted_per_rfc_4180() {
        let mut records = class();
        records.truncate(2);
        records[1].learner = "alice \"ace\" smith".into();
        assert_eq!(
            render_csv(&build(&records)),
            "\
lesson,learner,step,title,status,attempts,seconds_to_pass,hints_shown,failing_conditions
demo,\"alice \"\"ace\"\" smith\",one,\"Do one, carefully\",passed,2,720,0,
demo,\"alice \"\"ace\"\" smith\",two,\"Do two, carefully\",passed,2,180,0,
demo,\"alice \"\"ace\"\" smith\",three,\"Do three, carefully\",passed,2,45,0,
demo,dave,one,\"Do one, carefully\",failing,3,,0,o1
demo,dave,two,\"Do two, carefully\",failing,3,,0,c-a; c-b
demo,dave,three,\"Do three, carefully\",failing,3,,0,x
"
        );
    }

    #[test]
    fn markdown_table_escapes_names() {
        let mut records = class();
        records.truncate(2);
        records[0].learner = "d|a_ve".into();
        assert_eq!(
            render_markdown(&build(&records)),
            "\
## demo

2 learners, 1 finished.

| Learner | one | two | three | Passed |
|---|---|---|---|---|
| alice | ✓ 12m | ✓ 3m | ✓ 45s | 3/3 |
| d\\|a\\_ve | ✗ 3 | ✗ 3 | ✗ 3 | 0/3 |
| **passed** | 1/2 | 1/2 | 1/2 |  |
| **median** | 12m | 3m | 45s |  |

**Stuck:**

- one: d\\|a\\_ve (✗ 3) — most often failing: “o1” (1 of 1)
"
        );
    }

    #[test]
    fn json_report_has_cells_and_totals() {
        let json: serde_json::Value = serde_json::from_str(&render_json(&build(&class()))).unwrap();
        assert_eq!(json["schema"], 1);
        let lesson = &json["lessons"][0];
        assert_eq!(lesson["lesson"], "demo");
        assert_eq!(lesson["finished"], 1);
        assert_eq!(lesson["learners"][1]["name"], "bob");
        assert_eq!(lesson["learners"][1]["cells"][1]["state"], "failing");
        assert_eq!(lesson["learners"][2]["cells"][0]["state"], "not-started");
        assert_eq!(lesson["steps"][0]["median_seconds_to_pass"], 510);
        assert_eq!(lesson["steps"][1]["most_failing"]["name"], "c-a");
        assert_eq!(lesson["stuck"][1]["learners"][0]["attempts"], 5);
    }

    #[test]
    fn colors_only_when_asked() {
        let report = build(&class());
        assert!(!render_human(&report, Painter::PLAIN).contains('\x1b'));
        let colored = render_human(&report, Painter::COLOR);
        assert!(colored.contains("\x1b[32m✓ 12m\x1b[0m"), "{colored}");
        assert!(colored.contains("\x1b[31m✗ 3\x1b[0m"), "{colored}");
        // Padding follows the visible text, not the escape codes.
        let plain: Vec<usize> = render_human(&report, Painter::PLAIN)
            .lines()
            .map(|l| l.chars().count())
            .collect();
        let stripped: Vec<usize> = colored
            .lines()
            .map(|l| {
                let mut out = String::new();
                let mut rest = l;
                while let Some(at) = rest.find('\x1b') {
                    out.push_str(&rest[..at]);
                    rest = &rest[at + rest[at..].find('m').unwrap() + 1..];
                }
                out.push_str(rest);
                out.chars().count()
            })
            .collect();
        assert_eq!(plain, stripped);
    }

    #[test]
    fn terminal_output_has_no_control_characters_from_files() {
        let report = build(&[record("\x1b[2Jmallory\n", "demo", vec![passed("s", 1)])]);
        let text = render_human(&report, Painter::PLAIN);
        assert!(!text.contains('\x1b') && text.contains("\u{fffd}[2Jmallory\u{fffd}"));
        assert!(!render_markdown(&report).contains('\x1b'));
    }

    #[test]
    fn empty_class() {
        let report = build(&[]);
        assert_eq!(
            render_human(&report, Painter::COLOR),
            "No progress records.\n"
        );
        assert_eq!(render_markdown(&report), "No progress records.\n");
        assert_eq!(render_csv(&report).lines().count(), 1);
        assert!(render_json(&report).contains("\"lessons\": []"));
    }

    #[test]
    fn durations() {
        let cases = [
            (0, "0s"),
            (59, "59s"),
            (60, "1m"),
            (3599, "59m"),
            (3900, "1h05m"),
            (86_400 + 3 * 3600, "1d03h"),
        ];
        for (seconds, text) in cases {
            assert_eq!(short_duration(seconds), text);
        }
    }
}
