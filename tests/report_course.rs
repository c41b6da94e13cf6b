//! Instructors' view of a course, through the real binary: `labrun progress`
//! on a course workspace (one line per challenge, then the current one's
//! steps), `labrun progress export` (a record carrying every challenge), and
//! `labrun report` on a class of course records — learners × challenges,
//! class totals, who is stuck — also without the track directory, and beside
//! a lesson's records. Workspaces are laid out by hand (`.labrun/` with the
//! state and a progress written as the lab records it), of the fixture track
//! `tests/fixtures/tracks/shell-basics`.

mod support;

use labrun::checks::{Outcome, Status, StepReport};
use labrun::lesson::Course;
use labrun::progress::{ChallengeState, Progress};
use labrun::report::{self, Record};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

fn track() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tracks/shell-basics")
}

fn labrun(args: &[&std::ffi::OsStr]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_labrun"));
    // Tests must not depend on the developer's environment.
    for var in ["REPLICATED_API_TOKEN", "PASSWORD", "CLICOLOR_FORCE"] {
        cmd.env_remove(var);
    }
    let out = cmd.args(args).env("USER", "instructor").output().unwrap();
    assert!(out.status.success(), "labrun {args:?}: {out:?}");
    out
}

fn stdout(out: Output) -> String {
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// 2026-01-05T09:00:00Z, when every learner starts.
fn nine() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_603_600)
}

