//! The lesson as parsed: styled blocks, code blocks and headings,
//! independent of the pane's width. Built once per change of the text, the
//! variables or the labels; [`super::wrap`] lays it out for a width.

use crate::tui::code_kind::CodeKind;
use pulldown_cmark::Alignment;
use ratatui::text::Span;

/// A line's styled pieces.
pub(super) type Spans = Vec<Span<'static>>;

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
    pub(super) blocks: Vec<Block>,
    pub(super) code_blocks: Vec<CodeBlock>,
    pub(super) headings: Vec<Heading>,
    /// What each code block is (by index), shown in its header; empty until classified.
    pub(super) code_kinds: Vec<CodeKind>,
}

#[derive(Debug, Clone)]
pub(super) struct Block {
    /// A blank line before the block, drawn with its containers' bars.
    pub gap: Option<Spans>,
    /// What precedes the block's first line (list marker, quote bar) and
    /// its other lines (the same widths, markers as spaces).
    pub first_prefix: Spans,
    pub rest_prefix: Spans,
    pub kind: Kind,
}

#[derive(Debug, Clone)]
pub(super) enum Kind {
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
pub(super) struct Table {
    pub aligns: Vec<Alignment>,
    pub header: Vec<Spans>,
    pub rows: Vec<Vec<Spans>>,
}

#[derive(Debug, Clone)]
pub(super) struct Heading {
    pub block: usize,
    pub text: String,
    pub badge: Option<String>,
}

impl Document {
    /// `markdown` is already variable-substituted. `asset_exists` says
    /// whether an image URL resolves to a file; it is asked here, once, so
    /// that drawing never touches the disk.
    pub fn parse(markdown: &str, asset_exists: impl Fn(&str) -> bool) -> Document {
        super::parse::parse(markdown, asset_exists)
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
        self
    }

    /// Labels each code block with what it is (in document order).
    pub fn with_code_kinds(mut self, kinds: Vec<CodeKind>) -> Document {
        self.code_kinds = kinds;
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
