//! The dashboard's screen, a pure function of [`App`]: a header (the class,
//! how many joined, finished, are stuck and idle, the connection), the
//! learners × steps (or challenges) table with class totals under it, who
//! is stuck (longest first), and the keys. Columns shrink with the
//! terminal: a cell drops its condition, then its number, before a column
//! goes; step names give way to step numbers (the help lists them).
//! Symbols and words carry every meaning, so NO_COLOR loses nothing.

use super::app::{App, Connection};
use super::board::{BoardCell, Column, Mark, Part, Row};
use super::keys::{self, BINDINGS, FILTER_BINDINGS};
use crate::output::text::one_line;
use crate::report::short_duration;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use std::time::SystemTime;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

const DONE_W: usize = 5;
const SEEN_W: usize = 8;
const MAX_STEP_W: usize = 28;
const MIN_STEP_W: usize = 3;

/// `text` cut to `width` columns, with `…` where it was cut.
fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// `text` padded (or cut) to exactly `width` columns.
fn pad(text: &str, width: usize) -> String {
    let text = fit(text, width);
    let gap = width.saturating_sub(text.width());
    format!("{text}{}", " ".repeat(gap))
}

/// A cell in `width` columns: the most that fits of `✓ 12m`, `✗ 5 “cond”`,
/// `! 2` (could not be checked), `·` (not started), `–` (skipped).
pub fn cell_text(cell: &BoardCell, width: usize) -> String {
    let symbol = match cell.mark {
        Mark::NotStarted => return "·".into(),
        Mark::Skipped => return "–".into(),
        Mark::Passed => "✓",
        Mark::Failing => "✗",
        Mark::Error => "!",
    };
    let mut variants: Vec<String> = Vec::new();
    if cell.mark == Mark::Passed {
        if let Some(s) = cell.seconds {
            variants.push(format!("✓ {}", short_duration(s)));
        }
    } else {
        let counted = format!("{symbol} {}", cell.attempts);
        if let Some(condition) = &cell.condition {
            let room = width.saturating_sub(counted.width() + 1);
            if room >= 4 {
                variants.push(format!("{counted} {}", fit(&one_line(condition), room)));
            }
        }
        variants.push(counted);
    }
    variants
        .into_iter()
        .find(|v| v.width() <= width)
        .unwrap_or_else(|| symbol.to_string())
}

fn mark_style(app: &App, mark: Mark) -> Style {
    if !app.color {
        return Style::default();
    }
    match mark {
        Mark::Passed => Style::default().fg(Color::Green),
        Mark::Failing => Style::default().fg(Color::Red),
        Mark::Error => Style::default().fg(Color::Yellow),
        Mark::NotStarted | Mark::Skipped => Style::default().fg(Color::DarkGray),
    }
}

fn strong() -> Style {
    Style::default().add_modifier(Modifier::BOLD)
}

/// How the screen is cut: header, table, stuck panel, footer.
struct Areas {
    header: Rect,
    table: Rect,
    stuck: Rect,
    footer: Rect,
}

fn stuck_lines(app: &App) -> u16 {
    let stuck = app
        .current_part()
        .map_or(0, |p| p.rows.iter().filter(|r| r.stuck.is_some()).count());
    let cap = match app.size.1 {
        0..24 => 2,
        24..40 => 4,
        _ => 8,
    };
    1 + u16::try_from(stuck.min(cap)).unwrap_or(0)
}

fn areas(app: &App, area: Rect) -> Areas {
    let [header, table, stuck, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(4),
        Constraint::Length(stuck_lines(app)),
        Constraint::Length(1),
    ])
    .areas(area);
    Areas {
        header,
        table,
        stuck,
        footer,
    }
}

/// The learner rows the table shows at the app's terminal size (its
/// column header and the two totals lines take the rest).
pub fn table_rows(app: &App) -> u16 {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    areas(app, area).table.height.saturating_sub(3)
}

pub fn draw(frame: &mut Frame, app: &App) {
    let a = areas(app, frame.area());
    frame.render_widget(Paragraph::new(header(app)), a.header);
    frame.render_widget(Paragraph::new(table(app, a.table)), a.table);
    frame.render_widget(Paragraph::new(stuck_panel(app, a.stuck)), a.stuck);
    frame.render_widget(Paragraph::new(footer(app)), a.footer);
    if app.help {
        help(frame, app);
    }
}

