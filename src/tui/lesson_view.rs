//! The lesson pane: markdown parsed once into styled blocks ([`Document`]),
//! wrapped once per width ([`wrap`], cached by [`WrapCache`]) and drawn a
//! visible slice at a time ([`LessonView`]). Drawing does no parsing,
//! wrapping or I/O, so a frame costs the same for any lesson length.

use super::code_kind::CodeKind;
use std::sync::atomic::{AtomicU64, Ordering};

use pulldown_cmark::{
    Alignment, CodeBlockKind, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd,
};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// The styles of the pane, in one place so the look can be changed at once.
mod theme {
    use super::*;

    pub const H1: Style = Style::new()
        .fg(Color::LightCyan)
        .add_modifier(Modifier::BOLD.union(Modifier::UNDERLINED));
    pub const H2: Style = Style::new()
        .fg(Color::LightGreen)
        .add_modifier(Modifier::BOLD);
    pub const H3: Style = Style::new()
        .fg(Color::LightMagenta)
        .add_modifier(Modifier::BOLD);
    pub const H4: Style = Style::new().add_modifier(Modifier::BOLD.union(Modifier::ITALIC));
    pub const BADGE: Style = Style::new().fg(Color::Black).bg(Color::LightMagenta);
    pub const INLINE_CODE: Style = Style::new().fg(Color::Yellow).bg(Color::Indexed(236));
    pub const LINK: Style = Style::new()
        .fg(Color::LightBlue)
        .add_modifier(Modifier::UNDERLINED);
    pub const DIM: Style = Style::new().fg(Color::DarkGray);
    pub const IMAGE: Style = Style::new().fg(Color::Magenta);
    pub const MISSING: Style = Style::new().fg(Color::Red);
    pub const HTML: Style = Style::new().fg(Color::Gray);
    pub const MARKER: Style = Style::new().fg(Color::LightBlue);
    pub const QUOTE: Style = Style::new().fg(Color::Blue);
    pub const CODE: Style = Style::new().fg(Color::LightGreen).bg(Color::Indexed(235));
    pub const CODE_BORDER: Style = Style::new().fg(Color::DarkGray);
    pub const CODE_BORDER_SELECTED: Style =
        Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
    pub const CODE_NUMBER: Style = Style::new().fg(Color::Black).bg(Color::DarkGray);
    pub const CODE_NUMBER_SELECTED: Style = Style::new()
        .fg(Color::Black)
        .bg(Color::Yellow)
        .add_modifier(Modifier::BOLD);
    pub const TABLE_RULE: Style = Style::new().fg(Color::DarkGray);
}

/// Code blocks are indented this much inside their containers.
const CODE_INDENT: &str = "  ";
/// Tabs in code blocks expand to this many columns (the terminal would too).
const TAB_WIDTH: usize = 4;

type Spans = Vec<Span<'static>>;

/// A code block of the lesson, as the learner would copy or run it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    /// 1-based, in document order; shown in the block's header.
    pub number: usize,
    /// The block's text, without the final newline.
    pub text: String,
    /// The fence's info string (`sh`, `yaml`), empty when there is none.
    pub info: String,
}

/// A parsed document: blocks with styled spans, independent of width.
/// Built once per (text, vars) change.
#[derive(Debug, Clone)]
pub struct Document {
    /// Distinguishes documents for [`WrapCache`]; new on every change.
    id: u64,
    blocks: Vec<Block>,
    code_blocks: Vec<CodeBlock>,
    headings: Vec<Heading>,
    /// What each code block is (by index), shown in its header; empty until classified.
    code_kinds: Vec<CodeKind>,
}

#[derive(Debug, Clone)]
struct Block {
    /// A blank line before the block, drawn with its containers' bars.
    gap: Option<Spans>,
    /// What precedes the block's first line (list marker, quote bar) and
    /// its other lines (the same widths, markers as spaces).
    first_prefix: Spans,
    rest_prefix: Spans,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    /// Flowing text as hard lines, each word-wrapped on its own.
    Text {
        lines: Vec<Spans>,
        heading: Option<usize>,
    },
    /// `lines` are the block's lines with tabs expanded.
    Code {
        index: usize,
        lang: String,
        lines: Vec<String>,
    },
    Table(Table),
    Rule,
}

#[derive(Debug, Clone, Default)]
struct Table {
    aligns: Vec<Alignment>,
    header: Vec<Spans>,
    rows: Vec<Vec<Spans>>,
}

#[derive(Debug, Clone)]
struct Heading {
    block: usize,
    text: String,
    badge: Option<String>,
}

fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Document {
    /// `markdown` is already variable-substituted. `asset_exists` says
    /// whether an image URL resolves to a file; it is asked here, once, so
    /// that drawing never touches the disk.
    pub fn parse(markdown: &str, asset_exists: impl Fn(&str) -> bool) -> Document {
        let mut builder = Builder::new(asset_exists);
        for event in Parser::new_ext(markdown, crate::lesson::markdown::options()) {
            builder.event(event);
        }
        builder.finish()
    }

    /// Labels headings with a badge after their text (e.g. the steps a
    /// section holds: "step 1: proxy-image" shows as "▸ step 1: proxy-image").
    /// `sections` maps heading text → label; a heading named more than once
    /// lists every label, and unknown headings are ignored.
    pub fn with_sections<S: AsRef<str>, L: Into<String>>(
        mut self,
        sections: impl IntoIterator<Item = (S, L)>,
    ) -> Document {
        for (heading, label) in sections {
            let label = label.into();
            let wanted = heading.as_ref().trim();
            for h in self.headings.iter_mut().filter(|h| h.text == wanted) {
                // Several steps can share a section: all are listed.
                h.badge = Some(match h.badge.take() {
                    Some(before) => format!("{before} · {label}"),
                    None => label.clone(),
                });
            }
        }
        self.id = next_id();
        self
    }

    /// Labels each code block with what it is (in document order).
    pub fn with_code_kinds(mut self, kinds: Vec<CodeKind>) -> Document {
        self.code_kinds = kinds;
        self.id = next_id();
        self
    }

    /// What code block `number` is, once classified.
    pub fn code_kind(&self, number: usize) -> Option<CodeKind> {
        self.code_kinds.get(number.checked_sub(1)?).copied()
    }

    /// Fenced and indented code blocks in document order.
    pub fn code_blocks(&self) -> &[CodeBlock] {
        &self.code_blocks
    }

    /// Each heading's block index and plain text, in document order.
    pub fn headings(&self) -> Vec<(usize, String)> {
        self.headings
            .iter()
            .map(|h| (h.block, h.text.clone()))
            .collect()
    }
}

// ── parsing ────────────────────────────────────────────────────────────────

/// A block container the current leaf block sits in, outermost first.
enum Container {
    Quote,
    /// A list item; its marker ("• ", "3. ") goes on its first line only.
    Item {
        marker: String,
        used: bool,
    },
}

struct ListState {
    next_number: Option<u64>,
    items: usize,
    /// Items hold paragraphs (blank lines between items in the source).
    loose: bool,
}

/// Inline content being collected: hard lines of styled spans.
struct Inline {
    lines: Vec<Spans>,
    styles: Vec<Style>,
}

impl Inline {
    fn new() -> Inline {
        Inline {
            lines: vec![Vec::new()],
            styles: Vec::new(),
        }
    }

    fn style(&self) -> Style {
        self.styles.last().copied().unwrap_or_default()
    }

    fn push_style(&mut self, style: Style) {
        self.styles.push(self.style().patch(style));
    }

    fn pop_style(&mut self) {
        self.styles.pop();
    }

    fn push(&mut self, text: &str, style: Style) {
        let line = self.lines.last_mut().expect("inline always has a line");
        // Tabs and other controls have no sane width in a terminal cell.
        let text: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        match line.last_mut() {
            Some(last) if last.style == style => last.content.to_mut().push_str(&text),
            _ => line.push(Span::styled(text, style)),
        }
    }

    fn text(&mut self, text: &str) {
        self.push(text, self.style());
    }

    fn hard_break(&mut self) {
        self.lines.push(Vec::new());
    }

    fn is_empty(&self) -> bool {
        self.lines
            .iter()
            .all(|l| l.iter().all(|s| s.content.is_empty()))
    }

    /// The collected lines, without trailing empty ones (a `<br>` that
    /// ends a paragraph adds nothing).
    fn take(&mut self) -> Vec<Spans> {
        let mut lines = std::mem::replace(&mut self.lines, vec![Vec::new()]);
        while lines.len() > 1 && lines.last().is_some_and(Vec::is_empty) {
            lines.pop();
        }
        lines
    }
}

struct Builder<F> {
    asset_exists: F,
    blocks: Vec<Block>,
    code_blocks: Vec<CodeBlock>,
    headings: Vec<Heading>,
    containers: Vec<Container>,
    lists: Vec<ListState>,
    /// The gap the next block gets, if any.
    gap: Option<Spans>,
    inline: Inline,
    code: Option<(String, String)>,
    table: Option<(Table, Vec<Spans>)>,
    image: Option<(String, String)>,
    /// Targets of open links; `None` when the text already is the target.
    links: Vec<Option<String>>,
    in_html_block: bool,
}

impl<F: Fn(&str) -> bool> Builder<F> {
    fn new(asset_exists: F) -> Self {
        Builder {
            asset_exists,
            blocks: Vec::new(),
            code_blocks: Vec::new(),
            headings: Vec::new(),
            containers: Vec::new(),
            lists: Vec::new(),
            gap: None,
            inline: Inline::new(),
            code: None,
            table: None,
            image: None,
            links: Vec::new(),
            in_html_block: false,
        }
    }

