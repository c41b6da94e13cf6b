//! Trust in a course's scripts as a learner meets it: `labrun trust DIR`
//! through the real binary, the question asked before a lab opens, and
//! trust remembered by content in the learner's data directory.

mod support;

use labrun::trust::prompt::{Decision, ToolsNote, Viewer, ask};
use labrun::trust::{Status, TrustStore};
use std::path::{Path, PathBuf};
use support::labrun;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/tracks/shell-basics"
);

/// A copy of the shell-basics track and an empty data directory.
struct Setup {
    tmp: tempfile::TempDir,
    track: PathBuf,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let track = tmp.path().join("shell-basics");
    copy_dir(Path::new(FIXTURE), &track);
    Setup { tmp, track }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

impl Setup {
    fn data(&self) -> PathBuf {
        self.tmp.path().join("data")
    }

    fn trust(&self, dir: &Path) -> assert_cmd::assert::Assert {
        labrun()
            .env("XDG_DATA_HOME", self.data())
            .env("HOME", self.tmp.path())
            .arg("trust")
            .arg(dir)
            .assert()
    }

    fn store(&self) -> TrustStore {
        TrustStore::in_dir(self.data().join("labrun"))
    }

    fn scripts(&self) -> Vec<PathBuf> {
        let mut scripts = vec![self.track.join("track_scripts/setup-shell")];
        for challenge in [
            "01-leave-a-note",
            "02-look-around",
            "04-shout-it-out",
            "05-tidy-up",
        ] {
            for entry in std::fs::read_dir(self.track.join(challenge)).unwrap() {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_str().unwrap().to_string();
                if name.contains('-') && !name.ends_with(".md") && !name.ends_with(".toml") {
                    scripts.push(path);
                }
            }
        }
        scripts.sort();
        scripts
    }
}

fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stdout.clone()).unwrap()
}

#[test]
fn labrun_trust_allows_a_tracks_scripts_until_one_changes() {
    let s = setup();
    let first = s.trust(&s.track).success();
    let out = stdout(&first);
    for name in [
        "track_scripts/setup-shell",
        "01-leave-a-note/check-shell",
        "02-look-around/cleanup-shell",
        "05-tidy-up/solve-shell",
    ] {
        assert!(
            out.contains(&format!("  new      {name}\n")),
            "{name}: {out}"
        );
    }
    assert!(out.contains("labrun will run the 14 scripts of"), "{out}");
    assert!(s.data().join("labrun/trust.json").is_file());

    let again = s.trust(&s.track).success();
    assert!(
        stdout(&again).contains("labrun already trusts the 14 scripts of"),
        "{}",
        stdout(&again)
    );

    std::fs::write(
        s.track.join("05-tidy-up/check-shell"),
        "#!/bin/bash\nexit 0\n",
    )
    .unwrap();
    let review = s.store().review(&s.track, &s.scripts()).unwrap();
    let changed: Vec<(&str, Status)> = review
        .untrusted()
        .map(|x| (x.name.as_str(), x.status))
        .collect();
    assert_eq!(changed, [("05-tidy-up/check-shell", Status::Changed)]);
    let out = stdout(&s.trust(&s.track).success());
    assert!(
        out.starts_with("  changed  05-tidy-up/check-shell\n"),
        "{out}"
    );
}

#[test]
fn the_question_before_a_lab_lists_scripts_and_tools_and_allowing_is_remembered() {
    let s = setup();
    let store = s.store();
    let review = store.review(&s.track, &s.scripts()).unwrap();
    assert_eq!(review.untrusted().count(), 14);
    let tools = ToolsNote::of(&review, &|tool| labrun::workspace::on_path(tool));
    // Instruqt's helpers exist only on Instruqt's hosts: labrun answers for them.
    assert!(tools.stood_in.contains(&"agent".to_string()), "{tools:?}");
    assert!(
        tools.stood_in.contains(&"fail-message".to_string()),
        "{tools:?}"
    );

    let mut out = Vec::new();
    let decision = ask(
        &review,
        &tools,
        &Viewer::Print,
        &mut "view\nallow\n".as_bytes(),
        &mut out,
    )
    .unwrap();
    assert_eq!(decision, Decision::Allow);
    let shown = String::from_utf8(out).unwrap();
    assert!(
        shown.contains("labrun stands in for: agent, fail-message"),
        "{shown}"
    );
    assert!(
        shown.contains("   3  agent variable get LEARNER_NAME > /root/.learner-name\n"),
        "{shown}"
    );
    store.allow(&review).unwrap();

    // What the question allowed, `labrun trust` finds trusted.
    let out = stdout(&s.trust(&s.track).success());
    assert!(out.contains("already trusts"), "{out}");
}

#[test]
fn a_challenge_directory_alone_is_a_course_too() {
    let s = setup();
    let challenge = s.track.join("02-look-around");
    let out = stdout(&s.trust(&challenge).success());
    assert!(
        out.contains("  new      check-shell\n") && out.contains("the 4 scripts of"),
        "{out}"
    );
    // Trusted as a challenge, not as part of the track: another course.
    let out = stdout(&s.trust(&s.track).success());
    assert!(
        out.contains("  new      02-look-around/check-shell\n"),
        "{out}"
    );
}

#[test]
fn nothing_to_trust_and_nowhere_to_keep_it_are_said_plainly() {
    let s = setup();
    let empty = s.tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = stdout(&s.trust(&empty).success());
    assert!(out.contains("has no lifecycle scripts"), "{out}");

    s.trust(&s.tmp.path().join("missing"))
        .code(2)
        .stderr(predicates::str::contains("is not a directory"));

    labrun()
        .env_remove("XDG_DATA_HOME")
        .env_remove("HOME")
        .arg("trust")
        .arg(&s.track)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "neither XDG_DATA_HOME nor HOME is set",
        ));
}
