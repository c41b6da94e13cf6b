//! Issue 12 items 2 and 7: a course in the lab — the challenge list, a
//! challenge's notes, a quiz, the summary — drawn from the state of a
//! course of three challenges of the `shell-basics` fixture track
//! (snapshots of the lab's screen); and a quiz answered in the real
//! `labrun start` in a pseudo-terminal.

mod support;

use labrun::checks::{Outcome, StepReport};
use labrun::lesson::{Course, Vars};
use labrun::progress::ChallengeState::{Locked, Open, Passed, Skipped};
use labrun::tui::app::{Action, App, Recorded, Seen};
use labrun::tui::bindings::Command;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::terminal::{Spawn, Terminal as Pty};
use tui_term::vt100;

fn track() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tracks/shell-basics")
}

/// The track's first three challenges: notes, a second one, the quiz.
fn course() -> Course {
    let mut course = Course::load(&track()).unwrap();
    course.challenges.truncate(3);
    course
}

fn lab(width: u16, height: u16) -> App {
    App::for_course(&course(), Vars::default(), (width, height))
}

fn draw(app: &App) -> String {
    let (rows, cols) = app.shell_size();
    let mut parser = vt100::Parser::new(rows, cols, 0);
    parser.process(b"$ cat ~/notes.txt\r\nname: learner\r\n$ ");
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    terminal
        .draw(|frame| labrun::tui::ui::render(frame, app, parser.screen()))
        .unwrap();
    format!("{}", terminal.backend())
}

fn step_report(app: &App, outcome: Outcome) -> StepReport {
    StepReport {
        id: app.steps[0].id.clone(),
        title: app.steps[0].title.clone(),
        status: outcome.status,
        outcomes: vec![outcome],
    }
}

fn checked(app: &mut App, outcome: Outcome) {
    let report = step_report(app, outcome);
    app.update(Action::Saw(Seen::Checked(vec![report])));
}

/// What progress recorded: the first two challenges done (the first
/// skipped, the second passed).
fn two_done() -> Vec<Recorded> {
    vec![
        Recorded {
            state: Skipped,
            seconds: Some(62),
            entered: true,
        },
        Recorded {
            state: Passed,
            seconds: Some(135),
            entered: true,
        },
        Recorded::default(),
    ]
}

#[test]
fn entering_a_course_shows_the_first_challenges_notes() {
    let mut app = lab(120, 40);
    app.update(Action::Saw(Seen::Started));
    let screen = draw(&app);
    assert!(
        screen.contains("Files are how the shell remembers things"),
        "{screen}"
    );
    insta::assert_snapshot!("course_notes_120x40", screen);
}

#[test]
fn the_challenge_list_shows_done_current_and_locked_with_the_timer() {
    let mut app = lab(120, 40);
    let now = Instant::now();
    app.start_timer(now + Duration::from_secs(3600), now);
    app.update(Action::Saw(Seen::Started));
    app.update(Action::Command(Command::Close));
    checked(&mut app, Outcome::pass("check-shell", "exit 0"));
    app.update(Action::Saw(Seen::Recorded(vec![
        Recorded {
            state: Passed,
            seconds: Some(62),
            entered: true,
        },
        Recorded::default(),
        Recorded::default(),
    ])));
    app.update(Action::Command(Command::NextChallenge));
    app.update(Action::Saw(Seen::ChallengeReady(1)));
    checked(
        &mut app,
        Outcome::fail("FAIL: ~/word.txt does not hold the secret word", "no word"),
    );
    let screen = draw(&app);
    assert!(screen.contains("⏱ 1:00:00 left"), "{screen}");
    assert!(
        screen.contains("Shell Basics › 2/3 Look around"),
        "{screen}"
    );
    insta::assert_snapshot!("course_list_120x40", screen);
    // At 80×24, with the lab's keys: the lesson, the list and the steps.
    let mut small = lab(80, 24);
    small.update(Action::Saw(Seen::Recorded(vec![
        Recorded {
            state: Skipped,
            seconds: Some(9),
            entered: true,
        },
        Recorded {
            state: Open,
            seconds: None,
            entered: true,
        },
        Recorded {
            state: Locked,
            ..Recorded::default()
        },
    ])));
    small.open_challenge(1);
    small.update(Action::Command(Command::FocusLab));
    insta::assert_snapshot!("course_list_80x24", draw(&small));
}

