//! Cutting a Go template into text and actions, and actions into tokens, as
//! Go's `text/template/parse` lexer does: `{{- ` and ` -}}` trim the
//! whitespace beside them, `{{/* … */}}` is a comment, and strings inside an
//! action may hold `}}`. Every piece keeps its line; nothing here panics.

use super::TemplateError;

/// A run of text to copy, or an action to evaluate.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// `line` is the line of the text's first character (after trimming).
    Text {
        text: String,
        line: usize,
    },
    Action {
        tokens: Vec<Token>,
        line: usize,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    /// Whitespace came before it: `(x).y` chains a field, `(x) .y` passes an argument.
    pub spaced: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// `.name`
    Field(String),
    /// `.` alone
    Dot,
    /// `$` or `$name` (with the `$`)
    Var(String),
    /// A function name or a keyword (`if`, `end`, …)
    Ident(String),
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Nil,
    LParen,
    RParen,
    Pipe,
    Declare,
    Assign,
    Comma,
}

pub fn lex(source: &str) -> Result<Vec<Piece>, TemplateError> {
    let mut pieces = Vec::new();
    let mut rest = source;
    let mut line = 1;
    // Set by ` -}}`: the next text loses its leading whitespace.
    let mut trim_next = false;
    loop {
        let (text, after) = match rest.find("{{") {
            Some(i) => (&rest[..i], Some(&rest[i..])),
            None => (rest, None),
        };
        let mut text_line = line;
        line += count_lines(text);
        let mut kept = text;
        if trim_next {
            let trimmed = kept.trim_start_matches(is_space);
            text_line += count_lines(&kept[..kept.len() - trimmed.len()]);
            kept = trimmed;
        }
        let Some(action) = after else {
            push_text(&mut pieces, kept, text_line);
            return Ok(pieces);
        };
        let body = &action[2..];
        let trim_left = body.starts_with('-') && body[1..].starts_with(is_space);
        if trim_left {
            kept = kept.trim_end_matches(is_space);
        }
        push_text(&mut pieces, kept, text_line);
        let action_line = line;
        let body = if trim_left { &body[1..] } else { body };
        let (inside, trim_right, consumed) = action_body(body, action_line)?;
        line += count_lines(&body[..consumed]);
        trim_next = trim_right;
        rest = &body[consumed..];
        let inside_trimmed = inside.trim_matches(is_space);
        if inside_trimmed.starts_with("/*") {
            if !inside_trimmed.ends_with("*/") || inside_trimmed.len() < 4 {
                return Err(TemplateError::syntax(
                    action_line,
                    "comment ends before closing delimiter",
                ));
            }
            continue;
        }
        let tokens = tokens(inside, action_line)?;
        if tokens.is_empty() {
            return Err(TemplateError::syntax(
                action_line,
                "missing value for command",
            ));
        }
        pieces.push(Piece::Action {
            tokens,
            line: action_line,
        });
    }
}

fn push_text(pieces: &mut Vec<Piece>, text: &str, line: usize) {
    if !text.is_empty() {
        pieces.push(Piece::Text {
            text: text.to_string(),
            line,
        });
    }
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn count_lines(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count()
}

/// The action's inside (before `}}` and any ` -` trim marker), whether it
/// trims on the right, and how many bytes of `body` it used up with the `}}`.
fn action_body(body: &str, line: usize) -> Result<(&str, bool, usize), TemplateError> {
    let bytes = body.as_bytes();
    let mut i = 0;
    // A comment may hold anything, quotes included, up to `*/`.
    let lead = body.len() - body.trim_start_matches(is_space).len();
    if body[lead..].starts_with("/*") {
        let Some(end) = body[lead + 2..].find("*/") else {
            return Err(TemplateError::syntax(line, "unclosed comment"));
        };
        i = lead + 2 + end + 2;
    }
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => {
                let quote = bytes[i];
                i += 1;
                loop {
                    match bytes.get(i) {
                        None | Some(b'\n') => {
                            return Err(TemplateError::syntax(line, "unterminated quoted string"));
                        }
                        Some(b'\\') => i += 2,
                        Some(&b) if b == quote => {
                            i += 1;
                            break;
                        }
                        Some(_) => i += 1,
                    }
                }
            }
            b'`' => match body[i + 1..].find('`') {
                Some(end) => i += end + 2,
                None => {
                    return Err(TemplateError::syntax(
                        line,
                        "unterminated raw quoted string",
                    ));
                }
            },
            b'}' if bytes.get(i + 1) == Some(&b'}') => {
                let inside = &body[..i];
                let trim_right =
                    inside.ends_with('-') && inside[..inside.len() - 1].ends_with(is_space);
                let inside = if trim_right {
                    &inside[..inside.len() - 1]
                } else {
                    inside
                };
                return Ok((inside, trim_right, i + 2));
            }
            _ => i += 1,
        }
    }
    Err(TemplateError::syntax(
        line,
        "unclosed action: `{{` without `}}`",
    ))
}

