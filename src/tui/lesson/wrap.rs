//! The document laid out for a width ([`Wrapped`]): text word-wrapped with
//! its styles and its containers' prefixes, code blocks and tables laid out
//! by their own rules ([`super::code`], [`super::table`]). Done once per
//! width or content change, never while drawing.

use super::code::{CodeHeader, code_lines};
use super::document::{Block, Document, Kind, Spans};
use super::table::table_lines;
use super::theme;
use super::width::{char_width, spans_width, str_width};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// The document wrapped to a width. `line_code_block` holds, per line, the
/// [`super::CodeBlock::number`] of the code block the line draws (header
/// included); `heading_lines` the first line of each heading and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Wrapped {
    pub width: u16,
    pub lines: Vec<Line<'static>>,
    pub line_code_block: Vec<Option<usize>>,
    pub heading_lines: Vec<(usize, String)>,
}

impl Wrapped {
    pub(super) fn push(&mut self, spans: Spans, code_block: Option<usize>) {
        self.lines.push(Line::from(spans));
        self.line_code_block.push(code_block);
    }

    /// The heading `line` is under (the last one at or above it).
    pub fn heading_at(&self, line: usize) -> Option<&str> {
        let after = self.heading_lines.partition_point(|(l, _)| *l <= line);
        after
            .checked_sub(1)
            .map(|i| self.heading_lines[i].1.as_str())
    }

    /// The first line (the header) of code block `number`.
    pub fn code_block_line(&self, number: usize) -> Option<usize> {
        self.line_code_block.iter().position(|b| *b == Some(number))
    }

    /// The text of line `index`, without styles (for search and tests).
    pub fn line_text(&self, index: usize) -> String {
        self.lines
            .get(index)
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .unwrap_or_default()
    }
}

/// Wraps `doc` to `width` columns. `highlighted_code_block` is the
/// [`super::CodeBlock::number`] of the selected block, drawn with a bright border.
pub fn wrap(doc: &Document, width: u16, highlighted_code_block: Option<usize>) -> Wrapped {
    let mut out = Wrapped {
        width,
        lines: Vec::new(),
        line_code_block: Vec::new(),
        heading_lines: Vec::new(),
    };
    let width = usize::from(width);
    for block in &doc.blocks {
        if let Some(gap) = &block.gap {
            out.push(gap.clone(), None);
        }
        match &block.kind {
            Kind::Text { lines, heading } => {
                let heading = heading.map(|h| &doc.headings[h]);
                if let Some(h) = heading {
                    out.heading_lines.push((out.lines.len(), h.text.clone()));
                }
                let badge = heading.and_then(|h| h.badge.as_deref());
                for line in text_lines(block, lines, badge, width) {
                    out.push(line, None);
                }
            }
            Kind::Code { index, lang, lines } => {
                let selected = highlighted_code_block == Some(index + 1);
                let kind = doc.code_kinds.get(*index).copied();
                let header = CodeHeader {
                    number: *index + 1,
                    lang,
                    kind,
                    selected,
                };
                code_lines(&mut out, block, &header, lines, width);
            }
            Kind::Table(table) => {
                for line in table_lines(block, table, width) {
                    out.push(line, None);
                }
            }
            Kind::Rule => {
                let avail = width
                    .saturating_sub(spans_width(&block.first_prefix))
                    .max(1);
                let mut line = block.first_prefix.clone();
                line.push(Span::styled("─".repeat(avail), theme::DIM));
                out.push(line, None);
            }
        }
    }
    out
}

fn text_lines(block: &Block, lines: &[Spans], badge: Option<&str>, width: usize) -> Vec<Spans> {
    let badge = badge.map(|b| [Span::raw(" "), Span::styled(format!("▸ {b}"), theme::BADGE)]);
    let mut wrapper = Wrapper::new(&block.first_prefix, &block.rest_prefix, width);
    for (i, line) in lines.iter().enumerate() {
        for span in line {
            wrapper.feed(span);
        }
        if let Some(badge) = badge.as_ref().filter(|_| i + 1 == lines.len()) {
            badge.iter().for_each(|s| wrapper.feed(s));
        }
        wrapper.end_hard_line();
    }
    wrapper.lines
}

/// The line a [`Wrapper`] is filling.
struct OpenLine {
    /// Prefix included.
    spans: Spans,
    /// Where the text starts: text never merges into the prefix's spans.
    text_start: usize,
    /// Width of the text so far, and the room there is for text.
    used: usize,
    avail: usize,
}

