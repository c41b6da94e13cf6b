//! The commands a script calls: the first word of every simple command —
//! through pipes, `&&`, `||`, `;`, `$( )`, backquotes and the conditions
//! of `if` and `while` — looking past assignments (`A=1 cmd`) and the words
//! that only run another command (`sudo`, `env`, `command`, `exec`,
//! `timeout`, `nohup`, `nice`, `xargs`); minus shell builtins and keywords,
//! the functions the script defines, and paths (`./x`, `/usr/bin/x`), which
//! PATH does not decide. A command word built at run time (`$CMD`) cannot be
//! known and is left out.

use super::ScriptsError;
use super::walk::{self, SimpleCommand};
use brush_parser::word::{self, WordPiece, WordPieceWithSource};
use std::collections::{BTreeMap, BTreeSet};

/// A command a script calls, and the first line that calls it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tool {
    pub name: String,
    pub line: usize,
}

/// bash's builtins and reserved words: never looked up on PATH.
const SHELL_WORDS: &[&str] = &[
    ".",
    ":",
    "[",
    "alias",
    "bg",
    "bind",
    "break",
    "builtin",
    "caller",
    "cd",
    "command",
    "compgen",
    "complete",
    "compopt",
    "continue",
    "declare",
    "dirs",
    "disown",
    "echo",
    "enable",
    "eval",
    "exec",
    "exit",
    "export",
    "false",
    "fc",
    "fg",
    "getopts",
    "hash",
    "help",
    "history",
    "jobs",
    "kill",
    "let",
    "local",
    "logout",
    "mapfile",
    "popd",
    "printf",
    "pushd",
    "pwd",
    "read",
    "readarray",
    "readonly",
    "return",
    "set",
    "shift",
    "shopt",
    "source",
    "suspend",
    "test",
    "times",
    "trap",
    "true",
    "type",
    "typeset",
    "ulimit",
    "umask",
    "unalias",
    "unset",
    "wait",
    "if",
    "then",
    "else",
    "elif",
    "fi",
    "case",
    "esac",
    "for",
    "select",
    "while",
    "until",
    "do",
    "done",
    "in",
    "function",
    "time",
    "coproc",
    "{",
    "}",
    "!",
    "[[",
    "]]",
];

/// The commands `text` calls, by name, each with the first line calling it.
pub fn tools(text: &str) -> Result<Vec<Tool>, ScriptsError> {
    let facts = super::with_program(text, walk::facts)?;
    let mut first_line: BTreeMap<String, usize> = BTreeMap::new();
    for command in &facts.commands {
        for name in command_names(command) {
            let line = first_line.entry(name).or_insert(command.line);
            *line = (*line).min(command.line);
        }
    }
    Ok(first_line
        .into_iter()
        .filter(|(name, _)| is_tool(name, &facts.functions))
        .map(|(name, line)| Tool { name, line })
        .collect())
}

fn is_tool(name: &str, functions: &BTreeSet<String>) -> bool {
    !name.is_empty()
        && !name.contains('/')
        && !SHELL_WORDS.contains(&name)
        && !functions.contains(name)
}

/// The programs one simple command runs: its command word, and where that
/// word only runs another command (`sudo -u x git …`), that one too.
fn command_names(command: &SimpleCommand) -> Vec<String> {
    let words: Vec<Option<String>> = command.words.iter().map(|w| literal(w)).collect();
    let mut names = Vec::new();
    let mut at = 0;
    while let Some(Some(word)) = words.get(at) {
        let options_taking_a_value: &[&str] = match word.as_str() {
            "sudo" => &[
                "-u", "-g", "-h", "-p", "-C", "-r", "-t", "-U", "-D", "-R", "-T",
            ],
            "env" => &["-u", "-C", "-S", "--unset", "--chdir"],
            "timeout" => &["-s", "-k", "--signal", "--kill-after"],
            "xargs" => &["-I", "-n", "-P", "-d", "-L", "-s", "-E", "-a"],
            "nice" => &["-n"],
            "exec" => &["-a"],
            "nohup" | "command" | "builtin" => &[],
            _ => {
                names.push(word.clone());
                break;
            }
        };
        // `command -v git` asks whether git exists; it runs nothing.
        let asks = |w: &Option<String>| {
            w.as_deref()
                .is_some_and(|w| w.starts_with("-v") || w.starts_with("-V"))
        };
        if word == "command" && words.get(at + 1).is_some_and(asks) {
            break;
        }
        // `env`, `command`, `builtin` and `exec` are not programs PATH finds.
        if matches!(
            word.as_str(),
            "sudo" | "timeout" | "xargs" | "nice" | "nohup"
        ) {
            names.push(word.clone());
        }
        let wrapper = word.as_str();
        at = after_options(&words, at + 1, options_taking_a_value);
        if wrapper == "env" {
            let is_assignment = |w: &Option<String>| {
                w.as_deref()
                    .and_then(|w| w.split_once('='))
                    .is_some_and(|(name, _)| walk::is_name(name))
            };
            while words.get(at).is_some_and(is_assignment) {
                at += 1;
            }
        }
        if wrapper == "timeout" {
            at += 1; // the duration
        }
    }
    names
}

