//! The lifecycle runtime against the fixture tracks, with real scripts:
//! shell-basics writes `/root/.bash_history`, `/root/*.txt` and `/tmp` —
//! it works in both host modes and this machine's `/root` stays untouched;
//! a hanging setup is ended by its timeout with its whole process group
//! (checked in /proc); `FAIL:` lines become conditions; a VM's scripts are
//! skipped, saying so, down to JUnit's `<skipped>`.

mod support;

use labrun::checks::Status;
use labrun::lesson::Vars;
use labrun::lifecycle::Phase;
use labrun::lifecycle::hostmode::{HostMap, HostMode};
use labrun::lifecycle::runner::{RunOutcome, Runner, ScriptEnv, ScriptRun};
use labrun::output::Painter;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[path = "lifecycle/course.rs"]
mod course;

use course::{Course, TRACKS, executable, namespace, rewrite, wait_for_processes};

/// What this machine's `/root` holds where the fixture's scripts write.
fn root_files() -> Vec<(PathBuf, Option<(u64, std::time::SystemTime)>)> {
    [
        ".bash_history",
        "word.txt",
        "shout.txt",
        "notes.txt",
        "welcome.txt",
        ".learner-name",
    ]
    .iter()
    .map(|name| {
        let path = Path::new("/root").join(name);
        let seen = std::fs::metadata(&path)
            .ok()
            .map(|m| (m.len(), m.modified().unwrap()));
        (path, seen)
    })
    .collect()
}

fn fixture_bytes() -> Vec<Vec<u8>> {
    ["02-look-around", "04-shout-it-out"]
        .iter()
        .flat_map(|c| {
            ["setup", "check", "solve", "cleanup"].map(|p| {
                Path::new(TRACKS)
                    .join("shell-basics")
                    .join(c)
                    .join(format!("{p}-shell"))
            })
        })
        .map(|p| std::fs::read(p).unwrap())
        .collect()
}

/// Challenges 02 (shell history, /tmp) and 04 (/tmp, a file in home):
/// setup → check fails with the script's own words → solve → check passes → cleanup.
fn history_and_tmp(course: &Course, tmp: &Path) {
    let root_before = root_files();
    let scripts_before = fixture_bytes();

    course.passes("02-look-around", Phase::Setup);
    assert_eq!(
        std::fs::read_to_string(tmp.join("look-around/secret-word")).unwrap(),
        "pelican\n"
    );
    let report = course.check("shell-basics", "02-look-around", "shell");
    assert_eq!(report.status, Status::Fail);
    let failing: Vec<&str> = report.outcomes.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(failing, ["Run ls -l /tmp/look-around first"]);
    course.passes("02-look-around", Phase::Solve);
    let history = std::fs::read_to_string(course.ws.join(".bash_history")).unwrap();
    assert_eq!(history, "ls -l /tmp/look-around\n");
    assert_eq!(
        std::fs::read_to_string(course.ws.join("word.txt")).unwrap(),
        "pelican\n"
    );
    let report = course.check("shell-basics", "02-look-around", "shell");
    assert_eq!(report.status, Status::Pass, "{report:?}");
    course.passes("02-look-around", Phase::Cleanup);
    assert!(!tmp.join("look-around").exists());

    course.passes("04-shout-it-out", Phase::Setup);
    let report = course.check("shell-basics", "04-shout-it-out", "shell");
    assert_eq!(report.outcomes[0].name, "~/shout.txt does not exist");
    course.passes("04-shout-it-out", Phase::Solve);
    assert_eq!(
        std::fs::read_to_string(course.ws.join("shout.txt")).unwrap(),
        "HELLO\nLABRUN\n"
    );
    assert_eq!(
        course
            .check("shell-basics", "04-shout-it-out", "shell")
            .status,
        Status::Pass
    );
    course.passes("04-shout-it-out", Phase::Cleanup);

    assert_eq!(root_files(), root_before, "this machine's /root changed");
    assert_eq!(fixture_bytes(), scripts_before, "a script changed on disk");
    let copies = std::fs::read_dir(course.ws.join(".labrun/run"))
        .unwrap()
        .count();
    assert_eq!(copies, 0, "the copies that ran are left behind");
}

#[test]
fn shell_basics_writes_history_and_tmp_in_namespace_mode() {
    let Some(mode) = namespace() else { return };
    let course = Course::new(mode);
    let _turn = support::shell_basics_turn();
    history_and_tmp(&course, Path::new("/tmp"));
}

