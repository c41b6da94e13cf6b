//! labrun's one output layer: what every command prints goes through here.
//!
//! - [`text`]: lesson and file text made safe for a terminal or XML
//! - [`style`]: colour and weight, only on a terminal without `NO_COLOR`
//! - [`check`]: `labrun check`'s checklist, JSON and JUnit XML

pub mod check;
pub mod style;
pub mod text;

pub use check::{human, json, junit, passed};
pub use style::Style;
pub use text::terminal_safe;
pub(crate) use text::xml;
