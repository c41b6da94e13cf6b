//! Check scripts that cannot fail: read from the text, the ways a check
//! passes whatever the learner did — the mistakes authors report slipping
//! through Instruqt, where `track test --skip-fail-check` is the norm:
//! - it ends in an unconditional `exit 0` and has no other non-zero exit;
//! - it reports a failure (`fail-message`, a `FAIL:` or `DIAG:` line) yet
//!   has no non-zero exit path at all;
//! - a result counter spelled two ways (`FAILED=1`, then `[ $FAIL -ne 0 ]`);
//! - an `exit 1` commented out.
//!
//! "A non-zero exit path" is read generously, so that a finding is a real
//! mistake: `set -e`, any `exit`/`return` with a status other than a literal
//! 0 (or none), or a last command whose own status may be non-zero.

use super::ScriptsError;
use super::walk::{self, Facts, SimpleCommand};
use brush_parser::ast;
use std::collections::BTreeMap;
use std::fmt;

/// One way a check script cannot fail, at a line (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub line: usize,
    pub kind: FindingKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindingKind {
    /// The last command is `exit 0` and nothing else can exit non-zero.
    EndsInExitZero,
    /// `what` (`fail-message`, or a command printing `FAIL:`) reports a
    /// failure, but the script always exits 0.
    ReportsWithoutFailing { what: String },
    /// `counted` is counted but never read; the script reads `read` (at
    /// `read_line`) instead: one counter, two spellings.
    CounterSpelledTwoWays {
        counted: String,
        read: String,
        read_line: usize,
    },
    /// A comment that holds `exit` with a failing status (`# exit 1`).
    ExitCommentedOut { exit: String },
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FindingKind::EndsInExitZero => write!(
                f,
                "the check ends in `exit 0` and has no other way to exit non-zero: it passes whatever the learner did"
            ),
            FindingKind::ReportsWithoutFailing { what } => write!(
                f,
                "{what} reports a failure, but the check has no non-zero exit: it passes anyway"
            ),
            FindingKind::CounterSpelledTwoWays {
                counted,
                read,
                read_line,
            } => write!(
                f,
                "`{counted}` is counted here but never read; the check reads `{read}` (line {read_line}): one counter spelled two ways, so this condition never fails the check"
            ),
            FindingKind::ExitCommentedOut { exit } => write!(
                f,
                "`{exit}` is commented out: the condition it ended no longer fails the check"
            ),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.kind)
    }
}

/// The ways the check script `text` cannot fail, by line; empty for a check
/// that can. Meant for check scripts: a setup script ending in `exit 0` is
/// no mistake.
pub fn cannot_fail(text: &str) -> Result<Vec<Finding>, ScriptsError> {
    let (facts, ending) =
        super::with_program(text, |program| (walk::facts(program), Ending::of(program)))?;
    let mut findings = Vec::new();
    let can_exit_non_zero = errexit(text, &facts)
        || ending.last_may_fail
        || facts
            .commands
            .iter()
            .any(|c| !c.in_substitution && exits_non_zero(c));
    if !can_exit_non_zero {
        if let Some(line) = ending.exit_zero_line {
            findings.push(Finding {
                line,
                kind: FindingKind::EndsInExitZero,
            });
        }
        if let Some((line, what)) = facts.commands.iter().find_map(reported_failure) {
            findings.push(Finding {
                line,
                kind: FindingKind::ReportsWithoutFailing { what },
            });
        }
    }
    findings.extend(counters_spelled_two_ways(&facts));
    findings.extend(commented_out_exits(text));
    findings.sort_by_key(|f| f.line);
    Ok(findings)
}

/// How the script ends: whether its last command is `exit 0`, and whether
/// the status it ends with may be non-zero.
struct Ending {
    exit_zero_line: Option<usize>,
    last_may_fail: bool,
}

impl Ending {
    fn of(program: &ast::Program) -> Ending {
        let last = program.complete_commands.last();
        let exit_zero_line = last
            .and_then(|list| list.0.last())
            .filter(|item| {
                item.0.additional.is_empty() && !matches!(item.1, ast::SeparatorOperator::Async)
            })
            .and_then(|item| match item.0.first.seq.as_slice() {
                [ast::Command::Simple(simple)] if !item.0.first.bang && is_exit_zero(simple) => {
                    walk::line_of(simple)
                }
                _ => None,
            });
        Ending {
            exit_zero_line,
            last_may_fail: last.is_some_and(list_may_fail),
        }
    }
}