fn tokens(inside: &str, line: usize) -> Result<Vec<Token>, TemplateError> {
    let chars: Vec<char> = inside.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut spaced = true;
    let err = |message: String| TemplateError::syntax(line, message);
    while i < chars.len() {
        let c = chars[i];
        if is_space(c) {
            spaced = true;
            i += 1;
            continue;
        }
        let start = i;
        let tok = match c {
            '(' => {
                i += 1;
                Tok::LParen
            }
            ')' => {
                i += 1;
                Tok::RParen
            }
            '|' => {
                i += 1;
                Tok::Pipe
            }
            ',' => {
                i += 1;
                Tok::Comma
            }
            ':' if chars.get(i + 1) == Some(&'=') => {
                i += 2;
                Tok::Declare
            }
            '=' => {
                i += 1;
                Tok::Assign
            }
            '"' => {
                let (s, used) = quoted(&chars[i..], line)?;
                i += used;
                Tok::Str(s)
            }
            '`' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|&c| c == '`')
                    .ok_or_else(|| err("unterminated raw quoted string".into()))?;
                let s: String = chars[i + 1..i + 1 + end].iter().collect();
                i += end + 2;
                Tok::Str(s)
            }
            '\'' => {
                let (s, used) = quoted(&chars[i..], line)?;
                let mut it = s.chars();
                let (Some(ch), None) = (it.next(), it.next()) else {
                    return Err(err(format!("malformed character constant: {s:?}")));
                };
                i += used;
                Tok::Int(i64::from(u32::from(ch)))
            }
            '.' if chars
                .get(i + 1)
                .is_some_and(|c| c.is_alphanumeric() || *c == '_') =>
            {
                i += 1;
                let name = word(&chars, &mut i);
                Tok::Field(name)
            }
            '.' if chars.get(i + 1).is_some_and(char::is_ascii_digit) => {
                number(&chars, &mut i, line)?
            }
            '.' => {
                i += 1;
                Tok::Dot
            }
            '$' => {
                i += 1;
                Tok::Var(format!("${}", word(&chars, &mut i)))
            }
            '+' | '-' | '0'..='9' => number(&chars, &mut i, line)?,
            c if c.is_alphabetic() || c == '_' => match word(&chars, &mut i).as_str() {
                "true" => Tok::Bool(true),
                "false" => Tok::Bool(false),
                "nil" => Tok::Nil,
                name => Tok::Ident(name.to_string()),
            },
            other => return Err(err(format!("unexpected {other:?} in command"))),
        };
        debug_assert!(i > start, "every token consumes input");
        out.push(Token { tok, spaced });
        spaced = false;
    }
    Ok(out)
}

fn word(chars: &[char], i: &mut usize) -> String {
    let start = *i;
    while chars
        .get(*i)
        .is_some_and(|c| c.is_alphanumeric() || *c == '_')
    {
        *i += 1;
    }
    chars[start..*i].iter().collect()
}