    fn finish(mut self) -> Document {
        self.flush_text();
        Document {
            id: next_id(),
            blocks: self.blocks,
            code_blocks: self.code_blocks,
            headings: self.headings,
            code_kinds: Vec::new(),
        }
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => self.text(&t),
            Event::Code(t) => self.inline_code(&t),
            Event::Html(t) => self.html(&t),
            Event::InlineHtml(t) => self.inline_html(&t),
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => self.inline.hard_break(),
            Event::Rule => {
                self.flush_text();
                self.push_block(Kind::Rule);
                self.set_gap();
            }
            Event::TaskListMarker(done) => self.text(if done { "[x] " } else { "[ ] " }),
            Event::InlineMath(t) | Event::DisplayMath(t) | Event::FootnoteReference(t) => {
                self.text(&t)
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => {
                self.flush_text();
                let in_item = matches!(self.containers.last(), Some(Container::Item { .. }));
                if in_item && let Some(list) = self.lists.last_mut() {
                    list.loose = true;
                }
            }
            Tag::Heading { level, .. } => {
                self.flush_text();
                self.inline.push_style(heading_style(level));
            }
            Tag::BlockQuote(_) => {
                self.flush_text();
                self.containers.push(Container::Quote);
            }
            Tag::CodeBlock(kind) => {
                self.flush_text();
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((lang, String::new()));
            }
            Tag::HtmlBlock => {
                self.flush_text();
                self.in_html_block = true;
                self.inline.push_style(theme::HTML);
            }
            Tag::List(first) => {
                self.flush_text();
                self.lists.push(ListState {
                    next_number: first,
                    items: 0,
                    loose: false,
                });
            }
            Tag::Item => self.start_item(),
            Tag::Table(aligns) => {
                self.flush_text();
                let table = Table {
                    aligns,
                    ..Table::default()
                };
                self.table = Some((table, Vec::new()));
            }
            Tag::Emphasis => self
                .inline
                .push_style(Style::new().add_modifier(Modifier::ITALIC)),
            Tag::Strong => self
                .inline
                .push_style(Style::new().add_modifier(Modifier::BOLD)),
            Tag::Strikethrough => self
                .inline
                .push_style(Style::new().add_modifier(Modifier::CROSSED_OUT)),
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => {
                let shown = matches!(link_type, LinkType::Autolink | LinkType::Email);
                self.links.push((!shown).then(|| dest_url.to_string()));
                self.inline.push_style(theme::LINK);
            }
            Tag::Image { dest_url, .. } => self.image = Some((dest_url.to_string(), String::new())),
            // Tables' rows and cells, definition lists, footnotes, super/subscript:
            // their text flows like any other.
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                self.flush_text();
                self.set_gap();
            }
            TagEnd::Heading(_) => self.end_heading(),
            TagEnd::BlockQuote(_) => {
                self.flush_text();
                self.containers.pop();
                self.set_gap();
            }
            TagEnd::CodeBlock => self.end_code_block(),
            TagEnd::HtmlBlock => {
                self.inline.pop_style();
                self.flush_text();
                self.in_html_block = false;
                self.set_gap();
            }
            TagEnd::List(_) => self.end_list(),
            TagEnd::Item => {
                self.flush_text();
                self.containers.pop();
            }
            TagEnd::TableCell => self.end_table_cell(),
            TagEnd::TableHead => {
                if let Some((table, row)) = self.table.as_mut() {
                    table.header = std::mem::take(row);
                }
            }
            TagEnd::TableRow => {
                if let Some((table, row)) = self.table.as_mut() {
                    table.rows.push(std::mem::take(row));
                }
            }
            TagEnd::Table => {
                if let Some((table, _)) = self.table.take() {
                    self.push_block(Kind::Table(table));
                    self.set_gap();
                }
            }
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => self.inline.pop_style(),
            TagEnd::Link => self.end_link(),
            TagEnd::Image => self.end_image(),
            _ => {}
        }
    }

    fn text(&mut self, text: &str) {
        if let Some((_, code)) = self.code.as_mut() {
            code.push_str(text);
        } else if let Some((_, alt)) = self.image.as_mut() {
            alt.push_str(text);
        } else {
            self.inline.text(text);
        }
    }

    fn inline_code(&mut self, text: &str) {
        if let Some((_, alt)) = self.image.as_mut() {
            alt.push_str(text);
        } else {
            let style = self.inline.style().patch(theme::INLINE_CODE);
            self.inline.push(text, style);
        }
    }

    /// Block HTML is shown as written, line by line.
    fn html(&mut self, text: &str) {
        for (i, line) in text.trim_end_matches('\n').split('\n').enumerate() {
            if i > 0 {
                self.inline.hard_break();
            }
            if !is_line_break_tag(line) {
                self.inline.text(line);
            }
        }
        if self.in_html_block {
            self.inline.hard_break();
        }
    }

    /// `<br>` breaks the line (Instruqt lessons use it that way); other
    /// inline HTML is shown as text, since a terminal cannot render it.
    fn inline_html(&mut self, text: &str) {
        if is_line_break_tag(text) {
            self.inline.hard_break();
        } else {
            self.inline
                .push(text, self.inline.style().patch(theme::HTML));
        }
    }

    fn start_item(&mut self) {
        self.flush_text();
        let depth = self.lists.len().saturating_sub(1);
        let Some(list) = self.lists.last_mut() else {
            return;
        };
        list.items += 1;
        // Items of a tight list follow each other without blank lines.
        if list.items > 1 && !list.loose {
            self.gap = None;
        }
        let marker = match list.next_number.as_mut() {
            Some(n) => {
                *n += 1;
                format!("{}. ", *n - 1)
            }
            None => format!("{} ", ["•", "◦", "▪"][depth.min(2)]),
        };
        self.containers.push(Container::Item {
            marker,
            used: false,
        });
    }

    fn end_list(&mut self) {
        self.flush_text();
        self.lists.pop();
        match self.lists.last() {
            Some(outer) if !outer.loose => self.gap = None,
            _ => self.set_gap(),
        }
    }

    fn end_heading(&mut self) {
        let lines = self.inline.take();
        self.inline.pop_style();
        let text = plain_text(&lines).trim().to_string();
        self.headings.push(Heading {
            block: self.blocks.len(),
            text,
            badge: None,
        });
        let heading = Some(self.headings.len() - 1);
        self.push_block(Kind::Text { lines, heading });
        self.set_gap();
    }

    fn end_code_block(&mut self) {
        let Some((lang, mut text)) = self.code.take() else {
            return;
        };
        if text.ends_with('\n') {
            text.pop();
        }
        let lines = text.split('\n').map(expand_tabs).collect();
        let index = self.code_blocks.len();
        self.code_blocks.push(CodeBlock {
            number: index + 1,
            text,
            info: lang.clone(),
        });
        self.push_block(Kind::Code { index, lang, lines });
        self.set_gap();
    }

    fn end_table_cell(&mut self) {
        let lines = self.inline.take();
        let mut cell: Spans = Vec::new();
        for (i, line) in lines.into_iter().enumerate() {
            if i > 0 {
                cell.push(Span::raw(" "));
            }
            cell.extend(line);
        }
        if let Some((_, row)) = self.table.as_mut() {
            row.push(cell);
        }
    }

    /// Links show their target after the text, since it cannot be clicked.
    fn end_link(&mut self) {
        self.inline.pop_style();
        if let Some(url) = self.links.pop().flatten().filter(|u| !u.is_empty()) {
            self.inline.push(&format!(" ({url})"), theme::DIM);
        }
    }

    fn end_image(&mut self) {
        let Some((url, alt)) = self.image.take() else {
            return;
        };
        let found = (self.asset_exists)(&url);
        self.inline.push(&format!("[image: {alt}]"), theme::IMAGE);
        self.inline.push(&format!(" ({url})"), theme::DIM);
        if !found {
            self.inline.push(" — not found", theme::MISSING);
        }
    }

    /// Ends the text collected so far (a paragraph, or the bare text of a
    /// tight list item) as a block of its own.
    fn flush_text(&mut self) {
        if self.inline.is_empty() {
            self.inline.take();
            return;
        }
        let lines = self.inline.take();
        self.push_block(Kind::Text {
            lines,
            heading: None,
        });
    }

    fn push_block(&mut self, kind: Kind) {
        let gap = self.gap.take().filter(|_| !self.blocks.is_empty());
        let first_prefix = self.first_prefix();
        let rest_prefix = self.rest_prefix();
        self.blocks.push(Block {
            gap,
            first_prefix,
            rest_prefix,
            kind,
        });
    }

    /// The next block is set apart by a blank line, which keeps the quote
    /// bars of the containers it is in.
    fn set_gap(&mut self) {
        let mut prefix = self.rest_prefix();
        while prefix.last().is_some_and(|s| s.content.trim().is_empty()) {
            prefix.pop();
        }
        if let Some(last) = prefix.last_mut() {
            let trimmed = last.content.trim_end().to_string();
            last.content = trimmed.into();
        }
        self.gap = Some(prefix);
    }

    /// The prefix of a block's first line: uses up the markers of the items
    /// it starts.
    fn first_prefix(&mut self) -> Spans {
        let mut spans = Vec::new();
        for container in &mut self.containers {
            match container {
                Container::Item { marker, used } if !*used => {
                    *used = true;
                    spans.push(Span::styled(marker.clone(), theme::MARKER));
                }
                other => spans.push(container_bar(other)),
            }
        }
        spans
    }

    fn rest_prefix(&self) -> Spans {
        self.containers.iter().map(container_bar).collect()
    }
}

