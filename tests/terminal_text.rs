//! A lesson's text reaches the terminal without its escape sequences: a
//! lesson cannot clear the screen, retitle the window, hide text or forge
//! check results through `show`, `check`, `hint` or `progress`.

use std::fs;
use std::path::Path;
use std::process::Command;

const TEXT: &str = "---
slug: escapes
title: \"Safe \\x1b]0;pwned\\x07title\\x1b[2J\"
teaser: \"A \\x1b[8mhidden\\x1b[0m teaser\"
---
# Do it

Body \x1b[2J\x1b[Htext \x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\ and \u{9b}1A C1\r
";

const MANIFEST: &str = r#"
[[steps]]
id = "s"
title = "Step \u001b[1A\u001b[2Ktitle"
section = "Do it"
hint = "Hint \u001b]0;owned\u0007text\u0008"
solution = "touch done"

[[steps.checks]]
name = "check \u001b[32m✓ forged\u001b[0m name"
kind = "file_exists"
file = "done"
"#;

fn labrun(args: &[&str], ws: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_labrun"))
        .args(args)
        .arg(ws)
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c < 2), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn assert_printable(command: &str, text: &str, visible: &[&str]) {
    let bad: Vec<char> = text
        .chars()
        .filter(|c| c.is_control() && *c != '\n' && *c != '\t')
        .collect();
    assert!(bad.is_empty(), "{command} prints {bad:?}:\n{text}");
    for words in visible {
        assert!(text.contains(words), "{command} lost {words:?}:\n{text}");
    }
}

#[test]
fn lesson_text_is_printed_without_escape_sequences() {
    let tmp = tempfile::tempdir().unwrap();
    let lesson = tmp.path().join("lesson");
    fs::create_dir(&lesson).unwrap();
    fs::write(lesson.join("assignment.md"), TEXT).unwrap();
    fs::write(lesson.join("lesson.toml"), MANIFEST).unwrap();
    let ws = tmp.path().join("lab");
    let out = Command::new(env!("CARGO_BIN_EXE_labrun"))
        .arg("init")
        .arg(&lesson)
        .arg(&ws)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");

    assert_printable(
        "show",
        &labrun(&["show", "-w"], &ws),
        &["Safe title", "A hidden teaser", "Body text link and 1A C1"],
    );
    assert_printable(
        "check",
        &labrun(&["check", "-w"], &ws),
        &["Safe title", "Step title", "check ✓ forged name"],
    );
    assert_printable(
        "hint",
        &labrun(&["hint", "s", "-w"], &ws),
        &["Step title", "Hint text"],
    );
    assert_printable(
        "progress",
        &labrun(&["progress", "-w"], &ws),
        &["Safe title"],
    );
}
