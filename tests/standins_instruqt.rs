//! Instruqt's helpers as a course's scripts meet them: the real binary under
//! the names `agent`, `fail-message`, `set-workdir` and `curl` (links, as the
//! workspace makes in `.labrun/bin`), called from bash scripts, in fresh
//! workspaces made by `labrun init`.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::{SandboxProcess, labrun};

/// A directory of links to the binary under every stand-in's name.
fn standin_links() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    for tool in labrun::standins::STANDINS {
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_labrun"), bin.join(tool)).unwrap();
    }
    (dir, bin)
}

/// `bash -c SCRIPT` with the stand-ins first on PATH, in `cwd`.
fn bash(bin: &Path, cwd: &Path, script: &str) -> Command {
    let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    // By path: some tests leave the machine's directories off PATH.
    let mut cmd = Command::new("/bin/bash");
    cmd.arg("-c").arg(script).current_dir(cwd).env("PATH", path);
    for var in [
        "LABRUN_WORKSPACE",
        "LABRUN_HOST",
        "REPLICATED_API_ORIGIN",
        "REPLICATED_API_TOKEN",
        "http_proxy",
        "https_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "{}\nstdout: {}\nstderr: {}",
        output.status,
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

fn init_workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("lab");
    labrun().arg("init").arg(&ws).assert().success();
    (dir, ws)
}

#[test]
fn a_workspace_links_the_instruqt_helpers_even_where_the_machine_has_curl() {
    let (_dir, ws) = init_workspace();
    // Any command that opens a session lays out the stand-ins.
    labrun().args(["check", "-w"]).arg(&ws).output().unwrap();
    let bin = ws.join(".labrun/bin");
    let exe = std::fs::canonicalize(env!("CARGO_BIN_EXE_labrun")).unwrap();
    for tool in labrun::standins::ALWAYS_LINKED {
        let target = std::fs::canonicalize(bin.join(tool))
            .unwrap_or_else(|e| panic!("{tool} is not linked in {}: {e}", bin.display()));
        assert_eq!(target, exe, "{tool}");
    }
}

#[test]
fn setup_sets_variables_that_a_check_reads_in_any_case_per_host() {
    let (_links, bin) = standin_links();
    let (_dir, ws) = init_workspace();
    let setup = r#"set -euo pipefail
agent variable set LEARNER_NAME "ada lovelace"
agent variable set Notes_File /root/notes.txt"#;
    let run = |script: &str, host: &str| {
        bash(&bin, &ws, script)
            .env("LABRUN_WORKSPACE", &ws)
            .env("LABRUN_HOST", host)
            .output()
            .unwrap()
    };
    assert_eq!(ok(run(setup, "shell")), "");
    let check = r#"name=$(agent variable get learner_name)
notes=$(agent variable get NOTES_FILE)
echo "$name|$notes""#;
    assert_eq!(ok(run(check, "shell")), "ada lovelace|/root/notes.txt\n");

    // Another host has its own variables: not set there, an empty value.
    let other = run(check, "server");
    assert_eq!(ok(other.clone()), "|\n");
    assert!(
        text(&other.stderr).contains("agent: variable learner_name is not set on host server"),
        "{}",
        text(&other.stderr)
    );

    // The learner's own shell, in a subdirectory, without labrun's variables:
    // the workspace is found upwards, the host is the only one recorded.
    let sub = ws.join("slackernews");
    let mine = bash(&bin, &sub, "agent variable get LEARNER_NAME")
        .output()
        .unwrap();
    assert_eq!(ok(mine), "ada lovelace\n");

    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.join(".labrun/agent-vars.json")).unwrap())
            .unwrap();
    assert_eq!(
        stored,
        serde_json::json!({"shell": {"learner_name": "ada lovelace", "notes_file": "/root/notes.txt"}})
    );
}

