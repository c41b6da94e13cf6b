//! A small YAML tree that remembers where each node came from.
//!
//! Checks compare what a learner wrote, so scalars are kept as the text they
//! wrote (`0.50` stays `"0.50"`, never the float `0.5`), and every node keeps
//! its line so a failure can say "values.yaml:42". Syntax errors come back as
//! values with a line and column, never as a panic.

use serde_saphyr::granit_parser::{Event, Parser, ScanError, Span};
use std::collections::HashMap;

/// Alias expansion copies nodes; a "billion laughs" file must not exhaust memory.
const MAX_NODES: usize = 200_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    /// 1-based line where the node starts.
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Scalar(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A YAML text that is not valid YAML (or repeats a key), where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("YAML syntax error at line {line}, column {column}: {message}")]
pub struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl From<ScanError> for SyntaxError {
    fn from(e: ScanError) -> Self {
        SyntaxError {
            line: e.marker().line(),
            column: e.marker().col() + 1,
            message: e.info(),
        }
    }
}

/// The result of looking up a dotted key path.
#[derive(Debug, PartialEq)]
pub enum Lookup<'a> {
    Found(&'a Node),
    /// The path stops existing after `found` (a prefix of the path, possibly empty).
    Missing {
        found: String,
        missing: String,
        line: usize,
    },
    /// A segment names a key inside something that is not a mapping or list.
    NotContainer {
        found: String,
        what: &'static str,
        line: usize,
    },
}

impl Node {
    pub fn as_scalar(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// What this node is, in words, for messages: the scalar itself or its shape.
    pub fn describe(&self) -> String {
        match &self.kind {
            NodeKind::Scalar(s) => format!("{s:?}"),
            NodeKind::Seq(items) => format!("a list of {} item(s)", items.len()),
            NodeKind::Map(entries) => format!("a mapping of {} key(s)", entries.len()),
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Scalar(_) => "a scalar",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }

    /// Looks up `a.b.c` (list items by index: `a.0.b` or `a[0].b`; a key
    /// with dots in brackets and quotes: `data[".dockerconfigjson"]`).
    pub fn lookup(&self, path: &str) -> Lookup<'_> {
        let mut node = self;
        let mut walked: Vec<&str> = Vec::new();
        for segment in path_segments(path) {
            let next = match &node.kind {
                NodeKind::Map(entries) => entries
                    .iter()
                    .find(|(k, _)| k.as_scalar() == Some(segment))
                    .map(|(_, v)| v),
                NodeKind::Seq(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
                NodeKind::Scalar(_) => {
                    return Lookup::NotContainer {
                        found: join_path(&walked),
                        what: node.kind_name(),
                        line: node.line,
                    };
                }
            };
            match next {
                Some(n) => {
                    walked.push(segment);
                    node = n;
                }
                None => {
                    return Lookup::Missing {
                        found: join_path(&walked),
                        missing: segment.to_string(),
                        line: node.line,
                    };
                }
            }
        }
        Lookup::Found(node)
    }
}

/// The keys of a path: `a.b`, `a[0]`, `a["k.with.dots"]`, `a['k']`.
pub fn path_segments(path: &str) -> Vec<&str> {
    let mut segments = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            rest = after;
            continue;
        }
        if let Some(inside) = rest.strip_prefix('[') {
            let quoted = inside
                .chars()
                .next()
                .filter(|q| matches!(q, '"' | '\''))
                .and_then(|q| {
                    let close = inside[1..].find(&format!("{q}]"))?;
                    Some((&inside[1..1 + close], &inside[close + 3..]))
                });
            let (segment, after) = quoted.unwrap_or_else(|| match inside.find(']') {
                Some(end) => (&inside[..end], &inside[end + 1..]),
                None => (inside, ""),
            });
            segments.push(segment);
            rest = after;
            continue;
        }
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        segments.push(&rest[..end]);
        rest = &rest[end..];
    }
    segments.retain(|s| !s.is_empty());
    segments
}

