//! `kind = "template"`: a Helm template renders, with the check's values as
//! `.Values`, to one YAML document holding the expected fields — or, with
//! `renders_nothing`, to nothing at all. Indentation is meaning in YAML, so
//! this reads the structure Helm would produce, not the text: `{{- … }}`,
//! quoting, key order and comments do not matter; a key pasted under the
//! wrong parent does, and the failure says which.

use super::files::Files;
use super::gotemplate::{ErrorKind, Rendered, Template, TemplateError, Value};
use super::yaml::path_named;
use super::{Outcome, read_text};
use crate::lesson::vars::MissingVar;
use crate::lesson::{Rendering, TemplateValue, Vars};
use crate::yaml::{self, Lookup, Node, NodeKind};
use std::collections::BTreeMap;

pub(super) fn check(
    name: &str,
    files: &dyn Files,
    file: &str,
    values: &[(String, TemplateValue)],
    expect: &Rendering,
    vars: &Vars,
) -> Outcome {
    let (values, expect) = match expand(values, expect, vars) {
        Ok(expanded) => expanded,
        Err(missing) => return Outcome::error(name, missing.to_string()),
    };
    let source = match read_text(name, files, file) {
        Ok(text) => text,
        Err(outcome) => return outcome,
    };
    let shown = files.display(file);
    let given = describe_values(&values);
    let rendered = match Template::parse(&source).and_then(|t| t.render(&helm_data(values))) {
        Ok(rendered) => rendered,
        Err(e) => return template_error(name, &shown, file, &given, e),
    };
    let documents = match documents(&rendered) {
        Ok(documents) => documents,
        Err(not_yaml) => {
            return Outcome::fail(
                name,
                format!("{shown}, rendered {given}, is not valid YAML: {not_yaml}"),
            )
            .with_diff(numbered(&rendered))
            .at(file, not_yaml.template_line);
        }
    };
    match expect {
        Rendering::Nothing => match documents.first() {
            None => Outcome::pass(name, format!("{shown} renders nothing {given}")),
            Some(doc) => Outcome::fail(
                name,
                format!(
                    "{shown} renders {} {given}; expected nothing — keep the whole manifest inside the `if`",
                    describe_document(doc)
                ),
            )
            .with_diff(numbered(&rendered))
            .at(file, rendered.source_line(doc.line)),
        },
        Rendering::Fields(fields) => match documents.as_slice() {
            [] => Outcome::fail(
                name,
                format!(
                    "{shown} renders nothing {given}; expected a manifest with {}",
                    fields.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(", ")
                ),
            )
            .at(file, 1),
            [doc] => compare(name, &shown, file, &given, doc, &fields, &rendered),
            many => Outcome::fail(
                name,
                format!("{shown} renders {} YAML documents {given}; expected one", many.len()),
            )
            .with_diff(numbered(&rendered))
            .at(file, rendered.source_line(many[1].line)),
        },
    }
}

/// The values and expected fields with `${NAME}` filled in.
fn expand(
    values: &[(String, TemplateValue)],
    expect: &Rendering,
    vars: &Vars,
) -> Result<(Value, Rendering), MissingVar> {
    fn convert(value: &TemplateValue, vars: &Vars) -> Result<Value, MissingVar> {
        Ok(match value {
            TemplateValue::Str(s) => Value::Str(vars.expand(s)?),
            TemplateValue::Int(i) => Value::Int(*i),
            TemplateValue::Float(f) => Value::Float(*f),
            TemplateValue::Bool(b) => Value::Bool(*b),
            TemplateValue::List(items) => Value::List(
                items
                    .iter()
                    .map(|v| convert(v, vars))
                    .collect::<Result<_, _>>()?,
            ),
            TemplateValue::Map(entries) => pairs(entries, vars)?,
        })
    }
    fn pairs(entries: &[(String, TemplateValue)], vars: &Vars) -> Result<Value, MissingVar> {
        let converted = entries
            .iter()
            .map(|(k, v)| Ok((k.clone(), convert(v, vars)?)))
            .collect::<Result<Vec<_>, MissingVar>>()?;
        Ok(Value::from_paths(converted))
    }
    let expect = match expect {
        Rendering::Nothing => Rendering::Nothing,
        Rendering::Fields(fields) => Rendering::Fields(
            fields
                .iter()
                .map(|(k, v)| Ok((k.clone(), vars.expand(v)?)))
                .collect::<Result<_, MissingVar>>()?,
        ),
    };
    Ok((pairs(values, vars)?, expect))
}

