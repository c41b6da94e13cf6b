//! Drawing a course: the challenges pane (done ✓, current ▸, locked 🔒,
//! skipped ↷, with times), a quiz's answers pane, and the text of the
//! notes and summary windows. Pure functions of the state, as `ui` is.

use super::app::{App, Focus, QuizLine, QuizStatus};
use super::lesson::{self as lesson_pane, Document};
use super::ui::{fit, pane};
use crate::checks::Status;
use crate::progress::ChallengeState;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Stylize};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

/// The header's title: a course's name and where in it the learner is
/// ("Shell Basics › 2/5 Look around"); a lesson's own title.
pub fn title(app: &App) -> String {
    let course = &app.course;
    if !course.is_course() {
        return app.title.clone();
    }
    format!(
        "{} › {}/{} {}",
        course.title,
        course.current + 1,
        course.challenges.len(),
        app.title
    )
}

/// A time as the course shows it: "0:42", "12:05", "1:02:03".
pub fn duration(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// The mark of a challenge's state, three columns wide (the lock takes two).
fn state_icon(state: ChallengeState, skipping: bool) -> Span<'static> {
    if skipping {
        return "…  ".yellow();
    }
    match state {
        ChallengeState::Passed => "✓  ".green().bold(),
        ChallengeState::Skipped => "↷  ".yellow(),
        ChallengeState::Open => "·  ".dark_gray(),
        ChallengeState::Locked => "🔒 ".dark_gray(),
    }
}