/// Greedy word wrapping of styled spans: breaks at spaces, keeps each
/// piece's style, and breaks words longer than a line wherever they reach
/// the edge. Linear in the text's length.
struct Wrapper<'a> {
    width: usize,
    first: &'a [Span<'static>],
    rest: &'a [Span<'static>],
    lines: Vec<Spans>,
    line: Option<OpenLine>,
    word: Vec<(&'a str, Style)>,
    word_width: usize,
    space: Vec<(&'a str, Style)>,
    space_width: usize,
}

impl<'a> Wrapper<'a> {
    fn new(first: &'a [Span<'static>], rest: &'a [Span<'static>], width: usize) -> Self {
        Wrapper {
            width,
            first,
            rest,
            lines: Vec::new(),
            line: None,
            word: Vec::new(),
            word_width: 0,
            space: Vec::new(),
            space_width: 0,
        }
    }

    /// Splits a span into runs of spaces and of other characters.
    fn feed(&mut self, span: &'a Span<'_>) {
        let text: &'a str = &span.content;
        let mut start = 0;
        let mut in_space: Option<bool> = None;
        for (i, c) in text.char_indices() {
            let space = c == ' ';
            if in_space.is_some_and(|s| s != space) {
                self.piece(&text[start..i], !space, span.style);
                start = i;
            }
            in_space = Some(space);
        }
        if let Some(space) = in_space {
            self.piece(&text[start..], space, span.style);
        }
    }

    fn piece(&mut self, text: &'a str, space: bool, style: Style) {
        if space {
            self.flush_word();
            self.space.push((text, style));
            self.space_width += text.len();
        } else {
            self.word.push((text, style));
            self.word_width += str_width(text);
        }
    }

    fn flush_word(&mut self) {
        if self.word.is_empty() {
            return;
        }
        let (space_width, word_width) = (self.space_width, self.word_width);
        let line = self.current();
        if line.used > 0 && line.used + space_width + word_width > line.avail {
            self.break_line();
        }
        // The buffers are taken and put back to keep their capacity.
        let (space, word) = (
            std::mem::take(&mut self.space),
            std::mem::take(&mut self.word),
        );
        // Spaces are dropped where a line begins.
        if self.current().used > 0 {
            for &(text, style) in &space {
                self.emit(text, style);
            }
        }
        let line = self.current();
        let fits = line.used + word_width <= line.avail;
        for &(text, style) in &word {
            if fits {
                self.emit(text, style);
            } else {
                self.emit_chars(text, style);
            }
        }
        (self.space, self.word) = (space, word);
        self.clear_pending();
    }

    fn clear_pending(&mut self) {
        self.word.clear();
        self.word_width = 0;
        self.space.clear();
        self.space_width = 0;
    }

    fn end_hard_line(&mut self) {
        self.flush_word();
        self.clear_pending();
        self.current();
        self.break_line();
    }

    /// The line being filled, started (with its prefix) if need be.
    fn current(&mut self) -> &mut OpenLine {
        let prefix = if self.lines.is_empty() {
            self.first
        } else {
            self.rest
        };
        let width = self.width;
        self.line.get_or_insert_with(|| OpenLine {
            spans: prefix.to_vec(),
            text_start: prefix.len(),
            used: 0,
            avail: width.saturating_sub(spans_width(prefix)).max(1),
        })
    }

    fn break_line(&mut self) {
        if let Some(line) = self.line.take() {
            self.lines.push(line.spans);
        }
    }

    fn emit(&mut self, text: &str, style: Style) {
        let line = self.current();
        line.used += str_width(text);
        let mergeable = line.spans.len() > line.text_start;
        match line.spans.last_mut() {
            Some(last) if mergeable && last.style == style => last.content.to_mut().push_str(text),
            _ => line.spans.push(Span::styled(text.to_string(), style)),
        }
    }

    /// A word wider than the line: breaks it wherever the edge falls.
    fn emit_chars(&mut self, text: &str, style: Style) {
        for c in text.chars() {
            let width = char_width(c);
            let line = self.current();
            if line.used > 0 && line.used + width > line.avail {
                self.break_line();
            }
            self.emit(c.encode_utf8(&mut [0; 4]), style);
        }
    }
}
