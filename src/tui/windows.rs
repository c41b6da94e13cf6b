//! The lab's windows over the panes: the help, a step's hint, a step's
//! results, a challenge's notes, the course's summary, and the questions
//! before quitting or skipping. They scroll when taller than the screen.

use super::app::{App, Overlay, StepView};
use super::bindings::{self, Command, Keys};
use crate::checks::Status;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Text};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

/// Draws the open window, if any.
pub fn render(frame: &mut Frame, app: &App, area: Rect) {
    let yes = bindings::key_name(&bindings::YES[0]);
    if let Some(Overlay::ConfirmQuit(question)) = &app.overlay {
        let answers = format!("{yes} quits · any other key keeps the lab");
        render_question(frame, area, " Quit? ", question, &answers);
    } else if let Some(Overlay::ConfirmSkip(index)) = &app.overlay {
        let question = super::course_ui::skip_question(app, *index);
        let answers = format!("{yes} skips · any other key keeps the challenge");
        render_question(frame, area, " Skip? ", &question, &answers);
    } else if let Some((title, text)) = content(app) {
        render_window(frame, area, &title, text, app.overlay_scroll);
    }
}

/// The open window's title and text (not the yes/no question).
fn content(app: &App) -> Option<(String, Text<'static>)> {
    Some(match app.overlay.as_ref()? {
        Overlay::Help => ("Keys".into(), help_text()),
        Overlay::Hint(step) => {
            let step = app.steps.get(*step)?;
            (format!("Hint — {}", step.title), hint_text(step))
        }
        Overlay::Results(step) => {
            let step = app.steps.get(*step)?;
            (step.title.clone(), results_text(step))
        }
        Overlay::Notes => {
            let area = Rect::new(0, 0, app.size.0, app.size.1);
            let width = window_width(area).saturating_sub(2);
            (
                super::course_ui::notes_title(app),
                super::course_ui::notes_text(app, width),
            )
        }
        Overlay::Summary => super::course_ui::summary(app),
        Overlay::ConfirmQuit(_) | Overlay::ConfirmSkip(_) => return None,
    })
}

/// How far the open window can scroll at the app's size: the loop clamps
/// the app's `overlay_scroll` with it, so scrolling back starts at once.
pub fn window_max_scroll(app: &App) -> usize {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    content(app).map_or(0, |(_, text)| {
        let (rows, height) = window_rows(area, &text);
        rows.saturating_sub(height)
    })
}

/// A centred window of at most `w`×`h`.
fn popup(area: Rect, w: u16, h: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(h.min(area.height))])
        .flex(ratatui::layout::Flex::Center)
        .areas(area);
    let [r] = Layout::horizontal([Constraint::Length(w.min(area.width))])
        .flex(ratatui::layout::Flex::Center)
        .areas(v);
    r
}

/// The window for `text` in `area`: (the rows its lines wrap to, the rows it shows).
fn window_rows(area: Rect, text: &Text) -> (usize, usize) {
    let width = window_width(area);
    // Lines wrap inside the window; count the rows they will take.
    let inner_width = usize::from(width.saturating_sub(2).max(1));
    let rows: usize = text
        .lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner_width))
        .sum();
    let height = usize::from(area.height.saturating_sub(2)).min(rows);
    (rows, height)
}

fn window_width(area: Rect) -> u16 {
    (area.width * 4 / 5).max(area.width.min(60))
}

fn render_window(frame: &mut Frame, area: Rect, title: &str, text: Text<'static>, scroll: usize) {
    let (rows, height) = window_rows(area, &text);
    let window = popup(area, window_width(area), height as u16 + 2);
    let offset = scroll.min(rows.saturating_sub(height));
    let key = |command| bindings::first_key(command, Keys::Window);
    let close = format!("{} closes", key(Command::Close));
    let footer = if rows > height {
        format!(
            " lines {}–{} of {rows} · {}{} {} {} scroll · {close} ",
            offset + 1,
            offset + height,
            key(Command::ScrollUp),
            key(Command::ScrollDown),
            key(Command::PageUp),
            key(Command::PageDown),
        )
    } else {
        format!(" {close} ")
    };
    frame.render_widget(Clear, window);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .title(Line::from(format!(" {title} ")).bold())
        .title_bottom(Line::from(footer).dim());
    frame.render_widget(
        Paragraph::new(text)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((u16::try_from(offset).unwrap_or(u16::MAX), 0)),
        window,
    );
}

