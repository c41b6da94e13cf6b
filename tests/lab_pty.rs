//! `labrun start` end to end: the real binary in a pseudo-terminal, its
//! screen read back through a VT parser, driven by keystrokes like a learner.

mod support;

use std::time::{Duration, Instant};
use support::lab::{Lab, Options};

#[test]
fn a_learner_types_in_the_shell_and_a_step_turns_green() {
    let mut lab = Lab::start();
    let app = lab.app_slug();
    // Ctrl-] to the lab, `n` `n` to the second code block: the proxied image with the slug.
    lab.type_keys(b"\x1dnn");
    lab.wait_for("the app slug filled in", |s| {
        s.contains(&format!("proxy/{app}/ghcr.io"))
    });
    lab.type_keys(b"\t");

    lab.type_keys(b"echo labrun-$((6*7))\r");
    lab.wait_for("the shell's answer", |s| s.contains("labrun-42"));

    // Fix values.yaml from the shell; the step turns green without a key press.
    let sed = format!(
        "sed -i 's|repository: ghcr.io/slackernews/slackernews-web|repository: proxy.replicated.com/proxy/{app}/ghcr.io/slackernews/slackernews-web|' slackernews/values.yaml\r"
    );
    lab.type_keys(sed.as_bytes());
    lab.wait_for("proxy-image passing", |s| {
        s.lines()
            .any(|l| l.contains("✓") && l.contains("Pull the Slackernews image"))
    });

    // A background job must not outlive the lab (a duration unique to this run).
    let job = format!("{}", 40_000 + std::process::id() % 20_000);
    lab.type_keys(format!("sleep {job} &\r").as_bytes());
    lab.wait_for("the background job", |s| {
        s.contains(&format!("sleep {job} &"))
    });
    std::thread::sleep(Duration::from_millis(300));
    assert!(sleeping(&job), "the job started");

    lab.type_keys(b"\x1d"); // Ctrl-]: back to the lab
    lab.type_keys(b"q");
    // Quitting ends the job: the lab asks first.
    lab.wait_for("the question", |s| {
        s.contains("a background job (sleep) is running in the shell — quit anyway? y/n")
    });
    lab.type_keys(b"y");
    assert_eq!(lab.wait_exit(), 0);
    lab.assert_terminal_restored();
    let start = Instant::now();
    while sleeping(&job) && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!sleeping(&job), "the shell's job was left running");
}

fn sleeping(arg: &str) -> bool {
    std::process::Command::new("pgrep")
        .args(["-f", &format!("^sleep {arg}$")])
        .stdout(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Issue 10 item 11: a signal ends the lab like any terminal program —
/// terminal restored, shell ended, exit 128 + the signal (SIGTERM 143, SIGHUP 129).
#[test]
fn signals_restore_the_terminal_and_exit_128_plus_the_signal() {
    for (signal, code) in [(libc::SIGTERM, 143), (libc::SIGHUP, 129)] {
        let mut lab = Lab::start();
        let pid = lab.child.process_id().unwrap() as i32;
        // SAFETY: kill(2) on the child we started.
        unsafe {
            libc::kill(pid, signal);
        }
        assert_eq!(lab.wait_exit(), code, "signal {signal}");
        lab.assert_terminal_restored();
    }
}

/// Issue 9 item 10: a terminal that cannot draw the lab gets a clear
/// refusal, exit 2, and not one escape sequence.
#[test]
fn term_dumb_is_refused_before_the_terminal_is_touched() {
    let mut lab = Lab::spawn(Options::default().env("TERM", "dumb"));
    assert_eq!(lab.wait_exit(), 2);
    let out = lab.raw_output();
    assert!(out.contains("needs a full-screen terminal"), "{out:?}");
    assert!(out.contains("labrun check"), "{out:?}");
    assert!(!out.contains('\x1b'), "wrote escape sequences: {out:?}");
    assert!(!lab.workspace.exists(), "made a workspace it cannot use");
}

#[test]
fn floods_and_binary_output_leave_the_lab_responsive() {
    let mut lab = Lab::start();
    // Random bytes (escape sequences, invalid UTF-8), then a flood of lines.
    lab.type_keys(b"head -c 300000 /dev/urandom; yes labrun-flood | head -n 200000; clear; echo still-$((40+2))\r");
    lab.wait_for("the shell after the flood", |s| s.contains("still-42"));
    lab.type_keys(b"\x1dq");
    assert_eq!(lab.wait_exit(), 0);
    lab.assert_terminal_restored();
}

/// Issue 9 item 5: `p` is a terminal paste, bracketed when the program in
/// the pane asked for it, so an editor or shell takes the block as text.
#[test]
fn paste_honours_the_programs_bracketed_paste_mode() {
    let mut lab = Lab::start();
    lab.type_keys(b"printf '\\033[?2004h'; cat -v\r");
    lab.wait_for("cat waiting", |s| s.contains("cat -v"));
    // Ctrl-] to the lab, the first code block (the image pattern), p: paste without running.
    lab.type_keys(b"\x1d");
    lab.wait_for("the lab's keys", |s| s.contains(" LAB "));
    lab.type_keys(b"n");
    lab.wait_for("a selected block", |s| s.contains("$PROXY_REGISTRY_HOST"));
    lab.type_keys(b"p");
    // `cat -v` shows the brackets (ESC as ^[) around the text; the pane wraps the line.
    lab.wait_for("the paste, bracketed", |s| {
        s.contains("^[[200~$PROXY_REGISTRY_HOST/proxy/") && s.contains("IMAGE_TAG^[[20")
    });
}

/// Without bracketed paste, pasting several lines would run all but the
/// last: `p` says so instead of typing them.
#[test]
fn a_multi_line_paste_without_bracketed_paste_runs_nothing() {
    let mut lab = Lab::start();
    // /bin/sh (dash) takes no bracketed paste. Block 3 is two lines of YAML.
    lab.type_keys(b"\x1d");
    lab.wait_for("the lab's keys", |s| s.contains(" LAB "));
    lab.type_keys(b"nnn");
    lab.wait_for("the third block", |s| s.contains("slackernews:"));
    lab.type_keys(b"p");
    lab.wait_for("the explanation", |s| {
        s.contains("takes no bracketed paste")
    });
    assert!(
        !lab.screen().contains("slackernews:: not found"),
        "a line ran:\n{}",
        lab.screen()
    );
}

/// The shell's exit reaches the app as an action: the pane says so with the
/// restart key of the bindings table, and that key brings a new shell.
#[test]
fn an_exited_shell_says_so_and_its_restart_key_brings_it_back() {
    let mut lab = Lab::start();
    lab.run_in_shell("true");
    lab.type_keys(b"exit 3\r");
    lab.wait_for("the exit in the shell's title", |s| {
        s.contains("exited (code 3) — r restarts")
    });
    lab.type_keys(b"r");
    lab.wait_for("the title without the exit", |s| {
        !s.contains("exited (code 3)")
    });
    lab.run_in_shell("echo back-$((40+2))");
    assert!(lab.shows("back-42"), "{}", lab.screen());
    lab.quit();
}
