//! Hostile output in the shell pane, end to end: `labrun start` in a
//! pseudo-terminal, a program in its shell printing escape sequences that
//! once froze the lab, and the learner's keys (Ctrl-], F1, q) and SIGTERM
//! still answered. Liveness checks: conditions are awaited with a generous
//! deadline, nothing is timed.

mod support;

use support::lab::Lab;

const F1: &[u8] = b"\x1bOP";
const CTRL_RIGHT_BRACKET: &[u8] = b"\x1d";

/// `labrun start` in a fresh directory, its shell answering.
fn start() -> Lab {
    let mut lab = Lab::start();
    lab.type_keys(b"echo ready-$((1+1))\r");
    lab.wait_for("the shell", |s| s.contains("ready-2"));
    lab
}

/// Ctrl-] then F1: the key list must open.
fn open_help(lab: &mut Lab) {
    lab.type_keys(CTRL_RIGHT_BRACKET);
    lab.type_keys(F1);
    lab.wait_for("the key list after Ctrl-] F1", |s| {
        s.contains("Keys") && s.contains("this help")
    });
}

fn close_help(lab: &mut Lab) {
    lab.type_keys(b"\x1b");
    lab.wait_for("the key list closed", |s| !s.contains("this help"));
}

/// Waits for labrun to end with `code` (0 after `q`, 143 after SIGTERM)
/// having left the alternate screen.
fn wait_exit(lab: &mut Lab, code: u32) {
    assert_eq!(lab.wait_exit(), code);
    assert!(
        lab.raw_output().contains("\x1b[?1049l"),
        "the alternate screen was not left"
    );
}

#[test]
fn insert_characters_with_a_huge_count_leave_the_lab_answering() {
    let mut lab = start();
    // Each `CSI 99999999 @` once cost the pane's parser ~2 s; the learner presses
    // Ctrl-] F1 while they arrive.
    lab.type_keys(
        b"i=0; while [ $i -lt 200 ]; do printf '\\033[99999999@'; i=$((i+1)); done; echo attack-$((40+2))\r",
    );
    open_help(&mut lab);
    close_help(&mut lab);
    lab.wait_for("the shell's echo after the attack", |s| {
        s.contains("attack-42")
    });
    lab.type_keys(b"q");
    wait_exit(&mut lab, 0);
}

#[test]
fn sigterm_during_an_endless_escape_sequence_attack_ends_the_lab() {
    let mut lab = start();
    lab.type_keys(
        b"touch started; while :; do printf '\\033[99999999@\\033[99999999L\\033[99999999T'; done\r",
    );
    lab.wait_for_file("started");
    let pid = lab.child.process_id().unwrap() as i32;
    // SAFETY: kill(2) on the child we started.
    unsafe {
        libc::kill(pid, libc::SIGTERM);
    }
    wait_exit(&mut lab, 143);
}

#[test]
fn a_program_flooding_terminal_queries_leaves_the_lab_answering() {
    let mut lab = start();
    // Cursor-position queries the program never reads the answers to, on a
    // terminal in non-canonical mode (as readline, vim or less set it), whose
    // input fills up: writing every answer once blocked the lab for good while
    // the program blocked on its output, which the lab no longer read.
    lab.type_keys(
        b"stty -icanon; yes \"$(printf '\\033[6n')\" | head -n 200000; stty icanon; touch queried\r",
    );
    // The tty echoes the unread answers, scrolling any marker away: the shell leaves a file.
    lab.wait_for_file("queried");
    open_help(&mut lab);
    close_help(&mut lab);
    lab.type_keys(b"q");
    wait_exit(&mut lab, 0);
}
