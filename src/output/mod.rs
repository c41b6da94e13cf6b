//! labrun's one output layer: what every command prints goes through here.
//!
//! - [`text`]: lesson and file text made safe for a terminal
//! - [`style`]: the one painter: colour and weight, where the stream takes them
//! - [`table`]: the one table layout, columns aligned by display width
//! - [`junit`]: the one JUnit XML writer
//! - [`check`]: `labrun check`'s checklist, JSON and JUnit XML
//! - [`lint`]: `labrun lint`'s findings, by file and line, and JSON
//! - [`progress`]: `labrun progress`'s table

pub mod check;
pub mod junit;
pub mod lint;
pub mod progress;
pub mod style;
pub mod table;
pub mod text;

pub use check::{human, json, passed};
pub use junit::xml;
pub use progress::progress_table;
pub use style::{Painter, styles};
pub use text::terminal_safe;
