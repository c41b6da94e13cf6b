//! The page's board: class totals, who needs help (stuck longest, most
//! attempts, stuck per step or challenge), idle learners, then one table of
//! learners × steps per lesson and learners × challenges per course — all
//! from `report::build` over the class's records, the same data as
//! `labrun report`.
//!
//! Idle is told by when the server last heard from a learner, so every
//! learner's row carries `data-seen` (seconds since the epoch): the page's
//! script re-marks idle learners as time passes without a new board.

use super::{IDLE_AFTER_SECONDS, escape, stamp_seconds, unix_seconds};
use crate::class::protocol::{ClassState, LearnerState};
use crate::report::{
    self, Cell, CellState, ChallengeCell, ChallengeCellState, ClassReport, CourseReport,
    FailingCondition, LessonReport, short_duration,
};
use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::time::SystemTime;

/// A learner stuck somewhere, for "longest" and "most attempts".
struct Stuck {
    name: String,
    /// The step's or challenge's title.
    at: String,
    seconds: Option<u64>,
    attempts: u32,
    condition: Option<String>,
}

/// Which learner of the class each table row is: rows are named, and two
/// learners may share a name, so rows of one (lesson, name) are matched to
/// those learners in joining order (`report::build` sorts stably).
struct Rows<'a> {
    queues: HashMap<(String, String), VecDeque<&'a LearnerState>>,
}

impl<'a> Rows<'a> {
    fn new(state: &'a ClassState) -> Rows<'a> {
        let mut queues: HashMap<_, VecDeque<_>> = HashMap::new();
        for learner in &state.learners {
            if let Some(record) = &learner.record {
                let key = (record.lesson.clone(), learner.name.clone());
                queues.entry(key).or_default().push_back(learner);
            }
        }
        Rows { queues }
    }

    fn next(&mut self, lesson: &str, name: &str) -> Option<&'a LearnerState> {
        let key = (lesson.to_string(), name.to_string());
        self.queues.get_mut(&key)?.pop_front()
    }
}

/// When the server last heard from `learner` (joining counts), in seconds.
fn seen(learner: &LearnerState) -> Option<u64> {
    let stamp = learner
        .last_seen_at
        .as_deref()
        .unwrap_or(&learner.joined_at);
    stamp_seconds(stamp)
}

fn is_idle(seen: Option<u64>, now: u64) -> bool {
    seen.is_some_and(|s| now.saturating_sub(s) >= IDLE_AFTER_SECONDS)
}

/// `data-seen="…"` and, when idle now, the `idle` class.
fn seen_attributes(seen: Option<u64>, now: u64) -> String {
    match seen {
        Some(s) if is_idle(seen, now) => format!(" data-seen=\"{s}\" class=\"idle\""),
        Some(s) => format!(" data-seen=\"{s}\""),
        None => String::new(),
    }
}

pub(super) fn render(state: &ClassState, now: SystemTime) -> String {
    let now = unix_seconds(now);
    let report = report::build(&state.records());
    let mut rows = Rows::new(state);
    let mut tables = String::new();
    let mut stuck = Vec::new();
    for lesson in &report.lessons {
        lesson_table(&mut tables, lesson, &mut rows, &mut stuck, now);
    }
    for course in &report.courses {
        course_table(&mut tables, course, &mut rows, &mut stuck, now);
    }
    let mut html = format!("<div class=\"board\" data-version=\"{}\">\n", state.version);
    totals(&mut html, state, &report, stuck.len(), now);
    if state.learners.is_empty() {
        html.push_str("<p class=\"empty\">No learner has joined yet.</p>\n</div>\n");
        return html;
    }
    // The grid first: on a projector it is what the room looks at.
    html.push_str(&tables);
    help(&mut html, &report, &stuck);
    idle(&mut html, state, now);
    waiting(&mut html, state, now);
    html.push_str("</div>\n");
    html
}

fn totals(html: &mut String, state: &ClassState, report: &ClassReport, stuck: usize, now: u64) {
    let finished: usize = report.lessons.iter().map(|l| l.finished).sum::<usize>()
        + report.courses.iter().map(|c| c.finished).sum::<usize>();
    let idle = state
        .learners
        .iter()
        .filter(|l| is_idle(seen(l), now))
        .count();
    let _ = writeln!(
        html,
        "<ul class=\"totals\" aria-label=\"Class totals\">\
         <li><b>{}</b> joined</li><li><b>{finished}</b> finished</li>\
         <li><b>{stuck}</b> stuck</li><li><b data-idle-count>{idle}</b> idle</li></ul>",
        state.learners.len()
    );
}

