//! Markdown → [`Document`]: pulldown-cmark's events collected into styled
//! blocks, with the containers (quotes, list items) each block sits in as
//! the prefixes of its lines.

use super::document::{Block, CodeBlock, Document, Heading, Kind, Spans, Table};
use super::theme;
use super::width::{char_width, str_width};
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd};
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;

/// Tabs in code blocks expand to this many columns (the terminal would too).
const TAB_WIDTH: usize = 4;

/// See [`Document::parse`].
pub(super) fn parse(markdown: &str, asset_exists: impl Fn(&str) -> bool) -> Document {
    let mut builder = Builder::new(asset_exists);
    for event in Parser::new_ext(markdown, crate::lesson::markdown::options()) {
        builder.event(event);
    }
    builder.finish()
}

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
