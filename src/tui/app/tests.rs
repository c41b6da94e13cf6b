//! The app's reactions to actions: pure state in, effects out.

use super::super::burst;
use super::*;
use crate::lesson::{Lesson, bundled};
use std::time::Duration;

fn app() -> App {
    let lesson = Lesson::load(&bundled::resolve(None).unwrap()).unwrap();
    App::new(&lesson, Vars::default(), (120, 40))
}

fn in_lab() -> App {
    let mut app = app();
    app.focus = Focus::Lesson;
    app
}

/// Types `text` in the lab, one key every `gap`, as the input layer sends it.
fn type_in_lab(app: &mut App, text: &str, start: Instant, gap: Duration) -> Vec<Effect> {
    let mut effects = Vec::new();
    for (i, c) in text.chars().enumerate() {
        let at = start + gap * i as u32;
        let action = match app.focus {
            Focus::Lesson => {
                let key = ratatui::crossterm::event::KeyEvent::from(
                    ratatui::crossterm::event::KeyCode::Char(c),
                );
                Action::LabChar {
                    c,
                    command: super::super::bindings::lookup(
                        super::super::bindings::Context::Lab,
                        &key,
                    ),
                    at,
                }
            }
            Focus::Shell => Action::ShellInput(c.to_string().into_bytes()),
        };
        effects.extend(app.update(action));
    }
    effects
}

fn written(effects: &[Effect]) -> String {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::WriteShell(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_word_typed_in_the_lab_goes_to_the_shell_and_triggers_nothing() {
    let mut app = in_lab();
    let start = Instant::now();
    let mut effects = type_in_lab(
        &mut app,
        "clear; seq 1 200",
        start,
        Duration::from_millis(30),
    );
    effects.extend(app.update(Action::Tick(start + Duration::from_secs(5))));
    assert_eq!(written(&effects), "clear; seq 1 200");
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::Check { .. } | Effect::ProbeShell(_))),
        "{effects:?}"
    );
    assert!(app.running);
    assert!(!app.reveal_secrets);
    assert_eq!(app.focus, Focus::Shell);
    assert!(
        app.message
            .as_deref()
            .unwrap()
            .contains("typed “cl” in the shell")
    );
}

#[test]
fn view_keys_of_a_burst_that_was_text_are_undone() {
    let mut app = in_lab();
    let start = Instant::now();
    // `n` selects a code block at once; `x` shows it was typing.
    let effects = type_in_lab(&mut app, "nx", start, Duration::from_millis(20));
    assert_eq!(written(&effects), "nx");
    assert_eq!(app.code_block, None);
    assert_eq!(app.scroll, 0);
}

#[test]
fn keys_pressed_one_at_a_time_are_commands() {
    let mut app = in_lab();
    let start = Instant::now();
    let slow = Duration::from_millis(500);
    let effects = type_in_lab(&mut app, "nc", start, slow);
    assert_eq!(app.code_block, Some(1));
    // `c` waits out its burst, then checks.
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(app.deadline(), Some(start + slow + burst::GAP));
    let effects = app.update(Action::Tick(start + slow + burst::GAP));
    assert!(matches!(
        effects.as_slice(),
        [Effect::Check { asked: true, .. }]
    ));
    assert_eq!(app.deadline(), None);
    // A key after the gap is not part of the finished burst: `x` alone goes to the shell.
    let effects = type_in_lab(&mut app, "x", start + slow * 4, slow);
    assert_eq!(written(&effects), "x");
    assert_eq!(app.code_block, Some(1), "the earlier command stays done");
}

#[test]
fn quitting_asks_while_a_program_runs_in_the_shell() {
    let mut app = in_lab();
    let start = Instant::now();
    type_in_lab(&mut app, "q", start, Duration::ZERO);
    let effects = app.update(Action::Tick(start + burst::GAP));
    assert_eq!(effects, vec![Effect::ProbeShell(Probe::Quit)]);
    let vim = ShellActivity {
        foreground: Some("vim".into()),
        background: Vec::new(),
    };
    app.update(Action::ShellProbed(Probe::Quit, vim.clone()));
    assert!(app.running);
    assert_eq!(
        app.overlay,
        Some(Overlay::ConfirmQuit(
            "vim is running in the shell — quit anyway? y/n".into()
        ))
    );
    app.update(Action::Confirm(false));
    assert!(app.running);
    assert_eq!(app.overlay, None);
    app.update(Action::ShellProbed(Probe::Quit, vim));
    app.update(Action::Confirm(true));
    assert!(!app.running);
}

