//! Issue 9 item 6: keys meant for the shell never turn into lab commands,
//! and quitting asks first while a program runs in the shell. The real
//! `labrun start` in a pseudo-terminal, driven like a learner would.

mod support;

use support::lab::{Lab, Options, click, find};

fn to_the_lab(lab: &mut Lab) {
    lab.type_keys(b"\x1d"); // Ctrl-]
    lab.wait_for("the lab to have the keys", |s| s.contains(" LAB "));
}

#[test]
fn a_command_typed_while_the_lab_has_the_keys_reaches_the_shell() {
    // Tall enough to show the lesson's (hidden) password.
    let mut lab = Lab::start_with(Options {
        rows: 60,
        ..Options::default()
    });
    to_the_lab(&mut lab);
    // `c` is "check", `s` "show secrets", `q` "quit": none of them may act.
    lab.type_keys(b"clear; seq 1 200\r");
    // The keys went back to the shell, which ran the command.
    lab.wait_for("seq's last number, the shell holding the keys", |s| {
        s.lines().any(|l| l.contains("┃200")) && s.contains(" SHELL ")
    });
    let screen = lab.screen();
    assert!(
        screen.contains("Password: [hidden]"),
        "secrets stayed hidden:\n{screen}"
    );
    assert!(
        screen.contains("typed “cl” in the shell"),
        "the lab says what happened:\n{screen}"
    );
    assert!(
        lab.child.try_wait().unwrap().is_none(),
        "the lab is still running"
    );
}

#[test]
fn quitting_while_vim_runs_in_the_shell_asks_first() {
    let mut lab = Lab::start();
    lab.type_keys(b"vim notes.txt\r");
    lab.wait_for("vim", |s| s.contains("\"notes.txt\""));
    to_the_lab(&mut lab);
    lab.type_keys(b"q");
    lab.wait_for("the question", |s| {
        s.contains("vim is running in the shell — quit anyway? y/n")
    });
    lab.type_keys(b"n");
    lab.wait_for("the question gone", |s| !s.contains("quit anyway?"));
    assert!(lab.child.try_wait().unwrap().is_none(), "n keeps the lab");
    lab.type_keys(b"q");
    lab.wait_for("the question again", |s| s.contains("quit anyway? y/n"));
    lab.type_keys(b"y");
    assert_eq!(lab.wait_exit(), 0);
    lab.assert_terminal_restored();
}

#[test]
fn quitting_at_the_shells_prompt_needs_no_question() {
    let mut lab = Lab::start();
    to_the_lab(&mut lab);
    lab.type_keys(b"q");
    assert_eq!(lab.wait_exit(), 0);
}

#[test]
fn a_click_on_a_step_leaves_the_keys_with_the_shell() {
    let mut lab = Lab::start();
    lab.wait_for("the steps", |s| s.contains("Bump the chart version"));
    let (row, col) = find(&lab.rows(), "Bump the chart version").expect("step 2 on screen");
    lab.type_keys(&click(col, row));
    lab.wait_for("step 2 selected", |s| {
        s.lines()
            .any(|l| l.contains("▸") && l.contains("Bump the chart version"))
    });
    lab.type_keys(b"echo typed-$((40+2))\r");
    lab.wait_for("the shell's answer", |s| s.contains("typed-42"));
    assert!(lab.screen().contains(" SHELL "));
}

/// Issue 9 item 7: F9/Enter runs commands only; sample output, patterns
/// and file content are for copying.
#[test]
fn only_command_blocks_run_in_the_shell() {
    let mut lab = Lab::start();
    to_the_lab(&mut lab);
    // Block 14: `replicated release ls`'s sample output.
    lab.type_keys(&[b'n'; 14]);
    lab.wait_for("the last block", |s| s.contains("14  text"));
    lab.type_keys(b"\r");
    lab.wait_for("the refusal", |s| {
        s.contains("block 14 is text to read, not a command")
    });
    // Block 13 is the command itself: it runs.
    lab.type_keys(b"N\r");
    lab.wait_for("the command's output in the shell", |s| {
        s.lines().any(|l| l.contains("┃SEQUENCE"))
    });
    assert!(
        !lab.screen().contains("SEQUENCE: not found"),
        "sample output never runs:\n{}",
        lab.screen()
    );
}