fn number(chars: &[char], i: &mut usize, line: usize) -> Result<Tok, TemplateError> {
    let start = *i;
    while chars
        .get(*i)
        .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-'))
    {
        // A sign is part of a number only at its start or after an exponent.
        let c = chars[*i];
        if matches!(c, '+' | '-') && *i > start && !matches!(chars[*i - 1], 'e' | 'E' | 'p' | 'P') {
            break;
        }
        *i += 1;
    }
    let text: String = chars[start..*i].iter().filter(|c| **c != '_').collect();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(&text)),
    };
    let radix = |prefix: &[&str], radix| {
        prefix
            .iter()
            .find_map(|p| digits.strip_prefix(p))
            .and_then(|d| i64::from_str_radix(d, radix).ok())
    };
    let int = radix(&["0x", "0X"], 16)
        .or_else(|| radix(&["0o", "0O"], 8))
        .or_else(|| radix(&["0b", "0B"], 2))
        .or_else(|| digits.parse::<i64>().ok());
    if let Some(n) = int {
        return Ok(Tok::Int(if negative { -n } else { n }));
    }
    match digits.parse::<f64>() {
        Ok(f) if f.is_finite() && !digits.starts_with(['i', 'I', 'n', 'N']) => {
            Ok(Tok::Float(if negative { -f } else { f }))
        }
        _ => Err(TemplateError::syntax(
            line,
            format!("bad number syntax: {text:?}"),
        )),
    }
}

/// A Go interpreted string (or character) literal starting at `chars[0]`:
/// its value and how many chars it used.
fn quoted(chars: &[char], line: usize) -> Result<(String, usize), TemplateError> {
    let err = |message: String| TemplateError::syntax(line, message);
    let quote = chars[0];
    let mut out = String::new();
    let mut i = 1;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(err("unterminated quoted string".into()));
        };
        i += 1;
        match c {
            c if c == quote => return Ok((out, i)),
            '\n' => return Err(err("unterminated quoted string".into())),
            '\\' => {
                let Some(&e) = chars.get(i) else {
                    return Err(err("unterminated quoted string".into()));
                };
                i += 1;
                let simple = match e {
                    'n' => Some('\n'),
                    't' => Some('\t'),
                    'r' => Some('\r'),
                    'a' => Some('\x07'),
                    'b' => Some('\x08'),
                    'f' => Some('\x0c'),
                    'v' => Some('\x0b'),
                    '\\' => Some('\\'),
                    '"' => Some('"'),
                    '\'' => Some('\''),
                    _ => None,
                };
                if let Some(s) = simple {
                    out.push(s);
                    continue;
                }
                let width = match e {
                    'x' => 2,
                    'u' => 4,
                    'U' => 8,
                    '0'..='7' => 2,
                    _ => return Err(err(format!("unknown escape sequence \\{e}"))),
                };
                let digits: String = chars.get(i..i + width).unwrap_or_default().iter().collect();
                i += width;
                let code = if e.is_ascii_digit() {
                    u32::from_str_radix(&format!("{e}{digits}"), 8)
                } else {
                    u32::from_str_radix(&digits, 16)
                };
                let ch = code
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| err(format!("invalid escape \\{e}{digits}")))?;
                out.push(ch);
            }
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(source: &str) -> Vec<String> {
        lex(source)
            .unwrap()
            .into_iter()
            .map(|p| match p {
                Piece::Text { text, line } => format!("{line}:{text:?}"),
                Piece::Action { tokens, line } => format!("{line}:{{{}}}", tokens.len()),
            })
            .collect()
    }

    #[test]
    fn trim_markers_eat_whitespace_and_keep_lines() {
        assert_eq!(
            texts("a \n{{- .x -}}\n\n b\n{{ /* note */ }}c"),
            ["1:\"a\"", "2:{1}", "4:\"b\\n\"", "5:\"c\""]
        );
        // `{{-3}}` is the number -3, not a trim marker.
        let pieces = lex("{{-3}}").unwrap();
        assert!(
            matches!(&pieces[0], Piece::Action { tokens, .. } if tokens[0].tok == Tok::Int(-3))
        );
    }

    #[test]
    fn strings_may_hold_closing_braces() {
        let pieces = lex("{{ \"}}\" | quote }}").unwrap();
        let Piece::Action { tokens, .. } = &pieces[0] else {
            panic!()
        };
        assert_eq!(tokens[0].tok, Tok::Str("}}".into()));
        assert_eq!(tokens[1].tok, Tok::Pipe);
    }

    #[test]
    fn malformed_actions_are_errors_with_lines() {
        for (source, line) in [
            ("a\n{{", 2),
            ("{{ \"x }}", 1),
            ("\n\n{{ .a ~ }}", 3),
            ("{{ /* open }}", 1),
            ("{{ 0x }}", 1),
            ("{{ '' }}", 1),
        ] {
            let err = lex(source).unwrap_err();
            assert_eq!(err.line, line, "{source:?}: {err:?}");
        }
    }
}
