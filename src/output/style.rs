//! Styling for a terminal: colour and weight, on only where the output is
//! a terminal and `NO_COLOR` is not set.

use crate::checks::Status;

/// ANSI styling, on only for a terminal without `NO_COLOR`.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub fn detect(stream_is_terminal: bool) -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            color: stream_is_terminal && !no_color,
        }
    }

    pub fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    pub fn status(&self, status: Status) -> String {
        match status {
            Status::Pass => self.paint("32", "✓"),
            Status::Fail => self.paint("31", "✗"),
            Status::Error => self.paint("33", "!"),
        }
    }

    pub fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }

    pub fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }

    pub fn diff_line(&self, line: &str) -> String {
        match line.as_bytes().first() {
            Some(b'+') if !line.starts_with("+++") => self.paint("32", line),
            Some(b'-') if !line.starts_with("---") => self.paint("31", line),
            Some(b'@') => self.paint("36", line),
            _ => line.to_string(),
        }
    }
}
