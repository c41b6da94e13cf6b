//! Drawing the lab: a pure function of the state (and the shell's screen).
//! No I/O here; everything shown was computed before the frame.

use super::app::{App, Focus, StepView, inner};
use super::bindings::{self, Command, Context, Keys};
use super::course_ui;
use super::layout;
use super::lesson::LessonView;
use crate::checks::Status;
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};
use tui_term::vt100;
use tui_term::widget::{Cursor, PseudoTerminal};

pub fn render(frame: &mut Frame, app: &App, screen: &vt100::Screen) {
    let area = frame.area();
    if app.too_small() {
        render_too_small(frame, area);
        return;
    }
    let areas = app.areas();
    render_header(frame, app, areas.header);
    if areas.shows_lesson {
        render_lesson(frame, app, areas.lesson);
        render_steps(frame, app, areas.steps);
        if areas.answers.height > 0 {
            course_ui::render_answers(frame, app, areas.answers);
        }
        if areas.challenges.height > 0 {
            course_ui::render_challenges(frame, app, areas.challenges);
        }
    }
    if areas.strip.height > 0 {
        render_strip(frame, app, areas.strip);
    }
    if areas.shows_shell {
        render_shell(frame, app, screen, areas.shell);
    }
    render_status(frame, app, areas.status);
    super::windows::render(frame, app, area);
}

fn render_too_small(frame: &mut Frame, area: Rect) {
    let (w, h) = super::app::MIN_SIZE;
    let text = format!(
        "labrun needs a terminal of at least {w}×{h}.\nThis one is {}×{}: make it larger.",
        area.width, area.height
    );
    let [middle] = Layout::vertical([Constraint::Length(2)])
        .flex(ratatui::layout::Flex::Center)
        .areas(area);
    frame.render_widget(Paragraph::new(text).alignment(Alignment::Center), middle);
}

pub(super) fn pane(title: Line<'static>, focused: bool) -> Block<'static> {
    let block = Block::bordered().title(title);
    if focused {
        block
            .border_type(BorderType::Thick)
            .border_style(Style::new().fg(Color::Cyan))
    } else {
        block.border_style(Style::new().fg(Color::DarkGray))
    }
}

fn render_header(frame: &mut Frame, app: &App, area: Rect) {
    let passed = app
        .steps
        .iter()
        .filter(|s| s.status() == Some(Status::Pass))
        .count();
    let progress = if passed == app.steps.len() && passed > 0 {
        format!("all {passed} steps done — well done!")
    } else {
        format!("{passed}/{} steps", app.steps.len())
    };
    let [title, subtitle] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    // The course's time left, where it shows a timer, before the progress.
    let timer = app.timer.map(|t| t.label()).unwrap_or_default();
    let timer_room = if timer.is_empty() {
        0
    } else {
        width_of(&timer) + 2
    };
    let room = usize::from(area.width).saturating_sub(width_of(&progress) + 3 + timer_room);
    let mut spans = vec![
        " ".into(),
        fit(&course_ui::title(app), room).bold(),
        "  ".into(),
    ];
    if let Some(t) = app.timer {
        let timer = if t.left == 0 {
            timer.red().bold()
        } else {
            timer.cyan()
        };
        spans.extend([timer, "  ".into()]);
    }
    spans.push(progress.green());
    let line = Line::from(spans);
    frame.render_widget(line, title);
    let room = usize::from(area.width).saturating_sub(1);
    frame.render_widget(
        Line::from(format!(" {}", fit(&app.subtitle, room))).dim(),
        subtitle,
    );
}

fn render_lesson(frame: &mut Frame, app: &App, area: Rect) {
    let total = app.wrapped.lines.len().max(1);
    let percent = ((app.scroll + inner(area).height as usize).min(total) * 100) / total;
    let title = Line::from(format!(" Lesson {percent}% "));
    let block = pane(title, app.focus == Focus::Lesson);
    let inner_area = block.inner(area);
    frame.render_widget(block, area);
    frame.render_widget(
        LessonView {
            wrapped: &app.wrapped,
            scroll: app.scroll,
        },
        inner_area,
    );
}

fn status_icon(step: &StepView) -> Span<'static> {
    if step.checking {
        return "… ".yellow();
    }
    match step.status() {
        None => "· ".dark_gray(),
        Some(Status::Pass) => "✓ ".green().bold(),
        Some(Status::Fail) => "✗ ".red().bold(),
        Some(Status::Error) => "! ".yellow().bold(),
        Some(Status::Skipped) => "– ".dark_gray(),
    }
}

