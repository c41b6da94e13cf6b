//! A walk over a parsed script that gathers what the readings need, with
//! line numbers: every simple command (its words as written), the functions
//! it defines, the variables it reads, and the counters it writes (a number,
//! `$((…))`, `let`, `((…))`). Command substitutions (`$(…)`, backquotes) are
//! parsed and walked in turn, so `x=$(jq …)` counts `jq` as called.

use brush_parser::ast::{self, SourceLocation};
use brush_parser::word::{self, Parameter, ParameterExpr, WordPiece, WordPieceWithSource};
use std::collections::BTreeSet;

/// How deep command substitutions are followed (`$( $( … ) )`).
const MAX_SUBSTITUTION_DEPTH: usize = 16;

/// One simple command as written.
#[derive(Debug, Clone)]
pub(crate) struct SimpleCommand {
    pub line: usize,
    /// The command word and its arguments, unexpanded (quotes kept); no
    /// assignments or redirections.
    pub words: Vec<String>,
    /// Inside `$(…)` or backquotes: an `exit` there leaves only the subshell.
    pub in_substitution: bool,
}

/// A variable read (`$x`, `${x}`, a bare name in arithmetic) or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VarUse {
    pub name: String,
    pub line: usize,
    /// A read inside the variable's own update (`x=$((x + 1))`, `let x++`):
    /// it does not make the value matter to the rest of the script.
    pub self_update: bool,
}

#[derive(Debug, Default)]
pub(crate) struct Facts {
    pub commands: Vec<SimpleCommand>,
    pub functions: BTreeSet<String>,
    pub reads: Vec<VarUse>,
    /// Writes of a number or an arithmetic result: what a result counter is.
    pub counters: Vec<VarUse>,
}

pub(crate) fn facts(program: &ast::Program) -> Facts {
    let mut walker = Walker::default();
    walker.program(program);
    walker.facts
}

/// The first line of `node`, 1-based.
pub(crate) fn line_of(node: &impl SourceLocation) -> Option<usize> {
    node.location().map(|span| span.start.line)
}

#[derive(Default)]
struct Walker {
    facts: Facts,
    /// Lines before the text being walked (inside a command substitution).
    base: usize,
    substitution_depth: usize,
    options: brush_parser::ParserOptions,
}

impl Walker {
    fn program(&mut self, program: &ast::Program) {
        for list in &program.complete_commands {
            self.list(list);
        }
    }

    fn line(&self, node: &impl SourceLocation, fallback: usize) -> usize {
        line_of(node).map_or(fallback, |line| line + self.base)
    }

    fn list(&mut self, list: &ast::CompoundList) {
        for ast::CompoundListItem(and_or, _) in &list.0 {
            self.pipeline(&and_or.first);
            for next in &and_or.additional {
                match next {
                    ast::AndOr::And(p) | ast::AndOr::Or(p) => self.pipeline(p),
                }
            }
        }
    }

    fn pipeline(&mut self, pipeline: &ast::Pipeline) {
        for command in &pipeline.seq {
            self.command(command);
        }
    }

    fn command(&mut self, command: &ast::Command) {
        let line = self.line(command, self.base + 1);
        match command {
            ast::Command::Simple(simple) => self.simple(simple, line),
            ast::Command::Compound(compound, _) => self.compound(compound, line),
            ast::Command::Function(function) => {
                self.facts.functions.insert(function.fname.value.clone());
                self.compound(&function.body.0, line);
            }
            ast::Command::ExtendedTest(test, _) => self.extended_test(&test.expr, line),
        }
    }

    fn compound(&mut self, compound: &ast::CompoundCommand, line: usize) {
        use ast::CompoundCommand as C;
        let line = self.line(compound, line);
        match compound {
            C::Arithmetic(a) => self.arithmetic(&a.expr.value, line, None),
            C::ArithmeticForClause(f) => {
                for part in [&f.initializer, &f.condition, &f.updater]
                    .into_iter()
                    .flatten()
                {
                    self.arithmetic(&part.value, line, None);
                }
                self.list(&f.body.list);
            }
            C::BraceGroup(b) => self.list(&b.list),
            C::Subshell(s) => self.list(&s.list),
            C::ForClause(f) => {
                for value in f.values.iter().flatten() {
                    self.word(&value.value, line, None);
                }
                self.list(&f.body.list);
            }
            C::CaseClause(c) => {
                self.word(&c.value.value, line, None);
                for item in &c.cases {
                    if let Some(body) = &item.cmd {
                        self.list(body);
                    }
                }
            }
            C::IfClause(i) => {
                self.list(&i.condition);
                self.list(&i.then);
                for other in i.elses.iter().flatten() {
                    if let Some(condition) = &other.condition {
                        self.list(condition);
                    }
                    self.list(&other.body);
                }
            }
            C::WhileClause(w) | C::UntilClause(w) => {
                self.list(&w.0);
                self.list(&w.1.list);
            }
            C::Coprocess(c) => self.command(&c.body),
        }
    }

