//! The rc files, run by the real bash: the learner's configuration kept,
//! history written at every prompt, marks only after commands.

use super::*;
use std::process::{Command, Stdio};

/// An interactive bash on `input` (its prompts and marks go to stderr),
/// with `home` as HOME and our rc file; what it printed, both streams.
fn run_bash(home: &Path, shell_home: &ShellHome, input: &str) -> String {
    run_shell("bash", home, shell_home, input)
}

fn run_shell(program: &str, home: &Path, shell_home: &ShellHome, input: &str) -> String {
    let dir = home.join(".labrun-shell");
    let spec = ShellSpec {
        program: program.into(),
        args: Vec::new(),
        cwd: home.to_path_buf(),
        env: Vec::new(),
    };
    let (spec, error) = integrate(spec, &dir, shell_home);
    assert!(error.is_none(), "{error:?}");
    let (mut reader, writer) = std::io::pipe().unwrap();
    let mut command = Command::new(&spec.program);
    command
        .args(&spec.args)
        .arg("-i")
        .current_dir(home)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("TERM", "dumb")
        .stdin(Stdio::piped())
        // One stream, as on a terminal: prompts (stderr) and marks (stdout) in order.
        .stdout(Stdio::from(writer.try_clone().unwrap()))
        .stderr(Stdio::from(writer));
    for (key, value) in &spec.env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("bash runs");
    // The command's copies of the pipe's writing end are the only ones left.
    drop(command);
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(input.as_bytes()).unwrap();
    }
    let mut output = Vec::new();
    std::io::Read::read_to_end(&mut reader, &mut output).unwrap();
    child.wait().unwrap();
    String::from_utf8_lossy(&output).into_owned()
}

fn marks(output: &str) -> Vec<String> {
    output
        .split("\x1b]133;")
        .skip(1)
        .map(|rest| rest.split('\x07').next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn shells_are_told_apart_by_their_file_name() {
    assert_eq!(ShellKind::of("/bin/bash"), ShellKind::Bash);
    assert_eq!(ShellKind::of("bash-5.2"), ShellKind::Bash);
    assert_eq!(ShellKind::of("/usr/bin/zsh"), ShellKind::Zsh);
    assert_eq!(ShellKind::of("/bin/sh"), ShellKind::Other);
    assert_eq!(ShellKind::of("/usr/bin/fish"), ShellKind::Other);
    assert_eq!(ShellKind::of("bashful"), ShellKind::Other);
}

#[test]
fn marks_follow_commands_and_not_empty_lines_and_history_is_written_at_each_prompt() {
    let home = tempfile::tempdir().unwrap();
    let out = run_bash(
        home.path(),
        &ShellHome::default(),
        "false\n\necho first\ngrep -c 'echo first' \"$HOME/.bash_history\"\nexit\n",
    );
    // No D before the first prompt, nor for the empty line.
    assert_eq!(
        marks(&out),
        [
            "A", "C", "D;1", "A", "A", "C", "D;0", "A", "C", "D;0", "A", "C"
        ],
        "{out:?}"
    );
    // The history had `echo first` before the next command ran.
    assert!(out.contains("\x1b]133;C\x071\n"), "{out:?}");
    let history = std::fs::read_to_string(home.path().join(".bash_history")).unwrap();
    assert!(history.starts_with("false\necho first\n"), "{history:?}");
}

#[test]
fn the_learners_rc_prompt_and_prompt_command_are_kept() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join(".bashrc"),
        "PS1='mine> '\nalias hello='echo hello-from-alias'\nPROMPT_COMMAND='echo \"pc:$?\"'\n",
    )
    .unwrap();
    let out = run_bash(
        home.path(),
        &ShellHome::default(),
        "hello\n(exit 3)\nexit\n",
    );
    assert!(out.contains("mine> "), "{out:?}");
    assert!(out.contains("hello-from-alias"), "{out:?}");
    // The learner's PROMPT_COMMAND still runs, after ours, and sees the command's status.
    assert!(out.contains("pc:0\n"), "{out:?}");
    assert!(
        out.contains("\x1b]133;D;3\x07\x1b]133;A\x07pc:3\n"),
        "{out:?}"
    );
}

#[test]
fn an_array_prompt_command_keeps_its_elements() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join(".bashrc"),
        "PROMPT_COMMAND=('echo one:$?' 'echo two')\n",
    )
    .unwrap();
    let out = run_bash(home.path(), &ShellHome::default(), "false\nexit\n");
    let version = Command::new("bash")
        .args(["-c", "echo ${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}"])
        .output()
        .unwrap();
    let version = String::from_utf8_lossy(&version.stdout);
    let (major, minor) = version.trim().split_once('.').unwrap();
    let (major, minor): (u32, u32) = (major.parse().unwrap(), minor.parse().unwrap());
    assert!(
        out.contains("\x1b]133;D;1\x07\x1b]133;A\x07one:1\n"),
        "{out:?}"
    );
    // Before 5.1 bash runs only the first element, as it did before.
    if (major, minor) >= (5, 1) {
        assert!(out.contains("one:1\ntwo\n"), "{out:?}");
    }
}