fn render_steps(frame: &mut Frame, app: &App, area: Rect) {
    let block = pane(Line::from(" Steps "), false);
    let inner_area = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner_area.width);
    let first = layout::first_visible_step(app.current, app.steps.len(), inner_area.height);
    let mut lines: Vec<Line> = app
        .steps
        .iter()
        .enumerate()
        .skip(first)
        .take(usize::from(inner_area.height))
        .map(|(i, step)| step_line(i, step, i == app.current, width))
        .collect();
    if let Some(summary) = app.steps.get(app.current).and_then(first_problem) {
        lines.push(Line::from(format!("  {}", fit(&summary, width.saturating_sub(2)))).dim());
    }
    frame.render_widget(Paragraph::new(lines), inner_area);
}

/// The steps in one line, over the shell when the steps pane is hidden:
/// each step's mark, then the current step.
fn render_strip(frame: &mut Frame, app: &App, area: Rect) {
    let course = &app.course;
    let label = if course.is_course() {
        format!(
            " {}/{} · Steps ",
            course.current + 1,
            course.challenges.len()
        )
    } else {
        " Steps ".to_string()
    };
    let mut spans: Vec<Span> = vec![label.bold()];
    spans.extend(app.steps.iter().map(status_icon));
    let used: usize = spans.iter().map(|s| s.width()).sum();
    if let Some(step) = app.steps.get(app.current) {
        let text = format!(" {} {}", app.current + 1, step.title);
        let room = usize::from(area.width).saturating_sub(used + 1);
        spans.push(fit(&text, room).into());
    }
    frame.render_widget(Line::from(spans), area);
}

fn step_line(index: usize, step: &StepView, current: bool, width: usize) -> Line<'static> {
    let marker = if current { "▸" } else { " " };
    let met = step
        .report
        .as_ref()
        .map(|r| format!("  {}/{}", r.passed_conditions(), r.outcomes.len()))
        .unwrap_or_default();
    let number = format!("{} ", index + 1);
    // The title gives way, with an ellipsis; the count of conditions met stays.
    let room = width.saturating_sub(3 + number.len() + width_of(&met));
    let mut line = Line::from(vec![
        marker.into(),
        status_icon(step),
        number.dim(),
        fit(&step.title, room).into(),
        met.dim(),
    ]);
    if current {
        line = line.add_modifier(Modifier::BOLD);
    }
    line
}

/// The first failing condition of a step, in one line.
fn first_problem(step: &StepView) -> Option<String> {
    let report = step.report.as_ref()?;
    let outcome = report.outcomes.iter().find(|o| o.status != Status::Pass)?;
    let first_line = outcome.message.lines().next().unwrap_or_default();
    let details = bindings::first_key(Command::Results, Keys::Global);
    Some(format!("{first_line} — {details} for details"))
}

fn render_shell(frame: &mut Frame, app: &App, screen: &vt100::Screen, area: Rect) {
    let mut title = vec![Span::from(" Shell ")];
    if app.shell_scroll > 0 {
        title.push(
            format!(" scrolled −{} ", app.shell_scroll)
                .black()
                .on_yellow(),
        );
    }
    if let Some(code) = app.shell_exited {
        let code = code.map_or("no code".into(), |c| format!("code {c}"));
        let restart = bindings::first_key(Command::RestartShell, Keys::Lab);
        title.push(
            format!(" exited ({code}) — {restart} restarts ")
                .black()
                .on_red(),
        );
    }
    let block = pane(Line::from(title), app.focus == Focus::Shell);
    let inner_area = block.inner(area);
    let terminal = PseudoTerminal::new(screen)
        .block(block)
        .cursor(Cursor::default().visibility(false));
    frame.render_widget(terminal, area);
    let live = app.shell_scroll == 0 && app.shell_exited.is_none();
    // (Drawn only when shown: the cursor belongs to the pane with the keys.)
    if app.focus == Focus::Shell && app.overlay.is_none() && live && !screen.hide_cursor() {
        let (row, col) = screen.cursor_position();
        if row < inner_area.height && col < inner_area.width {
            frame.set_cursor_position((inner_area.x + col, inner_area.y + row));
        }
    }
}

