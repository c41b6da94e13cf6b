//! The shell pane records history as commands run, and the lab knows when a
//! command finished: through the real `labrun start`, in a real PTY, with
//! bash as the learner's shell, in a fresh directory.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::lab::{Lab, Options, WAIT};
use support::terminal::{Spawn, Terminal};

const BASH: &str = "/bin/bash";

/// Waits until `path` holds a line equal to `line`; panics after [`WAIT`].
fn wait_for_line(path: &Path, line: &str) {
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if text.lines().any(|l| l == line) {
            return;
        }
        assert!(
            start.elapsed() < WAIT,
            "no line {line:?} in {} within {WAIT:?}: {text:?}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_command_is_in_the_history_file_once_it_ran() {
    let mut lab = Lab::start_with(Options {
        shell: BASH,
        ..Options::default()
    });
    // The learner's home is the directory they started in (the support's HOME).
    let history = lab.dir.join(".bash_history");
    lab.type_keys(b"echo recorded-$((6*7))\r");
    lab.wait_for("the command's output", |s| s.contains("recorded-42"));
    wait_for_line(&history, "echo recorded-$((6*7))");
    lab.type_keys(b"echo second\r");
    wait_for_line(&history, "echo second");
    // The prompt marks never reach the screen.
    let screen = lab.screen();
    assert!(!screen.contains("133;"), "{screen}");
    lab.quit();
}

/// A lesson whose steps are met by commands that write no file the lab
/// watches: one reads the shell history (in the learner's home, outside
/// the workspace), one a file beside the workspace.
fn lesson(dir: &Path) -> PathBuf {
    let lesson = dir.join("lesson");
    std::fs::create_dir_all(&lesson).unwrap();
    std::fs::write(
        lesson.join("assignment.md"),
        "---\nslug: commands\ntitle: Commands that count\n---\n# Run them\n\nRun the commands.\n",
    )
    .unwrap();
    std::fs::write(
        lesson.join("lesson.toml"),
        r#"
[[steps]]
id = "history"
title = "Say you learned it"
section = "Run them"
[[steps.checks]]
kind = "command"
run = '''grep -qx 'echo learned' "$HOME/.bash_history"'''

[[steps]]
id = "outside"
title = "Touch a file beside the workspace"
section = "Run them"
[[steps.checks]]
kind = "command"
run = "test -f ../outside-the-workspace"
"#,
    )
    .unwrap();
    lesson
}

fn step_passes(screen: &str, title: &str) -> bool {
    screen.lines().any(|l| l.contains('✓') && l.contains(title))
}

#[test]
fn a_step_met_by_a_command_turns_green_when_it_finishes_without_a_key() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("learner");
    std::fs::create_dir(&dir).unwrap();
    let lesson = lesson(tmp.path());
    let mut lab = Terminal::spawn(
        Spawn::labrun(&dir, &["start", lesson.to_str().unwrap()])
            .env("SHELL", BASH)
            .env("HOME", &dir),
    );
    lab.wait_for("the lab, its steps checked once", |s| {
        s.contains("Commands that count") && s.contains("0/2 steps")
    });
    // Nothing the watcher sees changes: only the finished command tells.
    lab.type_keys(b"echo learned\r");
    lab.wait_for("the history step passing", |s| {
        step_passes(s, "Say you learned it")
    });
    assert!(!step_passes(&lab.screen(), "Touch a file beside"));
    lab.type_keys(b"touch ../outside-the-workspace\r");
    lab.wait_for("the outside step passing", |s| {
        step_passes(s, "Touch a file beside the workspace")
    });
    lab.wait_for("the lesson done", |s| s.contains("all 2 steps done"));
    lab.quit();
}
