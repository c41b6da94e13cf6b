//! How a code block is laid out: a numbered header (its language and kind,
//! a bright border when selected), then its lines in a bordered panel, cut
//! at the edge and never reflowed.

use super::document::Block;
use super::theme;
use super::width::{char_width, spans_width};
use super::wrap::Wrapped;
use crate::tui::code_kind::CodeKind;
use ratatui::text::Span;

/// Code blocks are indented this much inside their containers.
const CODE_INDENT: &str = "  ";

/// What a code block's first line shows.
pub(super) struct CodeHeader<'a> {
    pub number: usize,
    pub lang: &'a str,
    pub kind: Option<CodeKind>,
    pub selected: bool,
}

pub(super) fn code_lines(
    out: &mut Wrapped,
    block: &Block,
    header_info: &CodeHeader,
    lines: &[String],
    width: usize,
) {
    let CodeHeader {
        number,
        lang,
        kind,
        selected,
    } = *header_info;
    let (border, badge) = if selected {
        (theme::CODE_BORDER_SELECTED, theme::CODE_NUMBER_SELECTED)
    } else {
        (theme::CODE_BORDER, theme::CODE_NUMBER)
    };
    // Heavy lines mark the selected block also where colours are off (NO_COLOR).
    let (corner, side) = if selected {
        ("┏━", "┃ ")
    } else {
        ("┌─", "│ ")
    };
    let mut header = block.first_prefix.clone();
    header.push(Span::raw(CODE_INDENT));
    header.push(Span::styled(corner, border));
    header.push(Span::styled(format!(" {number} "), badge));
    let about: Vec<&str> = [
        Some(lang).filter(|l| !l.is_empty()),
        kind.map(CodeKind::label),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !about.is_empty() {
        header.push(Span::styled(format!(" {}", about.join(" · ")), theme::DIM));
    }
    out.push(header, Some(number));
    let avail = width
        .saturating_sub(spans_width(&block.rest_prefix) + CODE_INDENT.len() + 2)
        .max(1);
    for line in lines {
        for (chunk, chunk_width) in hard_chunks(line, avail) {
            let mut spans = block.rest_prefix.clone();
            spans.push(Span::raw(CODE_INDENT));
            spans.push(Span::styled(side, border));
            // Padding to the edge makes the block's background a panel.
            let padded = format!("{chunk}{}", " ".repeat(avail.saturating_sub(chunk_width)));
            spans.push(Span::styled(padded, theme::CODE));
            out.push(spans, Some(number));
        }
    }
}

/// Code is never reflowed: a long line is cut at the edge and continues on
/// the next.
fn hard_chunks(line: &str, avail: usize) -> Vec<(&str, usize)> {
    let mut chunks = Vec::new();
    let (mut start, mut used) = (0, 0);
    for (i, c) in line.char_indices() {
        let w = char_width(c);
        if used > 0 && used + w > avail {
            chunks.push((&line[start..i], used));
            (start, used) = (i, 0);
        }
        used += w;
    }
    chunks.push((&line[start..], used));
    chunks
}