#[test]
fn the_caller_chooses_the_home_and_the_history_file() {
    let real = tempfile::tempdir().unwrap();
    let mapped = tempfile::tempdir().unwrap();
    // The learner's rc would choose another file: the caller's wins.
    std::fs::write(
        mapped.path().join(".bashrc"),
        "HISTFILE=/dev/null/nowhere\nPS1='track> '\n",
    )
    .unwrap();
    std::fs::write(real.path().join(".bashrc"), "PS1='real> '\n").unwrap();
    let history = mapped.path().join("hist").join("bash_history");
    std::fs::create_dir(history.parent().unwrap()).unwrap();
    let shell_home = ShellHome {
        home: Some(mapped.path().to_path_buf()),
        history: Some(history.clone()),
    };
    let out = run_bash(real.path(), &shell_home, "echo git\nexit\n");
    assert!(
        out.contains("track> "),
        "the mapped home's .bashrc runs: {out:?}"
    );
    assert!(!out.contains("real> "), "{out:?}");
    assert_eq!(
        std::fs::read_to_string(&history).unwrap(),
        "echo git\nexit\n"
    );
}

#[test]
fn a_path_with_quotes_is_one_word() {
    assert_eq!(quoted("/tmp/it's here"), r"'/tmp/it'\''s here'");
    let rc = bashrc(&ShellHome {
        home: None,
        history: Some("/tmp/it's".into()),
    });
    assert!(rc.contains(r"HISTFILE='/tmp/it'\''s'"), "{rc}");
}

/// zsh where it is installed (it is not everywhere: the files' text is
/// checked below in any case).
fn zsh() -> Option<&'static str> {
    let found = Command::new("zsh")
        .args(["-fc", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        eprintln!("zsh is not installed: its run is not tested here");
    }
    found.then_some("zsh")
}

#[test]
fn zsh_runs_the_learners_files_writes_history_and_marks_commands() {
    let Some(zsh) = zsh() else { return };
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join(".zshenv"), "export FROM_ZSHENV=env-ok\n").unwrap();
    std::fs::write(
        home.path().join(".zshrc"),
        "PS1='mine%# '\nalias hello='echo hello-from-alias'\nprecmd() { echo \"pc:$?\" }\n",
    )
    .unwrap();
    let out = run_shell(
        zsh,
        home.path(),
        &ShellHome::default(),
        "hello\n\n(exit 3)\necho $FROM_ZSHENV\ngrep -cx hello \"$HOME/.zsh_history\"\nexit\n",
    );
    assert!(out.contains("mine"), "{out:?}");
    assert!(out.contains("hello-from-alias"), "{out:?}");
    assert!(out.contains("env-ok"), "{out:?}");
    // zsh gives every precmd hook the command's status: the learner's and ours.
    assert!(
        out.contains("pc:3\n\x1b]133;D;3\x07\x1b]133;A\x07"),
        "{out:?}"
    );
    let marks = marks(&out);
    assert_eq!(
        marks.iter().filter(|m| m.starts_with('D')).count(),
        4,
        "{out:?}"
    );
    assert_eq!(marks.first().map(String::as_str), Some("A"), "{out:?}");
    // INC_APPEND_HISTORY: in the file as soon as entered.
    assert!(out.contains("\x1b]133;C\x071\n"), "{out:?}");
}

#[test]
fn zsh_finds_the_zshrc_where_the_learners_zshenv_moved_zdotdir() {
    let Some(zsh) = zsh() else { return };
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join(".config/zsh");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(home.path().join(".zshenv"), "ZDOTDIR=$HOME/.config/zsh\n").unwrap();
    std::fs::write(config.join(".zshrc"), "PS1='config%# '\n").unwrap();
    let out = run_shell(
        zsh,
        home.path(),
        &ShellHome::default(),
        "echo $ZDOTDIR\nexit\n",
    );
    assert!(out.contains("config# "), "{out:?}");
    assert!(out.contains(&format!("{}\n", config.display())), "{out:?}");
    assert!(out.contains("\x1b]133;D;0\x07"), "{out:?}");
}

#[test]
fn zsh_files_hand_over_to_the_learners_own() {
    let env = zshenv(Some("/home/me/.config/zsh"));
    assert!(env.contains("ZDOTDIR='/home/me/.config/zsh'"), "{env}");
    assert!(zshenv(None).contains("unset ZDOTDIR"));
    let rc = zshrc(&ShellHome::default());
    for needed in [
        "source ${ZDOTDIR:-$HOME}/.zshrc",
        "setopt INC_APPEND_HISTORY",
        "precmd_functions=(__labrun_precmd $precmd_functions)",
        "preexec_functions+=(__labrun_preexec)",
        "133;D;%s",
    ] {
        assert!(rc.contains(needed), "{needed} in {rc}");
    }
}

#[test]
fn other_shells_only_get_the_home_and_history_file() {
    let dir = tempfile::tempdir().unwrap();
    let spec = ShellSpec {
        program: "/bin/sh".into(),
        args: Vec::new(),
        cwd: dir.path().to_path_buf(),
        env: Vec::new(),
    };
    let shell_home = ShellHome {
        home: Some("/ws".into()),
        history: Some("/ws/.sh_history".into()),
    };
    let (spec, error) = integrate(spec, dir.path(), &shell_home);
    assert!(error.is_none());
    assert!(spec.args.is_empty());
    assert_eq!(
        spec.env,
        [
            ("HOME".to_string(), "/ws".to_string()),
            ("HISTFILE".to_string(), "/ws/.sh_history".to_string())
        ]
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no rc files"
    );
}

#[test]
fn rc_files_that_cannot_be_written_leave_the_shell_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the directory should be.
    let blocked = dir.path().join("shell");
    std::fs::write(&blocked, "").unwrap();
    let spec = ShellSpec {
        program: "/bin/bash".into(),
        args: Vec::new(),
        cwd: dir.path().to_path_buf(),
        env: Vec::new(),
    };
    let (spec, error) = integrate(spec, &blocked, &ShellHome::default());
    assert!(spec.args.is_empty());
    let error = error.expect("an error").to_string();
    assert!(
        error.contains("could not write") && error.contains("bashrc"),
        "{error}"
    );
}