/// What Helm passes a template: `.Values`, and a `.Release` as `helm template` makes it.
fn helm_data(values: Value) -> Value {
    let release = Value::from_paths([
        ("Name".to_string(), Value::Str("release-name".into())),
        ("Namespace".to_string(), Value::Str("default".into())),
        ("Service".to_string(), Value::Str("Helm".into())),
        ("Revision".to_string(), Value::Int(1)),
        ("IsInstall".to_string(), Value::Bool(true)),
        ("IsUpgrade".to_string(), Value::Bool(false)),
    ]);
    Value::Map(BTreeMap::from([
        ("Values".to_string(), values),
        ("Release".to_string(), release),
    ]))
}

/// "with global.replicated.dockerconfigjson set" / "without values".
fn describe_values(values: &Value) -> String {
    fn leaves(value: &Value, prefix: &str, out: &mut Vec<String>) {
        match value {
            Value::Map(map) if !map.is_empty() => {
                for (k, v) in map {
                    let path = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    leaves(v, &path, out);
                }
            }
            _ if !prefix.is_empty() => out.push(prefix.to_string()),
            _ => {}
        }
    }
    let mut paths = Vec::new();
    leaves(values, "", &mut paths);
    if paths.is_empty() {
        "without values".into()
    } else {
        format!("with {} set", paths.join(", "))
    }
}

fn template_error(name: &str, shown: &str, file: &str, given: &str, e: TemplateError) -> Outcome {
    match e.kind {
        // labrun's limit, not the learner's mistake: say so, never pass.
        ErrorKind::Unsupported => {
            Outcome::error(name, format!("{shown}:{}: {}", e.line, e.message)).at(file, e.line)
        }
        ErrorKind::Syntax => Outcome::fail(
            name,
            format!("{shown}:{}: not a valid template: {}", e.line, e.message),
        )
        .at(file, e.line),
        ErrorKind::Render => Outcome::fail(
            name,
            format!("{shown}:{}: does not render {given}: {}", e.line, e.message),
        )
        .at(file, e.line),
    }
}

/// A rendered YAML document and the output line it starts on.
struct Document {
    root: Node,
    line: usize,
}

/// Rendered output that is not YAML: where, in the output and the template.
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("line {output_line} of the output (template line {template_line}): {message}")]
struct NotYaml {
    output_line: usize,
    template_line: usize,
    message: String,
}

/// The non-empty documents of the output, split on `---` lines as Helm
/// splits a manifest.
fn documents(rendered: &Rendered) -> Result<Vec<Document>, NotYaml> {
    let mut documents = Vec::new();
    let mut start = 1;
    let mut chunk = String::new();
    let lines: Vec<&str> = rendered.text.split('\n').collect();
    for (index, line) in lines.iter().enumerate() {
        let separator = *line == "---" || line.starts_with("--- ") || line.starts_with("---\t");
        if !separator {
            chunk.push_str(line);
            chunk.push('\n');
        }
        if separator || index + 1 == lines.len() {
            match yaml::parse(&chunk) {
                Ok(Some(root)) => {
                    let line = start + root.line.saturating_sub(1);
                    documents.push(Document {
                        root: offset(root, start - 1),
                        line,
                    });
                }
                Ok(None) => {}
                Err(e) => {
                    let output_line = start + e.line.saturating_sub(1);
                    return Err(NotYaml {
                        output_line,
                        template_line: rendered.source_line(output_line),
                        message: e.message,
                    });
                }
            }
            chunk.clear();
            start = index + 2;
        }
    }
    Ok(documents)
}

