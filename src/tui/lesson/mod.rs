//! The lesson pane: markdown parsed once into styled blocks ([`Document`],
//! `parse`), laid out once per width or change ([`wrap`]: text in `wrap`,
//! code blocks in `code`, tables in `table`) and drawn a visible slice at a
//! time ([`LessonView`]). The app keeps the [`Wrapped`] lesson and wraps
//! again only when the width, the text or the selected code block changes;
//! drawing does no parsing, wrapping or I/O, so a frame costs the same for
//! any lesson length.

mod code;
mod document;
mod parse;
mod table;
mod theme;
mod widget;
mod width;
mod wrap;

pub use document::{CodeBlock, Document};
pub use widget::LessonView;
pub use wrap::{Wrapped, wrap};

#[cfg(test)]
mod tests;