/// A path as a person writes it: dots, brackets for keys that hold a dot.
pub fn join_path(segments: &[&str]) -> String {
    let mut out = String::new();
    for segment in segments {
        if segment.contains(['.', '[', ']']) {
            out.push_str(&format!("[{segment:?}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(segment);
        }
    }
    out
}

/// Parses the first document of `text`. An empty document is `Ok(None)`.
pub fn parse(text: &str) -> Result<Option<Node>, SyntaxError> {
    let mut builder = Builder::default();
    for event in Parser::new_from_str(text) {
        let (event, span) = event?;
        if builder.push(event, span)? {
            break;
        }
    }
    Ok(builder.root)
}

/// Turns parser events into a tree, one container on the stack per open level.
#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    nodes: usize,
}

struct Open {
    node: Node,
    anchor: usize,
    /// For mappings: the key waiting for its value.
    pending_key: Option<Node>,
    /// For mappings: each scalar key and its line, to refuse a second one.
    seen: HashMap<String, usize>,
}

impl Builder {
    /// Returns true once the first document is complete.
    fn push(&mut self, event: Event<'_>, span: Span) -> Result<bool, SyntaxError> {
        let line = span.start.line();
        match event {
            Event::Scalar(value, _, anchor, _) => {
                let node = Node {
                    kind: NodeKind::Scalar(value.into_owned()),
                    line,
                };
                self.finish(node, anchor, line)?;
            }
            Event::SequenceStart(_, anchor, _) => {
                self.open(NodeKind::Seq(Vec::new()), anchor, line)
            }
            Event::MappingStart(_, anchor, _) => self.open(NodeKind::Map(Vec::new()), anchor, line),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(open) = self.stack.pop() {
                    self.finish(open.node, open.anchor, line)?;
                }
            }
            Event::Alias(id) => {
                let node = self.anchors.get(&id).cloned().ok_or_else(|| SyntaxError {
                    line,
                    column: span.start.col() + 1,
                    message: "alias to an unknown anchor".into(),
                })?;
                self.nodes += count_nodes(&node);
                self.finish(node, 0, line)?;
            }
            Event::DocumentEnd => return Ok(self.root.is_some() || self.stack.is_empty()),
            _ => {}
        }
        Ok(false)
    }

    fn open(&mut self, kind: NodeKind, anchor: usize, line: usize) {
        self.stack.push(Open {
            node: Node { kind, line },
            anchor,
            pending_key: None,
            seen: HashMap::new(),
        });
    }

    /// A node is complete: attach it to its parent (or make it the root).
    fn finish(&mut self, node: Node, anchor: usize, line: usize) -> Result<(), SyntaxError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(SyntaxError {
                line,
                column: 1,
                message: format!(
                    "document too large (more than {MAX_NODES} nodes once aliases are expanded)"
                ),
            });
        }
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        match &mut parent.node.kind {
            NodeKind::Seq(items) => items.push(node),
            NodeKind::Map(entries) => match parent.pending_key.take() {
                None => {
                    // Readers disagree on a repeated key (the first wins here,
                    // the last in Helm), so it is an error, naming both lines.
                    if let Some(key) = node.as_scalar().filter(|k| *k != "<<")
                        && let Some(first) = parent.seen.insert(key.to_string(), node.line)
                    {
                        return Err(duplicate_key(key, first, node.line));
                    }
                    parent.pending_key = Some(node);
                }
                Some(key) => entries.push((key, node)),
            },
            NodeKind::Scalar(_) => unreachable!("scalars are never opened"),
        }
        Ok(())
    }
}

/// The one message for a repeated key, wherever YAML is read.
pub fn duplicate_key(key: &str, first: usize, second: usize) -> SyntaxError {
    SyntaxError {
        line: second,
        column: 1,
        message: format!("key `{key}` appears twice, at line {first} and line {second}"),
    }
}

/// The first repeated key of any mapping in any document of `text`, if one is.
/// For readers that parse YAML themselves (the helm stand-in) and must refuse
/// the same files labrun's checks refuse.
pub fn find_duplicate_key(text: &str) -> Option<SyntaxError> {
    let mut builder = Builder::default();
    for event in Parser::new_from_str(text) {
        let Ok((event, span)) = event else {
            // Syntax errors are the caller's parser's to report.
            return None;
        };
        let document_end = matches!(event, Event::DocumentEnd);
        match builder.push(event, span) {
            Err(e) if e.message.contains("appears twice") => return Some(e),
            Err(_) => return None,
            Ok(_) if document_end => builder = Builder::default(),
            Ok(_) => {}
        }
    }
    None
}

