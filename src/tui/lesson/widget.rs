//! The lesson pane's widget: draws the visible slice of a [`Wrapped`]
//! lesson, nothing more (no parsing, wrapping or I/O while drawing).

use super::wrap::Wrapped;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

/// Draws `lines[scroll..scroll + height]` of a [`Wrapped`]; no wrapping
/// happens here.
pub struct LessonView<'a> {
    pub wrapped: &'a Wrapped,
    pub scroll: usize,
}

impl Widget for LessonView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let lines = &self.wrapped.lines;
        let start = self.scroll.min(lines.len());
        let end = (start + usize::from(area.height)).min(lines.len());
        for (row, line) in (area.y..).zip(&lines[start..end]) {
            buf.set_line(area.x, row, line, area.width);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::lesson::{Document, theme, wrap};
    use ratatui::style::Modifier;

    #[test]
    fn the_widget_draws_only_the_visible_slice() {
        let doc = Document::parse("# Title\n\none\n\ntwo\n\nthree\n", |_| true);
        let w = wrap(&doc, 10, None);
        let area = Rect::new(0, 0, 6, 3);
        let mut buf = Buffer::empty(area);
        LessonView {
            wrapped: &w,
            scroll: 2,
        }
        .render(area, &mut buf);
        assert_eq!(buf, Buffer::with_lines(["one   ", "      ", "two   "]));
        let mut top = Buffer::empty(area);
        LessonView {
            wrapped: &w,
            scroll: 0,
        }
        .render(area, &mut top);
        assert_eq!(top[(0, 0)].symbol(), "T");
        assert_eq!(top[(0, 0)].style().fg, theme::H1.fg);
        assert!(
            top[(4, 0)]
                .style()
                .add_modifier
                .contains(Modifier::UNDERLINED)
        );
        // Scrolled past the end: nothing to draw, and no panic.
        let mut past = Buffer::empty(area);
        LessonView {
            wrapped: &w,
            scroll: 100,
        }
        .render(area, &mut past);
        assert_eq!(past, Buffer::empty(area));
    }
}
