//! The values a Go template works on, as Helm hands them over (`.Values`,
//! `.Release`), and how Go's `fmt` prints them into the output.

use std::collections::BTreeMap;
use std::fmt::{self, Write};

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `nil`, or what a pipeline yields for a missing key: Go's invalid
    /// value. Fields of it are nil too; Helm prints it as nothing.
    Nil,
    /// A missing key straight out of a field chain: Go's nil `interface{}`.
    /// A further field of it is an error (`.Values.global.replicated` when
    /// `global` is missing), so charts write `((.Values.global).replicated)`,
    /// whose parentheses turn it into [`Value::Nil`] first.
    Missing,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
}

impl Value {
    /// Go templates' truth: false, 0, nil, and empty strings, lists and maps are false.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil | Value::Missing => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
        }
    }

    /// The type's name in error messages, as Go would say it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Missing => "interface {}",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::List(_) => "[]interface {}",
            Value::Map(_) => "map[string]interface {}",
        }
    }

    /// A map built from `(dotted.path, value)` pairs, as `helm --set` reads them.
    /// What a pipeline hands on: Go "digs down" into an `interface{}`, so a
    /// missing key becomes the invalid value.
    pub fn settled(self) -> Value {
        match self {
            Value::Missing => Value::Nil,
            other => other,
        }
    }

    pub fn from_paths<I: IntoIterator<Item = (String, Value)>>(pairs: I) -> Value {
        let mut root = BTreeMap::new();
        for (path, value) in pairs {
            insert_path(&mut root, &path, value);
        }
        Value::Map(root)
    }
}

fn insert_path(map: &mut BTreeMap<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => merge(map, path.to_string(), value),
        Some((head, rest)) => {
            let slot = map
                .entry(head.to_string())
                .or_insert_with(|| Value::Map(BTreeMap::new()));
            if !matches!(slot, Value::Map(_)) {
                *slot = Value::Map(BTreeMap::new());
            }
            if let Value::Map(inner) = slot {
                insert_path(inner, rest, value);
            }
        }
    }
}

/// Maps given twice (`a.b = 1` and `a = { c = 2 }`) merge; anything else replaces.
fn merge(map: &mut BTreeMap<String, Value>, key: String, value: Value) {
    match (map.get_mut(&key), value) {
        (Some(Value::Map(existing)), Value::Map(new)) => {
            for (k, v) in new {
                merge(existing, k, v);
            }
        }
        (_, value) => {
            map.insert(key, value);
        }
    }
}

/// Go's `%v`, with Helm's rendering of a missing value as nothing.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_go(self, f, true)
    }
}

/// `top`: a nil at the top level prints as nothing (Helm), inside a list as `<nil>` (Go).
fn write_go(value: &Value, out: &mut dyn Write, top: bool) -> fmt::Result {
    match value {
        Value::Nil | Value::Missing if top => Ok(()),
        Value::Nil | Value::Missing => out.write_str("<nil>"),
        Value::Bool(b) => write!(out, "{b}"),
        Value::Int(i) => write!(out, "{i}"),
        Value::Float(x) => out.write_str(&go_float(*x)),
        Value::Str(s) => out.write_str(s),
        Value::List(items) => {
            out.write_char('[')?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.write_char(' ')?;
                }
                write_go(item, out, false)?;
            }
            out.write_char(']')
        }
        Value::Map(map) => {
            out.write_str("map[")?;
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.write_char(' ')?;
                }
                write!(out, "{k}:")?;
                write_go(v, out, false)?;
            }
            out.write_char(']')
        }
    }
}

/// Go's `strconv.FormatFloat(x, 'g', -1, 64)`: shortest form, exponent past 1e21.
pub fn go_float(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    let abs = x.abs();
    if abs != 0.0 && !(1e-4..1e21).contains(&abs) {
        let s = format!("{x:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    format!("{x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_go_and_helm() {
        let list = Value::List(vec![Value::Int(1), Value::Nil, Value::Str("a".into())]);
        assert_eq!(list.to_string(), "[1 <nil> a]");
        assert_eq!(Value::Nil.to_string(), "");
        assert_eq!(go_float(1e6), "1000000");
        assert_eq!(go_float(1e21), "1e+21");
        assert_eq!(go_float(0.5), "0.5");
    }

    #[test]
    fn dotted_paths_nest_and_merge() {
        let v = Value::from_paths([
            ("a.b.c".to_string(), Value::Int(1)),
            ("a.d".to_string(), Value::Bool(true)),
        ]);
        assert_eq!(v.to_string(), "map[a:map[b:map[c:1] d:true]]");
    }
}
