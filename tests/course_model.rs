//! The course model read from the three kinds of lesson source: the fixture
//! tracks under `tests/fixtures/tracks/` (as Instruqt authors write them),
//! their challenge directories on their own, and the bundled lesson (a course
//! of one that keeps its declarative checks); and what a malformed track
//! says, by file and line.

use assert_cmd::Command;
use labrun::checks::{self, Context, Status};
use labrun::lesson::{
    AgentVars, ChallengeKind, CheckKind, Course, HostKind, Lesson, LessonError, Phase, SourceKind,
    Timeouts, Vars, bundled,
};
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tracks")
        .join(name)
}

fn step_ids(lesson: &Lesson) -> Vec<&str> {
    lesson.steps.iter().map(|s| s.id.as_str()).collect()
}

fn file_names(scripts: &[labrun::lesson::Script]) -> Vec<String> {
    scripts.iter().map(|s| s.file_name()).collect()
}

/// A copy of a fixture track in a temp directory, to break.
fn copy_of(name: &str) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(&fixture(name), dir.path());
    dir
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn load_error(dir: &Path) -> String {
    Course::load(dir).unwrap_err().to_string()
}

#[test]
fn shell_basics_is_a_course_of_five_challenges_in_directory_order() {
    let course = Course::load(&fixture("shell-basics")).unwrap();
    assert_eq!(course.source, SourceKind::Track);
    assert_eq!(course.slug, "shell-basics");
    assert_eq!(course.title, "Shell Basics");
    assert!(course.teaser.starts_with("Files, history"));
    assert!(course.description.contains("five challenges"));
    assert!(course.skipping_enabled && course.show_timer);
    assert_eq!(course.timelimit, Some(3600));
    assert_eq!(course.timeouts, Timeouts::default());
    assert_eq!((course.timeouts.check, course.timeouts.setup), (60, 1800));
    let slugs: Vec<&str> = course.challenges.iter().map(|c| c.slug.as_str()).collect();
    assert_eq!(
        slugs,
        [
            "leave-a-note",
            "look-around",
            "check-your-understanding",
            "shout-it-out",
            "tidy-up"
        ]
    );
    assert_eq!(file_names(&course.track_scripts.scripts), ["setup-shell"]);
    // One container, named by every terminal tab: the local host.
    assert_eq!(course.hosts.len(), 1);
    let shell = course.local_host().unwrap();
    assert_eq!(
        (shell.name.as_str(), shell.kind, shell.shell.as_deref()),
        ("shell", HostKind::Container, Some("/bin/bash"))
    );
    assert_eq!(course.unavailable("shell"), None);
    assert_eq!(course.challenge("2").unwrap().1.slug, "look-around");
    assert_eq!(course.challenge("tidy-up").unwrap().0, 4);
    assert!(course.challenge("6").is_none() && course.challenge("0").is_none());
}

#[test]
fn a_challenge_has_its_scripts_and_one_step_per_check_script() {
    let course = Course::load(&fixture("shell-basics")).unwrap();
    let note = &course.challenges[0];
    assert_eq!(note.kind, ChallengeKind::Challenge);
    assert_eq!(
        file_names(&note.scripts.scripts),
        ["setup-shell", "check-shell", "solve-shell"]
    );
    assert_eq!(note.challenge.front.notes.len(), 1);
    assert_eq!(note.terminal_hosts(), ["shell"]);
    assert_eq!(step_ids(note), ["check-shell"]);
    let step = &note.steps[0];
    assert_eq!(step.title, "the challenge's check (check-shell)");
    assert!(step.is_instruqt());
    assert_eq!(
        step.checks[0].kind,
        CheckKind::Script {
            host: "shell".into(),
            path: course.dir.join("01-leave-a-note/check-shell"),
            timeout_secs: 60,
        }
    );
    let look = &course.challenges[1];
    assert!(look.scripts.get(Phase::Cleanup, "shell").is_some());
    assert_eq!(look.scripts.phase(Phase::Setup).count(), 1);
}