#[test]
fn quitting_at_an_idle_prompt_needs_no_question() {
    let mut app = in_lab();
    app.update(Action::Command(Command::Quit));
    app.update(Action::ShellProbed(Probe::Quit, ShellActivity::default()));
    assert!(!app.running);
}

#[test]
fn a_click_on_a_step_leaves_the_keys_with_the_shell() {
    let mut app = app();
    app.update(Action::SelectStepAt(2));
    assert_eq!(app.current, 2);
    assert_eq!(app.focus, Focus::Shell);
}

#[test]
fn a_terminal_paste_in_the_lab_goes_to_the_shell() {
    let mut app = in_lab();
    app.shell_modes.bracketed_paste = true;
    let effects = app.update(Action::Paste("ls\n".into()));
    assert_eq!(written(&effects), "\x1b[200~ls\n\x1b[201~");
    assert_eq!(app.focus, Focus::Shell);
}

fn programs(word: &str) -> bool {
    ["helm", "replicated"].contains(&word)
}

#[test]
fn only_command_blocks_run() {
    let mut app = in_lab().with_programs(programs);
    let kinds: Vec<CodeKind> = (1..=app.doc.code_blocks().len())
        .filter_map(|n| app.doc.code_kind(n))
        .collect();
    use CodeKind::{Command as Cmd, FileContent, Text};
    assert_eq!(
        kinds,
        [
            Text,        // $PROXY_REGISTRY_HOST/proxy/$APP_SLUG/$ORIGINAL_IMAGE_TAG
            Text,        // the proxied image
            FileContent, // values.yaml
            FileContent, // Chart.yaml
            FileContent, // the deployment's lines
            FileContent, // the pull secret template
            Cmd,         // helm package
            Cmd,         // export REPLICATED_API_TOKEN
            Cmd,         // export REPLICATED_APP
            Cmd,         // replicated release create
            Cmd,         // promote Beta
            Cmd,         // promote Stable
            Cmd,         // replicated release ls
            Text,        // its sample output
        ]
    );
    app.code_block = Some(14);
    assert_eq!(app.update(Action::Command(Command::RunCode)), vec![]);
    assert!(app.message.as_deref().unwrap().contains("not a command"));
    assert_eq!(app.focus, Focus::Lesson);
    // p still pastes it (into an editor, say).
    app.shell_modes.bracketed_paste = true;
    let effects = app.update(Action::Command(Command::PasteCode));
    assert!(written(&effects).starts_with("\x1b[200~SEQUENCE"));
    app.code_block = Some(13);
    let effects = app.update(Action::Command(Command::RunCode));
    assert_eq!(
        written(&effects),
        "\x1b[200~replicated release ls\x1b[201~\r"
    );
}

fn report(id: &str, outcome: crate::checks::Outcome) -> StepReport {
    StepReport {
        id: id.into(),
        title: id.into(),
        status: outcome.status,
        outcomes: vec![outcome],
    }
}

