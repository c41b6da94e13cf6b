//! Issue 9 item 10: the lab on small and plain terminals, and a step that
//! fails again. The real `labrun start` in a pseudo-terminal.

mod support;

use support::lab::{Lab, Options};

fn small() -> Options {
    Options {
        cols: 80,
        rows: 24,
        ..Options::default()
    }
}

#[test]
fn at_80x24_the_help_scrolls_to_its_last_key() {
    let mut lab = Lab::start_with(small());
    lab.type_keys(b"\x1bOP"); // F1
    lab.wait_for("the help, scrollable", |s| s.contains("lines 1–"));
    assert!(!lab.screen().contains("quit (asks first"));
    lab.type_keys(b"G");
    lab.wait_for("the help's last key", |s| s.contains("quit (asks first"));
    lab.type_keys(b"\x1b");
    lab.wait_for("the help closed", |s| !s.contains("quit (asks first"));
}

#[test]
fn at_80x24_the_pane_with_the_keys_gets_the_whole_width() {
    let mut lab = Lab::start_with(small());
    // The shell, full width, under a line of steps.
    lab.wait_for("the steps' strip", |s| s.contains(" Steps "));
    lab.type_keys(b"echo wide-$((2*40))\r");
    lab.wait_for("the shell", |s| s.contains("wide-80"));
    let rows = lab.rows();
    let shell_top = rows.iter().find(|r| r.contains("Shell")).unwrap();
    assert_eq!(shell_top.chars().count(), 80, "{shell_top:?}");
    // Ctrl-]: the lesson and the steps, full width.
    lab.type_keys(b"\x1d");
    lab.wait_for("the lesson", |s| {
        s.contains("Lesson") && s.contains("┌ Steps")
    });
    assert!(
        !lab.screen().contains("wide-80"),
        "the shell is hidden:\n{}",
        lab.screen()
    );
    lab.type_keys(b"\t");
    lab.wait_for("the shell again, as it was", |s| s.contains("wide-80"));
}

#[test]
fn without_colour_the_selected_code_block_is_marked() {
    let mut lab = Lab::start_with(Options::default().env("NO_COLOR", "1"));
    lab.type_keys(b"\x1d");
    lab.wait_for("the lab's keys", |s| s.contains(" LAB "));
    lab.type_keys(b"n");
    lab.wait_for("the selected block, heavy", |s| {
        s.contains("┏━ 1") && s.contains("┃ $PROXY_REGISTRY_HOST")
    });
    assert!(
        lab.screen().contains("┌─ 2"),
        "others stay light:\n{}",
        lab.screen()
    );
    let raw = lab.raw_output();
    assert!(!raw.contains("\x1b[38;5;"), "no colour was drawn");
}

#[test]
fn a_step_that_fails_again_is_selected() {
    let mut lab = Lab::start();
    let app = lab.app_slug();
    let fix = format!(
        "sed -i 's|repository: ghcr.io/slackernews/slackernews-web|repository: proxy.replicated.com/proxy/{app}/ghcr.io/slackernews/slackernews-web|' slackernews/values.yaml"
    );
    lab.run_in_shell(&fix);
    lab.wait_for("step 1 passing, step 2 selected", |s| {
        s.lines()
            .any(|l| l.contains("✓ 1 Pull the Slackernews image"))
            && s.lines().any(|l| l.contains("▸✗ 2 Bump the chart"))
    });
    lab.run_in_shell(&format!(
        "sed -i 's|proxy.replicated.com/proxy/{app}/||' slackernews/values.yaml"
    ));
    lab.wait_for("step 1 selected again, and why", |s| {
        s.lines()
            .any(|l| l.contains("▸✗ 1 Pull the Slackernews image"))
            && s.contains("step 1 no longer passes")
    });
}