    fn simple(&mut self, simple: &ast::SimpleCommand, line: usize) {
        use ast::CommandPrefixOrSuffixItem as Item;
        let prefix = simple.prefix.iter().flat_map(|p| &p.0).map(|i| (i, true));
        let suffix = simple.suffix.iter().flat_map(|s| &s.0).map(|i| (i, false));
        let mut words: Vec<String> = simple
            .word_or_name
            .iter()
            .map(|w| w.value.clone())
            .collect();
        // Words whose reads are still to be gathered (an assignment's are already).
        let mut unread = vec![true; words.len()];
        for (item, in_prefix) in prefix.chain(suffix) {
            match item {
                Item::AssignmentWord(assignment, word) => {
                    self.assignment(assignment, line);
                    // `local x=1`: an argument of a declaration builtin too.
                    if !in_prefix {
                        words.push(word.value.clone());
                        unread.push(false);
                    }
                }
                Item::Word(word) => {
                    words.push(word.value.clone());
                    unread.push(true);
                }
                Item::ProcessSubstitution(_, subshell) => self.list(&subshell.list),
                Item::IoRedirect(ast::IoRedirect::File(
                    _,
                    _,
                    ast::IoFileRedirectTarget::Filename(w),
                )) => self.word(&w.value, line, None),
                Item::IoRedirect(_) => {}
            }
        }
        for (index, word) in words.iter().enumerate() {
            // The command word itself only matters as a read (`$CMD args`).
            if unread[index] {
                self.word(word, line, None);
            }
            if index > 0 && words[0] == "let" {
                self.arithmetic(&unquoted(word), line, None);
            }
            if index > 0 && unread[index] && is_declaration(&words[0]) {
                self.declared(word, line);
            }
        }
        if !words.is_empty() {
            self.facts.commands.push(SimpleCommand {
                line,
                words,
                in_substitution: self.substitution_depth > 0,
            });
        }
    }

    /// `NAME=VALUE` given to `local`, `declare`, `export`, … as a plain word.
    fn declared(&mut self, word: &str, line: usize) {
        if let Some((name, value)) = word.split_once('=')
            && is_name(name)
            && is_counter_value(value)
        {
            self.counter(name, line);
        }
    }

    fn assignment(&mut self, assignment: &ast::Assignment, line: usize) {
        let line = self.line(assignment, line);
        let name = match &assignment.name {
            ast::AssignmentName::VariableName(n) | ast::AssignmentName::ArrayElementName(n, _) => {
                n.clone()
            }
        };
        match &assignment.value {
            ast::AssignmentValue::Scalar(value) => {
                if is_counter_value(&value.value) {
                    self.counter(&name, line);
                }
                self.word(&value.value, line, Some(&name));
            }
            ast::AssignmentValue::Array(values) => {
                for (key, value) in values {
                    for w in key.iter().chain([value]) {
                        self.word(&w.value, line, Some(&name));
                    }
                }
            }
        }
    }

    fn counter(&mut self, name: &str, line: usize) {
        self.facts.counters.push(VarUse {
            name: name.to_string(),
            line,
            self_update: false,
        });
    }

    fn read(&mut self, name: &str, line: usize, updating: Option<&str>) {
        self.facts.reads.push(VarUse {
            name: name.to_string(),
            line,
            self_update: updating == Some(name),
        });
    }

    /// The reads in a word, and the commands of its substitutions.
    fn word(&mut self, raw: &str, line: usize, updating: Option<&str>) {
        if !raw.contains(['$', '`']) {
            return;
        }
        match word::parse(raw, &self.options) {
            Ok(pieces) => self.pieces(&pieces, raw, line, updating),
            Err(_) => {
                // Not a word brush reads: the `$name`s in it still count.
                for name in dollar_names(raw) {
                    self.read(&name, line, updating);
                }
            }
        }
    }

