//! How a markdown table is laid out: columns as wide as their widest cell,
//! narrowed (cells cut with `…`) until the table fits the pane, a rule
//! under the header, cells aligned as the table says.

use super::document::{Block, Spans, Table};
use super::theme;
use super::width::{char_width, spans_width};
use pulldown_cmark::Alignment;
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;

pub(super) fn table_lines(block: &Block, table: &Table, width: usize) -> Vec<Spans> {
    let columns = table
        .rows
        .iter()
        .map(Vec::len)
        .chain([table.header.len()])
        .max()
        .unwrap_or(0);
    let mut widths = vec![0; columns];
    for row in table.rows.iter().chain([&table.header]) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(spans_width(cell));
        }
    }
    fit_columns(
        &mut widths,
        width.saturating_sub(spans_width(&block.rest_prefix)),
    );
    let mut lines = Vec::new();
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let header = table_row(&table.header, &widths, &table.aligns, bold);
    lines.push([block.first_prefix.clone(), header].concat());
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(w + 2)).collect();
    let rule = Span::styled(rule.join("┼"), theme::TABLE_RULE);
    lines.push([block.rest_prefix.clone(), vec![rule]].concat());
    for row in &table.rows {
        let row = table_row(row, &widths, &table.aligns, Style::new());
        lines.push([block.rest_prefix.clone(), row].concat());
    }
    lines
}

/// Narrows the widest columns until the table fits `avail` columns (each
/// cell has a space either side and a `│` between).
fn fit_columns(widths: &mut [usize], avail: usize) {
    let total = |w: &[usize]| w.iter().sum::<usize>() + 3 * w.len().saturating_sub(1) + 2;
    let excess = total(widths).saturating_sub(avail);
    for _ in 0..excess {
        let Some(widest) = (0..widths.len()).max_by_key(|&i| widths[i]) else {
            return;
        };
        if widths[widest] <= 1 {
            return;
        }
        widths[widest] -= 1;
    }
}

fn table_row(cells: &[Spans], widths: &[usize], aligns: &[Alignment], style: Style) -> Spans {
    let mut spans = Vec::new();
    for (i, &width) in widths.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("│", theme::TABLE_RULE));
        }
        let (content, used) = truncate(cells.get(i).map_or(&[][..], Vec::as_slice), width);
        let pad = width - used;
        let left = match aligns.get(i) {
            Some(Alignment::Right) => pad,
            Some(Alignment::Center) => pad / 2,
            _ => 0,
        };
        spans.push(Span::raw(" ".repeat(left + 1)));
        spans.extend(content.into_iter().map(|s| s.patch_style(style)));
        spans.push(Span::raw(" ".repeat(pad - left + 1)));
    }
    spans
}

/// A cell cut to `width` columns, ending in `…` when cut; and its width.
fn truncate(cell: &[Span<'static>], width: usize) -> (Spans, usize) {
    let full = spans_width(cell);
    if full <= width {
        return (cell.to_vec(), full);
    }
    let room = width.saturating_sub(1);
    let mut out = Vec::new();
    let mut used = 0;
    'cells: for span in cell {
        let mut text = String::new();
        for c in span.content.chars() {
            let w = char_width(c);
            if used + w > room {
                out.push(Span::styled(text, span.style));
                break 'cells;
            }
            used += w;
            text.push(c);
        }
        out.push(Span::styled(text, span.style));
    }
    if width > 0 {
        out.push(Span::styled("…", theme::DIM));
        used += 1;
    }
    (out, used)
}
