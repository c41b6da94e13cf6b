//! Issue 9 item 8: the lesson's Instruqt tabs, as labrun has them — a note
//! on what each tab is here, and a key that opens the step's file (the
//! failing line of it) in the learner's editor inside the shell pane.

mod support;

use support::lab::{Lab, Options};

/// An "editor" that says how it was started: a script named `vim`, so the
/// lab passes the line the way vim takes it.
fn fake_vim(dir: &std::path::Path) -> String {
    let path = dir.join("vim");
    std::fs::write(&path, "#!/bin/sh\necho \"EDITING $*\"\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path.display().to_string()
}

#[test]
fn the_lesson_says_what_each_tab_is_here() {
    let lab = Lab::start();
    lab.wait_for("the note on tabs", |s| {
        s.contains("labrun · this lesson was written for Instruqt")
    });
    let expected = [
        "Vendor Portal: https://vendor.replicated.com",
        "local Vendor API stands in for it",
        "replicated channel ls",
        "Slackernews Chart: your workspace's files",
        "F4 / e opens the current step's file",
        "Shell: the shell pane.",
    ];
    // The whole note, once the frame that shows it has arrived whole.
    lab.wait_for_lesson("every tab's line", |text| {
        expected.iter().all(|e| text.contains(e))
    });
}

#[test]
fn the_edit_key_opens_the_failing_file_at_the_failing_line() {
    let bin = tempfile::tempdir().unwrap();
    let editor = fake_vim(bin.path());
    let mut lab = Lab::start_with(Options::default().env("EDITOR", editor.clone()));
    lab.wait_for("step 1 checked", |s| {
        s.contains("1 Pull the Slackernews image through the proxy registry  0/1")
    });
    lab.type_keys(b"\x1bOS"); // F4
    lab.wait_for("the editor started on values.yaml at the image line", |s| {
        s.contains("EDITING +69 slackernews/values.yaml")
    });
    // The file named by the step's next check when nothing fails there yet: step 3's new file.
    lab.type_keys(b"\x1d");
    lab.wait_for("the lab's keys", |s| s.contains(" LAB "));
    lab.type_keys(b"]]");
    lab.wait_for("step 3 selected", |s| {
        s.lines()
            .any(|l| l.contains("▸") && l.contains("image pull secret"))
    });
    lab.type_keys(b"\x1bOS");
    lab.wait_for("the editor on the file to create", |s| {
        s.contains("EDITING slackernews/templates/imagepullsecret.yaml")
    });
}

#[test]
fn the_edit_key_waits_for_the_prompt() {
    let bin = tempfile::tempdir().unwrap();
    let editor = fake_vim(bin.path());
    let mut lab = Lab::start_with(Options::default().env("EDITOR", editor));
    lab.type_keys(b"cat\r");
    lab.wait_for("cat running", |s| s.contains("# cat"));
    lab.type_keys(b"\x1bOS"); // F4
    lab.wait_for("the reason", |s| {
        s.contains("cat is running in the shell: leave it first")
    });
    assert!(
        !lab.screen().contains("EDITING"),
        "typed into cat:\n{}",
        lab.screen()
    );
}
