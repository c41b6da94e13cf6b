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
//!
//! Under the lesson, before the steps: a quiz's answers, and a course's
//! list of challenges (a lesson of one has neither, and its layout is as
//! it always was).

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
    /// A quiz's answers (zero height without a quiz).
    pub answers: Rect,
    /// A course's challenges (zero height for a lesson of one).
    pub challenges: Rect,
    pub shows_lesson: bool,
    pub shows_shell: bool,
}

/// What the panes under the lesson hold.
pub struct LeftPanes<'a> {
    pub steps: usize,
    /// Challenges listed (0: no list).
    pub challenges: usize,
    /// The rows a quiz's answers take inside their pane at a width (0: no quiz).
    pub answers: &'a dyn Fn(u16) -> u16,
}

pub fn layout(area: Rect, panes: &LeftPanes, focus: Focus) -> Areas {
    let [header, body, status] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let steps_wanted = panes.steps as u16 + 3;
    let mut areas = Areas {
        header,
        lesson: Rect::default(),
        steps: Rect::default(),
        shell: Rect::default(),
        status,
        strip: Rect::default(),
        answers: Rect::default(),
        challenges: Rect::default(),
        shows_lesson: true,
        shows_shell: true,
    };
    // The left column: the lesson, then the answers, the challenges and the steps.
    let left = |column: Rect, steps_max: u16| {
        let steps = steps_wanted.min(steps_max);
        let challenges = match panes.challenges {
            0 => 0,
            n => (n as u16 + 2).min(column.height / 3),
        };
        let answer_rows = (panes.answers)(column.width.saturating_sub(2));
        let answers = match answer_rows {
            0 => 0,
            rows => (rows + 2).min(column.height / 2),
        };
        Layout::vertical([
            Constraint::Min(0),
            Constraint::Length(answers),
            Constraint::Length(challenges),
            Constraint::Length(steps),
        ])
        .areas::<4>(column)
    };
    match arrangement(area) {
        Arrangement::SideBySide => {
            let [column, shell] =
                Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                    .areas(body);
            let [lesson, answers, challenges, steps] = left(column, column.height / 2);
            (areas.lesson, areas.answers, areas.challenges, areas.steps) =
                (lesson, answers, challenges, steps);
            areas.shell = shell;
        }
        Arrangement::Stacked => {
            let [column, shell] =
                Layout::vertical([Constraint::Min(0), Constraint::Percentage(45)]).areas(body);
            let [lesson, answers, challenges, steps] = left(column, body.height / 4);
            (areas.lesson, areas.answers, areas.challenges, areas.steps) =
                (lesson, answers, challenges, steps);
            areas.shell = shell;
        }
        Arrangement::OneAtATime => {
            let [lesson, answers, challenges, steps] = left(body, body.height / 2);
            let [strip, shell] =
                Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(body);
            let shell_view = focus == Focus::Shell;
            (areas.lesson, areas.answers, areas.challenges, areas.steps) =
                (lesson, answers, challenges, steps);
            areas.shell = shell;
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
        let panes = LeftPanes {
            steps: 5,
            challenges: 0,
            answers: &|_| 0,
        };
        layout(Rect::new(0, 0, width, height), &panes, focus)
    }

    #[test]
    fn a_quiz_and_a_course_list_go_under_the_lesson_before_the_steps() {
        let panes = LeftPanes {
            steps: 1,
            challenges: 5,
            answers: &|width| if width >= 50 { 5 } else { 7 },
        };
        let a = layout(Rect::new(0, 0, 120, 40), &panes, Focus::Lesson);
        assert!(a.lesson.y < a.answers.y && a.answers.y < a.challenges.y);
        assert!(a.challenges.y < a.steps.y);
        assert_eq!(
            a.answers.height,
            5 + 2,
            "the rows at the pane's width, with borders"
        );
        assert_eq!(a.challenges.height, 5 + 2);
        assert_eq!(a.steps.height, 4);
        assert_eq!(a.answers.bottom(), a.challenges.y);
        // Without them (a lesson of one), nothing changes.
        assert_eq!(
            (
                at(120, 40, Focus::Shell).answers.height,
                at(120, 40, Focus::Shell).challenges.height
            ),
            (0, 0)
        );
        // Never more than their share of a small screen.
        let small = layout(Rect::new(0, 0, 80, 24), &panes, Focus::Lesson);
        assert!(small.challenges.height <= 21 / 3, "{small:?}");
        assert!(inner(small.lesson).height >= 1, "{small:?}");
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
