//! The lesson pane from markdown to lines: what a learner sees of each
//! kind of markdown, at a given width.

use super::*;
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;
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
    let md =
        "Text\n\n```sh\nhelm package  slackernews\necho done\n```\n\n    indented\n    \tcode\n";
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
    let md = "Press <kbd>Enter</kbd> now\n\n<div align=\"center\">\n  <b>hi</b>\n</div>\n\nafter\n";
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
fn wrapping_depends_only_on_the_document_width_and_highlight() {
    let doc = bundled_lesson();
    let first = wrap(&doc, 60, None);
    assert_eq!(wrap(&doc, 60, None), first, "wrapping is deterministic");
    assert_ne!(wrap(&doc, 40, None).lines.len(), first.lines.len());
    assert_ne!(wrap(&doc, 60, Some(1)), first);
    let relabelled = doc
        .clone()
        .with_sections([("Promoting the Release", "step 9")]);
    assert_ne!(wrap(&relabelled, 60, None), first);
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
