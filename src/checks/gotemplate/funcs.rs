//! The functions a template may call: Go's built-ins and the few Sprig and
//! Helm functions chart authors reach for in a manifest like the lesson's
//! (`hasKey`, `default`, `quote`, `b64enc`, `toYaml`, `nindent`, …). Any
//! other Sprig or Helm function is named as one labrun cannot render, so a
//! check says so instead of guessing.
//!
//! `and`, `or` and `include` need the evaluator (lazy arguments, named
//! templates) and live in `exec.rs`; they are listed here as supported.

use super::TemplateError;
use super::value::{Value, go_float};
use base64::Engine;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Implemented by [`call`] or by the evaluator itself.
const SUPPORTED: &[&str] = &[
    "and",
    "or",
    "not",
    "len",
    "index",
    "print",
    "printf",
    "println",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "include",
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

/// Go, Sprig and Helm functions labrun knows of but does not render.
const KNOWN_UNSUPPORTED: &[&str] = &[
    // Go's text/template
    "call",
    "html",
    "js",
    "urlquery",
    "slice",
    // Helm
    "tpl",
    "lookup",
    "toToml",
    "fromYaml",
    "fromYamlArray",
    "fromJson",
    "fromJsonArray",
    "mustToJson",
    "toPrettyJson",
    "toRawJson",
    "mustToPrettyJson",
    "mustToRawJson",
    // Sprig: strings
    "abbrev",
    "abbrevboth",
    "camelcase",
    "cat",
    "initials",
    "kebabcase",
    "nospace",
    "plural",
    "randAlpha",
    "randAlphaNum",
    "randAscii",
    "randNumeric",
    "repeat",
    "shuffle",
    "snakecase",
    "substr",
    "swapcase",
    "title",
    "trimAll",
    "trunc",
    "untitle",
    "wrap",
    "wrapWith",
    "split",
    "splitList",
    "splitn",
    "join",
    "sortAlpha",
    "toStrings",
    "regexMatch",
    "regexFind",
    "regexFindAll",
    "regexReplaceAll",
    "regexReplaceAllLiteral",
    "regexSplit",
    "regexQuoteMeta",
    "mustRegexMatch",
    "mustRegexFind",
    "mustRegexFindAll",
    "mustRegexReplaceAll",
    "mustRegexReplaceAllLiteral",
    "mustRegexSplit",
    // Sprig: numbers and conversion
    "add",
    "add1",
    "sub",
    "div",
    "mod",
    "mul",
    "max",
    "min",
    "floor",
    "ceil",
    "round",
    "biggest",
    "addf",
    "add1f",
    "subf",
    "divf",
    "mulf",
    "maxf",
    "minf",
    "atoi",
    "int",
    "int64",
    "float64",
    "toDecimal",
    "until",
    "untilStep",
    "seq",
    // Sprig: lists and dicts
    "first",
    "rest",
    "last",
    "initial",
    "append",
    "push",
    "prepend",
    "concat",
    "reverse",
    "uniq",
    "without",
    "has",
    "compact",
    "chunk",
    "mustFirst",
    "mustRest",
    "mustLast",
    "mustInitial",
    "mustAppend",
    "mustPush",
    "mustPrepend",
    "mustReverse",
    "mustUniq",
    "mustWithout",
    "mustHas",
    "mustCompact",
    "mustChunk",
    "mustSlice",
    "get",
    "set",
    "unset",
    "keys",
    "pick",
    "omit",
    "values",
    "merge",
    "mergeOverwrite",
    "mustMerge",
    "mustMergeOverwrite",
    "deepCopy",
    "mustDeepCopy",
    "pluck",
    "dig",
    // Sprig: types, paths, encodings, crypto, dates, OS, network
    "typeOf",
    "typeIs",
    "typeIsLike",
    "kindOf",
    "kindIs",
    "deepEqual",
    "b32enc",
    "b32dec",
    "sha1sum",
    "sha256sum",
    "sha512sum",
    "adler32sum",
    "htpasswd",
    "derivePassword",
    "genPrivateKey",
    "buildCustomCert",
    "genCA",
    "genCAWithKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "encryptAES",
    "decryptAES",
    "randBytes",
    "randInt",
    "uuidv4",
    "now",
    "date",
    "dateInZone",
    "date_in_zone",
    "dateModify",
    "date_modify",
    "mustDateModify",
    "ago",
    "duration",
    "durationRound",
    "toDate",
    "mustToDate",
    "unixEpoch",
    "htmlDate",
    "htmlDateInZone",
    "env",
    "expandenv",
    "base",
    "dir",
    "clean",
    "ext",
    "isAbs",
    "osBase",
    "osDir",
    "osClean",
    "osExt",
    "osIsAbs",
    "getHostByName",
    "semver",
    "semverCompare",
    "urlParse",
    "urlJoin",
    "coalesceList",
    "all",
    "any",
    "fromJson",
    "mustFromJson",
    "toJson2",
];

/// Whether a template may call `name`: an unknown name is the template's
/// error (as in Helm), a known but unimplemented one is labrun's.
pub fn check_name(name: &str) -> Result<(), TemplateError> {
    if SUPPORTED.contains(&name) {
        Ok(())
    } else if KNOWN_UNSUPPORTED.contains(&name) {
        Err(TemplateError::unsupported(0, name))
    } else {
        Err(TemplateError::syntax(
            0,
            format!("function \"{name}\" not defined"),
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
/// argument (0-based) Go would refuse and why.
pub fn typed_args(name: &str, args: Vec<Value>) -> Result<Vec<Value>, (usize, String)> {
    let params = params(name);
    args.into_iter()
        .enumerate()
        .map(|(i, arg)| {
            let param = params[i.min(params.len() - 1)];
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
                (_, Value::Nil) => Err((i, format!("invalid value; expected {expected}"))),
                (_, other) => Err((
                    i,
                    format!(
                        "wrong type for value; expected {expected}; got {}",
                        other.type_name()
                    ),
                )),
            }
        })
        .collect()
}

/// Calls a function of [`SUPPORTED`] (other than `and`, `or`, `include`).
pub fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
    let arity = |n: usize| {
        if args.len() == n {
            Ok(())
        } else {
            Err(format!(
                "wrong number of args for {name}: want {n} got {}",
                args.len()
            ))
        }
    };
    let text = |v: &Value| v.to_string();
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
                other => return Err(format!("len of type {}", other.type_name())),
            } as i64)
        }
        "index" => index(args)?,
        "print" => Value::Str(go_print(&args)),
        "println" => Value::Str(args.iter().map(text).collect::<Vec<_>>().join(" ") + "\n"),
        "printf" => {
            let Some(Value::Str(format)) = args.first() else {
                return Err("printf needs a format string".into());
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
        "hasKey" => {
            arity(2)?;
            match (&args[0], &args[1]) {
                (Value::Map(m), Value::Str(k)) => Value::Bool(m.contains_key(k)),
                (m, k) => {
                    return Err(format!(
                        "hasKey wants a map and a string; got {} and {}",
                        m.type_name(),
                        k.type_name()
                    ));
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
                other => {
                    return Err(format!(
                        "ternary wants a bool condition, got {}",
                        other.type_name()
                    ));
                }
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
                return Err(format!("{name} wants a number of spaces first"));
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
                Value::Nil => return Err(text(&args[0])),
                Value::Str(s) if s.is_empty() => return Err(text(&args[0])),
                value => value.clone(),
            }
        }
        "fail" => {
            arity(1)?;
            return Err(text(&args[0]));
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
        other => return Err(format!("function \"{other}\" not defined")),
    })
}

fn index(args: Vec<Value>) -> Result<Value, String> {
    let mut args = args.into_iter();
    let mut item = args.next().ok_or("index of nothing")?;
    for key in args {
        item = match (item, &key) {
            (Value::Map(mut m), Value::Str(k)) => m.remove(k).unwrap_or(Value::Nil),
            (Value::Nil, _) => return Err("index of untyped nil".into()),
            (Value::List(mut l), Value::Int(i)) => {
                let len = l.len();
                usize::try_from(*i)
                    .ok()
                    .filter(|i| *i < len)
                    .map(|i| l.swap_remove(i))
                    .ok_or_else(|| format!("error calling index: index out of range: {i}"))?
            }
            (item, key) => {
                return Err(format!(
                    "can't index item of type {} with {}",
                    item.type_name(),
                    key.type_name()
                ));
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
fn go_quote(s: &str) -> String {
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
fn eq(args: &[Value]) -> Result<bool, String> {
    let Some((first, others)) = args.split_first().filter(|(_, o)| !o.is_empty()) else {
        return Err("missing argument for comparison".into());
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
                return Err("non-comparable type".into());
            }
            _ => return Err("incompatible types for comparison".into()),
        };
        if equal {
            return Ok(true);
        }
    }
    Ok(false)
}

fn compare(a: &Value, b: &Value) -> Result<std::cmp::Ordering, String> {
    match (a, b) {
        (Value::Int(a), Value::Int(b)) => Ok(a.cmp(b)),
        (Value::Float(a), Value::Float(b)) => {
            a.partial_cmp(b).ok_or_else(|| "NaN is not ordered".into())
        }
        (Value::Str(a), Value::Str(b)) => Ok(a.cmp(b)),
        (a, b) if a.type_name() == b.type_name() => {
            Err(format!("invalid type for comparison: {}", a.type_name()))
        }
        _ => Err("incompatible types for comparison".into()),
    }
}

fn to_json(value: &Value) -> serde_json::Value {
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
fn to_yaml(value: &Value) -> String {
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
    use super::*;

    fn s(text: &str) -> Value {
        Value::Str(text.into())
    }

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
        let err = typed_args("hasKey", vec![Value::Missing, s("k")]).unwrap_err();
        assert_eq!(
            err,
            (
                0,
                "wrong type for value; expected map[string]interface {}; got interface {}"
                    .to_string()
            )
        );
        assert!(typed_args("upper", vec![Value::Int(1)]).is_err());
        assert_eq!(
            call("required", vec![s("need it"), Value::Nil]).unwrap_err(),
            "need it"
        );
        assert_eq!(
            call(
                "printf",
                vec![s("%s-%d|%5s|%q"), s("a"), Value::Int(3), s("b"), s("c")]
            )
            .unwrap(),
            s("a-3|    b|\"c\"")
        );
    }

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

    #[test]
    fn comparisons_follow_go() {
        assert_eq!(eq(&[Value::Nil, s("x")]), Ok(false));
        assert!(eq(&[Value::Int(1), s("1")]).is_err());
        assert_eq!(eq(&[s("a"), s("b"), s("a")]), Ok(true));
        assert!(compare(&Value::Int(1), &Value::Float(1.0)).is_err());
    }

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
}