#[test]
fn shell_basics_writes_history_and_tmp_in_rewrite_mode() {
    let course = Course::new(rewrite());
    let _turn = support::shell_basics_turn();
    history_and_tmp(&course, Path::new("/tmp"));
}

#[test]
fn each_fail_line_is_a_condition_of_the_check() {
    let course = Course::new(rewrite());
    std::fs::write(course.ws.join("word.txt"), "pelican\n").unwrap();
    let report = course.check("shell-basics", "05-tidy-up", "shell");
    let outcomes: Vec<(&str, Status)> = report
        .outcomes
        .iter()
        .map(|o| (o.name.as_str(), o.status))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("~/word.txt is still there", Status::Fail),
            ("~/notes.txt is gone: keep it", Status::Fail)
        ]
    );
    let checklist =
        labrun::output::check::human("Tidy up", std::slice::from_ref(&report), Painter::PLAIN);
    assert!(checklist.contains("(0/2 conditions met)"), "{checklist}");
    assert!(
        checklist.contains(
            "    ✗ ~/notes.txt is gone: keep it\n        check-shell exited with status 1"
        ),
        "{checklist}"
    );
    let junit = labrun::output::check::junit("shell-basics", &[report]);
    assert!(
        junit.contains("message=\"0 of 2 conditions met\""),
        "{junit}"
    );

    course.passes("05-tidy-up", Phase::Solve);
    std::fs::write(course.ws.join("notes.txt"), "name: ada\n").unwrap();
    let report = course.check("shell-basics", "05-tidy-up", "shell");
    assert_eq!((report.status, report.outcomes.len()), (Status::Pass, 1));
}

#[test]
fn agent_variables_and_three_conditions_in_namespace_mode() {
    let Some(mode) = namespace() else { return };
    let course = Course::new(mode);
    let track_setup = Path::new(TRACKS).join("shell-basics/track_scripts/setup-shell");
    let setup = course.run(
        &track_setup,
        "shell",
        Phase::Setup,
        std::time::Duration::from_secs(labrun::lesson::Timeouts::default().for_phase(Phase::Setup)),
    );
    assert_eq!(setup.outcome, RunOutcome::Passed, "{}", setup.output);
    assert_eq!(
        std::fs::read_to_string(course.ws.join("welcome.txt")).unwrap(),
        "Welcome to the shell basics track\n"
    );
    course.passes("01-leave-a-note", Phase::Setup);
    let report = course.check("shell-basics", "01-leave-a-note", "shell");
    assert_eq!(report.outcomes.len(), 3, "{report:?}");
    assert!(report.outcomes.iter().all(|o| o.status == Status::Fail));
    assert_eq!(
        report.outcomes[0].name,
        "There is no file /root/notes.txt yet"
    );
    course.passes("01-leave-a-note", Phase::Solve);
    let report = course.check("shell-basics", "01-leave-a-note", "shell");
    assert_eq!(report.status, Status::Pass, "{report:?}");
    assert!(course.ws.join("notes.txt").is_file());
}

/// broken-track's setup waits forever: its time limit ends it and every
/// process it started (here also a background `sleep` that would outlive
/// it by minutes), in each mode.
#[test]
fn a_hanging_setup_is_ended_by_its_timeout_with_its_whole_group() {
    let lesson = tempfile::tempdir().unwrap();
    let with_child = lesson.path().join("setup-shell");
    let fixture =
        std::fs::read_to_string(Path::new(TRACKS).join("broken-track/04-hangs/setup-shell"))
            .unwrap();
    executable(
        &with_child,
        &fixture.replacen("\n", "\nsleep 300 &\necho started\n", 1),
    );
    let hangs = [
        Path::new(TRACKS).join("broken-track/04-hangs/setup-shell"),
        with_child,
    ];
    // Three seconds: ample for bash to start its background child first,
    // on a loaded machine too. The cases run side by side.
    let limit = Duration::from_secs(3);
    let modes: Vec<HostMode> = std::iter::once(rewrite()).chain(namespace()).collect();
    std::thread::scope(|scope| {
        for mode in &modes {
            for hang in &hangs {
                let with_child = *hang == hangs[1];
                scope.spawn(move || {
                    let course = Course::new(mode.clone());
                    let result = course.run(hang, "shell", Phase::Setup, limit);
                    assert_eq!(result.outcome, RunOutcome::TimedOut, "{}", mode.name());
                    let started = if with_child { "started\n" } else { "" };
                    assert_eq!(result.output, started, "{}", mode.name());
                    assert_eq!(
                        result.describe(),
                        "did not finish within 3 s (its time limit) and was ended"
                    );
                    course
                        .wait_for_processes("processes left after the timeout", <[u32]>::is_empty);
                });
            }
        }
    });
}

