//! The binary on its own: copied into an empty directory, away from its
//! source tree and with no `LABRUN_LESSONS`, it still has its lessons —
//! the copies built into it — and its workspaces outlive a move or upgrade.

use assert_cmd::Command;
use predicates::str::contains;
use std::path::{Path, PathBuf};

struct Alone {
    _tmp: tempfile::TempDir,
    exe: PathBuf,
    home: PathBuf,
    work: PathBuf,
}

/// The binary alone in `<tmp>/bin`, a fresh HOME, an empty working directory.
fn alone() -> Alone {
    let tmp = tempfile::tempdir().unwrap();
    let (bin, home, work) = (
        tmp.path().join("bin"),
        tmp.path().join("home"),
        tmp.path().join("work"),
    );
    for dir in [&bin, &home, &work] {
        std::fs::create_dir(dir).unwrap();
    }
    let exe = bin.join("labrun");
    // Copied by another process: a copy written here would leave its write
    // descriptor in any child another test thread forks meanwhile, and
    // running the copy would then fail with "Text file busy" (ETXTBSY).
    let copied = std::process::Command::new("cp")
        .arg(env!("CARGO_BIN_EXE_labrun"))
        .arg(&exe)
        .status()
        .unwrap();
    assert!(copied.success(), "cp failed: {copied}");
    Alone {
        _tmp: tmp,
        exe,
        home,
        work,
    }
}

impl Alone {
    fn labrun(&self, cwd: &Path) -> Command {
        let mut cmd = Command::new(&self.exe);
        for var in [
            "LABRUN_LESSONS",
            "XDG_CACHE_HOME",
            "REPLICATED_APP",
            "REPLICATED_API_TOKEN",
            "REPLICATED_API_ORIGIN",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("HOME", &self.home).current_dir(cwd);
        cmd
    }
}

fn lesson_dir_of(ws: &Path) -> PathBuf {
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.join(".labrun/workspace.json")).unwrap()).unwrap();
    PathBuf::from(state["lesson"]["dir"].as_str().unwrap())
}

#[test]
fn a_copied_binary_has_its_lessons_built_in() {
    let alone = alone();
    let work = &alone.work;
    alone
        .labrun(work)
        .args(["init", "lab"])
        .assert()
        .success()
        .stdout(contains("Proxying Private Images"));
    // The lesson came from the copy built into the binary, not a source tree.
    let lesson_dir = lesson_dir_of(&work.join("lab"));
    assert!(
        lesson_dir.starts_with(alone.home.join(".cache/labrun/bundled")),
        "{}",
        lesson_dir.display()
    );
    alone
        .labrun(work)
        .args(["check", "-w", "lab"])
        .assert()
        .code(1)
        .stdout(contains("Pull the Slackernews image"));
    alone
        .labrun(work)
        .arg("test")
        .assert()
        .success()
        .stdout(contains("16 of 16 cases pass"));
}

#[test]
fn a_workspace_resumes_with_the_lesson_of_the_binary_that_opens_it() {
    let alone = alone();
    let ws = alone.work.join("lab");
    alone
        .labrun(&alone.work)
        .args(["init", "lab"])
        .assert()
        .success();
    alone
        .labrun(&ws)
        .args(["solve", "--step", "1"])
        .assert()
        .success();
    // An upgrade: the binary elsewhere, and the old build's unpacked lessons
    // (older text) still in the cache, recorded in the workspace.
    let moved = alone.home.join("new-bin");
    std::fs::create_dir(&moved).unwrap();
    std::fs::rename(&alone.exe, moved.join("labrun")).unwrap();
    let bundled = alone.home.join(".cache/labrun/bundled");
    let current = std::fs::read_dir(&bundled)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let old_build = bundled.join("0.0.1-0000000000000000");
    std::fs::rename(&current, &old_build).unwrap();
    let old_lesson = old_build.join("lessons/proxying-private-images");
    let manifest = old_lesson.join("lesson.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace("Pull the Slackernews image", "OLD TITLE"),
    )
    .unwrap();
    let state_path = ws.join(".labrun/workspace.json");
    let mut state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state_path).unwrap()).unwrap();
    state["lesson"]["dir"] = old_lesson.to_str().unwrap().into();
    std::fs::write(&state_path, state.to_string()).unwrap();

    let upgraded = Alone {
        exe: moved.join("labrun"),
        ..alone
    };
    upgraded
        .labrun(&ws)
        .args(["check", "--step", "1"])
        .assert()
        .success()
        .stdout(contains("Pull the Slackernews image"));
    // And with no unpacked copy at all.
    std::fs::remove_dir_all(upgraded.home.join(".cache")).unwrap();
    upgraded
        .labrun(&ws)
        .args(["check", "--step", "1"])
        .assert()
        .success()
        .stdout(contains("Pull the Slackernews image"));
    upgraded
        .labrun(&ws)
        .arg("progress")
        .assert()
        .success()
        .stdout(contains("passing"));
}

#[test]
fn labrun_lessons_still_adds_and_overrides_lessons_by_slug() {
    let alone = alone();
    let lessons = alone.work.join("my-lessons");
    let lesson = lessons.join("proxying-private-images");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/proxying-private-images"),
        &lesson,
    );
    let text = std::fs::read_to_string(lesson.join("assignment.md")).unwrap();
    std::fs::write(
        lesson.join("assignment.md"),
        text.replacen("title: Proxying Private Images", "title: My Own Edition", 1),
    )
    .unwrap();
    alone
        .labrun(&alone.work)
        .env("LABRUN_LESSONS", &lessons)
        .arg("show")
        .assert()
        .success()
        .stdout(contains("# My Own Edition"));
    // Without it, the built-in lesson.
    alone
        .labrun(&alone.work)
        .arg("show")
        .assert()
        .success()
        .stdout(contains("# Proxying Private Images"));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}