/// How a learner went through one challenge.
#[derive(Clone, Copy)]
enum How {
    /// Never reached.
    Untouched,
    /// Entered, never checked.
    Entered,
    /// Passed after this many seconds (one failed check first).
    Passed(u64),
    Skipped(u64),
    /// This many checks over this many seconds, each failing on this condition.
    Failing(u32, u64, &'static str),
    /// This many checks over this many seconds, none could run.
    Broken(u32, u64),
}

/// A course progress as the lab records it: each challenge entered in turn,
/// its steps checked, passed or skipped, with the clock running from 09:00.
fn course_progress(course: &Course, hows: &[How]) -> Progress {
    let mut p = Progress::new(&course.slug);
    let mut clock = nine();
    for (lesson, how) in course.challenges.iter().zip(hows) {
        let (slug, title) = (lesson.slug.as_str(), lesson.title());
        let check = |p: &mut Progress, at: SystemTime, first: Outcome| {
            let reports: Vec<StepReport> = lesson
                .steps
                .iter()
                .enumerate()
                .map(|(i, step)| {
                    let outcome = match i {
                        0 => first.clone(),
                        _ => Outcome::pass("done", "ok"),
                    };
                    StepReport {
                        id: step.id.clone(),
                        title: step.title.clone(),
                        status: outcome.status,
                        outcomes: vec![outcome],
                    }
                })
                .collect();
            p.record_in(Some(slug), &reports, at, true);
        };
        if !matches!(how, How::Untouched) {
            p.enter_challenge(slug, title, clock);
        }
        match *how {
            How::Untouched | How::Entered => {}
            How::Passed(seconds) => {
                check(&mut p, clock, Outcome::fail("done", "not yet"));
                clock += Duration::from_secs(seconds);
                check(&mut p, clock, Outcome::pass("done", "ok"));
                p.finish_challenge(slug, title, ChallengeState::Passed, clock);
            }
            How::Skipped(seconds) => {
                clock += Duration::from_secs(seconds);
                p.finish_challenge(slug, title, ChallengeState::Skipped, clock);
            }
            How::Failing(checks, seconds, condition) => {
                for k in 1..=u64::from(checks) {
                    let at = clock + Duration::from_secs(seconds * k / u64::from(checks));
                    check(&mut p, at, Outcome::fail(condition, "no"));
                }
            }
            How::Broken(checks, seconds) => {
                for k in 1..=u64::from(checks) {
                    let at = clock + Duration::from_secs(seconds * k / u64::from(checks));
                    let name = "the challenge's check (check-shell)";
                    check(&mut p, at, Outcome::error(name, "bash: not found"));
                }
            }
        }
    }
    p
}

/// A workspace of `course_dir` laid out by hand: its state (made at
/// `created`, so each is its own workspace) and `progress`.
fn workspace(dir: &Path, course_dir: &Path, created: &str, progress: &Progress) {
    fs::create_dir_all(dir.join(".labrun")).unwrap();
    let state = serde_json::json!({
        "schema": 1,
        "lesson": {"slug": "shell-basics", "dir": course_dir, "built_in": false},
        "created_at": created,
        "vars": {},
    });
    fs::write(dir.join(".labrun/workspace.json"), state.to_string()).unwrap();
    progress.save(&dir.join(".labrun/progress.json")).unwrap();
}

/// The class: alice finished (skipping shout-it-out), bob is stuck at
/// look-around, carol has not started, dave is stuck at the quiz longest,
/// erin's check of look-around cannot run.
fn learners() -> Vec<(&'static str, Vec<How>)> {
    use How::*;
    vec![
        (
            "alice",
            vec![
                Passed(120),
                Passed(300),
                Passed(60),
                Skipped(30),
                Passed(180),
            ],
        ),
        (
            "bob",
            vec![
                Passed(240),
                Failing(6, 1500, "Run ls -l /tmp/look-around first"),
                Untouched,
                Untouched,
                Untouched,
            ],
        ),
        (
            "carol",
            vec![Entered, Untouched, Untouched, Untouched, Untouched],
        ),
        (
            "dave",
            vec![
                Passed(60),
                Passed(120),
                Failing(2, 2400, "the quiz is answered correctly"),
                Untouched,
                Untouched,
            ],
        ),
        (
            "erin",
            vec![Passed(90), Broken(3, 600), Untouched, Untouched, Untouched],
        ),
    ]
}

/// Each learner's workspace under `root`, and their exports in `root/class`.
fn class(root: &Path, course_dir: &Path) -> PathBuf {
    let course = Course::load(course_dir).unwrap();
    let class = root.join("class");
    fs::create_dir_all(&class).unwrap();
    for (i, (name, hows)) in learners().into_iter().enumerate() {
        let ws = root.join(format!("ws-{name}"));
        let created = format!("2026-01-05T08:5{i}:00Z");
        workspace(&ws, course_dir, &created, &course_progress(&course, &hows));
        let file = class.join(format!("{name}.json"));
        labrun(&[
            "progress".as_ref(),
            "export".as_ref(),
            "--learner".as_ref(),
            name.as_ref(),
            "-o".as_ref(),
            file.as_os_str(),
            "-w".as_ref(),
            ws.as_os_str(),
        ]);
    }
    class
}

#[test]
fn progress_of_a_course_shows_each_challenge_then_the_current_ones_steps() {
    let root = tempfile::tempdir().unwrap();
    let course = Course::load(&track()).unwrap();
    let ws = root.path().join("lab");
    let hows = [
        How::Passed(150),
        How::Failing(3, 600, "Run ls -l /tmp/look-around first"),
        How::Untouched,
        How::Untouched,
        How::Untouched,
    ];
    workspace(
        &ws,
        &track(),
        "2026-01-05T08:59:00Z",
        &course_progress(&course, &hows),
    );
    let text = stdout(labrun(&[
        "progress".as_ref(),
        "-w".as_ref(),
        ws.as_os_str(),
    ]));
    insta::assert_snapshot!("course_progress", text);

    // JSON: the progress file's shape, with every challenge of the course.
    let json = stdout(labrun(&[
        "progress".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        "-w".as_ref(),
        ws.as_os_str(),
    ]));
    let progress: Progress = serde_json::from_str(&json).unwrap();
    let states: Vec<(&str, ChallengeState)> = progress
        .challenges
        .iter()
        .map(|c| (c.slug.as_str(), c.state))
        .collect();
    assert_eq!(
        states,
        [
            ("leave-a-note", ChallengeState::Passed),
            ("look-around", ChallengeState::Open),
            ("check-your-understanding", ChallengeState::Locked),
            ("shout-it-out", ChallengeState::Locked),
            ("tidy-up", ChallengeState::Locked),
        ]
    );
    assert_eq!(progress.challenges[3].title, "Shout it out");
    let shout = progress.step_in(Some("shout-it-out"), "shout").unwrap();
    assert_eq!((shout.status, shout.attempts), (None, 0));
    let look = progress
        .step_in(Some("look-around"), "check-shell")
        .unwrap();
    assert_eq!((look.status, look.attempts), (Some(Status::Fail), 3));

    // A workspace nobody has checked yet: the first challenge is open.
    fs::remove_file(ws.join(".labrun/progress.json")).unwrap();
    let text = stdout(labrun(&[
        "progress".as_ref(),
        "-w".as_ref(),
        ws.as_os_str(),
    ]));
    assert!(
        text.contains("\n·   1  Leave a note              not started\n"),
        "{text}"
    );
    assert!(
        text.contains("\nLeave a note — challenge 1 of 5\n"),
        "{text}"
    );

    // Everything done: no current challenge, no steps table.
    let done = [
        How::Passed(60),
        How::Passed(60),
        How::Skipped(5),
        How::Passed(60),
        How::Passed(60),
    ];
    workspace(
        &ws,
        &track(),
        "2026-01-05T08:59:00Z",
        &course_progress(&course, &done),
    );
    let text = stdout(labrun(&[
        "progress".as_ref(),
        "-w".as_ref(),
        ws.as_os_str(),
    ]));
    assert!(
        text.starts_with("Shell Basics — 5 of 5 challenges done\n"),
        "{text}"
    );
    assert!(
        text.contains("⏭  3  Check your understanding  skipped\n"),
        "{text}"
    );
    assert!(!text.contains("STEP"), "{text}");
}

#[test]
fn an_export_of_a_course_carries_every_challenge_in_course_order() {
    let root = tempfile::tempdir().unwrap();
    let class = class(root.path(), &track());
    let text = fs::read_to_string(class.join("bob.json")).unwrap();
    let record = Record::parse(&text).unwrap();
    // The record format is unchanged; its progress says it is of a course.
    assert_eq!(record.schema, report::RECORD_SCHEMA);
    assert_eq!(record.schema, 1);
    assert_eq!(record.progress.schema, 2);
    assert_eq!(
        (record.learner.as_str(), record.lesson.as_str()),
        ("bob", "shell-basics")
    );
    let challenges: Vec<(&str, &str)> = record
        .progress
        .challenges
        .iter()
        .map(|c| (c.slug.as_str(), c.title.as_str()))
        .collect();
    assert_eq!(
        challenges,
        [
            ("leave-a-note", "Leave a note"),
            ("look-around", "Look around"),
            ("check-your-understanding", "Check your understanding"),
            ("shout-it-out", "Shout it out"),
            ("tidy-up", "Tidy up"),
        ]
    );
    // Every step of every challenge, under its challenge, in course order.
    let steps: Vec<(Option<&str>, &str)> = record
        .progress
        .steps
        .iter()
        .map(|s| (s.challenge.as_deref(), s.id.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            (Some("leave-a-note"), "check-shell"),
            (Some("look-around"), "check-shell"),
            (Some("check-your-understanding"), "quiz"),
            (Some("shout-it-out"), "shout"),
            (Some("shout-it-out"), "check-shell"),
            (Some("tidy-up"), "check-shell"),
        ]
    );
    assert_eq!(record.progress.challenges[0].seconds, Some(240));
    assert!(record.workspace_id.is_some());
}

#[test]
fn a_class_report_of_a_course_is_learners_by_challenges() {
    let root = tempfile::tempdir().unwrap();
    let class = class(root.path(), &track());
    let report = |format: &str| {
        stdout(labrun(&[
            "report".as_ref(),
            "--format".as_ref(),
            format.as_ref(),
            class.as_os_str(),
        ]))
    };
    insta::assert_snapshot!("course_report_human", report("human"));
    insta::assert_snapshot!("course_report_markdown", report("markdown"));

    let csv = report("csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "lesson,learner,challenge,step,title,status,attempts,seconds,hints_shown,failing_conditions"
        )
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 5 * 5, "{csv}");
    assert!(
        rows.contains(&"shell-basics,alice,shout-it-out,,Shout it out,skipped,0,30,0,"),
        "{csv}"
    );
    assert!(
        rows.contains(&"shell-basics,bob,look-around,check-shell,Look around,failing,6,1500,0,Run ls -l /tmp/look-around first"),
        "{csv}"
    );
    assert!(
        rows.contains(&"shell-basics,carol,leave-a-note,,Leave a note,not-started,0,,0,"),
        "{csv}"
    );