/// A script whose children run in the background (one of them orphaned on
/// purpose) ends whole when its caller drops it or stops every script.
#[test]
fn dropping_or_stopping_a_script_ends_every_process_it_started() {
    let lesson = tempfile::tempdir().unwrap();
    let script = lesson.path().join("setup-shell");
    executable(&script, "#!/bin/bash\nsleep 300 &\n(sleep 301 &)\nwait\n");
    for mode in std::iter::once(rewrite()).chain(namespace()) {
        let course = Course::new(mode.clone());
        let run = ScriptRun {
            phase: Phase::Setup,
            host: "shell",
            path: &script,
            timeout: Duration::from_secs(600),
            challenge_id: None,
            vars: &course.vars,
        };
        // bash and both sleeps (and bubblewrap in namespace mode).
        let running = course.runner.start(&run).unwrap();
        course.wait_for_processes("the script's processes", |p| p.len() >= 3);
        assert_eq!(course.runner.in_flight().running(), 1);
        drop(running);
        course.wait_for_processes("processes left after the drop", <[u32]>::is_empty);
        assert_eq!(course.runner.in_flight().running(), 0);

        let running = course.runner.start(&run).unwrap();
        course.wait_for_processes("the script's processes", |p| p.len() >= 3);
        let in_flight = course.runner.in_flight();
        let waiter = std::thread::spawn(move || running.wait().unwrap());
        in_flight.stop_all();
        let result = waiter.join().unwrap();
        assert_eq!(result.outcome, RunOutcome::Cancelled, "{}", mode.name());
        course.wait_for_processes("processes left after stop_all", <[u32]>::is_empty);
        // Stopped for good: nothing new starts.
        let after = course.runner.run(&run).unwrap();
        assert_eq!(after.outcome, RunOutcome::Cancelled);
        assert!(course.processes().is_empty());
    }
}

/// A setup script's background service keeps running after it, as on
/// Instruqt, until the runner stops (quitting) or goes; a check's ends with it.
#[test]
fn a_setups_background_service_runs_until_the_end_a_checks_does_not() {
    let lesson = tempfile::tempdir().unwrap();
    let service = lesson.path().join("setup-shell");
    executable(
        &service,
        "#!/bin/bash\nnohup sleep 300 >/dev/null 2>&1 &\necho started\n",
    );
    let peek = lesson.path().join("check-shell");
    executable(&peek, "#!/bin/bash\nsleep 300 &\nexit 0\n");
    for mode in std::iter::once(rewrite()).chain(namespace()) {
        let course = Course::new(mode.clone());
        let setup = course.run(&service, "shell", Phase::Setup, Duration::from_secs(60));
        assert_eq!(
            (setup.outcome, setup.output.as_str()),
            (RunOutcome::Passed, "started\n")
        );
        assert_eq!(course.runner.in_flight().left_running(), 1);
        // One: the service's `sleep` (polled: a process in the middle of
        // exec shows no environment for a moment).
        course.wait_for_processes("the service", |p| p.len() == 1);

        let check = course.run(&peek, "shell", Phase::Check, Duration::from_secs(60));
        assert_eq!(check.outcome, RunOutcome::Passed);
        assert_eq!(course.runner.in_flight().left_running(), 1);
        course.wait_for_processes("the check's background sleep", |p| p.len() == 1);
        course.runner.in_flight().stop_all();
        course.wait_for_processes("processes left after stop_all", <[u32]>::is_empty);

        // Without a stop: they end when the runner goes.
        let course = Course::new(mode);
        course.run(&service, "shell", Phase::Setup, Duration::from_secs(60));
        course.wait_for_processes("the service", |p| p.len() == 1);
        let marker = course.marker.clone();
        drop(course);
        wait_for_processes(
            &marker,
            "processes left after the runner went",
            <[u32]>::is_empty,
        );
    }
}

