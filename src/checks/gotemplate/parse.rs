//! Actions → a tree of control structures and pipelines, as Go's
//! `text/template/parse` builds it. Functions are checked here, as Go does
//! at parse time: an unknown name is the author's mistake, a known Helm or
//! Sprig function labrun does not implement is labrun's limit.

use super::lex::{Piece, Tok, Token};
use super::value::Value;
use super::{TemplateError, funcs};
use std::collections::HashMap;

/// Deeper nesting than this is not a template a person wrote.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Text {
        text: String,
        line: usize,
    },
    /// `{{ pipeline }}`: printed unless it declares a variable.
    Output {
        pipe: Pipe,
        line: usize,
    },
    /// `if` (`with: false`) or `with`, with their `else` (an `else if` is
    /// an `if` alone in the `otherwise` list, as Go has it).
    Branch {
        with: bool,
        pipe: Pipe,
        then: Vec<Node>,
        otherwise: Vec<Node>,
        line: usize,
    },
    Range {
        pipe: Pipe,
        body: Vec<Node>,
        otherwise: Vec<Node>,
        line: usize,
    },
    /// `{{ template "name" pipeline }}` (and the call half of `block`).
    Call {
        name: String,
        pipe: Option<Pipe>,
        line: usize,
    },
    Break {
        line: usize,
    },
    Continue {
        line: usize,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pipe {
    /// `$x :=` (or `$i, $v :=` in a range).
    pub decl: Vec<String>,
    /// `$x =`: assigns an existing variable.
    pub assign: bool,
    pub cmds: Vec<Vec<Operand>>,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Func(String),
    Dot,
    /// `.a.b`: fields of dot.
    Field(Vec<String>),
    /// `$x.a.b`
    Var(String, Vec<String>),
    Lit(Value),
    /// `(pipeline).a.b`
    Nested(Box<Pipe>, Vec<String>),
}

#[derive(Debug, Default)]
pub struct Parsed {
    pub root: Vec<Node>,
    /// `define`d and `block` templates, by name.
    pub defines: HashMap<String, Vec<Node>>,
}

pub fn parse(pieces: Vec<Piece>) -> Result<Parsed, TemplateError> {
    let mut parser = Parser {
        pieces: pieces.into_iter(),
        parsed: Parsed::default(),
        depth: 0,
        ranges: 0,
    };
    let (root, end) = parser.list()?;
    match end {
        End::Eof => {}
        End::Close(line) => return Err(TemplateError::syntax(line, "unexpected {{end}}")),
        End::Else(_, line) => return Err(TemplateError::syntax(line, "unexpected {{else}}")),
    }
    parser.parsed.root = root;
    Ok(parser.parsed)
}

/// What stopped a list of nodes.
enum End {
    Eof,
    Close(usize),
    /// `{{ else … }}` with the tokens after `else`.
    Else(Vec<Token>, usize),
}

struct Parser {
    pieces: std::vec::IntoIter<Piece>,
    parsed: Parsed,
    depth: usize,
    /// How many `range`s enclose the current position (`break` needs one).
    ranges: usize,
}

impl Parser {
    fn list(&mut self) -> Result<(Vec<Node>, End), TemplateError> {
        let mut nodes = Vec::new();
        while let Some(piece) = self.pieces.next() {
            let (tokens, line) = match piece {
                Piece::Text { text, line } => {
                    nodes.push(Node::Text { text, line });
                    continue;
                }
                Piece::Action { tokens, line } => (tokens, line),
            };
            let keyword = match &tokens[0].tok {
                Tok::Ident(word) => word.as_str(),
                _ => "",
            };
            let rest = tokens[1..].to_vec();
            let node = match keyword {
                "end" if rest.is_empty() => return Ok((nodes, End::Close(line))),
                "end" => return Err(TemplateError::syntax(line, "unexpected tokens after end")),
                "else" => return Ok((nodes, End::Else(rest, line))),
                "if" | "with" => self.branch(keyword == "with", rest, line)?,
                "range" => self.range(rest, line)?,
                "define" => {
                    let (name, after) = template_name(&rest, line)?;
                    if !after.is_empty() {
                        return Err(TemplateError::syntax(
                            line,
                            "unexpected tokens after define's name",
                        ));
                    }
                    let body = self.body(line, "define")?;
                    self.parsed.defines.insert(name, body);
                    continue;
                }
                "block" => {
                    let (name, after) = template_name(&rest, line)?;
                    let pipe = pipe(after, line, self.depth, false)?;
                    let body = self.body(line, "block")?;
                    self.parsed.defines.insert(name.clone(), body);
                    Node::Call {
                        name,
                        pipe: Some(pipe),
                        line,
                    }
                }
                "template" => {
                    let (name, after) = template_name(&rest, line)?;
                    let pipe = if after.is_empty() {
                        None
                    } else {
                        Some(pipe(after, line, self.depth, false)?)
                    };
                    Node::Call { name, pipe, line }
                }
                "break" | "continue" if self.ranges == 0 => {
                    return Err(TemplateError::syntax(
                        line,
                        format!("{{{{{keyword}}}}} outside {{{{range}}}}"),
                    ));
                }
                "break" => Node::Break { line },
                "continue" => Node::Continue { line },
                _ => Node::Output {
                    pipe: pipe(&tokens, line, self.depth, true)?,
                    line,
                },
            };
            nodes.push(node);
        }
        Ok((nodes, End::Eof))
    }

    fn enter(&mut self, line: usize) -> Result<(), TemplateError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(TemplateError::syntax(
                line,
                format!("nested more than {MAX_DEPTH} levels deep"),
            ));
        }
        Ok(())
    }

    /// The nodes up to `{{end}}`, no `else` allowed.
    fn body(&mut self, line: usize, what: &str) -> Result<Vec<Node>, TemplateError> {
        self.enter(line)?;
        let (nodes, end) = self.list()?;
        self.depth -= 1;
        match end {
            End::Close(_) => Ok(nodes),
            End::Else(_, at) => Err(TemplateError::syntax(
                at,
                format!("unexpected {{{{else}}}} in {what}"),
            )),
            End::Eof => Err(unclosed(what, line)),
        }
    }

    fn branch(
        &mut self,
        with: bool,
        tokens: Vec<Token>,
        line: usize,
    ) -> Result<Node, TemplateError> {
        let what = if with { "with" } else { "if" };
        let pipe = pipe(&tokens, line, self.depth, true)?;
        self.enter(line)?;
        let (then, end) = self.list()?;
        let otherwise = match end {
            End::Close(_) => Vec::new(),
            End::Eof => return Err(unclosed(what, line)),
            End::Else(rest, else_line) if rest.is_empty() => {
                let (otherwise, end) = self.list()?;
                match end {
                    End::Close(_) => otherwise,
                    End::Eof => return Err(unclosed(what, line)),
                    End::Else(_, at) => {
                        return Err(TemplateError::syntax(
                            at,
                            format!("{{{{else}}}} after the {{{{else}}}} of line {else_line}"),
                        ));
                    }
                }
            }
            // `else if …` / `else with …`: a nested branch that takes the one `end`.
            End::Else(rest, else_line) if rest[0].tok == Tok::Ident(what.into()) => {
                vec![self.branch(with, rest[1..].to_vec(), else_line)?]
            }
            End::Else(_, at) => {
                return Err(TemplateError::syntax(
                    at,
                    format!("expected {{{{else}}}} or {{{{else {what} …}}}}"),
                ));
            }
        };
        self.depth -= 1;
        Ok(Node::Branch {
            with,
            pipe,
            then,
            otherwise,
            line,
        })
    }

    fn range(&mut self, tokens: Vec<Token>, line: usize) -> Result<Node, TemplateError> {
        let pipe = pipe(&tokens, line, self.depth, true)?;
        self.enter(line)?;
        self.ranges += 1;
        let (body, end) = self.list()?;
        self.ranges -= 1;
        let otherwise = match end {
            End::Close(_) => Vec::new(),
            End::Eof => return Err(unclosed("range", line)),
            End::Else(rest, at) if !rest.is_empty() => {
                return Err(TemplateError::syntax(
                    at,
                    "unexpected tokens after {{else}} of a range",
                ));
            }
            End::Else(_, _) => {
                let (otherwise, end) = self.list()?;
                match end {
                    End::Close(_) => otherwise,
                    End::Eof => return Err(unclosed("range", line)),
                    End::Else(_, at) => {
                        return Err(TemplateError::syntax(at, "a second {{else}} in a range"));
                    }
                }
            }
        };
        self.depth -= 1;
        Ok(Node::Range {
            pipe,
            body,
            otherwise,
            line,
        })
    }
}