fn count_nodes(node: &Node) -> usize {
    1 + match &node.kind {
        NodeKind::Scalar(_) => 0,
        NodeKind::Seq(items) => items.iter().map(count_nodes).sum(),
        NodeKind::Map(entries) => entries
            .iter()
            .map(|(k, v)| count_nodes(k) + count_nodes(v))
            .sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALUES: &str = "\
images:
  slackernews:
    repository: ghcr.io/slackernews/slackernews-web:1.0.17
    pullPolicy: IfNotPresent
version: 0.50
list:
  - name: a
  - name: b
";

    fn root(text: &str) -> Node {
        parse(text).unwrap().unwrap()
    }

    #[test]
    fn finds_nested_scalars_with_their_line() {
        let doc = root(VALUES);
        let Lookup::Found(node) = doc.lookup("images.slackernews.repository") else {
            panic!("not found")
        };
        assert_eq!(
            node.as_scalar(),
            Some("ghcr.io/slackernews/slackernews-web:1.0.17")
        );
        assert_eq!(node.line, 3);
    }

    #[test]
    fn keeps_scalars_as_written() {
        let doc = root(VALUES);
        assert!(matches!(doc.lookup("version"), Lookup::Found(n) if n.as_scalar() == Some("0.50")));
    }

    #[test]
    fn indexes_lists_both_ways() {
        let doc = root(VALUES);
        for path in ["list.1.name", "list[1].name"] {
            assert!(matches!(doc.lookup(path), Lookup::Found(n) if n.as_scalar() == Some("b")));
        }
    }

    #[test]
    fn a_repeated_key_is_an_error_naming_both_lines() {
        let err = parse("name: a\nversion: 0.4.1\nversion: 0.5.0\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert_eq!(
            err.message,
            "key `version` appears twice, at line 2 and line 3"
        );
        let nested = "a:\n  b: 1\n  c: 2\n  b: 3\n";
        assert!(
            parse(nested)
                .unwrap_err()
                .message
                .contains("`b` appears twice, at line 2 and line 4")
        );
        assert_eq!(
            find_duplicate_key("x: 1\n---\ny: 1\ny: 2\n").unwrap().line,
            4
        );
        assert_eq!(find_duplicate_key("x: 1\n---\nx: 1\n"), None);
        // The same key in sibling mappings is fine.
        assert!(parse("a: {k: 1}\nb: {k: 2}\n").is_ok());
    }

    #[test]
    fn keys_with_dots_go_in_brackets() {
        let doc = root("data:\n  .dockerconfigjson: abc\n");
        for path in ["data[\".dockerconfigjson\"]", "data['.dockerconfigjson']"] {
            assert!(
                matches!(doc.lookup(path), Lookup::Found(n) if n.as_scalar() == Some("abc")),
                "{path}"
            );
        }
        assert_eq!(path_segments("a[0].b[\"c.d\"]"), ["a", "0", "b", "c.d"]);
        assert_eq!(join_path(&["data", ".x", "y"]), "data[\".x\"].y");
    }

    #[test]
    fn says_where_a_path_stops() {
        let doc = root(VALUES);
        assert_eq!(
            doc.lookup("images.nginx.repository"),
            Lookup::Missing {
                found: "images".into(),
                missing: "nginx".into(),
                line: 2
            }
        );
        assert!(matches!(
            doc.lookup("version.major"),
            Lookup::NotContainer {
                what: "a scalar",
                ..
            }
        ));
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let err = parse("a: 1\nb: [unclosed\nc: 3\n").unwrap_err();
        assert!(err.line >= 2, "{err}");
        assert!(err.to_string().contains("line"));
        let err = parse("a:\n  b: 1\n c: 2\n").unwrap_err();
        assert_eq!(err.line, 3, "{err}");
    }

    #[test]
    fn empty_document_is_none() {
        assert_eq!(parse("").unwrap(), None);
        assert_eq!(parse("# only a comment\n").unwrap(), None);
    }

    #[test]
    fn aliases_resolve_and_bombs_stop() {
        let doc = root("a: &x {k: v}\nb: *x\n");
        assert!(matches!(doc.lookup("b.k"), Lookup::Found(n) if n.as_scalar() == Some("v")));
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..8 {
            let prev = (b'a' + i) as char;
            let next = (b'a' + i + 1) as char;
            bomb.push_str(&format!("{next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let err = parse(&bomb).unwrap_err();
        assert!(err.message.contains("too large"), "{err}");
    }
}