fn is_exit_zero(simple: &ast::SimpleCommand) -> bool {
    let name = simple.word_or_name.as_ref().map(|w| w.value.as_str());
    let args: Vec<&str> = simple
        .suffix
        .iter()
        .flat_map(|s| &s.0)
        .filter_map(|item| match item {
            ast::CommandPrefixOrSuffixItem::Word(w) => Some(w.value.as_str()),
            _ => None,
        })
        .collect();
    name == Some("exit") && args == ["0"]
}

/// Whether the status of `list` (that of its last command) may be non-zero.
fn list_may_fail(list: &ast::CompoundList) -> bool {
    list.0
        .last()
        .is_some_and(|ast::CompoundListItem(and_or, separator)| {
            !matches!(separator, ast::SeparatorOperator::Async) && and_or_may_fail(and_or)
        })
}

fn and_or_may_fail(and_or: &ast::AndOrList) -> bool {
    let mut may_fail = pipeline_may_fail(&and_or.first);
    for next in &and_or.additional {
        may_fail = match next {
            // A failure on the left skips the right and stays the status.
            ast::AndOr::And(p) => may_fail || pipeline_may_fail(p),
            // The right runs only after a failure, and decides.
            ast::AndOr::Or(p) => may_fail && pipeline_may_fail(p),
        };
    }
    may_fail
}

fn pipeline_may_fail(pipeline: &ast::Pipeline) -> bool {
    // `! cmd` fails when cmd succeeds; under `pipefail` any stage counts.
    pipeline.bang
        || if pipeline.seq.len() > 1 {
            pipeline.seq.iter().any(command_may_fail)
        } else {
            pipeline.seq.last().is_some_and(command_may_fail)
        }
}

fn command_may_fail(command: &ast::Command) -> bool {
    use ast::CompoundCommand as C;
    match command {
        ast::Command::Simple(simple) => simple_may_fail(simple),
        ast::Command::Function(_) => false,
        ast::Command::ExtendedTest(..) => true,
        ast::Command::Compound(compound, _) => match compound {
            C::BraceGroup(b) => list_may_fail(&b.list),
            C::Subshell(s) => list_may_fail(&s.list),
            C::IfClause(i) => {
                list_may_fail(&i.then) || i.elses.iter().flatten().any(|e| list_may_fail(&e.body))
            }
            C::ForClause(f) => list_may_fail(&f.body.list),
            C::ArithmeticForClause(f) => list_may_fail(&f.body.list),
            C::WhileClause(w) | C::UntilClause(w) => list_may_fail(&w.1.list),
            C::CaseClause(c) => c
                .cases
                .iter()
                .any(|i| i.cmd.as_ref().is_some_and(list_may_fail)),
            C::Arithmetic(_) | C::Coprocess(_) => true,
        },
    }
}

/// Commands whose status is 0 whatever happens (for what a check does).
const ALWAYS_SUCCEED: &[&str] = &[
    "echo",
    "printf",
    "true",
    ":",
    "fail-message",
    "export",
    "local",
    "declare",
    "typeset",
    "readonly",
    "unset",
    "set",
];

fn simple_may_fail(simple: &ast::SimpleCommand) -> bool {
    match simple.word_or_name.as_ref().map(|w| w.value.as_str()) {
        // Assignments only: the status of the last command substitution.
        None => simple
            .prefix
            .iter()
            .flat_map(|p| &p.0)
            .any(|item| matches!(item, ast::CommandPrefixOrSuffixItem::AssignmentWord(_, w) if w.value.contains("$(") || w.value.contains('`'))),
        Some("exit" | "return") => !is_exit_zero_or_return_zero(simple),
        Some(name) => !ALWAYS_SUCCEED.contains(&name),
    }
}

fn is_exit_zero_or_return_zero(simple: &ast::SimpleCommand) -> bool {
    let first_arg = simple
        .suffix
        .iter()
        .flat_map(|s| &s.0)
        .find_map(|item| match item {
            ast::CommandPrefixOrSuffixItem::Word(w) => Some(w.value.as_str()),
            _ => None,
        });
    first_arg == Some("0")
}