pub fn render_challenges(frame: &mut Frame, app: &App, area: Rect) {
    let course = &app.course;
    let done = course
        .challenges
        .iter()
        .filter(|c| c.state.is_done())
        .count();
    let title = format!(
        " {} · {done} of {} done ",
        course.title,
        course.challenges.len()
    );
    let block = pane(
        Line::from(fit(&title, usize::from(area.width.saturating_sub(2)))),
        false,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let rows = usize::from(inner.height);
    // The current challenge stays in view when the list is cut.
    let first = course
        .current
        .saturating_sub(rows.saturating_sub(1))
        .min(course.challenges.len().saturating_sub(rows));
    let lines: Vec<Line> = course
        .challenges
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, challenge)| {
            let current = i == course.current;
            let time = challenge
                .seconds
                .filter(|_| challenge.state.is_done())
                .map(|s| format!("  {}", duration(s)))
                .unwrap_or_default();
            let number = format!("{} ", i + 1);
            let room = width.saturating_sub(4 + number.len() + time.width());
            let title = fit(&challenge.title, room);
            let pad = " ".repeat(room.saturating_sub(title.width()));
            let mut line = Line::from(vec![
                if current { "▸" } else { " " }.into(),
                state_icon(challenge.state, course.skipping == Some(i)),
                number.dim(),
                title.into(),
                pad.into(),
                time.dim(),
            ]);
            if current {
                line = line.add_modifier(Modifier::BOLD);
            }
            if challenge.state == ChallengeState::Locked {
                line = line.dim();
            }
            line
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

pub fn render_answers(frame: &mut Frame, app: &App, area: Rect) {
    let Some(quiz) = app.quiz.as_ref() else {
        return;
    };
    let has_keys = app.focus == Focus::Lesson && app.overlay.is_none();
    let block = pane(Line::from(" Answers "), has_keys);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines: Vec<Line> = app
        .quiz_lines(inner.width)
        .into_iter()
        .map(|line| match line {
            QuizLine::Answer { index, first, text } => {
                let highlighted = index == quiz.highlighted;
                let mut spans = if first {
                    let arrow = if highlighted { "▸ " } else { "  " };
                    let mark = quiz.mark(index);
                    let mark = if quiz.is_chosen(index) {
                        mark.green().bold()
                    } else {
                        mark.into()
                    };
                    vec![arrow.into(), mark, format!(" {} ", index + 1).dim()]
                } else {
                    vec![Span::raw(" ".repeat(8))]
                };
                spans.push(text.into());
                styled_answer(spans, highlighted && has_keys)
            }
            QuizLine::Status(status, text) => match status {
                QuizStatus::Checking => Line::from(text).yellow(),
                QuizStatus::Result(Status::Pass, _) => Line::from(text).green().bold(),
                QuizStatus::Result(Status::Fail, _) => Line::from(text).red().bold(),
                QuizStatus::Result(Status::Error | Status::Skipped, _) => Line::from(text).yellow(),
            },
            QuizLine::Keys(text) => Line::from(fit(&text, usize::from(inner.width))).dim(),
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn styled_answer(spans: Vec<Span<'static>>, highlighted: bool) -> Line<'static> {
    let line = Line::from(spans);
    if highlighted {
        line.add_modifier(Modifier::BOLD).cyan()
    } else {
        line
    }
}

/// The notes window's text: the challenge's notes, markdown laid out for
/// `width` columns as the lesson pane lays out its text.
pub fn notes_text(app: &App, width: u16) -> Text<'static> {
    let challenge = &app.course.challenges[app.course.current];
    let doc = Document::parse(&challenge.notes_text(), |url| url.contains("://"));
    let mut lines = lesson_pane::wrap(&doc, width.max(10), None).lines;
    lines.push(Line::from(""));
    lines.push(
        Line::from(format!(
            "{} closes the notes: the challenge's text is under them.",
            super::bindings::first_key(
                super::bindings::Command::Close,
                super::bindings::Keys::Window
            )
        ))
        .dim(),
    );
    Text::from(lines)
}

/// The window's title over a challenge's notes.
pub fn notes_title(app: &App) -> String {
    let course = &app.course;
    format!(
        "Challenge {} of {}: {}",
        course.current + 1,
        course.challenges.len(),
        app.title
    )
}

/// The summary window's title and text: each challenge, passed or
/// skipped, and its time; the total.
pub fn summary(app: &App) -> (String, Text<'static>) {
    let course = &app.course;
    let count = course.challenges.len();
    let done = course
        .challenges
        .iter()
        .filter(|c| c.state.is_done())
        .count();
    let title = if course.all_done() {
        format!("{} — course complete", course.title)
    } else {
        format!("{} — the course so far", course.title)
    };
    let passed = course
        .challenges
        .iter()
        .filter(|c| c.state == ChallengeState::Passed)
        .count();
    let skipped = course
        .challenges
        .iter()
        .filter(|c| c.state == ChallengeState::Skipped)
        .count();
    let mut lines = vec![
        Line::from(format!(
            "{done} of {count} challenges done: {passed} passed, {skipped} skipped."
        ))
        .bold(),
        Line::from(""),
    ];
    let name_width = course
        .challenges
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{} {}", i + 1, c.title).width())
        .max()
        .unwrap_or(0)
        .min(40);
    for (i, challenge) in course.challenges.iter().enumerate() {
        let name = fit(&format!("{} {}", i + 1, challenge.title), name_width);
        let pad = " ".repeat(name_width.saturating_sub(name.width()));
        let state = match challenge.state {
            ChallengeState::Passed => "passed",
            ChallengeState::Skipped => "skipped",
            ChallengeState::Open => "not done",
            ChallengeState::Locked => "locked",
        };
        let time = challenge
            .seconds
            .filter(|_| challenge.state.is_done())
            .map(duration)
            .unwrap_or_else(|| "—".into());
        lines.push(Line::from(vec![
            state_icon(challenge.state, false),
            format!("{name}{pad}  ").into(),
            format!("{state:<9}").into(),
            format!("{time:>8}").into(),
        ]));
    }
    let total: u64 = course
        .challenges
        .iter()
        .filter(|c| c.state.is_done())
        .filter_map(|c| c.seconds)
        .sum();
    let pad = " ".repeat(name_width + 2);
    lines.push(Line::from(format!("  {pad}{:<9}{:>8}", "total", duration(total))).bold());
    (title, Text::from(lines))
}

/// The question before skipping challenge `index`.
pub fn skip_question(app: &App, index: usize) -> String {
    let title = app
        .course
        .challenges
        .get(index)
        .map(|c| c.title.as_str())
        .unwrap_or_default();
    format!(
        "Skip challenge {} “{title}”? Its solve scripts do its work.",
        index + 1
    )
}
