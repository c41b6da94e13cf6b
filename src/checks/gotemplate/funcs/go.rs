//! Go's `text/template` built-in functions: `not`, `len`, `index`, the
//! `print` family and the comparisons, with Go's own rules (and error
//! words) for what compares with what.

use super::{FuncError, arity};
use crate::checks::gotemplate::value::{Value, go_float};
use std::fmt::Write;

pub(super) const NAMES: &[&str] = &[
    "not", "len", "index", "print", "printf", "println", "eq", "ne", "lt", "le", "gt", "ge",
];

/// Calls one of [`NAMES`].
pub(super) fn call(name: &str, args: Vec<Value>) -> Result<Value, FuncError> {
    let arity = |n| arity(name, &args, n);
    Ok(match name {
        "not" => {
            arity(1)?;
            Value::Bool(!args[0].truthy())
        }
        "len" => {
            arity(1)?;
            Value::Int(match &args[0] {
                Value::Str(s) => s.len(),
                Value::List(l) => l.len(),
                Value::Map(m) => m.len(),
                other => return Err(FuncError::LenOf(other.type_name())),
            } as i64)
        }
        "index" => index(args)?,
        "print" => Value::Str(go_print(&args)),
        "println" => Value::Str(
            args.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ")
                + "\n",
        ),
        "printf" => {
            let Some(Value::Str(format)) = args.first() else {
                return Err(FuncError::NoFormat);
            };
            Value::Str(printf(format, &args[1..]))
        }
        "eq" => Value::Bool(eq(&args)?),
        "ne" => {
            arity(2)?;
            Value::Bool(!eq(&args)?)
        }
        "lt" | "le" | "gt" | "ge" => {
            arity(2)?;
            let order = compare(&args[0], &args[1])?;
            Value::Bool(match name {
                "lt" => order.is_lt(),
                "le" => order.is_le(),
                "gt" => order.is_gt(),
                _ => order.is_ge(),
            })
        }
        other => return Err(FuncError::NotDefined(other.to_string())),
    })
}

fn index(args: Vec<Value>) -> Result<Value, FuncError> {
    let mut args = args.into_iter();
    let mut item = args.next().ok_or(FuncError::IndexOfNothing)?;
    for key in args {
        item = match (item, &key) {
            (Value::Map(mut m), Value::Str(k)) => m.remove(k).unwrap_or(Value::Nil),
            (Value::Nil, _) => return Err(FuncError::IndexOfNil),
            (Value::List(mut l), Value::Int(i)) => {
                let len = l.len();
                usize::try_from(*i)
                    .ok()
                    .filter(|i| *i < len)
                    .map(|i| l.swap_remove(i))
                    .ok_or(FuncError::IndexOutOfRange(*i))?
            }
            (item, key) => {
                return Err(FuncError::CannotIndex {
                    item: item.type_name(),
                    key: key.type_name(),
                });
            }
        };
    }
    Ok(item)
}

/// Go's `fmt.Sprint`: a space between operands when neither is a string.
fn go_print(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, arg) in args.iter().enumerate() {
        let is_str = |v: &Value| matches!(v, Value::Str(_));
        if i > 0 && !is_str(arg) && !is_str(&args[i - 1]) {
            out.push(' ');
        }
        out.push_str(&arg.to_string());
    }
    out
}