#[test]
fn a_lesson_toml_beside_a_challenge_adds_declared_steps_first() {
    let course = Course::load(&fixture("shell-basics")).unwrap();
    let shout = &course.challenges[3];
    assert_eq!(step_ids(shout), ["shout", "check-shell"]);
    assert!(matches!(
        shout.steps[0].checks[0].kind,
        CheckKind::Text { .. }
    ));
    assert!(!shout.steps[0].is_instruqt());
    assert!(shout.steps[0].hint.contains("tr a-z A-Z"));
    assert_eq!(
        shout.manifest_path,
        course.dir.join("04-shout-it-out/lesson.toml")
    );
}

#[test]
fn a_quiz_has_its_answers_and_one_quiz_step() {
    let course = Course::load(&fixture("shell-basics")).unwrap();
    let quiz = &course.challenges[2];
    assert!(quiz.is_quiz());
    let ChallengeKind::Quiz { answers, solution } = &quiz.kind else {
        panic!("{:?}", quiz.kind);
    };
    assert_eq!(answers.len(), 4);
    assert_eq!(solution, &[1]);
    assert!(quiz.scripts.is_empty());
    assert_eq!(step_ids(quiz), ["quiz"]);
    assert!(matches!(
        &quiz.steps[0].checks[0].kind,
        CheckKind::Quiz { challenge, .. } if challenge == "check-your-understanding"
    ));
}