    let json: serde_json::Value = serde_json::from_str(&report("json")).unwrap();
    assert_eq!(json["schema"], 1);
    assert_eq!(json["lessons"], serde_json::json!([]));
    let course = &json["courses"][0];
    assert_eq!(course["course"], "shell-basics");
    assert_eq!(course["finished"], 1);
    assert_eq!(course["challenges"][1]["stuck"], 2);
    assert_eq!(course["challenges"][0]["median_seconds_to_pass"], 105);
    assert_eq!(course["learners"][4]["challenges"][1]["state"], "error");
    assert_eq!(course["longest"]["name"], "dave");
    assert_eq!(course["longest"]["seconds"], 2400);
    assert_eq!(course["most_attempts"]["name"], "bob");
    assert_eq!(
        course["most_attempts"]["condition"],
        "Run ls -l /tmp/look-around first"
    );
}

/// A copy of the fixture track, to move away.
fn copy_of_track(to: &Path) {
    support::copy_tree(&track(), to);
}

#[test]
fn a_course_report_needs_no_track_directory() {
    let root = tempfile::tempdir().unwrap();
    let course_dir = root.path().join("shell-basics");
    copy_of_track(&course_dir);
    let class = class(root.path(), &course_dir);
    let with_track = stdout(labrun(&["report".as_ref(), class.as_os_str()]));
    fs::remove_dir_all(&course_dir).unwrap();
    // Records describe themselves: the same report without the track.
    let without = stdout(labrun(&["report".as_ref(), class.as_os_str()]));
    assert_eq!(without, with_track);

    // A workspace read directly knows the challenges it recorded, by the
    // titles it recorded; those never entered are not known.
    let ws = root.path().join("ws-bob");
    let json = stdout(labrun(&[
        "report".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        ws.as_os_str(),
    ]));
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let challenges = json["courses"][0]["challenges"].as_array().unwrap();
    let titles: Vec<&str> = challenges
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Leave a note", "Look around"]);
    let bob = &json["courses"][0]["learners"][0];
    assert_eq!(bob["name"], "instructor", "the workspace's owner");
    assert_eq!(bob["challenges"][1]["attempts"], 6);
}

