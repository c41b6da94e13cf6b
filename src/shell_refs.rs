//! `${NAME}` in a lesson's shell snippet (a command check's `run`) turned
//! into the shell's own reference to the exported variable, so a value —
//! a token, a password — is read from the environment and never written
//! into the `sh -c` argument, where any local user could read it in `ps`.
//! It also means a value is never parsed as shell code.
//!
//! The shell expands `${NAME}` itself, except inside single quotes and in a
//! quoted here-document. A reference inside single quotes is written as
//! `'"${NAME}"'` (close the quote, expand, reopen), so `'${APP}'` still
//! means the value; one inside a quoted here-document (`<<'EOF'`) cannot be
//! expanded there and is refused with a message saying so.

use crate::lesson::vars::{self, MissingVar, Vars};
use std::ops::Range;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ShellRefError {
    #[error(transparent)]
    Missing(#[from] MissingVar),
    #[error(
        "${{{0}}} cannot be used in a command: a shell variable name has only letters, digits and _"
    )]
    NotAName(String),
    #[error(
        "${{{0}}} is inside a quoted here-document (<<'EOF'), where the shell does not expand variables: use an unquoted delimiter (<<EOF)"
    )]
    InQuotedHeredoc(String),
}

/// `script` with each `${NAME}` a reference to the environment variable NAME
/// (whose value must be known, as for any `${NAME}`), and `$${` a literal `${`.
pub fn shell_references(script: &str, vars: &Vars) -> Result<String, ShellRefError> {
    let regions = quoted_regions(script);
    let region_at = |offset: usize| {
        regions
            .iter()
            .find(|(range, _)| range.contains(&offset))
            .map(|(_, quoting)| *quoting)
    };
    let mut out = String::with_capacity(script.len());
    let mut last = 0;
    for r in vars::manifest_refs(script) {
        if !is_shell_name(&r.name) {
            return Err(ShellRefError::NotAName(r.name));
        }
        if vars.get(&r.name).is_none() {
            return Err(MissingVar(r.name).into());
        }
        out.push_str(&script[last..r.range.start].replace("$${", "${"));
        match region_at(r.range.start) {
            None => out.push_str(&format!("${{{}}}", r.name)),
            Some(Quoting::Single) => out.push_str(&format!("'\"${{{}}}\"'", r.name)),
            Some(Quoting::QuotedHeredoc) => return Err(ShellRefError::InQuotedHeredoc(r.name)),
        }
        last = r.range.end;
    }
    out.push_str(&script[last..].replace("$${", "${"));
    Ok(out)
}

fn is_shell_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Where the shell would not expand `${NAME}`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Quoting {
    Single,
    QuotedHeredoc,
}

/// A context the lexer is in: code (the top level, `$(…)` or `` `…` ``) or
/// a double-quoted string.
enum Frame {
    Code { parens: usize, backtick: bool },
    Double,
}

/// A here-document whose body starts at the next newline.
struct Heredoc {
    delimiter: String,
    quoted: bool,
    strip_tabs: bool,
}

/// The byte ranges of `script` in single quotes or quoted here-documents,
/// found by a POSIX sh lexer that knows quotes, backslashes, comments,
/// command substitution and here-documents (enough to place a `${NAME}`;
/// not a parser).
fn quoted_regions(script: &str) -> Vec<(Range<usize>, Quoting)> {
    let bytes = script.as_bytes();
    let mut regions = Vec::new();
    let mut stack = vec![Frame::Code {
        parens: 0,
        backtick: false,
    }];
    let mut pending: Vec<Heredoc> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let next = bytes.get(i + 1).copied();
        let depth = stack.len();
        match stack.last_mut().expect("the top level is never popped") {
            Frame::Double => match bytes[i] {
                b'\\' => i += 1,
                b'"' => {
                    stack.pop();
                }
                b'$' if next == Some(b'(') => {
                    stack.push(Frame::Code {
                        parens: 0,
                        backtick: false,
                    });
                    i += 1;
                }
                b'`' => stack.push(Frame::Code {
                    parens: 0,
                    backtick: true,
                }),
                _ => {}
            },
            Frame::Code { parens, backtick } => match bytes[i] {
                b'\\' => i += 1,
                b'\'' => {
                    let end = find(bytes, i + 1, b'\'');
                    regions.push((i + 1..end, Quoting::Single));
                    i = end;
                }
                b'"' => stack.push(Frame::Double),
                b'`' if *backtick => {
                    stack.pop();
                }
                b'`' => stack.push(Frame::Code {
                    parens: 0,
                    backtick: true,
                }),
                b'$' if next == Some(b'(') => {
                    stack.push(Frame::Code {
                        parens: 0,
                        backtick: false,
                    });
                    i += 1;
                }
                b'(' => *parens += 1,
                b')' if *parens > 0 => *parens -= 1,
                b')' if depth > 1 && !*backtick => {
                    stack.pop();
                }
                b'#' if i == 0 || b" \t\n;&|()<>".contains(&bytes[i - 1]) => {
                    i = find(bytes, i, b'\n');
                    continue;
                }
                b'<' if next == Some(b'<') && bytes.get(i + 2) != Some(&b'<') => {
                    let (heredoc, end) = heredoc_operator(script, i + 2);
                    pending.extend(heredoc);
                    i = end;
                    continue;
                }
                b'\n' if !pending.is_empty() => {
                    i = heredoc_bodies(script, i + 1, &mut pending, &mut regions);
                    continue;
                }
                _ => {}
            },
        }
        i += 1;
    }
    regions
}

