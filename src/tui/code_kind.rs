//! What a lesson's code block is: commands to run, content for a file, or
//! text to read (a command's sample output, a pattern). Only commands are
//! run by F9/Enter; the rest are copied or pasted.
//!
//! The block's info string decides when there is one (```` ```sh ````,
//! ```` ```yaml ````). Without one — most Instruqt lessons — the text does:
//! a template or YAML is file content; otherwise the block is a command when
//! its first word is a shell builtin or a program on the shell's PATH
//! (`helm`, `export`, `replicated`), and text when it is not (`SEQUENCE`,
//! `$PROXY_REGISTRY_HOST/...`, `proxy.replicated.com/...`).

use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    /// Shell commands: F9/Enter runs them.
    Command,
    /// What goes in a file (YAML, a template, source code): paste or copy it.
    FileContent,
    /// Text to read: sample output, a pattern.
    Text,
}

impl CodeKind {
    /// The word the block's header shows.
    pub fn label(self) -> &'static str {
        match self {
            CodeKind::Command => "command",
            CodeKind::FileContent => "file content",
            CodeKind::Text => "text",
        }
    }
}

/// Info strings of shell sessions.
const SHELL_LANGS: &[&str] = &[
    "sh",
    "bash",
    "shell",
    "zsh",
    "console",
    "shell-session",
    "shellsession",
    "terminal",
    "ksh",
    "fish",
];
/// Info strings of text that is no file's content.
const TEXT_LANGS: &[&str] = &["text", "txt", "plaintext", "plain", "output", "log", "none"];
/// Shell builtins and keywords a command may start with (they are on no PATH).
const BUILTINS: &[&str] = &[
    ".", ":", "[", "alias", "bg", "cd", "command", "echo", "eval", "exec", "exit", "export",
    "false", "fg", "for", "function", "hash", "if", "jobs", "kill", "printf", "pwd", "read",
    "readonly", "set", "shift", "source", "test", "trap", "true", "type", "ulimit", "umask",
    "unalias", "unset", "until", "wait", "while", "case", "{", "(",
];

/// The kind of a block with info string `info` and text `text`;
/// `is_program` says whether a word names a program the shell would run.
pub fn classify(info: &str, text: &str, is_program: impl Fn(&str) -> bool) -> CodeKind {
    let lang = info
        .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !lang.is_empty() {
        return if SHELL_LANGS.contains(&lang.as_str()) {
            CodeKind::Command
        } else if TEXT_LANGS.contains(&lang.as_str()) {
            CodeKind::Text
        } else {
            CodeKind::FileContent
        };
    }
    let Some(first_line) = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
    else {
        return CodeKind::Text;
    };
    if text.contains("{{") && text.contains("}}") || looks_like_yaml(first_line) {
        return CodeKind::FileContent;
    }
    match first_word(first_line) {
        Some(word) if BUILTINS.contains(&word) || is_program(word) => CodeKind::Command,
        _ => CodeKind::Text,
    }
}

/// `key:`, `key: value` or `- item`: a YAML line (no command looks like that).
fn looks_like_yaml(line: &str) -> bool {
    if line.starts_with("- ") {
        return true;
    }
    let Some((key, rest)) = line.split_once(':') else {
        return false;
    };
    let key = key.trim_matches(['"', '\'']);
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && (rest.is_empty() || rest.starts_with(' '))
}

/// The command word: after `NAME=value` assignments, which only set the environment.
fn first_word(line: &str) -> Option<&str> {
    line.split_whitespace().find(|word| {
        let assignment = word.split_once('=').is_some_and(|(name, _)| {
            !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        });
        !assignment
    })
}

/// Whether a word names a program: an executable file in one of the `PATH`
/// directories, or (with a `/`) at that path from `cwd`.
pub fn program_lookup(path: &str, cwd: PathBuf) -> impl Fn(&str) -> bool + use<> {
    let dirs: Vec<PathBuf> = std::env::split_paths(path).collect();
    move |word: &str| {
        if word.contains('/') {
            return crate::fsutil::is_executable(&cwd.join(word));
        }
        !word.is_empty()
            && dirs
                .iter()
                .any(|dir| crate::fsutil::is_executable(&dir.join(word)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on_path(word: &str) -> bool {
        ["helm", "replicated", "sed", "kubectl"].contains(&word)
    }

    fn kind(info: &str, text: &str) -> CodeKind {
        classify(info, text, on_path)
    }

    #[test]
    fn the_info_string_decides_when_there_is_one() {
        assert_eq!(kind("bash", "SEQUENCE 1"), CodeKind::Command);
        assert_eq!(kind("console", "$ ls"), CodeKind::Command);
        assert_eq!(kind("yaml", "helm: 1"), CodeKind::FileContent);
        assert_eq!(kind("python {linenos}", "print(1)"), CodeKind::FileContent);
        assert_eq!(kind("text", "helm package ."), CodeKind::Text);
        assert_eq!(kind("Output", "x"), CodeKind::Text);
    }

    #[test]
    fn the_bundled_lessons_blocks_are_told_apart() {
        // The proxy registry's pattern, the proxied image, values.yaml, Chart.yaml.
        assert_eq!(
            kind(
                "",
                "$PROXY_REGISTRY_HOST/proxy/$APP_SLUG/$ORIGINAL_IMAGE_TAG"
            ),
            CodeKind::Text
        );
        assert_eq!(
            kind(
                "",
                "proxy.replicated.com/proxy/app/ghcr.io/slackernews/slackernews-web:1.0.17"
            ),
            CodeKind::Text
        );
        assert_eq!(
            kind("", "slackernews:\n  repository: proxy.replicated.com/x"),
            CodeKind::FileContent
        );
        assert_eq!(kind("", "version: 0.5.0"), CodeKind::FileContent);
        // A template, indented as in the deployment.
        assert_eq!(
            kind(
                "",
                "      {{ if hasKey ((.Values.global).replicated) \"dockerconfigjson\" }}\n      imagePullSecrets:"
            ),
            CodeKind::FileContent
        );
        // Commands.
        assert_eq!(
            kind("", "helm package slackernews --destination ./release"),
            CodeKind::Command
        );
        assert_eq!(kind("", "export REPLICATED_APP=\"x\""), CodeKind::Command);
        assert_eq!(
            kind(
                "",
                "replicated release promote 5 Beta --version 0.5.0 \\\n  --release-notes \"x\""
            ),
            CodeKind::Command
        );
        // `replicated release ls`'s sample output.
        assert_eq!(
            kind(
                "",
                "SEQUENCE    CREATED                 EDITED\n5           2024-04-22T17:19:17Z    0001-01-01T00:00:00Z"
            ),
            CodeKind::Text
        );
    }

    #[test]
    fn assignments_and_comments_before_the_command_are_skipped() {
        assert_eq!(
            kind("", "# package it\nKUBECONFIG=x kubectl get pods"),
            CodeKind::Command
        );
        assert_eq!(kind("", "FOO=bar"), CodeKind::Text);
        assert_eq!(kind("", ""), CodeKind::Text);
    }

    #[test]
    fn programs_are_found_on_the_path_and_by_path() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let tool = bin.join("tool");
        std::fs::write(&tool, "#!/bin/sh\n").unwrap();
        let data = bin.join("data");
        std::fs::write(&data, "not a program").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let lookup = program_lookup(&bin.display().to_string(), dir.path().to_path_buf());
        assert!(lookup("tool"));
        assert!(lookup("./bin/tool"));
        assert!(!lookup("data"));
        assert!(!lookup("SEQUENCE"));
        assert!(!lookup(""));
    }
}