/// What a container puts before a line that is not its first.
fn container_bar(container: &Container) -> Span<'static> {
    match container {
        Container::Quote => Span::styled("▌ ", theme::QUOTE),
        Container::Item { marker, .. } => Span::raw(" ".repeat(str_width(marker))),
    }
}

fn heading_style(level: HeadingLevel) -> Style {
    match level {
        HeadingLevel::H1 => theme::H1,
        HeadingLevel::H2 => theme::H2,
        HeadingLevel::H3 => theme::H3,
        _ => theme::H4,
    }
}

fn is_line_break_tag(html: &str) -> bool {
    let tag = html.trim().to_ascii_lowercase();
    tag.strip_prefix("<br")
        .is_some_and(|rest| matches!(rest.trim_start(), ">" | "/>"))
}

fn expand_tabs(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut column = 0;
    for c in line.chars() {
        if c == '\t' {
            let n = TAB_WIDTH - column % TAB_WIDTH;
            out.extend(std::iter::repeat_n(' ', n));
            column += n;
        } else if c.is_control() {
            // A stray control character would move the real cursor.
            out.push(' ');
            column += 1;
        } else {
            out.push(c);
            column += char_width(c);
        }
    }
    out
}

fn plain_text(lines: &[Spans]) -> String {
    let lines: Vec<String> = lines
        .iter()
        .map(|l| l.iter().map(|s| s.content.as_ref()).collect())
        .collect();
    lines.join(" ")
}