#[test]
fn records_of_a_course_and_of_a_lesson_are_reported_apart_and_old_records_still_load() {
    let root = tempfile::tempdir().unwrap();
    let class = class(root.path(), &track());
    // A record of an older labrun: record schema 1, progress schema 1.
    let old = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/class/alice.json");
    let old_text = fs::read_to_string(&old).unwrap();
    assert!(
        old_text.contains("\"schema\": 1,\n    \"lesson\""),
        "progress schema 1"
    );
    let lesson_only = stdout(labrun(&["report".as_ref(), old.as_os_str()]));
    fs::copy(&old, class.join("zz-alice-lesson.json")).unwrap();

    let text = stdout(labrun(&["report".as_ref(), class.as_os_str()]));
    assert!(
        text.starts_with(
            "These records are of 2 different lessons, each reported on its own: \
             proxying-private-images, shell-basics (a course).\n\n"
        ),
        "{text}"
    );
    // The lesson's part is exactly its report alone.
    assert!(text.contains(&format!("\n{lesson_only}\n")), "{text}");
    assert!(
        text.contains("\nshell-basics — course of 5 challenges, 5 learners, 1 finished\n"),
        "{text}"
    );

    let csv = stdout(labrun(&[
        "report".as_ref(),
        "--format".as_ref(),
        "csv".as_ref(),
        class.as_os_str(),
    ]));
    assert!(
        csv.contains("\nproxying-private-images,alice,,proxy-image,"),
        "a lesson's rows name no challenge: {csv}"
    );
    let markdown = stdout(labrun(&[
        "report".as_ref(),
        "--format".as_ref(),
        "markdown".as_ref(),
        class.as_os_str(),
    ]));
    assert!(
        markdown.contains("## proxying-private-images\n"),
        "{markdown}"
    );
    assert!(markdown.contains("## shell-basics\n"), "{markdown}");
}