    fn pieces(
        &mut self,
        pieces: &[WordPieceWithSource],
        raw: &str,
        line: usize,
        updating: Option<&str>,
    ) {
        for piece in pieces {
            let here = line
                + raw
                    .get(..piece.start_index)
                    .map_or(0, |s| s.matches('\n').count());
            match &piece.piece {
                WordPiece::DoubleQuotedSequence(inner)
                | WordPiece::GettextDoubleQuotedSequence(inner) => {
                    self.pieces(inner, raw, line, updating);
                }
                WordPiece::ParameterExpansion(expr) => self.parameter(expr, here, updating),
                WordPiece::CommandSubstitution(text)
                | WordPiece::BackquotedCommandSubstitution(text) => {
                    self.substitution(text, here);
                }
                WordPiece::ArithmeticExpression(expr) => {
                    self.arithmetic(&expr.value, here, updating)
                }
                WordPiece::Text(_)
                | WordPiece::SingleQuotedText(_)
                | WordPiece::AnsiCQuotedText(_)
                | WordPiece::TildeExpansion(_)
                | WordPiece::EscapeSequence(_) => {}
            }
        }
    }

    fn parameter(&mut self, expr: &ParameterExpr, line: usize, updating: Option<&str>) {
        use ParameterExpr as P;
        let (parameter, nested) = match expr {
            P::Parameter { parameter, .. }
            | P::ParameterLength { parameter, .. }
            | P::Substring { parameter, .. }
            | P::Transform { parameter, .. } => (parameter, None),
            P::UseDefaultValues {
                parameter,
                default_value: nested,
                ..
            }
            | P::AssignDefaultValues {
                parameter,
                default_value: nested,
                ..
            }
            | P::IndicateErrorIfNullOrUnset {
                parameter,
                error_message: nested,
                ..
            }
            | P::UseAlternativeValue {
                parameter,
                alternative_value: nested,
                ..
            }
            | P::RemoveSmallestSuffixPattern {
                parameter,
                pattern: nested,
                ..
            }
            | P::RemoveLargestSuffixPattern {
                parameter,
                pattern: nested,
                ..
            }
            | P::RemoveSmallestPrefixPattern {
                parameter,
                pattern: nested,
                ..
            }
            | P::RemoveLargestPrefixPattern {
                parameter,
                pattern: nested,
                ..
            }
            | P::UppercaseFirstChar {
                parameter,
                pattern: nested,
                ..
            }
            | P::UppercasePattern {
                parameter,
                pattern: nested,
                ..
            }
            | P::LowercaseFirstChar {
                parameter,
                pattern: nested,
                ..
            }
            | P::LowercasePattern {
                parameter,
                pattern: nested,
                ..
            } => (parameter, nested.as_ref()),
            P::ReplaceSubstring {
                parameter, pattern, ..
            } => (parameter, Some(pattern)),
            P::VariableNames { .. } | P::MemberKeys { .. } => return,
        };
        match parameter {
            Parameter::Named(name)
            | Parameter::NamedWithIndex { name, .. }
            | Parameter::NamedWithAllIndices { name, .. } => self.read(name, line, updating),
            Parameter::Positional(_) | Parameter::Special(_) => {}
        }
        if let Some(nested) = nested {
            self.word(nested, line, updating);
        }
    }

    fn substitution(&mut self, text: &str, line: usize) {
        if self.substitution_depth >= MAX_SUBSTITUTION_DEPTH {
            return;
        }
        let Ok(program) = super::parse_here(text) else {
            return;
        };
        let saved = self.base;
        self.base = line - 1;
        self.substitution_depth += 1;
        self.program(&program);
        self.substitution_depth -= 1;
        self.base = saved;
    }

    /// The reads and counter writes of an arithmetic expression (`x + 1`,
    /// `result++`, `a = b * 2`), bare names included.
    fn arithmetic(&mut self, text: &str, line: usize, updating: Option<&str>) {
        let cleaned: String = text
            .chars()
            .filter(|c| !matches!(c, '$' | '{' | '}'))
            .collect();
        match brush_parser::arithmetic::parse(&cleaned) {
            Ok(expr) => self.arithmetic_expr(&expr, line, updating),
            Err(_) => {
                for name in identifiers(&cleaned) {
                    self.read(&name, line, updating);
                }
            }
        }
    }