/// The quiz step through `checks::run_step`, against the answers a
/// workspace records: unanswered, wrong, right.
#[test]
fn the_quiz_step_checks_the_recorded_answer() {
    let course = Course::load(&fixture("shell-basics")).unwrap();
    let quiz = &course.challenges[2];
    let ws = tempfile::tempdir().unwrap();
    let vars = Vars::default();
    let ctx = Context {
        workspace: ws.path(),
        lesson_dir: &quiz.dir,
        vars: &vars,
        extra_path: None,
        api: None,
        scripts: None,
    };
    let run = || checks::run_step(&quiz.steps[0], &ctx);
    let unanswered = run();
    assert_eq!(unanswered.status, Status::Fail);
    assert_eq!(
        unanswered.outcomes[0].message,
        "not answered yet: choose an answer"
    );
    std::fs::create_dir(ws.path().join(".labrun")).unwrap();
    let answers = ws.path().join(".labrun/answers.json");
    std::fs::write(&answers, r#"{"check-your-understanding": [2]}"#).unwrap();
    let wrong = run();
    assert_eq!(wrong.status, Status::Fail);
    assert_eq!(
        wrong.outcomes[0].message,
        "you chose \"It deletes a directory\": that is not the right answer"
    );
    std::fs::write(&answers, r#"{"check-your-understanding": [1]}"#).unwrap();
    assert_eq!(run().status, Status::Pass);
}

#[test]
fn instruqt_vars_in_the_text_come_from_the_agent_values() {
    let course = Course::load(&fixture("shell-basics")).unwrap();
    let body = &course.challenges[0].challenge.body;
    let vars = Vars::resolve(&[], &[], |_| None, &BTreeMap::new());
    let agent = AgentVars::from_json(
        r#"{"shell": {"learner_name": "ada-1234", "notes_file": "/root/notes.txt"}}"#,
    )
    .unwrap();
    let shown = vars.render_with(body, false, &agent);
    assert!(shown.contains("Your learner name is `ada-1234`"), "{shown}");
    assert!(shown.contains("`/root/notes.txt`"), "{shown}");
    // Before the track's setup has set them: visible placeholders naming the key.
    let shown = vars.render_with(body, false, &AgentVars::default());
    assert!(shown.contains("⟨LEARNER_NAME not set⟩"), "{shown}");
    assert!(shown.contains("⟨NOTES_FILE not set⟩"), "{shown}");
}

#[test]
fn broken_track_marks_the_vm_unavailable_and_keeps_its_steps() {
    let course = Course::load(&fixture("broken-track")).unwrap();
    assert_eq!(course.challenges.len(), 5);
    assert!(!course.skipping_enabled && !course.show_timer);
    let hosts: Vec<_> = course
        .hosts
        .iter()
        .map(|h| (h.name.as_str(), h.kind, h.local))
        .collect();
    assert_eq!(
        hosts,
        [
            ("shell", HostKind::Container, true),
            ("cluster", HostKind::VirtualMachine, false)
        ]
    );
    assert_eq!(
        course.unavailable("cluster").unwrap(),
        "needs host `cluster` (a VM), not available here"
    );
    // Track setup scripts in host name order.
    assert_eq!(
        file_names(&course.track_scripts.scripts),
        ["setup-cluster", "setup-shell"]
    );
    let vm = &course.challenges[2];
    assert_eq!(step_ids(vm), ["check-cluster"]);
    assert!(matches!(
        &vm.steps[0].checks[0].kind,
        CheckKind::Script { host, .. } if host == "cluster"
    ));
    let hangs = &course.challenges[3];
    assert!(hangs.scripts.get(Phase::Setup, "shell").is_some());
    assert_eq!(course.scripts().count(), 2 + 2 + 2 + 2 + 3 + 2);
}

#[test]
fn several_hosts_tab_workdirs_a_two_answer_quiz_and_a_track_lesson_toml() {
    let course = Course::load(&fixture("hosts-and-additions")).unwrap();
    // Declared order; the terminal tabs name `workstation`, not the first container.
    let hosts: Vec<_> = course
        .hosts
        .iter()
        .map(|h| (h.name.as_str(), h.kind, h.local, h.workdir.as_deref()))
        .collect();
    assert_eq!(
        hosts,
        [
            ("db", HostKind::Container, false, None),
            (
                "workstation",
                HostKind::Container,
                true,
                Some("/home/replicant")
            ),
            ("k8s", HostKind::VirtualMachine, false, None),
        ]
    );
    assert_eq!(
        course.unavailable("db").unwrap(),
        "needs host `db` (another container), not available here"
    );
    assert_eq!(
        course.timeouts,
        Timeouts {
            check: 5,
            setup: 120,
            ..Timeouts::default()
        }
    );
    assert_eq!(course.variables[0].name, "GREETING");
    let two = &course.challenges[0];
    assert_eq!(two.tab_workdir("workstation"), Some("/home/replicant"));
    // The [[challenges]] block's step first, then the check scripts by host name.
    assert_eq!(step_ids(two), ["greeting", "check-db", "check-workstation"]);
    assert_eq!(two.manifest_path, course.dir.join("lesson.toml"));
    assert!(matches!(
        two.steps[2].checks[0].kind,
        CheckKind::Script {
            timeout_secs: 5,
            ..
        }
    ));
    let names: Vec<&str> = two.variables.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["GREETING", "TARGET"]);
    let quiz = &course.challenges[1];
    assert_eq!(
        quiz.kind,
        ChallengeKind::Quiz {
            answers: vec![
                "The workstation".into(),
                "The database container".into(),
                "The k8s virtual machine".into(),
                "The learner's laptop".into()
            ],
            solution: vec![0, 2],
        }
    );
    // Lesson variables win over agent values; a key in any case finds its value.
    let vars = Vars::resolve(&two.variables, &[], |_| None, &BTreeMap::new());
    let agent = AgentVars::from_json(r#"{"workstation": {"greeting": "hi", "target": "out.txt"}}"#)
        .unwrap();
    let shown = vars.render_with(&two.challenge.body, false, &agent);
    assert!(
        shown.starts_with("Say hello into\n`greeting.txt`"),
        "{shown}"
    );
}

#[test]
fn a_challenge_directory_alone_is_a_course_of_one() {
    let bare = Course::load(&fixture("shell-basics/01-leave-a-note")).unwrap();
    assert_eq!(bare.source, SourceKind::Challenge);
    assert_eq!(bare.slug, "leave-a-note");
    assert_eq!(bare.challenges.len(), 1);
    assert_eq!(bare.local_host().unwrap().name, "shell");
    assert_eq!(bare.timelimit, Some(600));
    let lesson = Lesson::load(&fixture("shell-basics/01-leave-a-note")).unwrap();
    assert_eq!(step_ids(&lesson), ["check-shell"]);
    // With its lesson.toml beside it, a labrun lesson of its own.
    let shout = Course::load(&fixture("shell-basics/04-shout-it-out")).unwrap();
    assert_eq!(shout.source, SourceKind::Lesson);
    assert_eq!(step_ids(&shout.challenges[0]), ["shout", "check-shell"]);
    // Hosts inferred from script names without a config.yml.
    let vm = Course::load(&fixture("broken-track/03-needs-a-vm")).unwrap();
    assert_eq!(vm.host("cluster").unwrap().kind, HostKind::Container);
    assert_eq!(vm.host("shell").map(|h| h.local), Some(true));
}

#[test]
fn the_bundled_lesson_is_a_course_of_one_with_its_declarative_checks() {
    let dir = bundled::resolve(None).unwrap();
    let course = Course::load(&dir).unwrap();
    assert_eq!(course.source, SourceKind::Lesson);
    assert_eq!(course.challenges.len(), 1);
    let lesson = Lesson::load(&dir).unwrap();
    let challenge = &course.challenges[0];
    assert_eq!(challenge.slug, lesson.slug);
    assert_eq!(course.slug, lesson.slug);
    assert_eq!(challenge.steps, lesson.steps);
    assert!(lesson.steps.len() > 3);
    assert!(lesson.steps.iter().all(|s| !s.is_instruqt()));
    assert!(lesson.scripts.is_empty());
    assert_eq!(lesson.kind, ChallengeKind::Challenge);
    assert!(course.track_scripts.is_empty());
    // Its tabs name the host its shell is on: the local one.
    assert_eq!(course.local_host().unwrap().name, "shell");
    assert_eq!(course.files_dir, lesson.files_dir);
    assert!(course.files_dir.is_some());
    assert_eq!(course.variables, lesson.variables);
}

#[test]
fn a_track_is_one_lesson_only_when_it_has_one_challenge() {
    let err = Lesson::load(&fixture("shell-basics"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("track.yml:1:"), "{err}");
    assert!(err.contains("an Instruqt track of 5 challenges"), "{err}");
    // Every lesson argument accepts all three kinds.
    for dir in ["shell-basics", "shell-basics/01-leave-a-note"] {
        let arg = fixture(dir);
        assert_eq!(bundled::resolve(arg.to_str()).unwrap(), arg);
    }
}

#[test]
fn a_workspace_is_never_a_lesson() {
    let dir = copy_of("shell-basics");
    std::fs::create_dir(dir.path().join(".labrun")).unwrap();
    std::fs::write(dir.path().join(".labrun/workspace.json"), "{}").unwrap();
    let err = Course::load(dir.path()).unwrap_err();
    assert!(matches!(err, LessonError::IsAWorkspace(_)), "{err:?}");
}

#[test]
fn fields_instruqt_adds_later_are_tolerated() {
    let dir = copy_of("shell-basics");
    let track = dir.path().join("track.yml");
    edit(
        &track,
        "checksum:",
        "lab_config:\n  overlay: false\nnew_flag: true\nchecksum:",
    );
    edit(
        &dir.path().join("config.yml"),
        "memory: 256",
        "memory: 256\n  gpu: none",
    );
    edit(
        &dir.path().join("01-leave-a-note/assignment.md"),
        "difficulty: basic",
        "difficulty: basic\nenhanced_loading: null\nlayout: wide",
    );
    edit(
        &dir.path().join("01-leave-a-note/assignment.md"),
        "  hostname: shell",
        "  hostname: shell\n  id: abc\n  cmd: bash",
    );
    assert_eq!(Course::load(dir.path()).unwrap().challenges.len(), 5);
}

#[test]
fn malformed_yaml_names_the_file_and_line() {
    let dir = copy_of("shell-basics");
    edit(
        &dir.path().join("track.yml"),
        "level: beginner",
        "level: [beginner",
    );
    let err = load_error(dir.path());
    assert!(err.contains("track.yml:"), "{err}");
    let line: usize = err
        .split("track.yml:")
        .nth(1)
        .unwrap()
        .split(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((15..=19).contains(&line), "{err}");

    let dir = copy_of("shell-basics");
    edit(&dir.path().join("track.yml"), "title: Shell Basics\n", "");
    let err = load_error(dir.path());
    assert!(err.contains("track.yml:") && err.contains("title"), "{err}");

    let dir = copy_of("broken-track");
    edit(
        &dir.path().join("config.yml"),
        "- name: cluster",
        "- nom: cluster",
    );
    let err = load_error(dir.path());
    assert!(err.contains("config.yml:") && err.contains("name"), "{err}");

    let dir = copy_of("shell-basics");
    edit(
        &dir.path().join("02-look-around/assignment.md"),
        "timelimit: 600",
        "timelimit: ten minutes",
    );
    let err = load_error(dir.path());
    assert!(
        err.contains("02-look-around/assignment.md:12: front matter: invalid u64"),
        "{err}"
    );
}

#[test]
fn a_quiz_that_cannot_be_answered_is_refused_at_its_line() {
    let dir = copy_of("shell-basics");
    let quiz = dir.path().join("03-check-your-understanding/assignment.md");
    edit(&quiz, "solution:\n- 1", "solution:\n- 4");
    let err = load_error(dir.path());
    assert!(
        err.contains("assignment.md:12: `solution` names answer 4, but the quiz has 4 answers"),
        "{err}"
    );
    edit(&quiz, "solution:\n- 4\n", "");
    let err = load_error(dir.path());
    assert!(err.contains("a quiz needs `solution`"), "{err}");
}

#[test]
fn a_track_lesson_toml_is_checked_for_what_belongs_where() {
    let dir = copy_of("hosts-and-additions");
    let root = dir.path().join("lesson.toml");
    edit(&root, "slug = \"two-hosts\"", "slug = \"two-hostz\"");
    let err = load_error(dir.path());
    assert!(
        err.contains("lesson.toml:13: [[challenges]] names \"two-hostz\", which is not a challenge of this track (its challenges: two-hosts, pick-two)"),
        "{err}"
    );

    let dir = copy_of("hosts-and-additions");
    std::fs::write(dir.path().join("01-two-hosts/lesson.toml"), "").unwrap();
    let err = load_error(dir.path());
    assert!(
        err.contains("lesson.toml:13: challenge \"two-hosts\" also has a lesson.toml of its own"),
        "{err}"
    );

    let dir = copy_of("hosts-and-additions");
    edit(
        &dir.path().join("lesson.toml"),
        "[timeouts]\ncheck = 5",
        "[timeouts]\ncheck = 0",
    );
    let err = load_error(dir.path());
    assert!(
        err.contains("lesson.toml:9: timeouts.check must be at least 1 second"),
        "{err}"
    );

    let dir = copy_of("hosts-and-additions");
    edit(
        &dir.path().join("lesson.toml"),
        "[timeouts]",
        "[[steps]]\nid = \"x\"\ntitle = \"X\"\n\n[timeouts]",
    );
    let err = load_error(dir.path());
    assert!(
        err.contains("lesson.toml:9: `steps` does not belong here"),
        "{err}"
    );

    let dir = copy_of("shell-basics");
    std::fs::write(
        dir.path().join("04-shout-it-out/lesson.toml"),
        "[timeouts]\ncheck = 3\n",
    )
    .unwrap();
    let err = load_error(dir.path());
    assert!(
        err.contains("04-shout-it-out/lesson.toml:1: `timeouts` does not belong here"),
        "{err}"
    );

    let dir = copy_of("shell-basics");
    std::fs::write(
        dir.path().join("04-shout-it-out/lesson.toml"),
        "[[steps]]\nid = \"check-shell\"\ntitle = \"Mine\"\n",
    )
    .unwrap();
    let err = load_error(dir.path());
    assert!(err.contains("lesson.toml:1: step id \"check-shell\" is the step of the challenge's check-shell script"), "{err}");
}

#[test]
fn a_track_without_challenges_or_in_the_legacy_layout_says_so() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("track.yml"), "slug: t\ntitle: T\n").unwrap();
    let err = load_error(dir.path());
    assert!(
        err.contains("track.yml:1: the track has no challenges"),
        "{err}"
    );
    std::fs::write(
        dir.path().join("track.yml"),
        "slug: t\ntitle: T\nchallenges:\n- slug: a\n  type: challenge\n",
    )
    .unwrap();
    let err = load_error(dir.path());
    assert!(
        err.contains("track.yml:3: challenges inline in track.yml"),
        "{err}"
    );
    // A numbered directory without its assignment.md is named.
    std::fs::create_dir(dir.path().join("01-first")).unwrap();
    let err = load_error(dir.path());
    assert!(
        err.contains("01-first/assignment.md does not exist"),
        "{err}"
    );
}

#[test]
fn two_challenges_with_one_slug_are_refused() {
    let dir = copy_of("shell-basics");
    edit(
        &dir.path().join("05-tidy-up/assignment.md"),
        "slug: tidy-up",
        "slug: leave-a-note",
    );
    let err = load_error(dir.path());
    assert!(
        err.contains("05-tidy-up/assignment.md:2: challenge slug \"leave-a-note\" is used twice"),
        "{err}"
    );
}

fn labrun(cwd: &Path) -> Command {
    let mut cmd = Command::cargo_bin("labrun").unwrap();
    cmd.env_remove("NO_COLOR").current_dir(cwd);
    cmd
}

/// As a learner meets a quiz without the lab: `labrun init` on the
/// challenge directory, `labrun check` before answering, after a wrong
/// answer and after the right one (answers recorded where the lab and
/// `labrun answer` record them).
#[test]
fn labrun_check_checks_a_bare_quiz_challenge() {
    let tmp = tempfile::tempdir().unwrap();
    let quiz = fixture("shell-basics/03-check-your-understanding");
    labrun(tmp.path())
        .args(["init", quiz.to_str().unwrap(), "ws"])
        .assert()
        .success();
    let ws = tmp.path().join("ws");
    let check = || labrun(&ws).arg("check").assert();
    check()
        .code(1)
        .stdout(contains("Answer the question"))
        .stdout(contains("not answered yet: choose an answer"));
    let answers = ws.join(".labrun/answers.json");
    std::fs::write(&answers, r#"{"check-your-understanding": [3]}"#).unwrap();
    check()
        .code(1)
        .stdout(contains(
            "you chose \"It changes the shell's prompt\": that is not the right answer",
        ))
        .stdout(contains("It lists the files").not());
    std::fs::write(&answers, r#"{"check-your-understanding": [1]}"#).unwrap();
    check().code(0).stdout(contains("1 of 1 steps pass"));
}

/// `labrun show` takes a bare Instruqt challenge directory (its
/// placeholders visible until a script sets them); a track of several
/// challenges is refused with exit 2, saying what to name instead.
#[test]
fn lesson_arguments_name_challenge_and_track_directories() {
    let tmp = tempfile::tempdir().unwrap();
    let note = fixture("shell-basics/01-leave-a-note");
    labrun(tmp.path())
        .args(["show", note.to_str().unwrap()])
        .assert()
        .success()
        .stdout(contains("Your learner name is `⟨LEARNER_NAME not set⟩`"));
    let track = fixture("shell-basics");
    labrun(tmp.path())
        .args(["show", track.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(contains("an Instruqt track of 5 challenges"));
    labrun(tmp.path())
        .args(["show", tmp.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(contains(
            "assignment.md (an Instruqt challenge) or track.yml",
        ));
}
