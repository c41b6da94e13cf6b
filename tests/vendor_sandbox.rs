//! `labrun sandbox` as a learner meets it: the `export` lines it prints are
//! safe to paste into a shell whatever the workspace holds.

mod support;

use std::ffi::OsStr;
use support::{SandboxProcess, labrun, set_workspace_var, workspace};

#[test]
fn pasted_exports_never_run_a_value_as_code() {
    let (dir, ws) = workspace();
    let marker = dir.path().join("PWNED");
    // Valid as a token (visible ASCII, no spaces), hostile in a shell.
    let hostile = format!(
        "tok$(touch${{IFS}}{})`touch${{IFS}}{}`",
        marker.display(),
        marker.display()
    );
    set_workspace_var(&ws, "REPLICATED_API_TOKEN", &hostile);
    let sandbox = SandboxProcess::start(&[OsStr::new("-w"), ws.as_os_str()]);
    let lines: Vec<&str> = sandbox
        .printed
        .iter()
        .map(|l| l.trim())
        .filter(|l| l.starts_with("export "))
        .collect();
    assert_eq!(lines.len(), 3, "{:?}", sandbox.printed);
    // Pasted into a shell, as the banner says.
    let script = format!("{}\nprintf %s \"$REPLICATED_API_TOKEN\"", lines.join("\n"));
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8(out.stdout).unwrap(), hostile);
    assert!(!marker.exists(), "a pasted export ran a command");
}

#[test]
fn an_app_slug_the_local_api_cannot_use_is_refused_naming_where_it_came_from() {
    let (_dir, ws) = workspace();
    let out = labrun()
        .args(["check", "-w"])
        .arg(&ws)
        .args(["--var", "REPLICATED_APP=bad slug!"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "labrun: the local Vendor API could not start: REPLICATED_APP (from --var): \
         app slug \"bad slug!\" must be letters, digits, '-' or '_'\n"
    );
}

#[test]
fn a_token_that_cannot_be_sent_is_refused_naming_the_file() {
    let (_dir, ws) = workspace();
    set_workspace_var(&ws, "REPLICATED_API_TOKEN", "tok$(touch X)");
    let out = labrun().args(["sandbox", "-w"]).arg(&ws).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("workspace.json"), "{err}");
    assert!(err.contains("visible ASCII"), "{err}");
    assert!(!err.contains("touch"), "the secret is not echoed: {err}");
    assert!(out.stdout.is_empty());

    // `check` runs the same local API and says the same.
    let out = labrun().args(["check", "-w"]).arg(&ws).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("workspace.json") && !err.contains("touch"),
        "{err}"
    );
}

#[test]
fn a_hostile_app_slug_is_refused() {
    let (_dir, ws) = workspace();
    set_workspace_var(&ws, "REPLICATED_APP", "app;touch X");
    let out = labrun().args(["sandbox", "-w"]).arg(&ws).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("workspace.json") && err.contains("app slug"),
        "{err}"
    );
}

/// Every release of the workspace's API, newest first, read by the real
/// `replicated` stand-in with the given exports.
fn release_sequences(env: &[(String, String)]) -> Vec<i64> {
    let out = support::labrun_std()
        .args(["replicated", "release", "ls"])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect()
}