#[test]
fn a_vm_hosts_scripts_are_skipped_saying_so() {
    let course = Course::new(rewrite());
    let reason = "needs host `cluster` (a VM), not available here";
    // The track setup would wait forever for the VM's bootstrap: it does not run.
    let setup = Path::new(TRACKS).join("broken-track/track_scripts/setup-cluster");
    let result = course.run(&setup, "cluster", Phase::Setup, Duration::from_secs(1800));
    assert_eq!(result.outcome, RunOutcome::Skipped(reason.into()));

    let report = course.check("broken-track", "03-needs-a-vm", "cluster");
    assert_eq!(report.status, Status::Skipped);
    assert_eq!(report.outcomes[0].message, reason);
    let checklist =
        labrun::output::check::human("needs a VM", std::slice::from_ref(&report), Painter::PLAIN);
    assert!(checklist.contains("– check-cluster"), "{checklist}");
    assert!(checklist.contains(reason), "{checklist}");
    let json = labrun::output::check::json("broken-track", std::slice::from_ref(&report));
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["steps"][0]["status"], "skipped");
    assert_eq!(json["passed"], 0);
    let junit = labrun::output::check::junit("broken-track", &[report]);
    assert!(
        junit.contains("<skipped message=\"needs host `cluster` (a VM), not available here\"/>"),
        "{junit}"
    );
}

/// A tab's workdir that this machine lacks (`/home/replicant`): the
/// workspace stands for it, root's home is the host's private one, and
/// nothing appears in this machine's `/home`.
#[test]
fn a_workdir_this_machine_lacks_is_the_workspace() {
    let workdir = Path::new("/home/replicant");
    let existed = workdir.exists();
    let lesson = tempfile::tempdir().unwrap();
    let script = lesson.path().join("setup-shell");
    executable(
        &script,
        "#!/bin/bash\nset -e\necho hi > /home/replicant/hello.txt\necho 'git init' >> /root/.bash_history\necho \"$PWD\"\n",
    );
    for mode in std::iter::once(rewrite()).chain(namespace()) {
        let dir = tempfile::tempdir().unwrap();
        let map = HostMap::new(mode.clone(), dir.path(), "shell", Some(workdir)).unwrap();
        let ws = map.workspace().to_path_buf();
        let runner = Runner::new(map, vec![], ScriptEnv::default());
        let result = runner
            .run(&ScriptRun {
                phase: Phase::Setup,
                host: "shell",
                path: &script,
                timeout: std::time::Duration::from_secs(
                    labrun::lesson::Timeouts::default().for_phase(Phase::Setup),
                ),
                challenge_id: None,
                vars: &Vars::default(),
            })
            .unwrap();
        assert_eq!(result.outcome, RunOutcome::Passed, "{}", result.output);
        let pwd = match mode {
            HostMode::Namespace { .. } => workdir.display().to_string(),
            HostMode::Rewrite { .. } => ws.display().to_string(),
        };
        assert_eq!(result.output, format!("{pwd}\n"));
        assert_eq!(
            std::fs::read_to_string(ws.join("hello.txt")).unwrap(),
            "hi\n"
        );
        let history = ws.join(".labrun/hosts/shell/root/.bash_history");
        assert_eq!(std::fs::read_to_string(history).unwrap(), "git init\n");
        assert_eq!(workdir.exists(), existed, "{}", mode.name());
    }
}

/// What the lab's shell pane would start: in namespace mode the learner's
/// own commands see the workspace at /root and the host's /tmp.
#[test]
fn the_shell_launch_maps_home_and_tmp_for_typed_commands() {
    for mode in std::iter::once(rewrite()).chain(namespace()) {
        let course = Course::new(mode.clone());
        let map = course.runner.map();
        let typed = "echo \"$HOME|$PWD|$LABRUN_HOST\"; echo ls >> ~/.bash_history; echo t > /tmp/labrun-shell-launch";
        let launch = map
            .shell("sh".as_ref(), &["-c".into(), typed.into()])
            .unwrap();
        let output = launch.command().output().unwrap();
        assert!(output.status.success(), "{output:?}");
        let stdout = String::from_utf8(output.stdout).unwrap();
        let ws = course.ws.display().to_string();
        match mode {
            HostMode::Namespace { .. } => {
                assert_eq!(stdout, "/root|/root|shell\n");
                let tmp = Path::new("/tmp/labrun-shell-launch");
                assert_eq!(std::fs::read_to_string(tmp).unwrap(), "t\n");
                let _ = std::fs::remove_file(tmp);
            }
            HostMode::Rewrite { .. } => {
                assert_eq!(stdout, format!("{ws}|{ws}|shell\n"));
                let _ = std::fs::remove_file("/tmp/labrun-shell-launch");
            }
        }
        assert_eq!(
            std::fs::read_to_string(course.ws.join(".bash_history")).unwrap(),
            "ls\n"
        );
    }
}