fn connection_text(app: &App) -> String {
    match &app.connection {
        Connection::Live => "● live".into(),
        Connection::Connecting => "○ connecting…".into(),
        Connection::Reconnecting { attempt, .. } => format!("○ reconnecting… (try {attempt})"),
    }
}

fn header(app: &App) -> Vec<Line<'static>> {
    let width = usize::from(app.size.0);
    let now = app.server_now();
    let connection = connection_text(app);
    let Some(board) = &app.board else {
        let left = format!("labrun class watch {}", app.base);
        let why = match &app.connection {
            Connection::Reconnecting { why, .. } => fit(&one_line(why), width),
            _ => String::new(),
        };
        return vec![two_ends(&left, &connection, width, app), Line::from(why)];
    };
    let rows = app.current_part().map_or(&[][..], |p| &p.rows[..]);
    let finished = rows.iter().filter(|r| r.finished).count();
    let stuck = rows.iter().filter(|r| r.stuck.is_some()).count();
    let idle = rows.iter().filter(|r| r.is_idle(now)).count();
    let left = format!(
        "{} · {} joined · {finished} finished · {stuck} stuck · {idle} idle",
        one_line(&board.class),
        board.joined
    );
    let mut second = String::new();
    if let Some(part) = app.current_part() {
        let (what, unit) = match part.kind {
            super::board::PartKind::Lesson => ("lesson", "steps"),
            super::board::PartKind::Course => ("course", "challenges"),
        };
        if part.columns.is_empty() {
            second.push_str("nobody has checked a step yet");
        } else {
            second.push_str(&format!(
                "{what} {} · {} {unit}",
                one_line(&part.slug),
                part.columns.len()
            ));
        }
        if board.parts.len() > 1 {
            second.push_str(&format!(
                " ({} of {}, Tab: next)",
                app.part.min(board.parts.len() - 1) + 1,
                board.parts.len()
            ));
        }
    }
    second.push_str(&format!(
        " · sort: {} · show: {}",
        app.sort.label(),
        app.show.label()
    ));
    if let Connection::Reconnecting { why, .. } = &app.connection {
        second = format!("{} · {second}", one_line(why));
    }
    if app.typing || !app.filter.is_empty() {
        let cursor = if app.typing { "▏" } else { "" };
        second.push_str(&format!(" · filter: {}{cursor}", one_line(&app.filter)));
    }
    vec![
        two_ends(&left, &connection, width, app),
        Line::from(fit(&second, width)),
    ]
}

fn two_ends(left: &str, right: &str, width: usize, app: &App) -> Line<'static> {
    let right_w = right.width().min(width);
    let left = fit(left, width.saturating_sub(right_w + 1));
    let gap = width.saturating_sub(left.width() + right_w);
    let right_style = match (&app.connection, app.color) {
        (Connection::Live, true) => Style::default().fg(Color::Green),
        (_, true) => Style::default().fg(Color::Yellow),
        _ => Style::default(),
    };
    Line::from(vec![
        Span::styled(left, strong()),
        Span::raw(" ".repeat(gap)),
        Span::styled(fit(right, width), right_style),
    ])
}

/// The table's columns at `width`: the name's width, each step column's,
/// how many step columns fit, and whether steps go by number.
struct Columns {
    name_w: usize,
    step_w: usize,
    shown: usize,
    numbered: bool,
}

fn columns(part: &Part, rows: &[&Row], width: usize) -> Columns {
    let longest = rows
        .iter()
        .map(|r| one_line(&r.name).width())
        .max()
        .unwrap_or(0);
    let name_w = longest.clamp(7, 18);
    let n = part.columns.len();
    let avail = width.saturating_sub(name_w + DONE_W + SEEN_W + 2);
    if n == 0 {
        return Columns {
            name_w,
            step_w: 0,
            shown: 0,
            numbered: false,
        };
    }
    let step_w = (avail / n).saturating_sub(1).min(MAX_STEP_W);
    let (step_w, shown) = if step_w >= MIN_STEP_W {
        (step_w, n)
    } else {
        (MIN_STEP_W, avail / (MIN_STEP_W + 1))
    };
    let numbered = part
        .columns
        .iter()
        .any(|c| one_line(&c.id).width() > step_w);
    Columns {
        name_w,
        step_w,
        shown,
        numbered,
    }
}

