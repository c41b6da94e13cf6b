//! Lint's rules on small courses written in temp directories: each finding
//! with its file, line and severity. (`tests/lint_track.rs` runs the real
//! binary on whole tracks.)

use super::*;
use std::fs;

/// `file:line: Severity: message` of each finding, the file by name.
fn shown(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            let file = f.file.file_name().unwrap().to_string_lossy().to_string();
            format!("{file}:{}: {:?}: {}", f.line, f.severity, f.message)
        })
        .collect()
}

fn lint_lesson(text: &str, manifest: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("assignment.md"), text).unwrap();
    fs::write(dir.path().join("lesson.toml"), manifest).unwrap();
    let lesson = Lesson::load(dir.path()).unwrap();
    shown(&lint(&lesson))
}

const GOOD_STEP: &str = "[[variables]]\nname = \"APP\"\n\n[[steps]]\nid = \"s\"\ntitle = \"S\"\nsection = \"Do it\"\nsolution = \"true\"\n[[steps.checks]]\nkind = \"file_exists\"\nfile = \"${APP}.txt\"\n";

#[test]
fn a_good_lesson_has_no_findings() {
    let text = "---\nslug: d\ntitle: D\n---\nDo it\n=====\nUse [[ Instruqt-Var key=\"APP\" ]]\n";
    assert_eq!(lint_lesson(text, GOOD_STEP), Vec::<String>::new());
}

#[test]
fn reports_each_problem_with_its_line() {
    let text = "---\nslug: d\ntitle: D\n---\n# Other\n\n[[ Instruqt-Var key=\"NOPE\" ]]\n![shot](../assets/missing.png)\n";
    let manifest = "[[steps]]\nid = \"s\"\ntitle = \"S\"\nsection = \"Do it\"\nhint = \"see ${H}\"\n[[steps.checks]]\nkind = \"yaml\"\nfile = \"f\"\nkey = \"k\"\nmatches = \"(${X}\"\n";
    let found = lint_lesson(text, manifest);
    assert_eq!(
        found,
        [
            "assignment.md:7: Error: placeholder NOPE: no setup script sets it (`agent variable set NOPE …`) and no lesson.toml declares it; the text shows ⟨NOPE not set⟩",
            "assignment.md:8: Warning: image ../assets/missing.png not found; it will show as its alt text",
            "lesson.toml:1: Error: step \"s\": section \"Do it\" is not a heading of the lesson text",
            "lesson.toml:1: Warning: step \"s\" has no reference solution",
            "lesson.toml:1: Error: step \"s\": its hint uses ${H}, which is not a declared variable",
            "lesson.toml:6: Error: ${X} is not a declared variable",
            "lesson.toml:6: Error: `matches` is not a valid regular expression: regex parse error:\n    (x\n    ^\nerror: unclosed group",
        ]
    );
}

/// A bare challenge in a temp dir: `assignment.md` with `front` and
/// `body`, and these scripts (name, text, executable).
fn challenge(front: &str, body: &str, scripts: &[(&str, &str, bool)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("assignment.md"),
        format!("---\nslug: c\ntitle: C\n{front}---\n{body}"),
    )
    .unwrap();
    for (name, text, executable) in scripts {
        let path = dir.path().join(name);
        fs::write(&path, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = if *executable { 0o755 } else { 0o644 };
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        }
    }
    dir
}

fn lint_dir(dir: &Path, reader: CannotFail) -> Vec<Finding> {
    let course = Course::load(dir).unwrap();
    Lint::with_reader(&course, reader).run()
}