fn unclosed(what: &str, line: usize) -> TemplateError {
    TemplateError::syntax(line, format!("{{{{{what}}}}} has no matching {{{{end}}}}"))
}

fn template_name(tokens: &[Token], line: usize) -> Result<(String, &[Token]), TemplateError> {
    match tokens.first().map(|t| &t.tok) {
        Some(Tok::Str(name)) => Ok((name.clone(), &tokens[1..])),
        _ => Err(TemplateError::syntax(
            line,
            "expected a quoted template name",
        )),
    }
}

/// A pipeline, with its variable declaration if `decl` allows one.
fn pipe(tokens: &[Token], line: usize, depth: usize, decl: bool) -> Result<Pipe, TemplateError> {
    let err = |message: &str| TemplateError::syntax(line, message);
    if depth > MAX_DEPTH {
        return Err(err("nested too deeply"));
    }
    let mut vars = Vec::new();
    let mut assign = false;
    let mut rest = tokens;
    let var_name = |t: &Token| match &t.tok {
        Tok::Var(name) => Some(name.clone()),
        _ => None,
    };
    if decl {
        match rest {
            [v, op, tail @ ..] if matches!(op.tok, Tok::Declare | Tok::Assign) => {
                if let Some(name) = var_name(v) {
                    assign = op.tok == Tok::Assign;
                    vars.push(name);
                    rest = tail;
                }
            }
            [a, comma, b, op, tail @ ..] if comma.tok == Tok::Comma && op.tok == Tok::Declare => {
                if let (Some(a), Some(b)) = (var_name(a), var_name(b)) {
                    vars.extend([a, b]);
                    rest = tail;
                }
            }
            _ => {}
        }
    }
    if rest.is_empty() {
        return Err(err("missing value for command"));
    }
    let mut cmds = Vec::new();
    let mut start = 0;
    let mut parens = 0usize;
    for (i, token) in rest.iter().enumerate() {
        match token.tok {
            Tok::LParen => parens += 1,
            Tok::RParen if parens == 0 => return Err(err("unexpected right paren")),
            Tok::RParen => parens -= 1,
            Tok::Pipe if parens == 0 => {
                cmds.push(command(&rest[start..i], line, depth, !cmds.is_empty())?);
                start = i + 1;
            }
            _ => {}
        }
    }
    if parens > 0 {
        return Err(err("unclosed left paren"));
    }
    cmds.push(command(&rest[start..], line, depth, !cmds.is_empty())?);
    Ok(Pipe {
        decl: vars,
        assign,
        cmds,
        line,
    })
}

