//! A Go `text/template` evaluator for the part of the language a Helm chart
//! template like the lesson's uses: text and actions with `{{-`/`-}}`
//! trimming and comments; `if`/`else if`/`with`/`range`/`define`/`template`/
//! `block`; pipelines, variables, parenthesised field access on values that
//! may be missing (`((.Values.global).replicated)`); Go's built-in functions
//! and a few of Sprig's and Helm's (see `funcs.rs`).
//!
//! Why not the `gtmpl` crate: measured against learner input, 0.7.1 (its last
//! release, 2021) loops forever on an unclosed `{{`, fails the lesson's own
//! `((.Values.global).replicated)` when `global` is missing (Go renders it as
//! nil), and overflows the stack on a template that includes itself. Here
//! every malformed template is an error with a line, and rendering is bounded
//! in depth, steps and output.

mod exec;
mod funcs;
mod lex;
mod parse;
pub mod value;

pub use value::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The template is not a valid Go template (Helm would refuse it too).
    Syntax,
    /// Valid, but uses something labrun does not implement.
    Unsupported,
    /// Valid, but rendering failed (a `required` value, a bad argument…).
    Render,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct TemplateError {
    pub kind: ErrorKind,
    /// 1-based line of the template.
    pub line: usize,
    pub message: String,
}

impl TemplateError {
    fn syntax(line: usize, message: impl Into<String>) -> TemplateError {
        TemplateError {
            kind: ErrorKind::Syntax,
            line,
            message: message.into(),
        }
    }

    fn unsupported(line: usize, function: &str) -> TemplateError {
        TemplateError {
            kind: ErrorKind::Unsupported,
            line,
            message: format!("template uses function {function}, which labrun cannot render"),
        }
    }

    fn at(mut self, line: usize) -> TemplateError {
        self.line = line;
        self
    }
}

/// A parsed template, ready to render with any data.
#[derive(Debug)]
pub struct Template {
    parsed: parse::Parsed,
}

/// A template's output.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub text: String,
    /// `lines[i]`: the template line output line `i + 1` began on.
    pub lines: Vec<usize>,
}

impl Rendered {
    /// The template line behind 1-based output line `line`.
    pub fn source_line(&self, line: usize) -> usize {
        line.checked_sub(1)
            .and_then(|i| self.lines.get(i))
            .or(self.lines.last())
            .copied()
            .unwrap_or(1)
    }
}

impl Template {
    pub fn parse(source: &str) -> Result<Template, TemplateError> {
        Ok(Template {
            parsed: parse::parse(lex::lex(source)?)?,
        })
    }

    /// Renders with `data` as dot (Helm passes `.Values`, `.Release`, …).
    pub fn render(&self, data: &Value) -> Result<Rendered, TemplateError> {
        exec::render(&self.parsed, data)
    }
}

#[cfg(test)]
mod tests;
