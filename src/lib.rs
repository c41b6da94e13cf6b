//! labrun: a markdown lesson as a hands-on lab in the terminal.
//!
//! Data flows one way: lesson files → [`lesson::Lesson`] → [`checks`]
//! evaluated against a workspace → outcomes → progress, reports and the UI.

pub mod chart;
pub mod checks;
pub mod class;
pub mod cli;
pub mod command_secrets;
pub mod commands;
pub mod course_run;
pub mod descriptors;
pub mod fsutil;
pub mod json_state;
pub mod lesson;
pub mod lesson_test;
pub mod lifecycle;
pub mod output;
pub mod process_group;
pub mod progress;
pub mod redact;
pub mod report;
pub mod script;
pub mod scripts;
pub mod session;
pub mod shell_refs;
pub mod standins;
pub mod trust;
pub mod tui;
pub mod vendor_api;
pub mod workspace;
pub mod yaml;