/// The offset of the next `byte` from `from`, or the end.
fn find(bytes: &[u8], from: usize, byte: u8) -> usize {
    bytes[from.min(bytes.len())..]
        .iter()
        .position(|&b| b == byte)
        .map_or(bytes.len(), |p| from + p)
}

/// Reads the delimiter after `<<` (at `start`): `-` strips tabs; any quoting
/// of the word makes the body literal. Returns it and where the word ends.
fn heredoc_operator(script: &str, start: usize) -> (Option<Heredoc>, usize) {
    let bytes = script.as_bytes();
    let mut i = start;
    let strip_tabs = bytes.get(i) == Some(&b'-');
    if strip_tabs {
        i += 1;
    }
    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    let (mut delimiter, mut quoted) = (Vec::new(), false);
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\'' | b'"' => {
                let end = find(bytes, i + 1, b);
                delimiter.extend_from_slice(&bytes[i + 1..end]);
                quoted = true;
                i = end + 1;
            }
            b'\\' => {
                quoted = true;
                delimiter.extend(bytes.get(i + 1));
                i += 2;
            }
            b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>' => break,
            _ => {
                delimiter.push(b);
                i += 1;
            }
        }
    }
    let heredoc = (!delimiter.is_empty()).then(|| Heredoc {
        delimiter: String::from_utf8_lossy(&delimiter).into_owned(),
        quoted,
        strip_tabs,
    });
    (heredoc, i.min(bytes.len()))
}

/// Skips the bodies of the pending here-documents, which start at `start`;
/// records the quoted ones. Returns the offset after the last delimiter line.
fn heredoc_bodies(
    script: &str,
    start: usize,
    pending: &mut Vec<Heredoc>,
    regions: &mut Vec<(Range<usize>, Quoting)>,
) -> usize {
    let mut at = start;
    for heredoc in pending.drain(..) {
        let body_start = at;
        let mut body_end = script.len();
        while at < script.len() {
            let line_end = find(script.as_bytes(), at, b'\n');
            let line = &script[at..line_end];
            let line = if heredoc.strip_tabs {
                line.trim_start_matches('\t')
            } else {
                line
            };
            let is_delimiter = line == heredoc.delimiter;
            if is_delimiter {
                body_end = at;
            }
            at = (line_end + 1).min(script.len());
            if is_delimiter {
                break;
            }
        }
        if heredoc.quoted {
            regions.push((body_start..body_end, Quoting::QuotedHeredoc));
        }
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn vars() -> Vars {
        let cli = [
            ("APP".to_string(), "sn app".to_string()),
            ("TOKEN".to_string(), "t0k'en\"$(x)".to_string()),
        ];
        Vars::resolve(&[], &cli, |_| None, &BTreeMap::new())
    }

    fn refs(script: &str) -> Result<String, ShellRefError> {
        shell_references(script, &vars())
    }

    #[test]
    fn references_stay_references_and_values_never_appear() {
        assert_eq!(
            refs(r#"test "${ TOKEN }" = x && echo ${APP} $${HOME}"#).unwrap(),
            r#"test "${TOKEN}" = x && echo ${APP} ${HOME}"#
        );
    }

    #[test]
    fn single_quotes_are_closed_around_a_reference() {
        assert_eq!(
            refs("grep -q '^${APP}$' f # it's fine").unwrap(),
            r#"grep -q '^'"${APP}"'$' f # it's fine"#
        );
        // An apostrophe in double quotes or a comment opens nothing.
        assert_eq!(
            refs("echo \"it's\" ${APP} # don't\necho '${APP}'").unwrap(),
            "echo \"it's\" ${APP} # don't\necho ''\"${APP}\"''"
        );
        // Quotes inside $( ) within double quotes are quotes again.
        assert_eq!(
            refs(r#"x="$(echo '${APP}')" y=$((1 + 2)) '${APP}'"#).unwrap(),
            r#"x="$(echo ''"${APP}"'')" y=$((1 + 2)) ''"${APP}"''"#
        );
    }

    #[test]
    fn here_documents() {
        // An unquoted body expands; its apostrophes are text.
        assert_eq!(
            refs("cat <<EOF\nit's ${APP}\nEOF\necho '${APP}'").unwrap(),
            "cat <<EOF\nit's ${APP}\nEOF\necho ''\"${APP}\"''"
        );
        assert_eq!(
            refs("cat <<-'EOF'\n\t${APP}\n\tEOF\n").unwrap_err(),
            ShellRefError::InQuotedHeredoc("APP".into())
        );
        assert_eq!(
            refs("cat <<\\EOF\n${TOKEN}\nEOF\n").unwrap_err(),
            ShellRefError::InQuotedHeredoc("TOKEN".into())
        );
        // After a quoted body, code is code again.
        assert_eq!(
            refs("cat <<'EOF'\n'\nEOF\necho ${APP}").unwrap(),
            "cat <<'EOF'\n'\nEOF\necho ${APP}"
        );
    }

    #[test]
    fn unknown_and_unusable_names_are_refused() {
        assert_eq!(
            refs("echo ${NOPE}").unwrap_err().to_string(),
            "variable NOPE has no value: pass --var NOPE=… or set it in the environment"
        );
        assert_eq!(
            refs("echo ${A-B}").unwrap_err(),
            ShellRefError::NotAName("A-B".into())
        );
    }

    #[test]
    fn the_shell_reads_the_values_from_the_environment() {
        let script = refs(r#"printf '%s|%s' "${APP}" '${TOKEN}'"#).unwrap();
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(&script)
            .envs(vars().iter())
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            "sn app|t0k'en\"$(x)"
        );
    }
}