#[test]
fn the_edit_key_opens_the_failing_line_else_the_steps_first_file() {
    use crate::checks::Outcome;
    let mut app = in_lab();
    let idle = ShellActivity::default();
    // Not checked yet: the file the step's check reads.
    let effects = app.update(Action::Command(Command::Edit));
    let probe = Probe::Edit {
        file: "slackernews/values.yaml".into(),
        line: None,
    };
    assert_eq!(effects, vec![Effect::ProbeShell(probe.clone())]);
    let effects = app.update(Action::ShellProbed(probe, idle.clone()));
    assert_eq!(written(&effects), "\x15vi slackernews/values.yaml\r");
    assert_eq!(app.focus, Focus::Shell);
    // Failing at a line: there.
    app.apply_reports(vec![report(
        "proxy-image",
        Outcome::fail("image", "wrong").at("slackernews/values.yaml", 69),
    )]);
    let effects = app.update(Action::Command(Command::Edit));
    assert_eq!(
        effects,
        vec![Effect::ProbeShell(Probe::Edit {
            file: "slackernews/values.yaml".into(),
            line: Some(69)
        })]
    );
    // A location inside an archive that is no file of the step: the step's file.
    app.apply_reports(vec![report(
        "proxy-image",
        Outcome::fail("image", "wrong").at("chart/other.yaml", 3),
    )]);
    let effects = app.update(Action::Command(Command::Edit));
    assert!(matches!(
        &effects[..],
        [Effect::ProbeShell(Probe::Edit { line: None, .. })]
    ));
    // Never typed into a running program.
    let vim = ShellActivity {
        foreground: Some("vim".into()),
        background: Vec::new(),
    };
    let probe = Probe::Edit {
        file: "slackernews/values.yaml".into(),
        line: None,
    };
    assert_eq!(app.update(Action::ShellProbed(probe, vim)), vec![]);
    assert!(
        app.message
            .as_deref()
            .unwrap()
            .starts_with("vim is running in the shell")
    );
}

#[test]
fn steps_know_the_files_their_checks_read() {
    let app = app();
    let files: Vec<&[String]> = app.steps.iter().map(|s| s.files.as_slice()).collect();
    assert_eq!(files[0], ["slackernews/values.yaml"]);
    assert_eq!(files[2], ["slackernews/templates/imagepullsecret.yaml"]);
    // Package and release: the chart's files, not the archive.
    assert_eq!(
        files[3],
        [
            "slackernews/Chart.yaml",
            "slackernews/values.yaml",
            "slackernews/templates/imagepullsecret.yaml"
        ]
    );
    assert_eq!(files[4], ["slackernews/values.yaml"]);
}

#[test]
fn a_step_that_fails_again_is_selected() {
    use crate::checks::Outcome;
    let mut app = app();
    let pass = |id: &str| report(id, Outcome::pass("ok", "ok"));
    app.update(Action::Saw(Seen::Checked(vec![
        pass("proxy-image"),
        pass("bump-version"),
    ])));
    assert_eq!(app.current, 2, "moved on to the first open step");
    app.update(Action::Saw(Seen::Checked(vec![report(
        "bump-version",
        Outcome::fail(
            "version",
            "version in slackernews/Chart.yaml\n  expected: 0.5.0",
        ),
    )])));
    assert_eq!(app.current, 1);
    assert_eq!(
        app.message.as_deref(),
        Some("step 2 no longer passes: version in slackernews/Chart.yaml")
    );
    // A step that never passed does not pull the selection back.
    app.current = 3;
    app.update(Action::Saw(Seen::Checked(vec![report(
        "pull-secret",
        Outcome::fail("x", "missing"),
    )])));
    assert_eq!(app.current, 3);
}

#[test]
fn i_then_quick_typing_is_the_shell_command_then_the_text() {
    let mut app = in_lab();
    let effects = type_in_lab(&mut app, "ils", Instant::now(), Duration::from_millis(30));
    assert_eq!(written(&effects), "ls");
    assert_eq!(app.focus, Focus::Shell);
    assert_eq!(app.message, None);
}