/// Node lines relative to the whole output, not to their document.
fn offset(mut node: Node, by: usize) -> Node {
    node.line += by;
    node.kind = match node.kind {
        NodeKind::Scalar(s) => NodeKind::Scalar(s),
        NodeKind::Seq(items) => NodeKind::Seq(items.into_iter().map(|n| offset(n, by)).collect()),
        NodeKind::Map(entries) => NodeKind::Map(
            entries
                .into_iter()
                .map(|(k, v)| (offset(k, by), offset(v, by)))
                .collect(),
        ),
    };
    node
}

fn describe_document(doc: &Document) -> String {
    let field = |key: &str| match doc.root.lookup(key) {
        Lookup::Found(node) => node.as_scalar().map(str::to_string),
        _ => None,
    };
    match (field("kind"), field("metadata.name")) {
        (Some(kind), Some(name)) => format!("a {kind} named {name}"),
        (Some(kind), None) => format!("a {kind}"),
        _ => format!("{} (output line {})", doc.root.kind_name(), doc.line),
    }
}

fn compare(
    name: &str,
    shown: &str,
    file: &str,
    given: &str,
    doc: &Document,
    fields: &[(String, String)],
    rendered: &Rendered,
) -> Outcome {
    // (output line, what is wrong, whether to add "(line N)" to it)
    let mut problems: Vec<(usize, String, bool)> = Vec::new();
    for (path, want) in fields {
        match doc.root.lookup(path) {
            Lookup::Found(node) => match node.as_scalar() {
                Some(found) if found == want => {}
                Some(found) => problems.push((
                    node.line,
                    format!("`{path}` is {found:?}, expected {want:?}"),
                    true,
                )),
                None => problems.push((
                    node.line,
                    format!("`{path}` is {}, expected {want:?}", node.describe()),
                    true,
                )),
            },
            Lookup::Missing {
                found,
                missing,
                line,
            } => {
                let parent = path_named(&found);
                let mut message = format!("`{path}` is missing: {parent} has no key `{missing}`");
                let mut at_line = line;
                if let Some((elsewhere, at)) = find_key(&doc.root, &missing, &mut Vec::new())
                    && elsewhere != found
                {
                    let under = path_named(&elsewhere);
                    message.push_str(&format!(
                        "; `{missing}` is under {under} at line {} — check its indentation",
                        rendered.source_line(at)
                    ));
                    at_line = at;
                }
                problems.push((at_line, message, false));
            }
            Lookup::NotContainer { found, what, line } => problems.push((
                line,
                format!("`{path}` is missing: `{found}` is {what}, not a mapping"),
                true,
            )),
        }
    }
    if problems.is_empty() {
        let checked: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
        return Outcome::pass(
            name,
            format!(
                "{shown} renders {} {given}, with {} as expected",
                describe_document(doc),
                checked.join(", ")
            ),
        );
    }
    let first_line = rendered.source_line(problems[0].0);
    let list: Vec<String> = problems
        .iter()
        .map(|(line, p, numbered)| match numbered {
            true => format!("  - {p} (line {})", rendered.source_line(*line)),
            false => format!("  - {p}"),
        })
        .collect();
    Outcome::fail(
        name,
        format!("{shown}, rendered {given}:\n{}", list.join("\n")),
    )
    .with_diff(numbered(rendered))
    .at(file, first_line)
}

/// Where else in the document a key sits: the path of its parent and its line.
fn find_key(node: &Node, key: &str, path: &mut Vec<String>) -> Option<(String, usize)> {
    let NodeKind::Map(entries) = &node.kind else {
        return None;
    };
    for (k, _) in entries {
        if k.as_scalar() == Some(key) {
            let segments: Vec<&str> = path.iter().map(String::as_str).collect();
            return Some((yaml::join_path(&segments), k.line));
        }
    }
    for (k, v) in entries {
        path.push(k.as_scalar().unwrap_or_default().to_string());
        let found = find_key(v, key, path);
        path.pop();
        if found.is_some() {
            return found;
        }
    }
    None
}

/// The rendered output, each line with the template line it came from.
fn numbered(rendered: &Rendered) -> String {
    let mut out = String::from("rendered (template line: output)\n");
    for (i, line) in rendered.text.lines().enumerate() {
        out.push_str(&format!("{:>4}: {line}\n", rendered.source_line(i + 1)));
    }
    out
}