#[test]
fn two_processes_creating_releases_keep_every_release() {
    let (_dir, ws) = workspace();
    for step in ["proxy-image", "bump-version", "pull-secret", "package"] {
        labrun()
            .args(["solve", "--step", step, "-w"])
            .arg(&ws)
            .assert()
            .success();
    }
    // The README's two terminals: `labrun sandbox` for one shell, and `solve`
    // (the local API in-process, on the same state) in another, at once.
    let sandbox = SandboxProcess::start(&[OsStr::new("-w"), ws.as_os_str()]);
    let env = sandbox.env();
    let chart = ws.join("release/slackernews-0.5.0.tgz");
    let burst = {
        let env = env.clone();
        std::thread::spawn(move || {
            (0..12)
                .map(|_| {
                    let out = support::labrun_std()
                        .args(["replicated", "release", "create", "--chart"])
                        .arg(&chart)
                        .envs(env.iter().map(|(k, v)| (k, v)))
                        .output()
                        .unwrap();
                    assert!(out.status.success(), "{out:?}");
                    let text = String::from_utf8(out.stdout).unwrap();
                    text.lines()
                        .find_map(|l| l.split("SEQUENCE:").nth(1))
                        .and_then(|s| s.trim().parse::<i64>().ok())
                        .unwrap_or_else(|| panic!("no sequence in {text}"))
                })
                .collect::<Vec<i64>>()
        })
    };
    for _ in 0..3 {
        labrun()
            .args(["solve", "--step", "promote", "-w"])
            .arg(&ws)
            .assert()
            .success();
    }
    let acknowledged = burst.join().unwrap();
    let sequences = release_sequences(&env);
    assert_eq!(sequences, (1..=19).rev().collect::<Vec<i64>>(), "gapless");
    assert!(acknowledged.iter().all(|s| sequences.contains(s)));
}

#[test]
fn next_to_the_lab_sandbox_prints_the_labs_exports_and_takes_over_after_it() {
    let (_dir, ws) = workspace();
    let mut lab = support::lab::Lab::start_in(&ws);
    let mut sandbox = None;
    // The lab publishes its API a moment after it starts.
    support::wait_until("sandbox to find the lab", || {
        let found = SandboxProcess::start(&[OsStr::new("-w"), ws.as_os_str()]);
        let follows = found
            .printed
            .iter()
            .any(|l| l.contains("labrun start (pid"));
        if follows {
            sandbox = Some(found);
        }
        follows
    });
    let mut sandbox = sandbox.unwrap();
    let env = sandbox.env();
    assert_eq!(
        support::api_get(&env, "/v3/apps"),
        Some(200),
        "the lab's API"
    );
    // The lab's shell has the same origin.
    lab.type_keys(b"echo \"at $REPLICATED_API_ORIGIN\"\r");
    let origin = sandbox.export("REPLICATED_API_ORIGIN");
    support::wait_until("the lab's shell", || lab.shows(&format!("at {origin}")));

    lab.type_keys(b"\x1dq");
    assert_eq!(lab.wait_exit(), 0);
    sandbox.wait_for_line(|l| l.contains("serves the Vendor API now"));
    sandbox.wait_for_line(|l| l.trim().starts_with("export REPLICATED_APP="));
    assert_eq!(support::api_get(&sandbox.env(), "/v3/apps"), Some(200));
}

#[test]
fn a_killed_owner_is_replaced_on_its_port_and_its_record_blocks_nobody() {
    let (_dir, ws) = workspace();
    let args = [OsStr::new("-w"), ws.as_os_str()];
    let mut first = SandboxProcess::start(&args);
    assert!(
        first.printed[0].starts_with("Local Vendor API"),
        "{:?}",
        first.printed
    );
    let mut second = SandboxProcess::start(&args);
    assert!(
        second.printed[0].contains("labrun sandbox (pid"),
        "{:?}",
        second.printed
    );
    let env = second.env();
    assert_eq!(env, first.env(), "the owner's own exports");

    first.kill_9();
    let took_over = second.wait_for_line(|l| l.contains("serves the Vendor API now"));
    second.wait_for_line(|l| l.trim().starts_with("export REPLICATED_APP="));
    // On the dead owner's port, unless something else took it meanwhile.
    if took_over.contains("at the same address") {
        assert_eq!(second.env(), env);
    }
    assert_eq!(support::api_get(&second.env(), "/v3/apps"), Some(200));

    // Its record stays behind after a kill -9; the next sandbox serves at once.
    second.kill_9();
    let third = SandboxProcess::start(&args);
    assert!(
        third.printed[0].starts_with("Local Vendor API"),
        "{:?}",
        third.printed
    );
}
