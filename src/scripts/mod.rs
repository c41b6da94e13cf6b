//! Static reading of a lifecycle script's shell text, without running it:
//! [`tools`] — the commands it calls (so a learner hears which ones this
//! machine lacks before a course starts) — and [`cannot_fail`] — the ways a
//! check script passes whatever the learner did (for `labrun lint` and
//! `labrun test`). The text is parsed as bash by brush-parser, which keeps
//! line numbers; [`walk`] gathers the commands and variables from its tree.
//!
//! A script is someone else's text: it is parsed on a thread with a large
//! stack, after a cheap check that it does not nest deeper than any real
//! script does, so a hostile one cannot overflow the stack.

mod cannot_fail;
mod tools;
mod walk;

pub use cannot_fail::{Finding, FindingKind, cannot_fail};
pub use tools::{Tool, tools};

use brush_parser::ast;

/// Deeper than this (`(`, `{`, `if`, loops, `case`) is not a script a
/// person wrote; reading it is refused rather than risked.
pub const MAX_NESTING: usize = 100;
/// The reading thread's stack: the parser recurses once per nesting level.
const STACK_BYTES: usize = 64 * 1024 * 1024;
/// Up to this depth (nearly every real script) the parser's recursion fits
/// in any thread's stack (2 MiB for Rust's spawned threads), and the
/// ~0.2 ms of starting a thread with a large stack is saved.
const INLINE_NESTING: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum ScriptsError {
    #[error("line {line}: {message}")]
    Syntax { line: usize, message: String },
    #[error("line {line}: nested more than {MAX_NESTING} levels deep; labrun does not read it")]
    TooDeep { line: usize },
    #[error("the script could not be read: {0}")]
    Reader(String),
}

/// Parses `text` on this thread (already one with a large stack).
pub(crate) fn parse_here(text: &str) -> Result<ast::Program, ScriptsError> {
    let options = brush_parser::ParserOptions::default();
    let mut parser = brush_parser::Parser::new(std::io::BufReader::new(text.as_bytes()), &options);
    parser.parse_program().map_err(|e| syntax_error(e, text))
}

fn syntax_error(error: brush_parser::ParseError, text: &str) -> ScriptsError {
    use brush_parser::ParseError as P;
    let last_line = text.lines().count().max(1);
    match error {
        P::ParsingNear(at) => ScriptsError::Syntax {
            line: at.line,
            message: "syntax error".into(),
        },
        P::ParsingAtEndOfInput => ScriptsError::Syntax {
            line: last_line,
            message:
                "the script ends inside a command (an `if`, a loop, a `{`, `(` or quote left open)"
                    .into(),
        },
        P::Tokenizing { inner, position } => ScriptsError::Syntax {
            line: position.map_or(last_line, |p| p.line),
            message: inner.to_string(),
        },
    }
}

/// Parses `text` and hands the tree to `read`: here for a shallow script, on
/// a thread with a stack large enough for any script that passes
/// [`deepest_nesting`] otherwise.
pub(crate) fn with_program<T: Send>(
    text: &str,
    read: impl FnOnce(&ast::Program) -> T + Send,
) -> Result<T, ScriptsError> {
    let (depth, line) = deepest_nesting(text);
    if depth > MAX_NESTING {
        return Err(ScriptsError::TooDeep { line });
    }
    if depth <= INLINE_NESTING {
        return parse_here(text).map(|program| read(&program));
    }
    std::thread::scope(|scope| {
        let reader = std::thread::Builder::new()
            .name("script-reader".into())
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, || parse_here(text).map(|program| read(&program)))
            .map_err(|e| ScriptsError::Reader(e.to_string()))?;
        reader
            .join()
            .unwrap_or_else(|_| Err(ScriptsError::Reader("the shell parser failed on it".into())))
    })
}

/// How deep `text` nests at most, by a cheap count that over-estimates
/// (brackets in strings and comments count too), and the line where.
fn deepest_nesting(text: &str) -> (usize, usize) {
    let (mut depth, mut deepest, mut at) = (0usize, 0usize, 1usize);
    for (index, line) in text.lines().enumerate() {
        let mut word = String::new();
        for c in line.chars().chain([' ']) {
            let bracket = matches!(c, '(' | '{' | ')' | '}');
            if !(bracket || c.is_whitespace() || matches!(c, ';' | '&' | '|' | '`')) {
                word.push(c);
                continue;
            }
            match word.as_str() {
                "if" | "while" | "until" | "for" | "case" | "select" => depth += 1,
                "fi" | "done" | "esac" => depth = depth.saturating_sub(1),
                _ => {}
            }
            word.clear();
            match c {
                '(' | '{' => depth += 1,
                ')' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            if depth > deepest {
                (deepest, at) = (depth, index + 1);
            }
        }
    }
    (deepest, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_name_the_line() {
        let err = tools("echo ok\nif true; then\n  echo never closed\n").unwrap_err();
        assert!(matches!(err, ScriptsError::Syntax { line: 3, .. }), "{err}");
        assert!(err.to_string().contains("left open"), "{err}");
        let err = tools("echo ok\n)\n").unwrap_err();
        assert!(matches!(err, ScriptsError::Syntax { line: 2, .. }), "{err}");
    }

    #[test]
    fn the_deepest_script_read_inline_fits_a_test_threads_stack() {
        // Test threads have Rust's 2 MiB default; debug frames are the largest.
        let n = INLINE_NESTING / 4;
        let script = "if true; then ( { x=$(".repeat(n) + "jq ." + &"); }; ); fi; ".repeat(n);
        assert_eq!(deepest_nesting(&script).0, INLINE_NESTING);
        let names: Vec<String> = tools(&script)
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(names, ["jq"]);
        let long = "true && ".repeat(5_000) + &"git log | ".repeat(2_000) + "wc -l\n";
        assert_eq!(tools(&long.repeat(2)).unwrap().len(), 2);
        let subst = "echo $(".repeat(INLINE_NESTING) + "git log" + &")".repeat(INLINE_NESTING);
        assert_eq!(cannot_fail(&subst).unwrap(), []);
        assert_eq!(tools(&subst).unwrap()[0].name, "git");
    }

    #[test]
    fn a_hostile_nesting_is_refused_and_a_deep_real_one_read() {
        let deep = "echo $(".repeat(5000) + "true" + &")".repeat(5000);
        let err = tools(&deep).unwrap_err();
        assert!(matches!(err, ScriptsError::TooDeep { line: 1 }), "{err}");
        let ifs = "if true; then\n".repeat(MAX_NESTING / 2)
            + "git status\n"
            + &"fi\n".repeat(MAX_NESTING / 2);
        let names: Vec<String> = tools(&ifs).unwrap().into_iter().map(|t| t.name).collect();
        assert_eq!(names, ["git"]);
        let substitutions = "echo $(".repeat(12) + "jq ." + &")".repeat(12);
        let names: Vec<String> = tools(&substitutions)
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(names, ["jq"]);
    }
}
