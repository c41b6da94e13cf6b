//! How many terminal cells text takes (wide characters two, as ratatui
//! counts them), for wrapping, padding and cutting.

use ratatui::text::Span;

pub(super) fn str_width(s: &str) -> usize {
    Span::raw(s).width()
}

pub(super) fn char_width(c: char) -> usize {
    str_width(c.encode_utf8(&mut [0; 4]))
}

pub(super) fn spans_width(spans: &[Span<'_>]) -> usize {
    spans.iter().map(Span::width).sum()
}