#[test]
fn script_notes_plug_in_as_warnings_at_the_scripts_lines() {
    fn reader(text: &str) -> Vec<ScriptNote> {
        text.lines()
            .enumerate()
            .filter(|(_, l)| l.trim() == "exit 0")
            .map(|(i, _)| ScriptNote {
                line: i + 1,
                message: "ends in exit 0".into(),
            })
            .collect()
    }
    let dir = challenge(
        "",
        "Body\n",
        &[
            ("check-shell", "#!/bin/bash\ntest -f x\nexit 0\n", true),
            ("solve-shell", "#!/bin/bash\nexit 0\n", true),
            ("check-py", "#!/bin/env python3\nexit 0\n", true),
            ("solve-py", "#!/bin/env python3\n", true),
        ],
    );
    let found = lint_dir(dir.path(), reader);
    let notes: Vec<&Finding> = found
        .iter()
        .filter(|f| f.rule == "check-cannot-fail")
        .collect();
    // Only the shell check is read; the solve and the Python check are not.
    assert_eq!(notes.len(), 1, "{found:#?}");
    assert_eq!(notes[0].line, 3);
    assert_eq!(notes[0].severity, Severity::Warning);
    assert_eq!(notes[0].message, "check-shell: ends in exit 0");
    assert!(notes[0].file.ends_with("check-shell"));
    // The real reader: an unconditional `exit 0` is found at its line; a check that can fail is not.
    let found = cannot_fail("#!/bin/bash\ntest -f x\nexit 0\n");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].line, 3);
    assert!(cannot_fail("#!/bin/bash\ntest -f x || exit 1\n").is_empty());
    // A script labrun cannot parse says so at its line.
    let broken = cannot_fail("#!/bin/bash\nif true; then\n");
    assert!(
        broken[0]
            .message
            .contains("cannot read it as a shell script"),
        "{broken:?}"
    );
}

#[test]
fn script_files_without_shebang_exec_bit_or_unix_line_ends() {
    let dir = challenge(
        "",
        "Body\n",
        &[
            ("check-shell", "test -f x\n", false),
            ("solve-shell", "#!/bin/bash\r\ntouch x\r\n", true),
            ("setup-shell", "  \n", true),
            ("check-shell.sh", "#!/bin/bash\n", true),
        ],
    );
    let found = shown(&lint_dir(dir.path(), cannot_fail));
    assert_eq!(
        found,
        [
            "check-shell:1: Warning: check-shell has no #! line naming its interpreter (add #!/bin/bash)",
            "check-shell:1: Warning: check-shell is not executable (chmod +x check-shell; git keeps the bit)",
            "check-shell.sh:1: Warning: check-shell.sh is not run: lifecycle scripts are named <phase>-<host> with no extension (did you mean check-shell?)",
            "setup-shell:1: Warning: setup-shell is empty: it does nothing",
            "solve-shell:1: Error: solve-shell has Windows line ends (CR LF): the shell reads each CR as part of a command, and a #! line as an interpreter named with a CR; save it with Unix line ends (LF)",
        ]
    );
}

#[test]
fn a_quiz_with_repeated_answers_and_a_check_script() {
    let front = "type: quiz\nanswers:\n- yes\n- no\n- yes\nsolution:\n- 0\n- 0\n";
    let dir = challenge(front, "", &[("check-shell", "#!/bin/bash\n", true)]);
    let found = shown(&lint_dir(dir.path(), cannot_fail));
    assert_eq!(
        found,
        [
            "assignment.md:5: Warning: answers 0 and 2 are the same (\"yes\"): the learner cannot tell them apart",
            "assignment.md:9: Warning: `solution` names answer 0 twice",
            "assignment.md:13: Warning: the quiz has no question: its body (after the front matter) is what it asks",
            "check-shell:1: Warning: check-shell is never run: a quiz is checked by its answer",
        ]
    );
}