fn seen_text(row: &Row, now: SystemTime) -> String {
    match row.idle_for(now) {
        None => "never".into(),
        Some(d) if row.is_idle(now) => format!("idle {}", short_duration(d.as_secs())),
        Some(d) if d.as_secs() < 60 => "<1m".into(),
        Some(d) => short_duration(d.as_secs()),
    }
}

/// A class total of a column, as the table's last lines show it.
type Total = dyn Fn(&Column) -> String;

fn table(app: &App, area: Rect) -> Vec<Line<'static>> {
    let width = usize::from(area.width);
    let Some(part) = app.current_part() else {
        return vec![Line::from(format!(
            "Waiting for the class at {}…",
            app.base
        ))];
    };
    let rows = app.visible_rows();
    let c = columns(part, &rows, width);
    let now = app.server_now();
    let mut lines = Vec::new();
    let mut head = vec![Span::styled(pad("LEARNER", c.name_w), strong())];
    for (i, column) in part.columns.iter().take(c.shown).enumerate() {
        let name = if c.numbered {
            (i + 1).to_string()
        } else {
            one_line(&column.id)
        };
        head.push(Span::styled(format!(" {}", pad(&name, c.step_w)), strong()));
    }
    head.push(Span::styled(format!(" {}", pad("DONE", DONE_W)), strong()));
    head.push(Span::styled(format!(" {}", pad("SEEN", SEEN_W)), strong()));
    if c.shown < part.columns.len() {
        head.push(Span::raw(format!(" +{}", part.columns.len() - c.shown)));
    }
    lines.push(Line::from(head));
    let body = usize::from(area.height.saturating_sub(3));
    let first = app.scroll.min(rows.len().saturating_sub(body));
    if rows.is_empty() {
        let why = if app.filter.is_empty() && app.show == super::app::Show::All {
            "nobody has joined yet".to_string()
        } else {
            format!(
                "no learner matches (show: {}, filter: {:?})",
                app.show.label(),
                app.filter
            )
        };
        lines.push(Line::from(format!("  {why}")));
    }
    for row in rows.iter().skip(first).take(body) {
        let idle = row.is_idle(now);
        let dim = if idle {
            Style::default().add_modifier(Modifier::DIM)
        } else {
            Style::default()
        };
        let mut spans = vec![Span::styled(pad(&one_line(&row.name), c.name_w), dim)];
        for cell in row.cells.iter().take(c.shown) {
            let text = pad(&cell_text(cell, c.step_w), c.step_w);
            spans.push(Span::styled(
                format!(" {text}"),
                mark_style(app, cell.mark).patch(dim),
            ));
        }
        let done = format!("{}/{}", row.done, part.columns.len());
        spans.push(Span::styled(format!(" {}", pad(&done, DONE_W)), dim));
        spans.push(Span::styled(
            format!(" {}", pad(&seen_text(row, now), SEEN_W)),
            dim,
        ));
        lines.push(Line::from(spans));
    }
    // The class totals, under the learners whatever the scroll.
    while lines.len() < usize::from(area.height.saturating_sub(2)) {
        lines.push(Line::from(""));
    }
    // passed/started, or passed alone where that does not fit.
    let step_w = c.step_w;
    let passed = move |col: &Column| {
        let both = format!("{}/{}", col.passed, col.started);
        if both.width() <= step_w {
            both
        } else {
            col.passed.to_string()
        }
    };
    let median = |col: &Column| col.median_seconds.map_or("–".into(), short_duration);
    let totals: [(&str, &Total); 2] = [("passed", &passed), ("median", &median)];
    for (name, value) in totals {
        let mut spans = vec![Span::styled(pad(name, c.name_w), strong())];
        for column in part.columns.iter().take(c.shown) {
            spans.push(Span::raw(format!(" {}", pad(&value(column), c.step_w))));
        }
        lines.push(Line::from(spans));
    }
    lines
}

