//! The Sprig and Helm functions labrun renders: those chart authors reach
//! for in a manifest like the lesson's (`hasKey`, `default`, `quote`,
//! `b64enc`, `toYaml`, `nindent`, `required`, …), as Sprig behaves.

use super::encode::{to_json, to_yaml};
use super::go::go_quote;
use super::{FuncError, arity};
use crate::checks::gotemplate::value::Value;
use base64::Engine;
use std::collections::BTreeMap;

pub(super) const NAMES: &[&str] = &[
    "hasKey",
    "default",
    "empty",
    "coalesce",
    "ternary",
    "quote",
    "squote",
    "b64enc",
    "b64dec",
    "toYaml",
    "toJson",
    "indent",
    "nindent",
    "trim",
    "trimPrefix",
    "trimSuffix",
    "upper",
    "lower",
    "required",
    "toString",
    "contains",
    "hasPrefix",
    "hasSuffix",
    "replace",
    "list",
    "dict",
    "fail",
];

/// Calls one of [`NAMES`].
pub(super) fn call(name: &str, args: Vec<Value>) -> Result<Value, FuncError> {
    let arity = |n| arity(name, &args, n);
    let text = |v: &Value| v.to_string();
    Ok(match name {
        "hasKey" => {
            arity(2)?;
            match (&args[0], &args[1]) {
                (Value::Map(m), Value::Str(k)) => Value::Bool(m.contains_key(k)),
                (m, k) => {
                    return Err(FuncError::HasKeyTypes {
                        map: m.type_name(),
                        key: k.type_name(),
                    });
                }
            }
        }
        "default" => {
            arity(2)?;
            let mut args = args;
            let given = args.pop().unwrap_or(Value::Nil);
            let fallback = args.pop().unwrap_or(Value::Nil);
            if given.truthy() { given } else { fallback }
        }
        "empty" => {
            arity(1)?;
            Value::Bool(!args[0].truthy())
        }
        "coalesce" => args.into_iter().find(Value::truthy).unwrap_or(Value::Nil),
        "ternary" => {
            arity(3)?;
            let mut args = args;
            let condition = args.pop().unwrap_or(Value::Nil);
            let otherwise = args.pop().unwrap_or(Value::Nil);
            let then = args.pop().unwrap_or(Value::Nil);
            match condition {
                Value::Bool(true) => then,
                Value::Bool(false) => otherwise,
                other => return Err(FuncError::TernaryCondition(other.type_name())),
            }
        }
        "quote" => Value::Str(
            args.iter()
                .filter(|v| **v != Value::Nil)
                .map(|v| go_quote(&v.to_string()))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "squote" => Value::Str(
            args.iter()
                .filter(|v| **v != Value::Nil)
                .map(|v| format!("'{v}'"))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "b64enc" => {
            arity(1)?;
            Value::Str(base64::engine::general_purpose::STANDARD.encode(text(&args[0])))
        }
        "b64dec" => {
            arity(1)?;
            match base64::engine::general_purpose::STANDARD.decode(text(&args[0])) {
                Ok(bytes) => Value::Str(String::from_utf8_lossy(&bytes).into_owned()),
                // Sprig hands back the error's text as the value.
                Err(e) => Value::Str(e.to_string()),
            }
        }
        "toYaml" => {
            arity(1)?;
            Value::Str(to_yaml(&args[0]))
        }
        "toJson" => {
            arity(1)?;
            Value::Str(to_json(&args[0]).to_string())
        }
        "indent" | "nindent" => {
            arity(2)?;
            let Value::Int(width) = args[0] else {
                return Err(FuncError::IndentWidth(name.to_string()));
            };
            let pad = " ".repeat(width.clamp(0, 1024) as usize);
            let indented = format!("{pad}{}", text(&args[1]).replace('\n', &format!("\n{pad}")));
            Value::Str(if name == "nindent" {
                format!("\n{indented}")
            } else {
                indented
            })
        }
        "trim" => {
            arity(1)?;
            Value::Str(text(&args[0]).trim().to_string())
        }
        "trimPrefix" | "trimSuffix" => {
            arity(2)?;
            let (affix, s) = (text(&args[0]), text(&args[1]));
            let trimmed = if name == "trimPrefix" {
                s.strip_prefix(&affix)
            } else {
                s.strip_suffix(&affix)
            };
            Value::Str(trimmed.unwrap_or(&s).to_string())
        }
        "upper" => {
            arity(1)?;
            Value::Str(text(&args[0]).to_uppercase())
        }
        "lower" => {
            arity(1)?;
            Value::Str(text(&args[0]).to_lowercase())
        }
        "toString" => {
            arity(1)?;
            Value::Str(text(&args[0]))
        }
        "contains" | "hasPrefix" | "hasSuffix" => {
            arity(2)?;
            let (part, s) = (text(&args[0]), text(&args[1]));
            Value::Bool(match name {
                "contains" => s.contains(&part),
                "hasPrefix" => s.starts_with(&part),
                _ => s.ends_with(&part),
            })
        }
        "replace" => {
            arity(3)?;
            Value::Str(text(&args[2]).replace(&text(&args[0]), &text(&args[1])))
        }
        "required" => {
            arity(2)?;
            match &args[1] {
                Value::Nil => return Err(FuncError::Failed(text(&args[0]))),
                Value::Str(s) if s.is_empty() => return Err(FuncError::Failed(text(&args[0]))),
                value => value.clone(),
            }
        }
        "fail" => {
            arity(1)?;
            return Err(FuncError::Failed(text(&args[0])));
        }
        "list" => Value::List(args),
        "dict" => {
            let mut map = BTreeMap::new();
            for pair in args.chunks(2) {
                let value = pair.get(1).cloned().unwrap_or(Value::Str(String::new()));
                map.insert(text(&pair[0]), value);
            }
            Value::Map(map)
        }
        other => return Err(FuncError::NotDefined(other.to_string())),
    })
}

#[cfg(test)]
mod tests {
    use super::super::s;
    use super::super::typed_args;
    use super::*;

    #[test]
    fn helm_functions_behave_like_sprig() {
        assert_eq!(call("quote", vec![s("a\"b")]).unwrap(), s("\"a\\\"b\""));
        assert_eq!(call("default", vec![s("d"), Value::Nil]).unwrap(), s("d"));
        assert_eq!(call("default", vec![s("d"), s("v")]).unwrap(), s("v"));
        assert_eq!(call("b64enc", vec![s("hi")]).unwrap(), s("aGk="));
        assert_eq!(
            call("nindent", vec![Value::Int(2), s("a\nb")]).unwrap(),
            s("\n  a\n  b")
        );
        let nil_map = typed_args("hasKey", vec![Value::Nil, s("k")]).unwrap();
        assert_eq!(call("hasKey", nil_map).unwrap(), Value::Bool(false));
        assert_eq!(
            call("required", vec![s("need it"), Value::Nil]),
            Err(FuncError::Failed("need it".into()))
        );
        assert_eq!(
            call("ternary", vec![s("a"), s("b"), Value::Int(1)]),
            Err(FuncError::TernaryCondition("int"))
        );
    }
}