/// What the loop sees (the shell, the workspace, the checks, the frame)
/// comes to the app as actions too: the app keeps its state, the loop only
/// carries out effects.
#[test]
fn what_the_loop_sees_changes_the_state_through_update() {
    let mut app = in_lab();
    // The lab enters its (one) challenge; once it is set up, every step is checked.
    let effects = app.update(Action::Saw(Seen::Started));
    assert_eq!(effects, vec![Effect::EnterChallenge(0)]);
    assert!(app.steps.iter().all(|s| !s.checking));
    let effects = app.update(Action::Saw(Seen::ChallengeReady(0)));
    let every_step: Vec<usize> = (0..app.steps.len()).collect();
    assert_eq!(
        effects,
        vec![Effect::Check {
            steps: every_step,
            asked: false
        }]
    );
    assert!(app.steps.iter().all(|s| s.checking));
    let effects = app.update(Action::Saw(Seen::ApiChanged));
    assert_eq!(
        effects,
        vec![Effect::Check {
            steps: app.api_steps(),
            asked: false
        }]
    );
    assert!(!app.api_steps().is_empty());
    let effects = app.update(Action::Saw(Seen::FilesChanged));
    assert_eq!(
        effects,
        vec![Effect::Check {
            steps: app.file_steps(),
            asked: false
        }]
    );
    let pass = report("proxy-image", crate::checks::Outcome::pass("ok", "ok"));
    app.update(Action::Saw(Seen::Checked(vec![pass])));
    assert_eq!(app.steps[0].status(), Some(Status::Pass));
    assert!(!app.steps[0].checking);

    // None of it is the learner's doing: a message and a burst of keys stay.
    let start = Instant::now();
    type_in_lab(&mut app, "c", start, Duration::ZERO);
    app.message = Some("about what the learner did".into());
    let modes = Modes {
        application_cursor: true,
        bracketed_paste: true,
    };
    app.update(Action::Saw(Seen::ShellModes(modes)));
    app.update(Action::Saw(Seen::FilesChanged));
    app.update(Action::Saw(Seen::Frame {
        shell_scroll: 0,
        window_max_scroll: 0,
    }));
    assert_eq!(app.shell_modes, modes);
    assert_eq!(app.message.as_deref(), Some("about what the learner did"));
    assert_eq!(
        app.deadline(),
        Some(start + burst::GAP),
        "the burst goes on"
    );

    app.update(Action::Saw(Seen::ShellExited(Some(2))));
    assert_eq!(app.shell_exited, Some(Some(2)));
    app.update(Action::Saw(Seen::Notice(
        "progress not saved: disk full".into(),
    )));
    assert_eq!(
        app.message.as_deref(),
        Some("progress not saved: disk full")
    );
    app.update(Action::Saw(Seen::Terminate));
    assert!(!app.running);
}

#[test]
fn the_frame_clamps_the_shell_and_window_scroll() {
    let mut app = app();
    app.shell_scroll = 500;
    app.update(Action::Command(Command::Help));
    app.overlay_scroll = 40;
    app.update(Action::Saw(Seen::Frame {
        shell_scroll: 120,
        window_max_scroll: 7,
    }));
    assert_eq!((app.shell_scroll, app.overlay_scroll), (120, 7));
    // Without a window its scroll is not the frame's business.
    app.update(Action::Command(Command::Close));
    app.overlay_scroll = 40;
    app.update(Action::Saw(Seen::Frame {
        shell_scroll: 0,
        window_max_scroll: 0,
    }));
    assert_eq!(app.overlay_scroll, 40);
}

/// The keys messages name come from the bindings table (these are the
/// words a learner reads today).
#[test]
fn messages_name_the_keys_of_the_bindings_table() {
    let mut app = in_lab();
    app.update(Action::Command(Command::CopyCode));
    assert_eq!(
        app.message.as_deref(),
        Some("select a code block first (n / F8)")
    );
    app.update(Action::Command(Command::RestartShell));
    assert_eq!(
        app.message.as_deref(),
        Some("the shell is running (r restarts it after it exits)")
    );
    let mut app = in_lab().with_programs(programs);
    app.code_block = Some(3);
    app.update(Action::Command(Command::RunCode));
    assert_eq!(
        app.message.as_deref(),
        Some(
            "block 3 is a file's content, not a command: p pastes it (into an editor), y copies it"
        )
    );
    app.update(Action::Command(Command::PasteCode));
    assert_eq!(
        app.message.as_deref(),
        Some(
            "the program in the shell takes no bracketed paste, so pasting would run each line: \
             F9 runs the block, y copies it"
        )
    );
    app.focus = Focus::Lesson;
    let start = Instant::now();
    type_in_lab(&mut app, "x", start, Duration::ZERO);
    assert_eq!(
        app.message.as_deref(),
        Some("typed “x” in the shell: “x” is not a lab key (Ctrl-] gives the keys to the lab)")
    );
    app.update(Action::Saw(Seen::ShellExited(None)));
    app.focus = Focus::Lesson;
    type_in_lab(
        &mut app,
        "x",
        start + Duration::from_secs(1),
        Duration::ZERO,
    );
    assert_eq!(
        app.message.as_deref(),
        Some("“x” is not a lab key; the shell has exited: r restarts it")
    );
}