#[test]
fn tabs_notes_and_front_matter_values() {
    let front = "type: challenge\nslug_x: 1\ndifficulty: hard\ntimelimit: 0\nanswers: [a]\nnotes:\n- type: text\n- type: slide\n  contents: x\ntabs:\n- title: Shell\n  type: terminal\n- title: Docs\n  type: website\n  url: https://example.com\n- title: Odd\n  type: browser\n";
    let dir = challenge(front, "Body\n", &[]);
    let found = shown(&lint_dir(dir.path(), cannot_fail));
    assert_eq!(
        found,
        [
            "assignment.md:2: Info: the challenge has no check script and no declared steps: it passes as soon as the learner asks",
            "assignment.md:6: Warning: front matter: difficulty \"hard\" is not one of basic, intermediate, expert",
            "assignment.md:7: Warning: front matter: `timelimit` is 0",
            "assignment.md:8: Warning: `answers` is read only for `type: quiz`; this challenge is not a quiz",
            "assignment.md:10: Warning: a text note without `contents` shows nothing",
            "assignment.md:11: Warning: note of type \"slide\": Instruqt shows notes of type text, image, video",
            "assignment.md:14: Error: terminal tab \"Shell\" has no `hostname`",
            "assignment.md:20: Warning: tab \"Odd\" has type \"browser\"; Instruqt's tab types are terminal, code, service, website, external",
        ]
    );
}

#[test]
fn placeholders_read_setup_scripts_on_their_host_in_any_case() {
    let body = "[[ Instruqt-Var key=\"app\" hostname=\"shell\" ]]\n[[ Instruqt-Var key=\"TOKEN\" hostname=\"shell\" ]]\n[[ Instruqt-Var key=\"DB\" hostname=\"shell\" ]]\n[[ Instruqt-Var key=\"ANY\" hostname=\"db\" ]]\n";
    let setup_shell = "#!/bin/bash\nagent variable set APP demo\n# agent variable set TOKEN x\n";
    let setup_db = "#!/bin/bash\nagent variable set DB x\nagent variable set \"$NAME\" y\n";
    let dir = challenge(
        "",
        body,
        &[
            ("setup-shell", setup_shell, true),
            ("setup-db", setup_db, true),
            ("check-shell", "#!/bin/bash\ntrue\n", true),
            ("solve-shell", "#!/bin/bash\n", true),
        ],
    );
    let found: Vec<String> = shown(&lint_dir(dir.path(), cannot_fail))
        .into_iter()
        .filter(|f| f.starts_with("assignment.md"))
        .collect();
    assert_eq!(
        found,
        [
            "assignment.md:6: Warning: placeholder TOKEN: no setup script sets it (`agent variable set TOKEN …`) and no lesson.toml declares it; the text shows ⟨TOKEN not set⟩",
            "assignment.md:7: Warning: placeholder DB reads host `shell`, but setup-db sets it on host `db`: the text shows ⟨DB not set⟩",
        ]
    );
}

#[test]
fn rule_ids_are_unique_and_stamp_their_findings() {
    let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), RULES.len());
    let dir = challenge(
        "",
        "Body\n",
        &[("check-shell", "#!/bin/bash\nfalse\n", true)],
    );
    let found = lint_dir(dir.path(), cannot_fail);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].rule, "check-without-solve");
    assert_eq!(
        found[0].message,
        "check-shell has no solve-shell: `labrun test` cannot verify that the check passes once the challenge is solved (and skipping it solves nothing)"
    );
}

#[test]
fn one_challenge_of_a_track_is_linted_within_its_track() {
    let track =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tracks/hosts-and-additions");
    let course = Course::load(&track).unwrap();
    let (index, two_hosts) = course.challenge("two-hosts").unwrap();
    // Its placeholder `target` is set by the track's setup script, which a
    // course of one would not see; the track's own files are not its findings.
    let found = shown(&lint(two_hosts));
    assert_eq!(
        found,
        [
            "check-db:1: Warning: check-db has no solve-db: `labrun test` cannot verify that the check passes once the challenge is solved (and skipping it solves nothing)"
        ]
    );
    assert_eq!(shown(&Lint::new(&course).challenge(index)), found);
    assert!(Lint::new(&course).challenge(99).is_empty());
    let whole = lint_course(&course);
    assert!(
        whole.iter().any(|f| f.file.ends_with("config.yml")),
        "{whole:#?}"
    );
}