fn command(
    tokens: &[Token],
    line: usize,
    depth: usize,
    piped: bool,
) -> Result<Vec<Operand>, TemplateError> {
    let err = |message: String| TemplateError::syntax(line, message);
    if tokens.is_empty() {
        return Err(err("missing command in pipeline".into()));
    }
    let mut operands = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let operand = match &tokens[i].tok {
            Tok::Field(_) => Operand::Field(fields(tokens, &mut i, true)),
            Tok::Dot => {
                i += 1;
                Operand::Dot
            }
            Tok::Var(name) => {
                i += 1;
                Operand::Var(name.clone(), fields(tokens, &mut i, false))
            }
            Tok::Ident(name) => {
                i += 1;
                funcs::check_name(name).map_err(|e| e.at(line))?;
                Operand::Func(name.clone())
            }
            Tok::Str(s) => {
                i += 1;
                Operand::Lit(Value::Str(s.clone()))
            }
            Tok::Int(n) => {
                i += 1;
                Operand::Lit(Value::Int(*n))
            }
            Tok::Float(x) => {
                i += 1;
                Operand::Lit(Value::Float(*x))
            }
            Tok::Bool(b) => {
                i += 1;
                Operand::Lit(Value::Bool(*b))
            }
            Tok::Nil => {
                i += 1;
                Operand::Lit(Value::Nil)
            }
            Tok::LParen => {
                let close =
                    matching_paren(tokens, i).ok_or_else(|| err("unclosed left paren".into()))?;
                let inner = pipe(&tokens[i + 1..close], line, depth + 1, false)?;
                i = close + 1;
                Operand::Nested(Box::new(inner), fields(tokens, &mut i, false))
            }
            other => return Err(err(format!("unexpected {} in operand", describe(other)))),
        };
        operands.push(operand);
    }
    // Helm's other objects are not data labrun has: say so rather than render them empty.
    for operand in &operands {
        let chain = match operand {
            Operand::Field(chain) => chain,
            Operand::Var(name, chain) if name == "$" => chain,
            _ => continue,
        };
        if let Some(object) = chain.first().filter(|f| {
            matches!(
                f.as_str(),
                "Chart" | "Capabilities" | "Files" | "Template" | "Subcharts"
            )
        }) {
            return Err(TemplateError {
                kind: super::ErrorKind::Unsupported,
                line,
                message: format!(
                    "template reads .{object}, which labrun cannot render (it renders with .Values and .Release only)"
                ),
            });
        }
    }
    let is_func = matches!(operands[0], Operand::Func(_));
    if !is_func && operands.len() > 1 {
        return Err(err("can't give argument to non-function".into()));
    }
    if !is_func && piped {
        return Err(err(
            "non executable command in pipeline stage after the first".into(),
        ));
    }
    if operands[0] == Operand::Lit(Value::Nil) {
        return Err(err("nil is not a command".into()));
    }
    Ok(operands)
}

