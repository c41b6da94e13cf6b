//! Evaluating a parsed template against data, as Go's `text/template` does
//! with Helm's settings (a missing key is "no value" and prints as nothing).
//! Every output line remembers the template line it came from, so a check
//! on the rendered YAML can point into the learner's file. Work and output
//! are bounded: a template can loop or recurse, a check must still end.

use super::parse::{Node, Operand, Parsed, Pipe};
use super::value::Value;
use super::{ErrorKind, Rendered, TemplateError, funcs};

const MAX_OUTPUT_BYTES: usize = 1 << 20;
const MAX_STEPS: u64 = 1_000_000;
const MAX_CALL_DEPTH: usize = 32;

pub fn render(parsed: &Parsed, data: &Value) -> Result<Rendered, TemplateError> {
    let mut exec = Exec {
        parsed,
        vars: vec![("$".to_string(), data.clone())],
        steps: 0,
        calls: 0,
    };
    let mut out = Output::default();
    exec.walk(&parsed.root, data, &mut out)?;
    Ok(Rendered {
        text: out.text,
        lines: out.lines,
    })
}

/// The rendered text, and the template line each output line began on.
#[derive(Default)]
struct Output {
    text: String,
    lines: Vec<usize>,
    mid_line: bool,
}

impl Output {
    /// `literal`: template text, whose own newlines advance the source line;
    /// otherwise a value printed by the action on `line`.
    fn write(&mut self, s: &str, mut line: usize, literal: bool) -> Result<(), TemplateError> {
        if self.text.len() + s.len() > MAX_OUTPUT_BYTES {
            return Err(render_error(
                line,
                format!("renders more than {} KiB", MAX_OUTPUT_BYTES >> 10),
            ));
        }
        for c in s.chars() {
            if !self.mid_line {
                self.lines.push(line);
                self.mid_line = true;
            }
            self.text.push(c);
            if c == '\n' {
                self.mid_line = false;
                if literal {
                    line += 1;
                }
            }
        }
        Ok(())
    }
}

enum Flow {
    Normal,
    Break,
    Continue,
}

struct Exec<'p> {
    parsed: &'p Parsed,
    /// Variables in scope, innermost last; `$` is the data.
    vars: Vec<(String, Value)>,
    steps: u64,
    calls: usize,
}

fn render_error(line: usize, message: impl Into<String>) -> TemplateError {
    TemplateError {
        kind: ErrorKind::Render,
        line,
        message: message.into(),
    }
}