/// The index of the first word from `at` on that is not an option (`-x`,
/// `-u VALUE`; `--` ends them).
fn after_options(words: &[Option<String>], mut at: usize, taking_a_value: &[&str]) -> usize {
    while let Some(Some(word)) = words.get(at) {
        if word == "--" {
            return at + 1;
        }
        if !word.starts_with('-') || word == "-" {
            break;
        }
        at += if taking_a_value.contains(&word.as_str()) {
            2
        } else {
            1
        };
    }
    at
}

/// The word's text when it has no expansion (quotes removed); `None` for a
/// word only known at run time.
fn literal(raw: &str) -> Option<String> {
    if !raw.contains(['$', '`', '"', '\'', '\\']) {
        return Some(raw.to_string());
    }
    let pieces = word::parse(raw, &brush_parser::ParserOptions::default()).ok()?;
    literal_pieces(&pieces)
}

fn literal_pieces(pieces: &[WordPieceWithSource]) -> Option<String> {
    let mut text = String::new();
    for piece in pieces {
        match &piece.piece {
            WordPiece::Text(t) | WordPiece::SingleQuotedText(t) | WordPiece::AnsiCQuotedText(t) => {
                text.push_str(t);
            }
            WordPiece::EscapeSequence(e) => text.push_str(e.trim_start_matches('\\')),
            WordPiece::DoubleQuotedSequence(inner)
            | WordPiece::GettextDoubleQuotedSequence(inner) => {
                text.push_str(&literal_pieces(inner)?);
            }
            _ => return None,
        }
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        tools(text).unwrap().into_iter().map(|t| t.name).collect()
    }

    #[test]
    fn first_words_through_every_kind_of_list() {
        let script = r#"#!/bin/bash
set -euo pipefail
VERSION=1 helm version | grep -q v3 && kubectl get pods || yq '.a' f.yaml; jq . x.json
if [ "$(git rev-parse --is-inside-work-tree)" = true ]; then echo ok; fi
while ! curl -fsS localhost; do sleep 1; done
files=`find . -name '*.yaml'`
[[ -n $(tr a-z A-Z < in.txt) ]] && echo yes
for f in $(ls); do wc -l "$f"; done
cat <(sort a) > /dev/null
"#;
        assert_eq!(
            names(script),
            [
                "cat", "curl", "find", "git", "grep", "helm", "jq", "kubectl", "ls", "sleep",
                "sort", "tr", "wc", "yq"
            ]
        );
    }

    #[test]
    fn past_the_words_that_run_another_command() {
        let script = r#"sudo -u replicant -E git pull
env -i HOME=/root PATH=/bin kubectl apply -f x
command helm list
command -v yq
exec nginx -g 'daemon off;'
timeout -s KILL 10 ssh host true
nohup nc -l 8080 &
find . | xargs -I {} stat {}
"#;
        assert_eq!(
            names(script),
            [
                "find", "git", "helm", "kubectl", "nc", "nginx", "nohup", "ssh", "stat", "sudo",
                "timeout", "xargs"
            ]
        );
    }

    #[test]
    fn not_builtins_keywords_functions_paths_or_run_time_words() {
        let script = r#"get_slug() { replicated app ls | tail -1; }
function wait_for() { until kubectl get ns; do sleep 2; done; }
slug=$(get_slug)
wait_for
cd /tmp && pushd x && popd
./install.sh; /usr/local/bin/write-result
$REPOCHECK --flag
"$tool" run
read -r answer; printf '%s' "$answer"; test -f x; local a=1
'quoted'-tool arg
"#;
        assert_eq!(
            names(script),
            ["kubectl", "quoted-tool", "replicated", "sleep", "tail"]
        );
    }

    #[test]
    fn each_tool_with_the_first_line_that_calls_it() {
        let found = tools("echo\ngit status\nx=$(\n  jq .a f\n)\ngit log\n").unwrap();
        assert_eq!(
            found,
            [
                Tool {
                    name: "git".into(),
                    line: 2
                },
                Tool {
                    name: "jq".into(),
                    line: 4
                },
            ]
        );
    }
}