/// Field names chained on what came before, without spaces: `.a.b`, `$x.a`, `(…).a`.
/// `first`: the token at `i` is itself the first field.
fn fields(tokens: &[Token], i: &mut usize, first: bool) -> Vec<String> {
    let mut names = Vec::new();
    while let Some(Token {
        tok: Tok::Field(name),
        spaced,
    }) = tokens.get(*i)
    {
        if *spaced && !(first && names.is_empty()) {
            break;
        }
        names.push(name.clone());
        *i += 1;
    }
    names
}

fn matching_paren(tokens: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(open) {
        match token.tok {
            Tok::LParen => depth += 1,
            Tok::RParen => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn describe(tok: &Tok) -> &'static str {
    match tok {
        Tok::RParen => "right paren",
        Tok::Pipe => "|",
        Tok::Declare => ":=",
        Tok::Assign => "=",
        Tok::Comma => "comma",
        _ => "token",
    }
}

#[cfg(test)]
mod tests {
    use super::super::lex::lex;
    use super::*;

    fn parse_str(source: &str) -> Result<Parsed, TemplateError> {
        parse(lex(source)?)
    }

    #[test]
    fn the_lessons_guard_parses() {
        let parsed = parse_str(
            "{{ if hasKey ((.Values.global).replicated) \"dockerconfigjson\" }}x{{ end }}",
        )
        .unwrap();
        let Node::Branch { pipe, then, .. } = &parsed.root[0] else {
            panic!("{:?}", parsed.root)
        };
        assert_eq!(then.len(), 1);
        // `( (.Values.global).replicated )`: a field chained on a parenthesised pipeline.
        let Operand::Nested(outer, none) = &pipe.cmds[0][1] else {
            panic!("{pipe:?}")
        };
        assert!(none.is_empty());
        let Operand::Nested(inner, chain) = &outer.cmds[0][0] else {
            panic!("{outer:?}")
        };
        assert_eq!(chain, &["replicated"]);
        assert_eq!(
            inner.cmds[0][0],
            Operand::Field(vec!["Values".into(), "global".into()])
        );
    }

    #[test]
    fn structure_errors_name_their_line() {
        for (source, line, phrase) in [
            ("{{ if .a }}\nx", 1, "no matching {{end}}"),
            ("x\n{{ end }}", 2, "unexpected {{end}}"),
            (
                "{{ if .a }}{{ else }}{{ else }}{{ end }}",
                1,
                "after the {{else}}",
            ),
            ("{{ .a .b }}", 1, "non-function"),
            ("{{ .a | .b }}", 1, "non executable"),
            ("{{ (.a }}", 1, "unclosed left paren"),
            ("{{ break }}", 1, "outside {{range}}"),
            ("{{ haskey . \"a\" }}", 1, "function \"haskey\" not defined"),
        ] {
            let err = parse_str(source).unwrap_err();
            assert_eq!(err.line, line, "{source}");
            assert!(err.message.contains(phrase), "{source}: {}", err.message);
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = format!("{{{{ {}.a{} }}}}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(parse_str(&deep).unwrap_err().message.contains("deep"));
        let blocks = "{{ if 1 }}".repeat(10_000);
        assert!(parse_str(&blocks).unwrap_err().message.contains("deep"));
    }
}