/// Who is stuck longest, with most attempts, and where everyone stuck is.
fn help(html: &mut String, report: &ClassReport, stuck: &[Stuck]) {
    html.push_str(
        "<section class=\"help\"><h2>Stuck <small>(5 min or 3 failed checks on one step)</small></h2>\n",
    );
    if stuck.is_empty() {
        html.push_str("<p>Nobody is stuck.</p></section>\n");
        return;
    }
    let longest = stuck
        .iter()
        .max_by_key(|s| (s.seconds, s.attempts, std::cmp::Reverse(&s.name)));
    let most = stuck
        .iter()
        .max_by_key(|s| (s.attempts, s.seconds, std::cmp::Reverse(&s.name)));
    html.push_str("<dl>");
    let same = matches!((longest, most), (Some(a), Some(b)) if std::ptr::eq(a, b));
    let who = if same {
        vec![("Longest, most attempts", longest)]
    } else {
        vec![("Longest", longest), ("Most attempts", most)]
    };
    for (label, who) in who {
        if let Some(s) = who {
            let time = s.seconds.map(short_duration).unwrap_or_else(|| "–".into());
            let _ = write!(
                html,
                "<dt>{label}</dt><dd><b>{}</b> on {}: {time}, {} {}{}</dd>",
                escape(&s.name),
                quoted(&s.at),
                s.attempts,
                plural(s.attempts, "check", "checks"),
                s.condition
                    .as_deref()
                    .map(|c| format!(", failing {}", quoted(c)))
                    .unwrap_or_default(),
            );
        }
    }
    html.push_str("</dl>\n<ul class=\"stuck\">");
    let lessons = report.lessons.iter().flat_map(|l| {
        l.stuck.iter().map(|at| {
            let who: Vec<(&str, bool, u32)> = at
                .learners
                .iter()
                .map(|s| (s.name.as_str(), s.state == CellState::Error, s.attempts))
                .collect();
            (&at.title, who, &at.most_failing)
        })
    });
    let courses = report.courses.iter().flat_map(|c| {
        c.stuck.iter().map(|at| {
            let who: Vec<(&str, bool, u32)> = at
                .learners
                .iter()
                .map(|s| {
                    let error = s.state == ChallengeCellState::Error;
                    (s.name.as_str(), error, s.attempts)
                })
                .collect();
            (&at.title, who, &at.most_failing)
        })
    });
    // Only who is stuck by the live rule, not everyone working on a step.
    let stuck_at: std::collections::HashSet<(&str, &str)> = stuck
        .iter()
        .map(|s| (s.name.as_str(), s.at.as_str()))
        .collect();
    for (title, who, most_failing) in lessons.chain(courses) {
        let who: Vec<_> = who
            .into_iter()
            .filter(|(name, _, _)| stuck_at.contains(&(*name, title.as_str())))
            .collect();
        if who.is_empty() {
            continue;
        }
        let names: Vec<String> = who
            .iter()
            .map(|(name, error, attempts)| {
                let mark = if *error { "!" } else { "✗" };
                format!(
                    "{} <span class=\"n\">{mark} {attempts}</span>",
                    escape(name)
                )
            })
            .collect();
        let _ = write!(
            html,
            "<li><b>{}</b>: {}{}</li>",
            escape(title),
            names.join(", "),
            most_failing_text(most_failing.as_ref())
        );
    }
    html.push_str("</ul></section>\n");
}

fn most_failing_text(most: Option<&FailingCondition>) -> String {
    most.map(|m| {
        format!(
            " <span class=\"why\">— most failing: {} ({} of {})</span>",
            quoted(&m.name),
            m.learners,
            m.of
        )
    })
    .unwrap_or_default()
}

/// Every learner, shown only while idle: the script re-marks them as time
/// passes between boards.
fn idle(html: &mut String, state: &ClassState, now: u64) {
    let _ = write!(
        html,
        "<section class=\"idle-section\"><h2>Idle <small>(no event for {} min)</small></h2>\n<ul class=\"idle-list\">",
        IDLE_AFTER_SECONDS / 60
    );
    let mut any = false;
    for learner in &state.learners {
        let Some(s) = seen(learner) else { continue };
        let idle = is_idle(Some(s), now);
        any |= idle;
        let _ = write!(
            html,
            "<li data-seen=\"{s}\" data-idle-item{}>{} <span class=\"ago\">{}</span></li>",
            if idle { "" } else { " hidden" },
            escape(&learner.name),
            short_duration(now.saturating_sub(s)),
        );
    }
    let _ = writeln!(
        html,
        "</ul><p data-nobody-idle{}>Nobody.</p></section>",
        if any { " hidden" } else { "" }
    );
}