fn str_width(s: &str) -> usize {
    Span::raw(s).width()
}

fn char_width(c: char) -> usize {
    str_width(c.encode_utf8(&mut [0; 4]))
}

fn spans_width(spans: &[Span<'_>]) -> usize {
    spans.iter().map(Span::width).sum()
}

// ── wrapping ───────────────────────────────────────────────────────────────

/// The document wrapped to a width. `line_code_block` holds, per line, the
/// [`CodeBlock::number`] of the code block the line draws (header
/// included); `heading_lines` the first line of each heading and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Wrapped {
    pub width: u16,
    pub lines: Vec<Line<'static>>,
    pub line_code_block: Vec<Option<usize>>,
    pub heading_lines: Vec<(usize, String)>,
}

impl Wrapped {
    fn push(&mut self, spans: Spans, code_block: Option<usize>) {
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
/// [`CodeBlock::number`] of the selected block, drawn with a bright border.
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

/// Greedy word wrapping of styled spans: breaks at spaces, keeps each
/// piece's style, and breaks words longer than a line wherever they reach
/// the edge. Linear in the text's length.
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

/// What a code block's first line shows.
struct CodeHeader<'a> {
    number: usize,
    lang: &'a str,
    kind: Option<CodeKind>,
    selected: bool,
}

fn code_lines(
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

fn table_lines(block: &Block, table: &Table, width: usize) -> Vec<Spans> {
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

// ── caching and drawing ────────────────────────────────────────────────────

/// Keeps the last [`wrap`] and redoes it only when the document, width or
/// highlighted block changed.
#[derive(Debug, Default)]
pub struct WrapCache {
    key: Option<(u64, u16, Option<usize>)>,
    wrapped: Option<Wrapped>,
    wraps: usize,
}

impl WrapCache {
    pub fn get(&mut self, doc: &Document, width: u16, highlighted: Option<usize>) -> &Wrapped {
        let key = (doc.id, width, highlighted);
        if self.key != Some(key) {
            self.key = Some(key);
            self.wrapped = None;
        }
        let wraps = &mut self.wraps;
        self.wrapped.get_or_insert_with(|| {
            *wraps += 1;
            wrap(doc, width, highlighted)
        })
    }

    /// How many times the cache has wrapped (to see that it did not).
    pub fn wraps(&self) -> usize {
        self.wraps
    }
}

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
    use std::collections::BTreeMap;
    use std::path::Path;

    use crate::lesson::Lesson;
    use crate::lesson::vars::Vars;

    fn parse(markdown: &str) -> Document {
        Document::parse(markdown, |_| true)
    }

    fn plain(wrapped: &Wrapped) -> Vec<String> {
        (0..wrapped.lines.len())
            .map(|i| wrapped.line_text(i).trim_end().to_string())
            .collect()
    }

    fn lines_of(markdown: &str, width: u16) -> Vec<String> {
        plain(&wrap(&parse(markdown), width, None))
    }

    /// The first span whose text contains `needle`.
    fn span<'a>(wrapped: &'a Wrapped, needle: &str) -> &'a Span<'static> {
        wrapped
            .lines
            .iter()
            .flat_map(|l| &l.spans)
            .find(|s| s.content.contains(needle))
            .unwrap_or_else(|| panic!("no span contains {needle:?}"))
    }

    fn has(style: Style, modifier: Modifier) -> bool {
        style.add_modifier.contains(modifier)
    }

    #[test]
    fn atx_and_setext_headings_are_styled_by_level() {
        let md = "# One\n\nTwo\n===\n\n## Three\n\nFour\n----\n\n### Five\n\n#### Six\n";
        let w = wrap(&parse(md), 40, None);
        assert_eq!(
            plain(&w),
            [
                "One", "", "Two", "", "Three", "", "Four", "", "Five", "", "Six"
            ]
        );
        assert_eq!(span(&w, "One").style, theme::H1);
        assert!(has(theme::H1, Modifier::BOLD | Modifier::UNDERLINED));
        assert_eq!(span(&w, "Two").style, theme::H1);
        assert_eq!(span(&w, "Three").style, theme::H2);
        assert_eq!(span(&w, "Four").style, theme::H2);
        assert_eq!(span(&w, "Five").style, theme::H3);
        assert_eq!(span(&w, "Six").style, theme::H4);
        let styles = [theme::H1, theme::H2, theme::H3, theme::H4];
        assert!(
            styles
                .iter()
                .enumerate()
                .all(|(i, a)| styles[i + 1..].iter().all(|b| a != b))
        );
    }

    #[test]
    fn headings_are_listed_with_their_blocks_and_lines() {
        let doc = parse("Intro\n\n# First `code`\n\ntext\n\n## Second\n");
        assert_eq!(
            doc.headings(),
            [(1, "First code".to_string()), (3, "Second".to_string())]
        );
        let w = wrap(&doc, 40, None);
        assert_eq!(
            w.heading_lines,
            [(2, "First code".to_string()), (6, "Second".to_string())]
        );
        assert_eq!(w.heading_at(0), None);
        assert_eq!(w.heading_at(4), Some("First code"));
        assert_eq!(w.heading_at(6), Some("Second"));
        assert_eq!(w.heading_at(99), Some("Second"));
    }

    #[test]
    fn section_labels_show_as_badges_after_their_headings() {
        let doc = parse("# Setup\n\n## Proxy the image\n\ntext\n").with_sections([
            ("Proxy the image", "step 1: proxy-image"),
            ("Nope", "x"),
            ("Setup", "a"),
            ("Setup", "b"),
        ]);
        let w = wrap(&doc, 60, None);
        assert_eq!(plain(&w)[0], "Setup ▸ a · b");
        assert_eq!(plain(&w)[2], "Proxy the image ▸ step 1: proxy-image");
        assert_eq!(span(&w, "▸ step 1").style, theme::BADGE);
        assert_eq!(w.heading_lines[1].1, "Proxy the image");
    }

    #[test]
    fn paragraphs_join_soft_breaks_and_keep_hard_ones() {
        let md = "one\ntwo  \nthree\\\nfour<br/>five<br>six <BR />seven\n\nnext paragraph\n";
        assert_eq!(
            lines_of(md, 60),
            [
                "one two",
                "three",
                "four",
                "five",
                "six",
                "seven",
                "",
                "next paragraph"
            ]
        );
    }

    #[test]
    fn emphasis_strong_strikethrough_and_inline_code_have_styles() {
        let w = wrap(
            &parse("*it* **bold** ~~gone~~ `code` ***both***\n"),
            60,
            None,
        );
        assert_eq!(plain(&w), ["it bold gone code both"]);
        assert!(has(span(&w, "it").style, Modifier::ITALIC));
        assert!(has(span(&w, "bold").style, Modifier::BOLD));
        assert!(has(span(&w, "gone").style, Modifier::CROSSED_OUT));
        assert_eq!(span(&w, "code").style, theme::INLINE_CODE);
        assert!(has(
            span(&w, "both").style,
            Modifier::BOLD | Modifier::ITALIC
        ));
    }

    #[test]
    fn words_wrap_at_spaces_keeping_their_styles() {
        let md = "The **proxy registry controls** access to your images using the license.";
        let w = wrap(&parse(md), 20, None);
        assert_eq!(
            plain(&w),
            [
                "The proxy registry",
                "controls access to",
                "your images using",
                "the license."
            ]
        );
        assert!(has(span(&w, "proxy registry").style, Modifier::BOLD));
        assert!(has(span(&w, "controls").style, Modifier::BOLD));
        assert!(!has(span(&w, "access").style, Modifier::BOLD));
        assert!(w.lines.iter().all(|l| l.width() <= 20));
    }

    #[test]
    fn words_longer_than_a_line_break_at_the_edge() {
        let lines = lines_of("a abcdefghijklmnopqrstuvwxyz b", 10);
        assert_eq!(lines, ["a", "abcdefghij", "klmnopqrst", "uvwxyz b"]);
    }

    #[test]
    fn wide_characters_count_as_two_columns() {
        let lines = lines_of("日本語 日本語 日本語", 13);
        assert_eq!(lines, ["日本語 日本語", "日本語"]);
    }

    #[test]
    fn code_blocks_are_numbered_bordered_and_not_reflowed() {
        let md = "Text\n\n```sh\nhelm package  slackernews\necho done\n```\n\n    indented\n    \tcode\n";
        let doc = parse(md);
        assert_eq!(
            doc.code_blocks(),
            [
                CodeBlock {
                    number: 1,
                    text: "helm package  slackernews\necho done".into(),
                    info: "sh".into(),
                },
                CodeBlock {
                    number: 2,
                    text: "indented\n\tcode".into(),
                    info: String::new(),
                },
            ]
        );
        let w = wrap(&doc, 40, None);
        assert_eq!(
            plain(&w),
            [
                "Text",
                "",
                "  ┌─ 1  sh",
                "  │ helm package  slackernews",
                "  │ echo done",
                "",
                "  ┌─ 2",
                "  │ indented",
                "  │     code",
            ]
        );
        let code = [
            None,
            None,
            Some(1),
            Some(1),
            Some(1),
            None,
            Some(2),
            Some(2),
            Some(2),
        ];
        assert_eq!(w.line_code_block, code);
        assert_eq!(w.code_block_line(2), Some(6));
        assert_eq!(span(&w, "echo done").style, theme::CODE);
        assert_eq!(span(&w, " 1 ").style, theme::CODE_NUMBER);
        // The background reaches the edge of the pane.
        assert!(w.lines[3..5].iter().all(|l| l.width() == 40));
    }

    #[test]
    fn long_code_lines_break_hard_at_the_width() {
        let w = wrap(&parse("```\nabcdefghij klmn\n```\n"), 12, None);
        assert_eq!(plain(&w), ["  ┌─ 1", "  │ abcdefgh", "  │ ij klmn"]);
    }

    #[test]
    fn the_highlighted_code_block_stands_out() {
        let doc = parse("```\none\n```\n\n```\ntwo\n```\n");
        let w = wrap(&doc, 30, Some(2));
        let border = |line: usize| w.lines[line].spans[1].style;
        assert_eq!(border(1), theme::CODE_BORDER);
        assert_eq!(border(4), theme::CODE_BORDER_SELECTED);
        assert_eq!(span(&w, " 2 ").style, theme::CODE_NUMBER_SELECTED);
        assert_ne!(theme::CODE_BORDER, theme::CODE_BORDER_SELECTED);
    }

    #[test]
    fn lists_have_bullets_numbers_nesting_and_continuation_indent() {
        let md = "Intro\n\n* one\n* two is a longer item\n  * nested\n    1. deep\n* three\n\nAfter\n\n3. three\n4. four\n";
        assert_eq!(
            lines_of(md, 18),
            [
                "Intro",
                "",
                "• one",
                "• two is a longer",
                "  item",
                "  ◦ nested",
                "    1. deep",
                "• three",
                "",
                "After",
                "",
                "3. three",
                "4. four",
            ]
        );
        let w = wrap(&parse("- a\n"), 10, None);
        assert_eq!(span(&w, "•").style, theme::MARKER);
    }

    #[test]
    fn loose_lists_keep_blank_lines_between_items() {
        let md = "1. one\n\n   more\n\n2. two\n";
        assert_eq!(lines_of(md, 30), ["1. one", "", "   more", "", "2. two"]);
    }

    #[test]
    fn task_list_items_show_their_state() {
        assert_eq!(
            lines_of("- [x] done\n- [ ] todo\n", 30),
            ["• [x] done", "• [ ] todo"]
        );
    }

    #[test]
    fn links_show_their_target_dimmed() {
        let md = "See [the docs](https://docs.example.com/x) or <https://example.com>.\n";
        let w = wrap(&parse(md), 80, None);
        assert_eq!(
            plain(&w),
            ["See the docs (https://docs.example.com/x) or https://example.com."]
        );
        assert_eq!(span(&w, "the docs").style, theme::LINK);
        assert_eq!(span(&w, "(https://docs").style, theme::DIM);
    }

    #[test]
    fn block_quotes_carry_a_bar_on_every_line() {
        let md = "> quoted text that wraps\n>\n> second\n\nout\n";
        let w = wrap(&parse(md), 14, None);
        assert_eq!(
            plain(&w),
            ["▌ quoted text", "▌ that wraps", "▌", "▌ second", "", "out"]
        );
        assert_eq!(span(&w, "▌").style, theme::QUOTE);
    }

    #[test]
    fn tables_align_columns_under_a_rule() {
        let md =
            "| Name | Qty | Note |\n|:-----|----:|:----:|\n| apple | 3 | ok |\n| kiwi | 12 | — |\n";
        let w = wrap(&parse(md), 40, None);
        assert_eq!(
            plain(&w),
            [
                " Name  │ Qty │ Note",
                "───────┼─────┼──────",
                " apple │   3 │  ok",
                " kiwi  │  12 │  —",
            ]
        );
        assert!(has(span(&w, "Name").style, Modifier::BOLD));
        assert!(!has(span(&w, "apple").style, Modifier::BOLD));
    }

    #[test]
    fn table_cells_are_cut_to_fit() {
        let md = "| key | value |\n|---|---|\n| image | proxy.replicated.com/proxy/app |\n";
        let w = wrap(&parse(md), 24, None);
        assert_eq!(
            plain(&w),
            [
                " key   │ value",
                "───────┼────────────────",
                " image │ proxy.replica…",
            ]
        );
        assert!(w.lines.iter().all(|l| l.width() <= 24));
    }

    #[test]
    fn rules_span_the_width() {
        assert_eq!(
            lines_of("a\n\n---\n\nb\n", 8),
            ["a", "", "────────", "", "b"]
        );
    }

    #[test]
    fn images_show_alt_path_and_whether_found() {
        let md = "![Found one](assets/a.png)\n\n![Lost `one`](assets/b.png)\n";
        let doc = Document::parse(md, |url| url.ends_with("a.png"));
        let w = wrap(&doc, 80, None);
        assert_eq!(
            plain(&w),
            [
                "[image: Found one] (assets/a.png)",
                "",
                "[image: Lost one] (assets/b.png) — not found",
            ]
        );
        assert_eq!(span(&w, "[image: Found").style, theme::IMAGE);
        assert_eq!(span(&w, "not found").style, theme::MISSING);
    }

    #[test]
    fn other_html_shows_as_text() {
        let md =
            "Press <kbd>Enter</kbd> now\n\n<div align=\"center\">\n  <b>hi</b>\n</div>\n\nafter\n";
        let w = wrap(&parse(md), 40, None);
        assert_eq!(
            plain(&w),
            [
                "Press <kbd>Enter</kbd> now",
                "",
                "<div align=\"center\">",
                "<b>hi</b>",
                "</div>",
                "",
                "after",
            ]
        );
        assert_eq!(span(&w, "<kbd>").style, theme::HTML);
    }

    /// The bundled lesson's text, filled as a learner would see it, with
    /// its steps as section badges.
    fn bundled_lesson() -> Document {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/proxying-private-images");
        let lesson = Lesson::load(&dir).expect("bundled lesson loads");
        let values = [
            ("REPLICATED_APP", "slackernews-demo"),
            ("USERNAME", "learner@labrun.local"),
            ("PASSWORD", "s3cret-password"),
            ("REPLICATED_API_TOKEN", "s3cret-token"),
        ];
        let command_line: Vec<(String, String)> = values
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let vars = Vars::resolve(&lesson.variables, &command_line, |_| None, &BTreeMap::new());
        let body = vars.render(&lesson.challenge.body, false);
        let sections = lesson.steps.iter().enumerate().filter_map(|(i, step)| {
            let section = step.section.clone()?;
            Some((section, format!("step {}: {}", i + 1, step.id)))
        });
        // Fixed, not the disk: the snapshot should not depend on which images exist.
        Document::parse(&body, |url| !url.contains("creating")).with_sections(sections)
    }

    #[test]
    fn bundled_lesson_at_width_60() {
        let w = wrap(&bundled_lesson(), 60, Some(3));
        assert!(w.lines.iter().all(|l| l.width() <= 60));
        assert!(!plain(&w).join("\n").contains("s3cret"));
        insta::assert_snapshot!(plain(&w).join("\n"));
    }

    #[test]
    fn wrapping_is_cached_per_document_width_and_highlight() {
        let doc = bundled_lesson();
        let mut cache = WrapCache::default();
        let first = cache.get(&doc, 60, None).clone();
        assert_eq!(cache.get(&doc, 60, None), &first);
        assert_eq!(cache.wraps(), 1);
        assert_eq!(wrap(&doc, 60, None), first, "wrapping is deterministic");
        assert_ne!(cache.get(&doc, 40, None).lines.len(), first.lines.len());
        cache.get(&doc, 40, Some(1));
        assert_eq!(cache.wraps(), 3);
        let relabelled = doc
            .clone()
            .with_sections([("Promoting the Release", "step 9")]);
        cache.get(&relabelled, 40, Some(1));
        assert_eq!(cache.wraps(), 4);
    }

    #[test]
    fn the_widget_draws_only_the_visible_slice() {
        let w = wrap(&parse("# Title\n\none\n\ntwo\n\nthree\n"), 10, None);
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
        assert!(has(top[(4, 0)].style(), Modifier::UNDERLINED));
        // Scrolled past the end: nothing to draw, and no panic.
        let mut past = Buffer::empty(area);
        LessonView {
            wrapped: &w,
            scroll: 100,
        }
        .render(area, &mut past);
        assert_eq!(past, Buffer::empty(area));
    }

    #[test]
    fn wrapping_the_bundled_lesson_is_fast() {
        let doc = bundled_lesson();
        let start = std::time::Instant::now();
        let rounds = 20;
        for width in 0..rounds {
            std::hint::black_box(wrap(&doc, 60 + width, None));
        }
        let each = start.elapsed() / u32::from(rounds);
        // Generous for unoptimised builds on a busy machine; it guards
        // against accidental quadratic work, not the release budget (<1 ms).
        assert!(each.as_millis() < 50, "wrapping took {each:?}");
    }

    #[test]
    fn wide_characters_in_a_one_column_pane_do_not_panic() {
        let doc = Document::parse(
            "```\n漢字 and 🚀 wide\n```\n\n# 見出し\n\ntext 漢字\n",
            |_| true,
        );
        for width in 1..6 {
            let wrapped = wrap(&doc, width, Some(1));
            assert!(!wrapped.lines.is_empty());
        }
    }
}
