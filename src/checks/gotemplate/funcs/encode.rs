//! `toJson` and `toYaml`: a value written out as Helm writes it.

use crate::checks::gotemplate::value::{Value, go_float};
use std::fmt::Write;

pub(super) fn to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::Nil | Value::Missing => serde_json::Value::Null,
        Value::Bool(b) => (*b).into(),
        Value::Int(i) => (*i).into(),
        Value::Float(x) => {
            serde_json::Number::from_f64(*x).map_or(serde_json::Value::Null, Into::into)
        }
        Value::Str(s) => s.clone().into(),
        Value::List(items) => items.iter().map(to_json).collect(),
        Value::Map(map) => map.iter().map(|(k, v)| (k.clone(), to_json(v))).collect(),
    }
}

/// Helm's `toYaml`: block style, sorted keys, no trailing newline. Strings
/// that YAML would read as something else are written as JSON strings,
/// which YAML reads back unchanged.
pub(super) fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    write_yaml(value, 0, &mut out);
    out.trim_end_matches('\n').to_string()
}

fn write_yaml(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Map(map) if !map.is_empty() => {
            for (k, v) in map {
                let _ = write!(out, "{pad}{}:", yaml_scalar(k));
                write_nested(v, indent, out);
            }
        }
        Value::List(items) if !items.is_empty() => {
            for item in items {
                let _ = write!(out, "{pad}-");
                write_nested(item, indent, out);
            }
        }
        scalar => {
            let _ = writeln!(out, "{pad}{}", yaml_inline(scalar));
        }
    }
}

fn write_nested(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::Map(m) if !m.is_empty() => {
            out.push('\n');
            write_yaml(value, indent + 2, out);
        }
        Value::List(l) if !l.is_empty() => {
            out.push('\n');
            write_yaml(value, indent + 2, out);
        }
        scalar => {
            let _ = writeln!(out, " {}", yaml_inline(scalar));
        }
    }
}

fn yaml_inline(value: &Value) -> String {
    match value {
        Value::Nil | Value::Missing => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(x) => go_float(*x),
        Value::Str(s) => yaml_scalar(s),
        Value::List(_) => "[]".into(),
        Value::Map(_) => "{}".into(),
    }
}

fn yaml_scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.trim() == s
        && !s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`".contains(c))
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && s.chars().all(|c| !c.is_control())
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null" | "~"
        )
        && s.parse::<f64>().is_err()
        && !s.starts_with("0x")
        && !s.starts_with("0o");
    if plain {
        s.to_string()
    } else {
        serde_json::Value::from(s).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::super::s;
    use super::*;

    #[test]
    fn to_yaml_round_trips_through_the_yaml_reader() {
        let v = Value::from_paths([
            ("a.b".to_string(), s("true")),
            (
                "a.c".to_string(),
                Value::List(vec![s("x: y"), Value::Int(1)]),
            ),
            ("d".to_string(), s("plain")),
        ]);
        let yaml = to_yaml(&v);
        assert_eq!(
            yaml,
            "a:\n  b: \"true\"\n  c:\n    - \"x: y\"\n    - 1\nd: plain"
        );
        let node = crate::yaml::parse(&yaml).unwrap().unwrap();
        assert!(
            matches!(node.lookup("a.b"), crate::yaml::Lookup::Found(n) if n.as_scalar() == Some("true"))
        );
    }
}