/// Learners who joined and have sent no check yet.
fn waiting(html: &mut String, state: &ClassState, now: u64) {
    let names: Vec<String> = state
        .learners
        .iter()
        .filter(|l| l.record.is_none())
        .map(|l| {
            format!(
                "<li{}>{}</li>",
                seen_attributes(seen(l), now),
                escape(&l.name)
            )
        })
        .collect();
    if !names.is_empty() {
        let _ = writeln!(
            html,
            "<section class=\"waiting\"><h2>Joined, nothing checked yet</h2><ul>{}</ul></section>",
            names.concat()
        );
    }
}

fn table_head(html: &mut String, heading: &str, columns: &[(&str, &str)], last: &str) {
    let _ = write!(
        html,
        "<section class=\"grid\"><h2>{heading}</h2>\n<div class=\"scroll\"><table>\n\
         <thead><tr><th scope=\"col\">Learner</th>"
    );
    for (i, (id, title)) in columns.iter().enumerate() {
        let _ = write!(
            html,
            "<th scope=\"col\" title=\"{}\"><span class=\"num\">{}</span> {}</th>",
            escape(id),
            i + 1,
            escape(title)
        );
    }
    let _ = write!(
        html,
        "<th scope=\"col\">{last}</th></tr></thead>\n<tbody>\n"
    );
}

fn row_head(html: &mut String, name: &str, learner: Option<&LearnerState>, now: u64) {
    let seen = learner.and_then(seen);
    let _ = write!(
        html,
        "<tr><th scope=\"row\"{}>{} <span class=\"tag\">idle</span></th>",
        seen_attributes(seen, now),
        escape(name)
    );
}

fn learners_word(n: usize) -> &'static str {
    plural(n, "learner", "learners")
}

fn plural<N: PartialEq + From<u8>>(n: N, one: &'static str, many: &'static str) -> &'static str {
    if n == N::from(1) { one } else { many }
}

fn quoted(text: &str) -> String {
    format!("“{}”", escape(text))
}

fn lesson_table(
    html: &mut String,
    lesson: &LessonReport,
    rows: &mut Rows,
    stuck: &mut Vec<Stuck>,
    now: u64,
) {
    let heading = format!(
        "{} <small>{} {}, {} finished</small>",
        escape(&lesson.lesson),
        lesson.learners.len(),
        learners_word(lesson.learners.len()),
        lesson.finished
    );
    let columns: Vec<(&str, &str)> = lesson
        .steps
        .iter()
        .map(|s| (s.id.as_str(), s.title.as_str()))
        .collect();
    table_head(html, &heading, &columns, "Passed");
    for row in &lesson.learners {
        let learner = rows.next(&lesson.lesson, &row.name);
        row_head(html, &row.name, learner, now);
        for cell in &row.cells {
            lesson_cell(html, cell);
        }
        let _ = writeln!(
            html,
            "<td class=\"sum\">{}/{}</td></tr>",
            row.passed,
            columns.len()
        );
        if let Some(i) = row.cells.iter().position(|c| is_stuck(c.state)) {
            let step = &lesson.steps[i];
            let spent = learner
                .and_then(|l| l.record.as_ref())
                .and_then(|r| r.progress.steps.iter().find(|s| s.id == step.id))
                .map(|s| s.seconds_spent);
            let attempts = row.cells[i].attempts;
            if crate::class::is_stuck(spent.unwrap_or(0), attempts) {
                stuck.push(Stuck {
                    name: row.name.clone(),
                    at: step.title.clone(),
                    seconds: spent,
                    attempts,
                    condition: row.cells[i].failing.first().cloned(),
                });
            }
        }
    }
    html.push_str("</tbody>\n<tfoot><tr><th scope=\"row\">Passed / started</th>");
    for step in &lesson.steps {
        let median = step
            .median_seconds_to_pass
            .map(|s| format!(" <small>~{}</small>", short_duration(s)))
            .unwrap_or_default();
        let _ = write!(html, "<td>{}/{}{median}</td>", step.passed, step.started);
    }
    let _ = write!(
        html,
        "<td>{} done</td></tr></tfoot>\n</table></div></section>\n",
        lesson.finished
    );
}

