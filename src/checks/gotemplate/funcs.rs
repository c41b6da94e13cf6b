//! The functions a template may call, by name: which exist, the Go types
//! their parameters take, and the call. Go's built-ins are in `go.rs`; the
//! few Sprig and Helm functions chart authors reach for in a manifest like
//! the lesson's (`hasKey`, `default`, `quote`, `b64enc`, `toYaml`,
//! `nindent`, …) in `sprig.rs`. Any other Sprig or Helm function is named
//! as one labrun cannot render (`unsupported.rs`), so a check says so
//! instead of guessing.

mod encode;
mod go;
mod sprig;
mod unsupported;

use super::TemplateError;
use super::value::Value;
use std::collections::BTreeMap;

/// Implemented by the evaluator (`exec.rs`), not by [`call`]: `and` and
/// `or` take their arguments lazily, `include` renders a named template.
const EVALUATOR: &[&str] = &["and", "or", "include"];

/// Why a function call failed, in the words Go's `text/template` and Sprig
/// use (the evaluator adds "error calling NAME" and the line).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FuncError {
    #[error("wrong number of args for {name}: want {want} got {got}")]
    Arity {
        name: String,
        want: usize,
        got: usize,
    },
    #[error("function \"{0}\" not defined")]
    NotDefined(String),
    /// `required` or `fail`: the template's own message.
    #[error("{0}")]
    Failed(String),
    #[error("len of type {0}")]
    LenOf(&'static str),
    #[error("printf needs a format string")]
    NoFormat,
    #[error("index of nothing")]
    IndexOfNothing,
    #[error("index of untyped nil")]
    IndexOfNil,
    #[error("error calling index: index out of range: {0}")]
    IndexOutOfRange(i64),
    #[error("can't index item of type {item} with {key}")]
    CannotIndex {
        item: &'static str,
        key: &'static str,
    },
    #[error("missing argument for comparison")]
    MissingComparand,
    #[error("non-comparable type")]
    NotComparable,
    #[error("incompatible types for comparison")]
    IncompatibleTypes,
    #[error("invalid type for comparison: {0}")]
    InvalidComparison(&'static str),
    #[error("NaN is not ordered")]
    NaN,
    #[error("hasKey wants a map and a string; got {map} and {key}")]
    HasKeyTypes {
        map: &'static str,
        key: &'static str,
    },
    #[error("ternary wants a bool condition, got {0}")]
    TernaryCondition(&'static str),
    #[error("{0} wants a number of spaces first")]
    IndentWidth(String),
}

/// An argument Go would refuse for a function's parameter, before the call.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ArgError {
    /// nil is no string, number or bool.
    #[error("invalid value; expected {expected}")]
    Nil {
        index: usize,
        expected: &'static str,
    },
    #[error("wrong type for value; expected {expected}; got {got}")]
    WrongType {
        index: usize,
        expected: &'static str,
        got: &'static str,
    },
}

impl ArgError {
    /// The refused argument, 0-based.
    pub fn index(&self) -> usize {
        match self {
            ArgError::Nil { index, .. } | ArgError::WrongType { index, .. } => *index,
        }
    }
}

/// Whether a template may call `name`: an unknown name is the template's
/// error (as in Helm), a known but unimplemented one is labrun's.
pub fn check_name(name: &str) -> Result<(), TemplateError> {
    if [EVALUATOR, go::NAMES, sprig::NAMES]
        .iter()
        .any(|names| names.contains(&name))
    {
        Ok(())
    } else if unsupported::NAMES.contains(&name) {
        Err(TemplateError::unsupported(0, name))
    } else {
        Err(TemplateError::syntax(
            0,
            FuncError::NotDefined(name.to_string()).to_string(),
        ))
    }
}

/// The Go type of a function's parameter, as far as it decides what a
/// template may pass: Go converts nothing, and a nil `interface{}` is not a map.
#[derive(Clone, Copy)]
enum Param {
    Any,
    Str,
    Int,
    Bool,
    Map,
}

/// The parameters of the supported functions; the last one repeats (Go's `...`).
fn params(name: &str) -> &'static [Param] {
    use Param::*;
    match name {
        "hasKey" => &[Map, Str],
        "b64enc" | "b64dec" | "trim" | "upper" | "lower" | "fail" => &[Str],
        "trimPrefix" | "trimSuffix" | "contains" | "hasPrefix" | "hasSuffix" => &[Str, Str],
        "replace" => &[Str, Str, Str],
        "indent" | "nindent" => &[Int, Str],
        "required" => &[Str, Any],
        "ternary" => &[Any, Any, Bool],
        "printf" | "include" => &[Str, Any],
        _ => &[Any],
    }
}