/// A yes/no question: `answers` says which key answers what.
fn render_question(frame: &mut Frame, area: Rect, title: &str, question: &str, answers: &str) {
    let longest = question.chars().count().max(answers.chars().count());
    let width = (longest as u16 + 4).min(area.width);
    let text = Text::from(vec![
        Line::from(question.to_string()).bold(),
        Line::from(answers.to_string()).dim(),
    ]);
    // Taller when the question wraps in a narrow terminal.
    let inner = usize::from(width.saturating_sub(2).max(1));
    let rows = question.chars().count().div_ceil(inner) + answers.chars().count().div_ceil(inner);
    let window = popup(area, width, rows as u16 + 2);
    frame.render_widget(Clear, window);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .title(Line::from(title.to_string()).bold());
    frame.render_widget(
        Paragraph::new(text).block(block).wrap(Wrap { trim: false }),
        window,
    );
}

fn help_text() -> Text<'static> {
    let rows = bindings::help_rows();
    let width = rows
        .iter()
        .map(|(k, _)| Line::from(k.as_str()).width())
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line> = rows
        .into_iter()
        .map(|(keys, what)| {
            let pad = width - Line::from(keys.as_str()).width();
            Line::from(vec![
                format!(" {keys}{}  ", " ".repeat(pad)).cyan(),
                what.into(),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(
        " In the lab, a key that is not one of these (a letter of a word) goes to the shell, \
         and the keys with it: typing meant for the shell is never taken for commands.",
    ));
    lines.push(Line::from(
        " Mouse: a click on a step selects it, on a pane gives it the keys; the wheel scrolls.",
    ));
    Text::from(lines)
}

fn hint_text(step: &StepView) -> Text<'static> {
    let text = if step.hint.is_empty() {
        "This step has no hint."
    } else {
        &step.hint
    };
    Text::from(
        text.lines()
            .map(|l| Line::from(l.to_string()))
            .collect::<Vec<_>>(),
    )
}

fn results_text(step: &StepView) -> Text<'static> {
    let Some(report) = &step.report else {
        return Text::from(format!(
            "Not checked yet: press {} (or {} in the lab).",
            bindings::first_key(Command::CheckCurrent, Keys::Global),
            bindings::first_key(Command::CheckCurrent, Keys::Lab)
        ));
    };
    let mut lines = vec![Line::from(format!(
        "{} of {} conditions met",
        report.passed_conditions(),
        report.outcomes.len()
    ))];
    for outcome in &report.outcomes {
        let icon = match outcome.status {
            Status::Pass => "✓ ".green(),
            Status::Fail => "✗ ".red(),
            Status::Error => "! ".yellow(),
            Status::Skipped => "– ".dark_gray(),
        };
        lines.push(Line::from(vec![icon, outcome.name.clone().bold()]));
        if outcome.status == Status::Pass {
            continue;
        }
        lines.extend(
            outcome
                .message
                .lines()
                .map(|l| Line::from(format!("    {l}"))),
        );
        if let Some(location) = &outcome.location {
            lines.push(Line::from(format!("    at {location}")).dim());
        }
        for l in outcome.diff.iter().flat_map(|d| d.lines()) {
            let style = match l.as_bytes().first() {
                Some(b'+') => Style::new().fg(Color::Green),
                Some(b'-') => Style::new().fg(Color::Red),
                _ => Style::new().add_modifier(Modifier::DIM),
            };
            lines.push(Line::styled(format!("    {l}"), style));
        }
    }
    Text::from(lines)
}