#[test]
fn a_quiz_shows_its_answers_and_a_wrong_answer_says_so_without_the_solution() {
    let mut app = lab(120, 40);
    app.update(Action::Saw(Seen::Recorded(two_done())));
    app.open_challenge(app.course.resume_at(None));
    app.update(Action::Saw(Seen::Started));
    app.update(Action::Command(Command::Answer(2)));
    app.update(Action::Command(Command::SubmitAnswer));
    checked(
        &mut app,
        Outcome::fail(
            "the quiz is answered correctly",
            "you chose \"It deletes a directory\": that is not the right answer",
        ),
    );
    let screen = draw(&app);
    assert!(screen.contains("✗ not right"), "{screen}");
    insta::assert_snapshot!("course_quiz_120x40", screen);
}

#[test]
fn the_summary_lists_each_challenge_its_time_and_the_total() {
    let mut app = lab(120, 40);
    app.update(Action::Saw(Seen::Recorded(two_done())));
    app.open_challenge(2);
    app.update(Action::Saw(Seen::Started));
    app.update(Action::Command(Command::Answer(1)));
    app.update(Action::Command(Command::SubmitAnswer));
    checked(
        &mut app,
        Outcome::pass("the quiz is answered correctly", "that is right"),
    );
    let mut records = two_done();
    records[2] = Recorded {
        state: Passed,
        seconds: Some(40),
        entered: true,
    };
    app.update(Action::Saw(Seen::Recorded(records)));
    let screen = draw(&app);
    assert!(screen.contains("course complete"), "{screen}");
    assert!(screen.contains("3:57"), "the total: {screen}");
    insta::assert_snapshot!("course_summary_120x40", screen);
}

/// A bare Instruqt quiz challenge is a course of one: `labrun start DIR`
/// shows its answers, the learner chooses with a digit and Enter, and the
/// check says whether it is right.
#[test]
fn a_quiz_is_answered_in_the_real_lab() {
    let home = tempfile::tempdir().unwrap();
    let quiz = track().join("03-check-your-understanding");
    let spawn =
        Spawn::labrun(home.path(), &["start", quiz.to_str().unwrap()]).env("HOME", home.path());
    let mut lab = Pty::spawn(spawn);
    lab.wait_for("the question's answers", |s| {
        s.contains("Answers") && s.contains("4 It changes the shell's prompt")
    });
    lab.wait_for("the lab with the keys", |s| s.contains(" LAB "));
    lab.type_keys(b"3");
    lab.wait_for("answer 3 chosen", |s| s.contains("▸ (•) 3 It deletes"));
    lab.type_keys(b"\r");
    lab.wait_for("the check's word", |s| s.contains("✗ not right"));
    let screen = lab.screen();
    assert!(
        !screen.contains("you chose \"It lists"),
        "never the solution:\n{screen}"
    );
    let workspace = home.path().join("check-your-understanding");
    let answers = std::fs::read_to_string(workspace.join(".labrun/answers.json")).unwrap();
    let answers: serde_json::Value = serde_json::from_str(&answers).unwrap();
    assert_eq!(answers["check-your-understanding"], serde_json::json!([2]));
    // The arrow up, then Enter: the right one.
    lab.type_keys(b"\x1b[A");
    lab.wait_for("answer 2 chosen", |s| s.contains("▸ (•) 2 It lists"));
    lab.type_keys(b"\r");
    lab.wait_for("the right answer", |s| {
        s.contains("✓ right") && s.contains("all 1 steps done")
    });
    lab.quit();
    let progress = std::fs::read_to_string(workspace.join(".labrun/progress.json")).unwrap();
    let progress: serde_json::Value = serde_json::from_str(&progress).unwrap();
    let step = &progress["steps"][0];
    assert_eq!(step["id"], "quiz");
    assert_eq!(step["status"], "pass");
    assert_eq!(step["attempts"], 2, "each submission is an attempt");
}

