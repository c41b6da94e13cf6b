//! labrun's one output layer: what every command prints goes through here.
//!
//! - [`text`]: lesson and file text made safe for a terminal or XML
//! - [`style`]: the one painter: colour and weight, where the stream takes them
//! - [`table`]: the one table layout, columns aligned by display width
//! - [`check`]: `labrun check`'s checklist, JSON and JUnit XML
//! - [`progress`]: `labrun progress`'s table

pub mod check;
pub mod progress;
pub mod style;
pub mod table;
pub mod text;

pub use check::{human, json, junit, passed};
pub use progress::progress_table;
pub use style::{Painter, styles};
pub use text::terminal_safe;
pub(crate) use text::xml;