/// The arguments as the function's Go parameters receive them, or the
/// argument Go would refuse and why.
pub fn typed_args(name: &str, args: Vec<Value>) -> Result<Vec<Value>, ArgError> {
    let params = params(name);
    args.into_iter()
        .enumerate()
        .map(|(index, arg)| {
            let param = params[index.min(params.len() - 1)];
            let expected = match param {
                Param::Any => return Ok(arg.settled()),
                Param::Str => "string",
                Param::Int => "int",
                Param::Bool => "bool",
                Param::Map => "map[string]interface {}",
            };
            match (param, arg) {
                (Param::Str, v @ Value::Str(_))
                | (Param::Int, v @ Value::Int(_))
                | (Param::Bool, v @ Value::Bool(_))
                | (Param::Map, v @ Value::Map(_)) => Ok(v),
                // A nil map is a map; nil is no string, number or bool.
                (Param::Map, Value::Nil) => Ok(Value::Map(BTreeMap::new())),
                (_, Value::Nil) => Err(ArgError::Nil { index, expected }),
                (_, other) => Err(ArgError::WrongType {
                    index,
                    expected,
                    got: other.type_name(),
                }),
            }
        })
        .collect()
}

/// Calls a function of Go's or Sprig's that labrun renders (not those of
/// [`EVALUATOR`]).
pub fn call(name: &str, args: Vec<Value>) -> Result<Value, FuncError> {
    if go::NAMES.contains(&name) {
        go::call(name, args)
    } else if sprig::NAMES.contains(&name) {
        sprig::call(name, args)
    } else {
        Err(FuncError::NotDefined(name.to_string()))
    }
}

/// `args` are the `n` a function takes, or Go's error saying so.
fn arity(name: &str, args: &[Value], n: usize) -> Result<(), FuncError> {
    if args.len() == n {
        Ok(())
    } else {
        Err(FuncError::Arity {
            name: name.to_string(),
            want: n,
            got: args.len(),
        })
    }
}

/// A string value, for the tests of every family.
#[cfg(test)]
fn s(text: &str) -> Value {
    Value::Str(text.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sorted_into_known_and_unknown() {
        assert!(check_name("hasKey").is_ok());
        let err = check_name("tpl").unwrap_err();
        assert_eq!(err.kind, super::super::ErrorKind::Unsupported);
        assert!(
            check_name("haskey")
                .unwrap_err()
                .message
                .contains("not defined")
        );
    }

    #[test]
    fn every_name_a_family_lists_is_one_it_calls() {
        for name in go::NAMES.iter().chain(sprig::NAMES) {
            // Any error but "not defined": the family has an arm for it.
            let called = call(name, vec![]);
            assert_ne!(
                called,
                Err(FuncError::NotDefined(name.to_string())),
                "{name}"
            );
        }
        assert_eq!(
            call("nope", vec![]),
            Err(FuncError::NotDefined("nope".into()))
        );
    }

    #[test]
    fn arguments_go_would_refuse_are_refused_before_the_call() {
        let nil_map = typed_args("hasKey", vec![Value::Nil, s("k")]).unwrap();
        assert_eq!(call("hasKey", nil_map).unwrap(), Value::Bool(false));
        let err = typed_args("hasKey", vec![Value::Missing, s("k")]).unwrap_err();
        assert_eq!(err.index(), 0);
        assert_eq!(
            err.to_string(),
            "wrong type for value; expected map[string]interface {}; got interface {}"
        );
        assert_eq!(
            typed_args("upper", vec![Value::Int(1)]),
            Err(ArgError::WrongType {
                index: 0,
                expected: "string",
                got: "int"
            })
        );
        assert_eq!(
            call("not", vec![]),
            Err(FuncError::Arity {
                name: "not".into(),
                want: 1,
                got: 0
            })
        );
    }
}