/// Issue 12's end to end: the `shell-basics` track in the real lab, as a
/// learner meets it — the question about its scripts, the first
/// challenge's setup filling the text, commands typed in the shell (bash:
/// history and prompt marks) turning its check green without a key, the
/// next challenge unlocked and entered, its setup's files in /tmp.
#[test]
fn a_track_runs_in_the_real_lab_and_unlocks_as_its_checks_pass() {
    if !support::namespace_mode() {
        return;
    }
    let _turn = support::shell_basics_turn();
    let home = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let spawn = Spawn::labrun(home.path(), &["start", track().to_str().unwrap()])
        .size(45, 140)
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", data.path())
        .env("SHELL", "/bin/bash");
    let mut lab = Pty::spawn(spawn);
    lab.wait_for("the question about the track's scripts", |s| {
        s.contains("01-leave-a-note/check-shell") && s.contains("[v]iew / [a]llow / [q]uit?")
    });
    lab.type_keys(b"a\r");
    lab.wait_for("challenge 1, its text filled by its setup", |s| {
        s.contains("Shell Basics › 1/5 Leave a note") && s.contains("Your learner name is ada-")
    });
    lab.wait_for("its notes", |s| s.contains("Esc closes"));
    lab.type_keys(b"\x1b");
    lab.wait_for("the notes closed, the shell with the keys", |s| {
        !s.contains("Esc closes") && s.contains(" SHELL ")
    });
    lab.type_keys(
        b"echo \"name: $(cat ~/.learner-name)\" > ~/notes.txt; echo 'done: yes' >> ~/notes.txt\r",
    );
    lab.wait_for("challenge 1 passed after the command, without a key", |s| {
        s.contains("Challenge 1 of 5 passed")
    });
    lab.type_keys(b"\x1d>"); // Ctrl-] then >
    lab.wait_for("challenge 2 entered", |s| {
        s.contains("Shell Basics › 2/5 Look around")
    });
    lab.type_keys(b"i"); // the keys to the shell (this challenge has no notes)
    lab.wait_for("the shell has the keys", |s| s.contains(" SHELL "));
    lab.type_keys(b"ls -l /tmp/look-around && cat /tmp/look-around/secret-word > ~/word.txt\r");
    lab.wait_for(
        "challenge 2 passed: its check read the shell's history",
        |s| s.contains("Challenge 2 of 5 passed"),
    );
    lab.quit();
    let workspace = home.path().join("shell-basics");
    let progress = std::fs::read_to_string(workspace.join(".labrun/progress.json")).unwrap();
    let progress: serde_json::Value = serde_json::from_str(&progress).unwrap();
    let states: Vec<&str> = progress["challenges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["state"].as_str().unwrap())
        .collect();
    assert_eq!(states[..2], ["passed", "passed"], "{progress:#}");
    // The history the check read is the workspace's, written as commands ran.
    let history = std::fs::read_to_string(workspace.join(".bash_history")).unwrap();
    assert!(history.contains("ls -l /tmp/look-around"), "{history}");
    // Allowing was remembered: the next start asks nothing.
    let trust = std::fs::read_to_string(data.path().join("labrun/trust.json")).unwrap();
    assert!(trust.contains("01-leave-a-note/check-shell"), "{trust}");
}

/// Quitting the lab while a challenge's setup still runs (broken-track's
/// 04 hangs) ends the script and everything it started: nothing of the
/// workspace's is left running.
#[test]
fn quitting_the_lab_ends_a_setup_that_still_runs() {
    let home = tempfile::tempdir().unwrap();
    let broken = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tracks/broken-track");
    let spawn = Spawn::labrun(
        home.path(),
        &[
            "start",
            broken.to_str().unwrap(),
            "--challenge",
            "4",
            "--trust",
        ],
    )
    .env("HOME", home.path());
    let mut lab = Pty::spawn(spawn);
    lab.wait_for("challenge 4", |s| s.contains("4/5"));
    let workspace = home.path().join("broken-track");
    let running = || processes_mentioning(&workspace.to_string_lossy());
    let start = Instant::now();
    while running().is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the setup never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    lab.quit();
    let start = Instant::now();
    while !running().is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "left running after quit: {:?}",
            running()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Processes whose command line mentions `text`.
fn processes_mentioning(text: &str) -> Vec<String> {
    let me = std::process::id().to_string();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .chars()
                .all(|c| c.is_ascii_digit())
        })
        .filter(|e| e.file_name().to_string_lossy() != me)
        .filter_map(|e| {
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            cmdline.contains(text).then_some(cmdline)
        })
        .collect()
}