fn render_status(frame: &mut Frame, app: &App, area: Rect) {
    let (focus, context) = match app.focus {
        Focus::Shell => (" SHELL ", Context::Shell),
        Focus::Lesson if app.quiz.is_some() => (" LAB ", Context::Quiz),
        Focus::Lesson => (" LAB ", Context::Lab),
    };
    let hints: Vec<String> = bindings::hints(context)
        .into_iter()
        .map(|(key, word)| format!("{key} {word}"))
        .collect();
    let mut room = usize::from(area.width).saturating_sub(width_of(focus));
    let mut spans = vec![focus.black().on_cyan().bold()];
    if let Some(message) = &app.message {
        // The message matters more than the hints: it goes first, and whole if it can.
        let message = fit(&format!(" {message} "), room);
        room = room.saturating_sub(width_of(&message));
        spans.push(message.yellow());
    }
    spans.push(fit(&format!(" {} ", hints.join(" · ")), room).dim());
    frame.render_widget(Line::from(spans), area);
}

fn width_of(text: &str) -> usize {
    Span::raw(text).width()
}

/// `text` cut to `width` columns, with an ellipsis where it was cut.
pub fn fit(text: &str, width: usize) -> String {
    if width_of(text) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = width_of(c.encode_utf8(&mut [0; 4]));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{Outcome, StepReport};
    use crate::lesson::{Lesson, Vars, bundled};
    use crate::tui::app::{Action, Seen};
    use crate::tui::bindings::Command;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn app(width: u16, height: u16) -> App {
        let lesson = Lesson::load(&bundled::resolve(None).unwrap()).unwrap();
        let cli = [
            (
                "REPLICATED_APP".to_string(),
                "slackernews-otter".to_string(),
            ),
            (
                "REPLICATED_API_TOKEN".to_string(),
                "tok-secret-1234".to_string(),
            ),
            ("USERNAME".to_string(), "learner@labrun.local".to_string()),
            ("PASSWORD".to_string(), "pw-secret-5678".to_string()),
        ];
        let vars = Vars::resolve(&lesson.variables, &cli, |_| None, &Default::default());
        let mut app = App::new(&lesson, vars, (width, height))
            .with_programs(|word| ["helm", "replicated"].contains(&word));
        app.update(Action::Saw(Seen::Checked(vec![
            StepReport {
                id: "proxy-image".into(),
                title: "Pull the Slackernews image through the proxy registry".into(),
                status: Status::Pass,
                outcomes: vec![Outcome::pass("repository", "ok")],
            },
            StepReport {
                id: "bump-version".into(),
                title: "Bump the chart version to 0.5.0".into(),
                status: Status::Fail,
                outcomes: vec![Outcome::fail("Chart.yaml version is 0.5.0", "version in slackernews/Chart.yaml\n  expected: \"0.5.0\"\n  found:    \"0.4.1\"")],
            },
        ])));
        app
    }

    fn screen(width: u16, height: u16) -> vt100::Parser {
        let (rows, cols) = app(width, height).shell_size();
        let mut parser = vt100::Parser::new(rows, cols, 0);
        parser.process(b"$ echo labrun-$((6*7))\r\nlabrun-42\r\n$ ");
        parser
    }

    fn draw(app: &App) -> Terminal<TestBackend> {
        let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
        let parser = screen(app.size.0, app.size.1);
        terminal.draw(|f| render(f, app, parser.screen())).unwrap();
        terminal
    }

    #[test]
    fn whole_lab_at_three_sizes() {
        for (w, h) in [(80, 24), (120, 40), (200, 60)] {
            let terminal = draw(&app(w, h));
            insta::assert_snapshot!(format!("lab_{w}x{h}"), terminal.backend());
        }
    }

    /// Under 100 columns: stacked when tall enough, else the pane with the keys.
    #[test]
    fn narrow_terminals_stack_or_show_the_pane_with_the_keys() {
        let terminal = draw(&app(80, 40));
        insta::assert_snapshot!("lab_80x40_stacked", terminal.backend());
        let mut lab = app(80, 24);
        lab.update(Action::Command(Command::FocusLab));
        let terminal = draw(&lab);
        insta::assert_snapshot!("lab_80x24_lesson", terminal.backend());
    }

    #[test]
    fn cut_titles_end_in_an_ellipsis() {
        let text = format!("{}", draw(&app(120, 40)).backend());
        // The step's title gives way; the count of conditions met stays.
        assert!(
            text.contains("│ ✓ 1 Pull the Slackernews image through the proxy re…  1/1│"),
            "{text}"
        );
        let text = format!("{}", draw(&app(80, 24)).backend());
        assert!(
            text.contains("Replicated proxy registry · bas…\""),
            "{text}"
        );
    }

    #[test]
    fn the_help_scrolls_at_80x24() {
        let mut lab = app(80, 24);
        lab.update(Action::Command(Command::Help));
        let first = format!("{}", draw(&lab).backend());
        assert!(first.contains("lines 1–"), "{first}");
        assert!(!first.contains("quit (asks first"), "{first}");
        lab.update(Action::Command(Command::Bottom));
        let window_max_scroll = crate::tui::windows::window_max_scroll(&lab);
        lab.update(Action::Saw(Seen::Frame {
            shell_scroll: 0,
            window_max_scroll,
        }));
        let last = format!("{}", draw(&lab).backend());
        assert!(last.contains("quit (asks first"), "{last}");
        // Back up from the end at once: the loop clamped the scroll.
        lab.update(Action::Command(Command::ScrollUp));
        let up = format!("{}", draw(&lab).backend());
        assert_ne!(up, last);
    }

    /// Without colours (NO_COLOR), the selected code block still stands out.
    #[test]
    fn the_selected_code_block_shows_without_colour() {
        let mut lab = app(120, 40);
        lab.update(Action::Command(Command::FocusLab));
        lab.update(Action::Command(Command::Top));
        lab.update(Action::Command(Command::NextCodeBlock));
        let text = format!("{}", draw(&lab).backend());
        assert!(text.contains("┏━ 1"), "{text}");
        assert!(text.contains("┃ $PROXY_REGISTRY_HOST"), "{text}");
        assert!(text.contains("┌─ 2"), "{text}");
    }

    #[test]
    fn secrets_are_masked_until_revealed() {
        let mut app = app(200, 60);
        let text = |app: &App| {
            (0..app.wrapped.lines.len())
                .map(|i| app.wrapped.line_text(i))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert!(!text(&app).contains("pw-secret-5678"));
        assert!(text(&app).contains("Password: [hidden]"));
        app.update(crate::tui::app::Action::Command(
            crate::tui::bindings::Command::ToggleSecrets,
        ));
        assert!(text(&app).contains("Password: pw-secret-5678"));
    }

    #[test]
    fn failing_step_is_red_and_passing_green() {
        let terminal = draw(&app(120, 40));
        let buffer = terminal.backend().buffer();
        let find = |symbol: &str| {
            buffer
                .content()
                .iter()
                .find(|c| c.symbol() == symbol)
                .map(|c| c.fg)
                .expect(symbol)
        };
        assert_eq!(find("✓"), Color::Green);
        assert_eq!(find("✗"), Color::Red);
    }

    #[test]
    fn a_small_terminal_gets_a_message() {
        let terminal = draw(&app(60, 15));
        let text = format!("{}", terminal.backend());
        assert!(
            text.contains("labrun needs a terminal of at least 80×20"),
            "{text}"
        );
        assert!(text.contains("This one is 60×15"), "{text}");
    }

    #[test]
    fn results_overlay_shows_every_condition() {
        let mut app = app(120, 40);
        app.current = 1;
        app.update(crate::tui::app::Action::Command(
            crate::tui::bindings::Command::Results,
        ));
        let text = format!("{}", draw(&app).backend());
        assert!(text.contains("0 of 1 conditions met"), "{text}");
        assert!(text.contains("expected: \"0.5.0\""), "{text}");
    }

    /// The keys the screen names come from the bindings table (these are
    /// the words a learner reads today).
    #[test]
    fn the_screen_names_the_keys_of_the_bindings_table() {
        let mut lab = app(80, 24);
        lab.update(Action::Command(Command::Help));
        let help = format!("{}", draw(&lab).backend());
        assert!(help.contains("↑↓ PgUp PgDn scroll · Esc closes"), "{help}");
        let mut lab = app(120, 40);
        // A step not checked yet.
        lab.update(Action::SelectStepAt(3));
        lab.update(Action::Command(Command::Results));
        let results = format!("{}", draw(&lab).backend());
        assert!(
            results.contains("Not checked yet: press F5 (or c in the lab)."),
            "{results}"
        );
        lab.update(Action::Command(Command::Close));
        lab.update(Action::Saw(Seen::ShellExited(Some(0))));
        let exited = format!("{}", draw(&lab).backend());
        assert!(
            exited.contains(" exited (code 0) — r restarts "),
            "{exited}"
        );
        let mut lab = app(120, 40);
        lab.update(Action::ShellProbed(
            crate::tui::app::Probe::Quit,
            crate::tui::jobs::ShellActivity {
                foreground: Some("vim".into()),
                background: Vec::new(),
            },
        ));
        let question = format!("{}", draw(&lab).backend());
        assert!(
            question.contains("y quits · any other key keeps the lab"),
            "{question}"
        );
    }
}
