//! Colour and weight for a terminal: the one painter every command's text
//! goes through. `anstyle` names the styles; `anstream` decides whether a
//! stream gets them — a terminal that supports colour, without `NO_COLOR`
//! (or `CLICOLOR=0`), or any stream with `CLICOLOR_FORCE`. A terminal that
//! says it is `dumb` gets none even on a CI machine, where anstream would
//! colour it: it would show the escape codes as text.

use crate::checks::Status;
use anstyle::{AnsiColor, Style};

/// The styles labrun's output uses, by what they mean.
pub mod styles {
    use super::{AnsiColor, Style};

    pub const PASS: Style = AnsiColor::Green.on_default();
    pub const FAIL: Style = AnsiColor::Red.on_default();
    /// A check that could not be evaluated.
    pub const ERROR: Style = AnsiColor::Yellow.on_default();
    /// Titles and column headings.
    pub const STRONG: Style = Style::new().bold();
    /// What matters less: counts, locations, steps not started.
    pub const QUIET: Style = Style::new().dimmed();
    /// A diff's `@@` line.
    pub const HUNK: Style = AnsiColor::Cyan.on_default();
}

/// Paints text with [`styles`], or leaves it plain. Rendering functions
/// take one, so what they return is a pure function of their input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Painter {
    color: bool,
}

impl Painter {
    /// Text as it is: for pipes, files, and machines.
    pub const PLAIN: Painter = Painter { color: false };
    /// Text with escape codes: for a terminal.
    pub const COLOR: Painter = Painter { color: true };

    /// Colour where standard output takes it (see the module's comment).
    pub fn for_stdout() -> Painter {
        Painter::for_stream(anstream::AutoStream::choice(&std::io::stdout()))
    }

    /// Colour where standard error takes it (diagnostics, as `labrun lint`'s).
    pub fn for_stderr() -> Painter {
        Painter::for_stream(anstream::AutoStream::choice(&std::io::stderr()))
    }

    fn for_stream(choice: anstream::ColorChoice) -> Painter {
        let var = |name| std::env::var_os(name).filter(|value| !value.is_empty());
        let dumb = var("TERM").is_some_and(|term| term == "dumb");
        let forced = var("CLICOLOR_FORCE").is_some_and(|value| value != "0");
        Painter {
            color: choice != anstream::ColorChoice::Never && (forced || !dumb),
        }
    }

    pub fn paint(self, style: Style, text: &str) -> String {
        if self.color && !style.is_plain() {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }

    /// A check's mark (see [`status_mark`]) in its colour.
    pub fn status(self, status: Status) -> String {
        self.paint(status_style(status), status_mark(status))
    }

    /// A line of a unified diff: added green, removed red, hunks cyan.
    pub fn diff_line(self, line: &str) -> String {
        let style = match line.as_bytes().first() {
            Some(b'+') if !line.starts_with("+++") => styles::PASS,
            Some(b'-') if !line.starts_with("---") => styles::FAIL,
            Some(b'@') => styles::HUNK,
            _ => Style::new(),
        };
        self.paint(style, line)
    }
}

/// A check's mark: `✓`, `✗`, `!` when it could not be evaluated, `–` when
/// it cannot run here (a host labrun cannot provide).
pub fn status_mark(status: Status) -> &'static str {
    match status {
        Status::Pass => "✓",
        Status::Fail => "✗",
        Status::Error => "!",
        Status::Skipped => "–",
    }
}

/// The colour of a status, wherever it shows.
pub fn status_style(status: Status) -> Style {
    match status {
        Status::Pass => styles::PASS,
        Status::Fail => styles::FAIL,
        Status::Error => styles::ERROR,
        Status::Skipped => styles::QUIET,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paint_writes_the_codes_every_terminal_knows() {
        let paint = |style| Painter::COLOR.paint(style, "x");
        assert_eq!(paint(styles::PASS), "\x1b[32mx\x1b[0m");
        assert_eq!(paint(styles::FAIL), "\x1b[31mx\x1b[0m");
        assert_eq!(paint(styles::ERROR), "\x1b[33mx\x1b[0m");
        assert_eq!(paint(styles::STRONG), "\x1b[1mx\x1b[0m");
        assert_eq!(paint(styles::QUIET), "\x1b[2mx\x1b[0m");
        assert_eq!(paint(styles::HUNK), "\x1b[36mx\x1b[0m");
        assert_eq!(paint(Style::new()), "x");
    }

    #[test]
    fn plain_is_plain() {
        assert_eq!(Painter::PLAIN.paint(styles::PASS, "x"), "x");
        assert_eq!(Painter::PLAIN.status(Status::Error), "!");
        assert_eq!(Painter::PLAIN.status(Status::Skipped), "–");
        assert_eq!(Painter::COLOR.status(Status::Skipped), "\x1b[2m–\x1b[0m");
        assert_eq!(Painter::PLAIN.diff_line("+a"), "+a");
    }

    #[test]
    fn diff_lines_by_their_first_character() {
        let p = Painter::COLOR;
        assert_eq!(p.diff_line("+new"), "\x1b[32m+new\x1b[0m");
        assert_eq!(p.diff_line("-old"), "\x1b[31m-old\x1b[0m");
        assert_eq!(p.diff_line("@@ -1 +1 @@"), "\x1b[36m@@ -1 +1 @@\x1b[0m");
        assert_eq!(p.diff_line("+++ b/file"), "+++ b/file");
        assert_eq!(p.diff_line("--- a/file"), "--- a/file");
        assert_eq!(p.diff_line(" same"), " same");
    }
}