fn is_stuck(state: CellState) -> bool {
    matches!(state, CellState::Failing | CellState::Error)
}

fn lesson_cell(html: &mut String, cell: &Cell) {
    match cell.state {
        CellState::NotStarted => not_started(html),
        CellState::Passed => passed(html, cell.seconds_to_pass),
        CellState::Failing | CellState::Error => failing(
            html,
            cell.state == CellState::Error,
            cell.attempts,
            &cell.failing,
        ),
        CellState::Skipped => html.push_str(
            "<td class=\"skip\"><span role=\"img\" \
             aria-label=\"cannot run on this learner's machine\">–</span></td>",
        ),
    }
}

fn not_started(html: &mut String) {
    html.push_str("<td class=\"todo\"><span role=\"img\" aria-label=\"not started\">·</span></td>");
}

fn passed(html: &mut String, seconds: Option<u64>) {
    let time = seconds.map(short_duration).unwrap_or_default();
    let _ = write!(
        html,
        "<td class=\"pass\"><span role=\"img\" aria-label=\"passed\">✓</span> {time}</td>"
    );
}

fn failing(html: &mut String, error: bool, attempts: u32, conditions: &[String]) {
    let (class, mark, words) = if error {
        ("err", "!", "could not be checked")
    } else {
        ("fail", "✗", "failing")
    };
    let condition = match conditions {
        [] => String::new(),
        [one] => format!("<span class=\"cond\">{}</span>", escape(one)),
        [first, rest @ ..] => format!(
            "<span class=\"cond\">{} <small>+{}</small></span>",
            escape(first),
            rest.len()
        ),
    };
    let _ = write!(
        html,
        "<td class=\"{class}\"><span role=\"img\" aria-label=\"{words}, checks:\">{mark}</span> {attempts}{condition}</td>"
    );
}

fn course_table(
    html: &mut String,
    course: &CourseReport,
    rows: &mut Rows,
    stuck: &mut Vec<Stuck>,
    now: u64,
) {
    let heading = format!(
        "{} <small>course, {} {}, {} finished</small>",
        escape(&course.course),
        course.learners.len(),
        learners_word(course.learners.len()),
        course.finished
    );
    let columns: Vec<(&str, &str)> = course
        .challenges
        .iter()
        .map(|c| (c.slug.as_str(), c.title.as_str()))
        .collect();
    table_head(html, &heading, &columns, "Done");
    for row in &course.learners {
        let learner = rows.next(&course.course, &row.name);
        row_head(html, &row.name, learner, now);
        for (i, cell) in row.challenges.iter().enumerate() {
            challenge_cell(html, cell);
            if cell.state.is_stuck()
                && crate::class::is_stuck(cell.seconds.unwrap_or(0), cell.attempts)
            {
                stuck.push(Stuck {
                    name: row.name.clone(),
                    at: course.challenges[i].title.clone(),
                    seconds: cell.seconds,
                    attempts: cell.attempts,
                    condition: cell.failing.first().cloned(),
                });
            }
        }
        let _ = writeln!(
            html,
            "<td class=\"sum\">{}/{}</td></tr>",
            row.done,
            columns.len()
        );
    }
    html.push_str("</tbody>\n<tfoot><tr><th scope=\"row\">Passed / started</th>");
    for challenge in &course.challenges {
        let skipped = match challenge.skipped {
            0 => String::new(),
            n => format!(" <small>{n} skipped</small>"),
        };
        let _ = write!(
            html,
            "<td>{}/{}{skipped}</td>",
            challenge.passed, challenge.started
        );
    }
    let _ = write!(
        html,
        "<td>{} done</td></tr></tfoot>\n</table></div></section>\n",
        course.finished
    );
}

fn challenge_cell(html: &mut String, cell: &ChallengeCell) {
    match cell.state {
        ChallengeCellState::NotStarted => not_started(html),
        ChallengeCellState::Passed => passed(html, cell.seconds),
        ChallengeCellState::Skipped => html.push_str("<td class=\"skip\">– skipped</td>"),
        ChallengeCellState::Failing | ChallengeCellState::Error => failing(
            html,
            cell.state == ChallengeCellState::Error,
            cell.attempts,
            &cell.failing,
        ),
    }
}