/// `exit`/`return` with a status that may be non-zero (a number other than
/// 0, a variable, or none: the status of the command before).
fn exits_non_zero(command: &SimpleCommand) -> bool {
    match command.words.as_slice() {
        [name, rest @ ..] if name == "exit" || name == "return" => {
            rest.first().is_none_or(|s| s != "0")
        }
        _ => false,
    }
}

/// `set -e`, `set -o errexit`, or `-e` on the `#!` line.
fn errexit(text: &str, facts: &Facts) -> bool {
    let flag_e = |w: &str| w.starts_with('-') && !w.starts_with("--") && w.contains('e');
    let shebang = text
        .lines()
        .next()
        .filter(|l| l.starts_with("#!"))
        .is_some_and(|l| l.split_whitespace().skip(1).any(flag_e));
    shebang
        || facts.commands.iter().any(|c| {
            c.words.first().is_some_and(|w| w == "set")
                && (c.words.iter().skip(1).any(|w| flag_e(w))
                    || c.words
                        .windows(2)
                        .any(|w| w[0] == "-o" && w[1] == "errexit"))
        })
}

/// A command that tells the learner something failed: `fail-message`, or
/// `echo`/`printf` of a `FAIL:` or `DIAG:` line.
fn reported_failure(command: &SimpleCommand) -> Option<(usize, String)> {
    let name = command.words.first()?;
    if name == "fail-message" {
        return Some((command.line, "`fail-message`".into()));
    }
    let prints_failure = matches!(name.as_str(), "echo" | "printf")
        && command.words.iter().skip(1).any(|w| {
            let text = w.trim_start_matches(['"', '\'']);
            text.starts_with("FAIL:") || text.starts_with("DIAG:")
        });
    prints_failure.then(|| (command.line, format!("`{name}` of a FAIL/DIAG line")))
}

/// Counters written and never read, next to a variable spelled almost the
/// same that is read: `results` counted, `result` exited with.
fn counters_spelled_two_ways(facts: &Facts) -> Vec<Finding> {
    let mut read: BTreeMap<&str, usize> = BTreeMap::new();
    for r in facts.reads.iter().filter(|r| !r.self_update) {
        read.entry(&r.name).or_insert(r.line);
    }
    let mut counted: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &facts.counters {
        counted.entry(&c.name).or_insert(c.line);
    }
    counted
        .into_iter()
        .filter(|(name, _)| !read.contains_key(name))
        .filter_map(|(name, line)| {
            let (other, read_line) = read.iter().find(|(other, _)| spelled_alike(name, other))?;
            Some(Finding {
                line,
                kind: FindingKind::CounterSpelledTwoWays {
                    counted: name.to_string(),
                    read: other.to_string(),
                    read_line: *read_line,
                },
            })
        })
        .collect()
}

/// Two names that are one slip apart: another case, a few letters more at
/// the end (`FAIL`/`FAILED`, `result`/`results`), or one letter changed.
fn spelled_alike(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    let shorter = a.len().min(b.len());
    if a == b {
        return true;
    }
    if shorter < 3 {
        return false;
    }
    let (short, long) = if a.len() < b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    (long.starts_with(short.as_str()) && long.len() - short.len() <= 3)
        || (shorter >= 4 && strsim::damerau_levenshtein(&a, &b) == 1)
}

/// `# exit 1` (or `#exit $result`) anywhere but the `#!` line.
fn commented_out_exits(text: &str) -> Vec<Finding> {
    let pattern = regex::Regex::new(
        r#"(?:^|\s)#+\s*(exit\s+(?:[1-9][0-9]*|"?\$\{?[A-Za-z_][A-Za-z0-9_]*\}?"?))"#,
    )
    .expect("a valid pattern");
    text.lines()
        .enumerate()
        .filter(|(index, line)| !(*index == 0 && line.starts_with("#!")))
        .filter_map(|(index, line)| {
            let exit = pattern.captures(line)?.get(1)?.as_str().to_string();
            Some(Finding {
                line: index + 1,
                kind: FindingKind::ExitCommentedOut { exit },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