/// Go's `%q` of a string.
pub(super) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `printf` for the verbs templates use: `%s %v %d %q %t %f %%`, with an
/// optional width (bounded) and precision.
fn printf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = String::new();
        while let Some(&d) = chars
            .peek()
            .filter(|d| d.is_ascii_digit() || matches!(d, '.' | '-' | '+' | ' ' | '0' | '#'))
        {
            spec.push(d);
            chars.next();
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.next() else {
            let _ = write!(out, "%!{verb}(MISSING)");
            continue;
        };
        let (width, precision) = match spec
            .trim_start_matches(['-', '+', ' ', '#'])
            .split_once('.')
        {
            Some((w, p)) => (w.parse::<usize>().ok(), p.parse::<usize>().ok()),
            None => (
                spec.trim_start_matches(['-', '+', ' ', '#'])
                    .parse::<usize>()
                    .ok(),
                None,
            ),
        };
        let body = match (verb, arg) {
            ('d', Value::Int(i)) => i.to_string(),
            ('f' | 'F', Value::Float(x)) => format!("{x:.*}", precision.unwrap_or(6)),
            ('f' | 'F', Value::Int(i)) => format!("%!f(int={i})"),
            ('g', Value::Float(x)) => go_float(*x),
            ('q', v) => go_quote(&v.to_string()),
            ('t', Value::Bool(b)) => b.to_string(),
            ('s' | 'v', Value::Nil) => "<nil>".into(),
            ('s' | 'v', v) => v.to_string(),
            (verb, v) => format!("%!{verb}({}={v})", v.type_name()),
        };
        let width = width.unwrap_or(0).min(1024);
        let pad = width.saturating_sub(body.chars().count());
        if spec.starts_with('-') {
            out.push_str(&body);
            out.extend(std::iter::repeat_n(' ', pad));
        } else {
            let fill = if spec.starts_with('0') && verb != 's' {
                '0'
            } else {
                ' '
            };
            out.extend(std::iter::repeat_n(fill, pad));
            out.push_str(&body);
        }
    }
    let extra: Vec<String> = args.map(|a| format!("{}={a}", a.type_name())).collect();
    if !extra.is_empty() {
        let _ = write!(out, "%!(EXTRA {})", extra.join(", "));
    }
    out
}

/// Go's `eq arg1 arg2…`: true if arg1 equals any of the others. Different
/// kinds compare unequal when one is nil, and are an error otherwise.
fn eq(args: &[Value]) -> Result<bool, FuncError> {
    let Some((first, others)) = args.split_first().filter(|(_, o)| !o.is_empty()) else {
        return Err(FuncError::MissingComparand);
    };
    for other in others {
        let equal = match (first, other) {
            (Value::Nil, Value::Nil) => true,
            (Value::Nil, _) | (_, Value::Nil) => false,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::List(_) | Value::Map(_), _) | (_, Value::List(_) | Value::Map(_)) => {
                return Err(FuncError::NotComparable);
            }
            _ => return Err(FuncError::IncompatibleTypes),
        };
        if equal {
            return Ok(true);
        }
    }
    Ok(false)
}

fn compare(a: &Value, b: &Value) -> Result<std::cmp::Ordering, FuncError> {
    match (a, b) {
        (Value::Int(a), Value::Int(b)) => Ok(a.cmp(b)),
        (Value::Float(a), Value::Float(b)) => a.partial_cmp(b).ok_or(FuncError::NaN),
        (Value::Str(a), Value::Str(b)) => Ok(a.cmp(b)),
        (a, b) if a.type_name() == b.type_name() => {
            Err(FuncError::InvalidComparison(a.type_name()))
        }
        _ => Err(FuncError::IncompatibleTypes),
    }
}

#[cfg(test)]
mod tests {
    use super::super::s;
    use super::*;

    #[test]
    fn comparisons_follow_go() {
        assert_eq!(eq(&[Value::Nil, s("x")]), Ok(false));
        assert_eq!(
            eq(&[Value::Int(1), s("1")]),
            Err(FuncError::IncompatibleTypes)
        );
        assert_eq!(eq(&[s("a"), s("b"), s("a")]), Ok(true));
        assert_eq!(
            compare(&Value::Int(1), &Value::Float(1.0)),
            Err(FuncError::IncompatibleTypes)
        );
    }

    #[test]
    fn printf_and_index_as_go_has_them() {
        assert_eq!(
            call(
                "printf",
                vec![s("%s-%d|%5s|%q"), s("a"), Value::Int(3), s("b"), s("c")]
            )
            .unwrap(),
            s("a-3|    b|\"c\"")
        );
        let list = Value::List(vec![s("a")]);
        assert_eq!(
            call("index", vec![list, Value::Int(3)]),
            Err(FuncError::IndexOutOfRange(3))
        );
    }
}
