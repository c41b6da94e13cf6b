//! Where each part of the lab goes, for the terminal's size.
//!
//! Wide (100 columns and more): the lesson and the steps on the left, the
//! shell on the right. Narrower, side by side would leave each pane under
//! 50 columns — too narrow for the lesson's commands or a shell program —
//! so the panes get the full width: stacked (lesson, steps, shell) when the
//! terminal is tall enough, else one at a time, the one with the keys
//! (Ctrl-] / Tab switch, as Instruqt's tabs do) with a one-line summary of
//! the steps above the shell. The shell's size never depends on which pane
//! has the keys, so switching does not resize the program running in it.

use super::app::Focus;
use ratatui::layout::{Constraint, Layout, Rect};

/// Below this width the panes are not side by side.
pub const SIDE_BY_SIDE_WIDTH: u16 = 100;
/// Below this height (and width) the panes show one at a time.
pub const STACKED_HEIGHT: u16 = 36;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrangement {
    SideBySide,
    Stacked,
    OneAtATime,
}

pub fn arrangement(area: Rect) -> Arrangement {
    if area.width >= SIDE_BY_SIDE_WIDTH {
        Arrangement::SideBySide
    } else if area.height >= STACKED_HEIGHT {
        Arrangement::Stacked
    } else {
        Arrangement::OneAtATime
    }
}

/// Where each part of the screen is. A hidden pane keeps its place (the
/// shell's size, the lesson's width) but is not drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub lesson: Rect,
    pub steps: Rect,
    pub shell: Rect,
    pub status: Rect,
    /// One line summing up the steps, over the shell when the steps are hidden.
    pub strip: Rect,
    pub shows_lesson: bool,
    pub shows_shell: bool,
}

pub fn layout(area: Rect, step_count: usize, focus: Focus) -> Areas {
    let [header, body, status] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let steps_wanted = step_count as u16 + 3;
    let mut areas = Areas {
        header,
        lesson: Rect::default(),
        steps: Rect::default(),
        shell: Rect::default(),
        status,
        strip: Rect::default(),
        shows_lesson: true,
        shows_shell: true,
    };
    match arrangement(area) {
        Arrangement::SideBySide => {
            let [left, shell] =
                Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                    .areas(body);
            let [lesson, steps] = Layout::vertical([
                Constraint::Min(0),
                Constraint::Length(steps_wanted.min(left.height / 2)),
            ])
            .areas(left);
            (areas.lesson, areas.steps, areas.shell) = (lesson, steps, shell);
        }
        Arrangement::Stacked => {
            let [lesson, steps, shell] = Layout::vertical([
                Constraint::Min(0),
                Constraint::Length(steps_wanted.min(body.height / 4)),
                Constraint::Percentage(45),
            ])
            .areas(body);
            (areas.lesson, areas.steps, areas.shell) = (lesson, steps, shell);
        }
        Arrangement::OneAtATime => {
            let [lesson, steps] = Layout::vertical([
                Constraint::Min(0),
                Constraint::Length(steps_wanted.min(body.height / 2)),
            ])
            .areas(body);
            let [strip, shell] =
                Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(body);
            let shell_view = focus == Focus::Shell;
            (areas.lesson, areas.steps, areas.shell) = (lesson, steps, shell);
            areas.shows_lesson = !shell_view;
            areas.shows_shell = shell_view;
            if shell_view {
                areas.strip = strip;
            }
        }
    }
    areas
}

/// The first step the steps pane lists when `rows` cannot hold all `count`
/// steps (and the current step's summary line): the current step stays in view.
pub fn first_visible_step(current: usize, count: usize, rows: u16) -> usize {
    let rows = usize::from(rows).saturating_sub(1).max(1);
    if count <= rows {
        return 0;
    }
    current.saturating_sub(rows - 1).min(count - rows)
}

/// The inside of a bordered pane.
pub fn inner(area: Rect) -> Rect {
    area.inner(ratatui::layout::Margin::new(1, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(width: u16, height: u16, focus: Focus) -> Areas {
        layout(Rect::new(0, 0, width, height), 5, focus)
    }

    #[test]
    fn the_steps_pane_keeps_the_current_step_in_view() {
        assert_eq!(first_visible_step(4, 5, 6), 0, "all fit, with the summary");
        assert_eq!(first_visible_step(0, 12, 6), 0);
        assert_eq!(first_visible_step(7, 12, 6), 3);
        assert_eq!(first_visible_step(11, 12, 6), 7);
    }

    #[test]
    fn wide_terminals_put_the_shell_beside_the_lesson() {
        let a = at(120, 40, Focus::Shell);
        assert_eq!(a.lesson.x, 0);
        assert_eq!(a.shell.x, 60);
        assert_eq!(a.shell.width, 60);
        assert!(a.shows_lesson && a.shows_shell);
    }

    #[test]
    fn narrow_tall_terminals_stack_the_panes_at_full_width() {
        let a = at(80, 40, Focus::Lesson);
        assert_eq!(a.lesson.width, 80);
        assert_eq!(a.shell.width, 80);
        assert!(a.lesson.y < a.steps.y && a.steps.y < a.shell.y);
        assert!(a.shows_lesson && a.shows_shell);
        assert!(inner(a.lesson).height >= 8, "{a:?}");
    }

    #[test]
    fn small_terminals_show_the_pane_with_the_keys_and_keep_the_shells_size() {
        let lab = at(80, 24, Focus::Lesson);
        let shell = at(80, 24, Focus::Shell);
        assert!(lab.shows_lesson && !lab.shows_shell);
        assert!(!shell.shows_lesson && shell.shows_shell);
        assert_eq!(lab.shell, shell.shell, "switching never resizes the shell");
        assert_eq!(lab.lesson, shell.lesson, "nor rewraps the lesson");
        assert_eq!(shell.shell.width, 80);
        assert_eq!(shell.strip.height, 1);
        assert_eq!(lab.strip.height, 0);
    }
}