    fn arithmetic_expr(&mut self, expr: &ast::ArithmeticExpr, line: usize, updating: Option<&str>) {
        use ast::ArithmeticExpr as A;
        match expr {
            A::Literal(_) => {}
            A::Reference(target) => self.target(target, line, updating),
            A::UnaryOp(_, e) => self.arithmetic_expr(e, line, updating),
            A::BinaryOp(_, a, b) => {
                self.arithmetic_expr(a, line, updating);
                self.arithmetic_expr(b, line, updating);
            }
            A::Conditional(a, b, c) => {
                for e in [a, b, c] {
                    self.arithmetic_expr(e, line, updating);
                }
            }
            A::Assignment(target, e) | A::BinaryAssignment(_, target, e) => {
                let name = target_name(target);
                self.counter(name, line);
                self.arithmetic_expr(e, line, Some(name));
            }
            A::UnaryAssignment(_, target) => self.counter(target_name(target), line),
        }
    }

    fn target(&mut self, target: &ast::ArithmeticTarget, line: usize, updating: Option<&str>) {
        match target {
            ast::ArithmeticTarget::Variable(name) => self.read(name, line, updating),
            ast::ArithmeticTarget::ArrayElement(name, index) => {
                self.read(name, line, updating);
                self.arithmetic_expr(index, line, updating);
            }
        }
    }

    fn extended_test(&mut self, expr: &ast::ExtendedTestExpr, line: usize) {
        use ast::ExtendedTestExpr as E;
        match expr {
            E::And(a, b) | E::Or(a, b) => {
                self.extended_test(a, line);
                self.extended_test(b, line);
            }
            E::Not(e) | E::Parenthesized(e) => self.extended_test(e, line),
            E::UnaryTest(_, w) => self.word(&w.value, line, None),
            E::BinaryTest(predicate, left, right) => {
                for w in [left, right] {
                    self.word(&w.value, line, None);
                    // `[[ result -ne 0 ]]`: the operands are arithmetic.
                    if is_arithmetic_test(predicate) {
                        self.arithmetic(&unquoted(&w.value), line, None);
                    }
                }
            }
        }
    }
}

fn target_name(target: &ast::ArithmeticTarget) -> &str {
    match target {
        ast::ArithmeticTarget::Variable(name) | ast::ArithmeticTarget::ArrayElement(name, _) => {
            name
        }
    }
}

fn is_arithmetic_test(predicate: &ast::BinaryPredicate) -> bool {
    use ast::BinaryPredicate as B;
    matches!(
        predicate,
        B::ArithmeticEqualTo
            | B::ArithmeticNotEqualTo
            | B::ArithmeticLessThan
            | B::ArithmeticLessThanOrEqualTo
            | B::ArithmeticGreaterThan
            | B::ArithmeticGreaterThanOrEqualTo
    )
}

fn is_declaration(command: &str) -> bool {
    matches!(
        command,
        "local" | "declare" | "typeset" | "export" | "readonly"
    )
}

/// A value a result counter holds: a number, or an arithmetic result.
fn is_counter_value(raw: &str) -> bool {
    let raw = raw.trim_matches(['"', '\'']);
    raw.parse::<i64>().is_ok() || (raw.starts_with("$((") && raw.ends_with("))"))
}

pub(crate) fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// A word without its quotes (for arithmetic and `let` arguments).
fn unquoted(raw: &str) -> String {
    raw.chars().filter(|c| !matches!(c, '"' | '\'')).collect()
}

/// The names in `$name` and `${name…}` of a text brush could not read.
fn dollar_names(raw: &str) -> Vec<String> {
    raw.split('$')
        .skip(1)
        .filter_map(|rest| {
            let rest = rest.strip_prefix('{').unwrap_or(rest);
            let name: String = rest
                .chars()
                .take_while(|c| *c == '_' || c.is_ascii_alphanumeric())
                .collect();
            is_name(&name).then_some(name)
        })
        .collect()
}

fn identifiers(text: &str) -> Vec<String> {
    text.split(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
        .filter(|w| is_name(w))
        .map(str::to_string)
        .collect()
}