impl Exec<'_> {
    fn step(&mut self, line: usize) -> Result<(), TemplateError> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Err(render_error(
                line,
                "takes too long to render (more than a million steps)",
            ));
        }
        Ok(())
    }

    fn walk(
        &mut self,
        nodes: &[Node],
        dot: &Value,
        out: &mut Output,
    ) -> Result<Flow, TemplateError> {
        for node in nodes {
            match self.node(node, dot, out)? {
                Flow::Normal => {}
                flow => return Ok(flow),
            }
        }
        Ok(Flow::Normal)
    }

    /// Walks `nodes` in a scope of their own: variables declared inside end with them.
    fn scoped(
        &mut self,
        nodes: &[Node],
        dot: &Value,
        out: &mut Output,
    ) -> Result<Flow, TemplateError> {
        let mark = self.vars.len();
        let flow = self.walk(nodes, dot, out);
        self.vars.truncate(mark);
        flow
    }

    fn node(&mut self, node: &Node, dot: &Value, out: &mut Output) -> Result<Flow, TemplateError> {
        match node {
            Node::Text { text, line } => {
                out.write(text, *line, true)?;
            }
            Node::Output { pipe, line } => {
                self.step(*line)?;
                let value = self.pipe(pipe, dot)?;
                if pipe.decl.is_empty() {
                    out.write(&value.to_string(), *line, false)?;
                }
            }
            Node::Branch {
                with,
                pipe,
                then,
                otherwise,
                line,
            } => {
                self.step(*line)?;
                let mark = self.vars.len();
                let value = self.pipe(pipe, dot)?;
                let flow = match (value.truthy(), with) {
                    (true, true) => self.scoped(then, &value, out),
                    (true, false) => self.scoped(then, dot, out),
                    (false, _) => self.scoped(otherwise, dot, out),
                };
                self.vars.truncate(mark);
                return flow;
            }
            Node::Range {
                pipe,
                body,
                otherwise,
                line,
            } => return self.range(pipe, body, otherwise, *line, dot, out),
            Node::Call { name, pipe, line } => {
                let data = match pipe {
                    Some(pipe) => self.pipe(pipe, dot)?,
                    None => Value::Nil,
                };
                self.call_template(name, &data, *line, out)?;
            }
            Node::Break { .. } => return Ok(Flow::Break),
            Node::Continue { .. } => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn range(
        &mut self,
        pipe: &Pipe,
        body: &[Node],
        otherwise: &[Node],
        line: usize,
        dot: &Value,
        out: &mut Output,
    ) -> Result<Flow, TemplateError> {
        let mark = self.vars.len();
        // The variables are bound per item below, not to the whole value.
        let bare = Pipe {
            decl: Vec::new(),
            ..pipe.clone()
        };
        let value = self.pipe(&bare, dot)?;
        let count = match &value {
            Value::List(items) => items.len(),
            Value::Map(map) => map.len(),
            Value::Int(n) => usize::try_from(*n).unwrap_or(0),
            Value::Nil => 0,
            other => {
                return Err(render_error(
                    line,
                    format!("range can't iterate over {other}"),
                ));
            }
        };
        if count == 0 {
            let flow = self.scoped(otherwise, dot, out);
            self.vars.truncate(mark);
            // A `break` in the `else` belongs to an enclosing range.
            return flow;
        }
        let mut keys = match &value {
            Value::Map(map) => map.keys().cloned().collect(),
            _ => Vec::new(),
        }
        .into_iter();
        for index in 0..count {
            self.step(line)?;
            let (key, item) = match &value {
                Value::List(items) => (Value::Int(index as i64), items[index].clone()),
                Value::Map(map) => {
                    let key = keys.next().unwrap_or_default();
                    let item = map.get(&key).cloned().unwrap_or(Value::Nil);
                    (Value::Str(key), item)
                }
                _ => (Value::Int(index as i64), Value::Int(index as i64)),
            };
            match pipe.decl.as_slice() {
                [one] => self.vars.push((one.clone(), item.clone())),
                [k, v] => {
                    self.vars.push((k.clone(), key));
                    self.vars.push((v.clone(), item.clone()));
                }
                _ => {}
            }
            let flow = self.scoped(body, &item, out);
            self.vars.truncate(mark);
            if let Flow::Break = flow? {
                break;
            }
        }
        Ok(Flow::Normal)
    }

    fn call_template(
        &mut self,
        name: &str,
        data: &Value,
        line: usize,
        out: &mut Output,
    ) -> Result<(), TemplateError> {
        let Some(body) = self.parsed.defines.get(name) else {
            return Err(TemplateError {
                kind: ErrorKind::Unsupported,
                line,
                message: format!(
                    "template calls \"{name}\", which is not defined in this file; labrun renders one template file alone, without the chart's other templates"
                ),
            });
        };
        self.calls += 1;
        if self.calls > MAX_CALL_DEPTH {
            return Err(render_error(
                line,
                format!("template \"{name}\" calls itself more than {MAX_CALL_DEPTH} levels deep"),
            ));
        }
        // A named template sees only its own `$`.
        let outer = std::mem::replace(&mut self.vars, vec![("$".to_string(), data.clone())]);
        let result = self.walk(body, data, out);
        self.vars = outer;
        self.calls -= 1;
        result.map(|_| ())
    }

    fn pipe(&mut self, pipe: &Pipe, dot: &Value) -> Result<Value, TemplateError> {
        let mut value: Option<Value> = None;
        for cmd in &pipe.cmds {
            self.step(pipe.line)?;
            value = Some(self.command(cmd, dot, value, pipe.line)?.settled());
        }
        let value = value.unwrap_or(Value::Nil);
        match pipe.decl.as_slice() {
            [] => {}
            [name] if pipe.assign => {
                let slot = self
                    .vars
                    .iter_mut()
                    .rev()
                    .find(|(n, _)| n == name)
                    .ok_or_else(|| {
                        render_error(pipe.line, format!("undefined variable: {name}"))
                    })?;
                slot.1 = value.clone();
            }
            names => {
                for name in names {
                    self.vars.push((name.clone(), value.clone()));
                }
            }
        }
        Ok(value)
    }

    fn command(
        &mut self,
        cmd: &[Operand],
        dot: &Value,
        piped: Option<Value>,
        line: usize,
    ) -> Result<Value, TemplateError> {
        let Operand::Func(name) = &cmd[0] else {
            // The parser allows a non-function only alone and first in a pipeline.
            return self.operand(&cmd[0], dot, line);
        };
        let args = &cmd[1..];
        match name.as_str() {
            "and" | "or" => {
                let want = name == "or";
                if args.is_empty() && piped.is_none() {
                    return Err(render_error(
                        line,
                        format!("wrong number of args for {name}: want at least 1 got 0"),
                    ));
                }
                let mut last = Value::Nil;
                for arg in args {
                    last = self.operand(arg, dot, line)?;
                    if last.truthy() == want {
                        return Ok(last);
                    }
                }
                Ok(piped.unwrap_or(last))
            }
            _ => {
                let mut values = Vec::with_capacity(args.len() + 1);
                for arg in args {
                    values.push(self.operand(arg, dot, line)?);
                }
                values.extend(piped);
                let values = funcs::typed_args(name, values).map_err(|e| {
                    render_error(line, format!("{name}: argument {}: {e}", e.index() + 1))
                })?;
                if name == "include" {
                    return self.include(values, line);
                }
                funcs::call(name, values)
                    .map_err(|e| render_error(line, format!("error calling {name}: {e}")))
            }
        }
    }

    /// Helm's `include`: a named template rendered to a string.
    fn include(&mut self, args: Vec<Value>, line: usize) -> Result<Value, TemplateError> {
        let mut args = args.into_iter();
        let (Some(Value::Str(name)), data, None) = (args.next(), args.next(), args.next()) else {
            return Err(render_error(
                line,
                "include wants a template name and one value",
            ));
        };
        let mut out = Output::default();
        self.call_template(&name, &data.unwrap_or(Value::Nil), line, &mut out)?;
        Ok(Value::Str(out.text))
    }

    fn operand(
        &mut self,
        operand: &Operand,
        dot: &Value,
        line: usize,
    ) -> Result<Value, TemplateError> {
        let (base, chain) = match operand {
            Operand::Dot => return Ok(dot.clone()),
            Operand::Lit(v) => return Ok(v.clone()),
            Operand::Func(_) => {
                return self.command(std::slice::from_ref(operand), dot, None, line);
            }
            Operand::Field(chain) => (dot.clone(), chain),
            Operand::Var(name, chain) => {
                let value = self
                    .vars
                    .iter()
                    .rev()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
                    .ok_or_else(|| render_error(line, format!("undefined variable: {name}")))?;
                (value, chain)
            }
            Operand::Nested(pipe, chain) => (self.pipe(pipe, dot)?, chain),
        };
        fields(base, chain, line)
    }
}

/// `.a.b` on a value, as Go with Helm's `missingkey=zero`: a missing key is
/// a nil `interface{}` ([`Value::Missing`]), a field of that is an error, a
/// field of the invalid value ([`Value::Nil`]) is nil; a field of a string or
/// a list is an error.
fn fields(mut value: Value, chain: &[String], line: usize) -> Result<Value, TemplateError> {
    for name in chain {
        value = match value {
            Value::Map(mut map) => map.remove(name).unwrap_or(Value::Missing),
            Value::Nil => Value::Nil,
            Value::Missing => {
                return Err(render_error(
                    line,
                    format!("nil pointer evaluating interface {{}}.{name}"),
                ));
            }
            other => {
                return Err(render_error(
                    line,
                    format!("can't evaluate field {name} in type {}", other.type_name()),
                ));
            }
        };
    }
    Ok(value)
}