fn step_name(part: &Part, column: usize) -> String {
    let unit = match part.kind {
        super::board::PartKind::Lesson => "step",
        super::board::PartKind::Course => "challenge",
    };
    let id = part
        .columns
        .get(column)
        .map_or("?".into(), |c| one_line(&c.id));
    format!("{unit} {} {id}", column + 1)
}

fn stuck_panel(app: &App, area: Rect) -> Vec<Line<'static>> {
    let width = usize::from(area.width);
    let Some(part) = app.current_part() else {
        return Vec::new();
    };
    let mut stuck: Vec<&Row> = part.rows.iter().filter(|r| r.stuck.is_some()).collect();
    if stuck.is_empty() {
        return vec![Line::from(vec![
            Span::styled("Stuck:", strong()),
            Span::raw(" nobody (5 min or 3 failed checks on one step)"),
        ])];
    }
    let most = stuck
        .iter()
        .filter_map(|r| Some((r, r.stuck.as_ref()?)))
        .max_by_key(|(r, s)| (s.attempts, std::cmp::Reverse(r.name.to_lowercase())))
        .map(|(r, s)| format!(" · most attempts: {} (✗ {})", one_line(&r.name), s.attempts));
    stuck.sort_by_key(|r| {
        (
            std::cmp::Reverse(r.stuck.as_ref().map_or(0, |s| s.seconds)),
            r.name.to_lowercase(),
        )
    });
    let title = format!(
        "Stuck ({}, longest first){}",
        stuck.len(),
        most.unwrap_or_default()
    );
    let mut lines = vec![Line::from(Span::styled(fit(&title, width), strong()))];
    let room = usize::from(area.height.saturating_sub(1));
    let name_w = stuck
        .iter()
        .map(|r| one_line(&r.name).width())
        .max()
        .unwrap_or(0)
        .clamp(4, 18);
    for row in stuck.iter().take(room) {
        let Some(s) = &row.stuck else { continue };
        let symbol = match row.cells.get(s.column).map(|c| c.mark) {
            Some(Mark::Error) => "!",
            _ => "✗",
        };
        let condition = s
            .condition
            .as_deref()
            .map(|c| format!(" “{}”", one_line(c)))
            .unwrap_or_default();
        let text = format!(
            "  {} {:>5} on {} · {symbol} {}{condition}",
            pad(&one_line(&row.name), name_w),
            short_duration(s.seconds),
            step_name(part, s.column),
            s.attempts,
        );
        lines.push(Line::from(Span::styled(
            fit(&text, width),
            mark_style(app, Mark::Failing),
        )));
    }
    lines
}

fn footer(app: &App) -> Line<'static> {
    let text = if app.typing {
        FILTER_BINDINGS
            .iter()
            .map(|(_, key, what)| format!("{} {what}", keys::label(key)))
            .collect::<Vec<_>>()
            .join("  ")
    } else {
        keys::hints()
            .iter()
            .map(|(key, hint)| format!("{key} {hint}"))
            .collect::<Vec<_>>()
            .join("  ")
    };
    Line::from(Span::styled(
        fit(&text, usize::from(app.size.0)),
        Style::default().add_modifier(Modifier::DIM),
    ))
}

fn help(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let width = area.width.saturating_sub(4).min(90);
    let height = area.height.saturating_sub(2);
    let rect = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    let mut lines: Vec<Line> = Vec::new();
    for binding in BINDINGS {
        let keys: Vec<String> = binding.keys.iter().map(keys::label).collect();
        lines.push(Line::from(format!(
            "{:<12} {}",
            keys.join(" "),
            binding.help
        )));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(
        "✓ passed (time to pass)  ✗ failing (checks, failing condition)  ! could not be checked  · not started  – skipped",
    ));
    lines.push(Line::from(
        "SEEN: since the server last heard from the learner; idle (dimmed): nothing for 5 minutes",
    ));
    if let Some(part) = app.current_part()
        && !part.columns.is_empty()
    {
        lines.push(Line::from(""));
        for (i, column) in part.columns.iter().enumerate() {
            lines.push(Line::from(format!(
                "{:>3} {} — {}",
                i + 1,
                one_line(&column.id),
                one_line(&column.title)
            )));
        }
    }
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" help — any key closes "),
        ),
        rect,
    );
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;