#[test]
fn scripts_setting_variables_at_once_lose_none() {
    let (_links, bin) = standin_links();
    let (_dir, ws) = init_workspace();
    let script = "for i in 1 2 3 4 5; do agent variable set \"k${N}_$i\" \"$i\" & done; wait";
    let children: Vec<_> = (0..6)
        .map(|n| {
            bash(&bin, &ws, script)
                .env("LABRUN_WORKSPACE", &ws)
                .env("LABRUN_HOST", "shell")
                .env("N", n.to_string())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let vars = labrun::lesson::AgentVars::load(&ws).unwrap();
    assert_eq!(vars.by_host()["shell"].len(), 30, "{vars:?}");
}

#[test]
fn agent_usage_errors_fail_the_script_with_a_message() {
    let (_links, bin) = standin_links();
    let (_dir, ws) = init_workspace();
    let out = bash(
        &bin,
        &ws,
        "set -e; agent variable set TOKEN $(true); echo unreachable",
    )
    .env("LABRUN_WORKSPACE", &ws)
    .env("LABRUN_HOST", "shell")
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    assert!(
        text(&out.stderr).contains("needs a KEY and a VALUE"),
        "{}",
        text(&out.stderr)
    );

    let outside = tempfile::tempdir().unwrap();
    let out = bash(&bin, outside.path(), "agent variable get K")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("not inside a labrun workspace"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn fail_message_prints_one_fail_line_per_condition_and_the_check_decides() {
    let (_links, bin) = standin_links();
    let dir = tempfile::tempdir().unwrap();
    let check = r#"result=0
fail-message "There is no file notes.txt yet"
result=$((result + 1))
fail-message notes.txt has no line "done: yes"
result=$((result + 1))
exit $result"#;
    let out = bash(&bin, dir.path(), check).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stdout),
        "FAIL: There is no file notes.txt yet\nFAIL: notes.txt has no line done: yes\n"
    );
    let out = bash(&bin, dir.path(), "fail-message only a note")
        .output()
        .unwrap();
    assert_eq!(ok(out), "FAIL: only a note\n");
}

#[test]
fn set_workdir_records_the_hosts_directory() {
    let (_links, bin) = standin_links();
    let (_dir, ws) = init_workspace();
    let out = bash(&bin, &ws, "set-workdir /home/replicant")
        .env("LABRUN_WORKSPACE", &ws)
        .env("LABRUN_HOST", "shell")
        .output()
        .unwrap();
    ok(out);
    let dirs = labrun::standins::set_workdir::read_workdirs(&ws).unwrap();
    assert_eq!(dirs["shell"], "/home/replicant");
    let out = bash(&bin, &ws, "set-workdir relative")
        .env("LABRUN_WORKSPACE", &ws)
        .env("LABRUN_HOST", "shell")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("absolute"),
        "{}",
        text(&out.stderr)
    );
}

/// A stand-in for the machine's curl that prints its arguments, one a line.
fn echoing_curl() -> (tempfile::TempDir, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let curl = dir.path().join("curl");
    std::fs::write(
        &curl,
        "#!/bin/sh\necho \"argv0=$0\"\nprintf '%s\\n' \"$@\"\nexit 7\n",
    )
    .unwrap();
    std::fs::set_permissions(&curl, std::fs::Permissions::from_mode(0o755)).unwrap();
    (dir, dir_path(&curl))
}

fn dir_path(file: &Path) -> PathBuf {
    file.parent().unwrap().to_path_buf()
}

#[test]
fn curl_points_vendor_api_urls_at_the_local_api_and_passes_the_rest_through() {
    let (_links, bin) = standin_links();
    let (_fake, fake_dir) = echoing_curl();
    let path = std::env::join_paths([&bin, &fake_dir]).unwrap();
    let call = r#"curl -fsS -H "Authorization: $REPLICATED_API_TOKEN" https://api.replicated.com/vendor/v3/apps https://example.com/vendor/v3/apps"#;
    let run = |origin: Option<&str>| {
        let mut cmd = bash(&bin, Path::new("/"), call);
        cmd.env("PATH", &path)
            .env("REPLICATED_API_TOKEN", "tok-123");
        if let Some(origin) = origin {
            cmd.env("REPLICATED_API_ORIGIN", origin);
        }
        cmd.output().unwrap()
    };
    let local = run(Some("http://127.0.0.1:41234"));
    // The real curl's own exit status comes back.
    assert_eq!(local.status.code(), Some(7), "{}", text(&local.stderr));
    assert_eq!(
        text(&local.stdout),
        format!(
            "argv0={}/curl\n-fsS\n-H\nAuthorization: tok-123\nhttp://127.0.0.1:41234/v3/apps\nhttps://example.com/vendor/v3/apps\n",
            fake_dir.display()
        )
    );
    for origin in [None, Some("https://api.replicated.com/vendor")] {
        let out = run(origin);
        assert!(
            text(&out.stdout).contains("\nhttps://api.replicated.com/vendor/v3/apps\n"),
            "{origin:?}: {}",
            text(&out.stdout)
        );
    }
}

#[test]
fn curl_without_a_real_curl_says_so() {
    let (_links, bin) = standin_links();
    let out = bash(&bin, Path::new("/"), "curl https://example.com")
        .env("PATH", &bin)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(127));
    let err = text(&out.stderr);
    assert!(
        err.contains("no curl on PATH besides labrun's stand-in") && err.contains("install curl"),
        "{err}"
    );
}

#[test]
fn a_script_calling_the_real_vendor_api_with_curl_gets_the_local_one() {
    let (_links, bin) = standin_links();
    let sandbox = SandboxProcess::start(&[]);
    let app = sandbox.export("REPLICATED_APP");
    let script = r#"set -euo pipefail
curl -fsS -H "Authorization: ${REPLICATED_API_TOKEN}" https://api.replicated.com/vendor/v3/apps"#;
    let mut cmd = bash(&bin, Path::new("/"), script);
    cmd.envs(sandbox.env());
    let body = ok(cmd.output().unwrap());
    assert!(body.contains(&format!("\"slug\":\"{app}\"")), "{body}");
}
