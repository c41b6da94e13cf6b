//! A stand-in for Instruqt's `agent` helper: `agent variable set KEY VALUE`
//! and `agent variable get KEY`, the runtime variables that
//! `[[ Instruqt-Var key="KEY" hostname="H" ]]` shows in a challenge's text.
//! As on Instruqt, a variable belongs to one host and keys are
//! case-insensitive. They live in the workspace's `.labrun/agent-vars.json`:
//! `{"<host>": {"<key, lower case>": "<value>"}}`, changed under a lock and
//! written atomically (see [`crate::json_state`]).
//!
//! Instruqt documents the two commands and not their corner cases; labrun's
//! choices: `get` of a variable never set prints an empty line and exits 0
//! (a script reading an optional variable goes on, as it would with an empty
//! value) and says so on stderr; `set` wants exactly KEY and VALUE, so that
//! an unquoted value that split into words, or expanded to nothing, is
//! caught here rather than stored cut short.

use super::lab_env::{self, LabEnv, LabEnvError};
use crate::json_state::{self, JsonStateError};
use crate::lesson::agent_vars::{AGENT_VARS_FILE, AgentVars, AgentVarsError};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Write;
use std::path::Path;

const VARS_LOCK: &str = "agent-vars.lock";

/// The file as written: host → lower-case key → value (read back by the
/// one reader, [`AgentVars`]).
type VarsFile = BTreeMap<String, BTreeMap<String, String>>;

const USAGE: &str = "Usage:
  agent variable set KEY VALUE
  agent variable get KEY

labrun stands in for Instruqt's agent: runtime variables, per host, keys case-insensitive.
";

#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error(transparent)]
    Lab(#[from] LabEnvError),
    #[error(transparent)]
    State(#[from] JsonStateError),
    #[error(transparent)]
    Read(#[from] AgentVarsError),
    #[error("{0}\n\n{USAGE}")]
    Usage(String),
}

/// Sets `key` (stored in lower case) to `value` on `host`, merged with what
/// other processes set meanwhile.
pub fn set(workspace_root: &Path, host: &str, key: &str, value: &str) -> Result<(), AgentError> {
    let dir = workspace_root.join(crate::workspace::STATE_DIR);
    json_state::update(
        &dir.join(AGENT_VARS_FILE),
        &dir.join(VARS_LOCK),
        |vars: &mut VarsFile| {
            vars.entry(host.to_string())
                .or_default()
                .insert(key.to_lowercase(), value.to_string());
        },
    )?;
    Ok(())
}

/// The binary invoked as `agent`; `args` exclude the program name.
pub fn run(args: &[OsString]) -> i32 {
    let env = |name: &str| std::env::var(name).ok();
    let cwd = std::env::current_dir().unwrap_or_default();
    super::run_printing(|out, err| run_with(args, &env, &cwd, out, err))
}

/// [`run`] with the environment, working directory and output supplied.
pub fn run_with(
    args: &[OsString],
    env: &dyn Fn(&str) -> Option<String>,
    cwd: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let result = super::utf8_args(args)
        .map_err(AgentError::Usage)
        .and_then(|args| {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            execute(&args, env, cwd, out, err)
        });
    match result {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(err, "agent: {e}");
            1
        }
    }
}

fn execute(
    args: &[&str],
    env: &dyn Fn(&str) -> Option<String>,
    cwd: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, AgentError> {
    let recorded = |ws: &Path| {
        AgentVars::load(ws)
            .map(|vars| vars.by_host().clone())
            .unwrap_or_default()
    };
    match args {
        [] | ["help" | "-h" | "--help", ..] | ["variable", "help" | "-h" | "--help", ..] => {
            let _ = out.write_all(USAGE.as_bytes());
            Ok(0)
        }
        ["variable", "get", key] => {
            let key = valid_key(key)?;
            let LabEnv { workspace, host } = lab_env::resolve("agent", env, cwd, recorded)?;
            let vars = AgentVars::load(&workspace)?;
            match vars.get(Some(&host), key) {
                Some(value) => {
                    let _ = writeln!(out, "{value}");
                }
                None => {
                    let _ = writeln!(out);
                    let _ = writeln!(err, "agent: variable {key} is not set on host {host}");
                }
            }
            Ok(0)
        }
        ["variable", "set", key, value] => {
            let key = valid_key(key)?;
            let LabEnv { workspace, host } = lab_env::resolve("agent", env, cwd, recorded)?;
            set(&workspace, &host, key, value)?;
            Ok(0)
        }
        ["variable", "get", ..] => Err(usage("agent variable get takes one KEY")),
        ["variable", "set", _] => Err(usage(
            "agent variable set needs a KEY and a VALUE (an unquoted $(…) that printed nothing leaves no VALUE: quote it, \"$(…)\")",
        )),
        ["variable", "set", ..] => Err(usage(
            "agent variable set takes one KEY and one VALUE; quote a VALUE with spaces",
        )),
        ["variable", other, ..] => Err(usage(&format!(
            "unknown command {other:?} for agent variable"
        ))),
        [other, ..] => Err(usage(&format!(
            "labrun stands in for `agent variable` only, not `agent {other}`"
        ))),
    }
}

fn valid_key(key: &str) -> Result<&str, AgentError> {
    if key.trim().is_empty() {
        Err(usage("the KEY is empty"))
    } else {
        Ok(key)
    }
}

fn usage(message: &str) -> AgentError {
    AgentError::Usage(message.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::lab_env::tests::workspace_of;
    use super::*;

    fn agent(ws: &Path, host: Option<&str>, args: &[&str]) -> (i32, String, String) {
        let ws = ws.display().to_string();
        let host = host.map(str::to_string);
        let env = move |name: &str| match name {
            "LABRUN_WORKSPACE" => Some(ws.clone()),
            "LABRUN_HOST" => host.clone(),
            _ => None,
        };
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run_with(&args, &env, Path::new("/"), &mut out, &mut err);
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[test]
    fn keys_are_case_insensitive_and_variables_belong_to_a_host() {
        let ws = workspace_of(Path::new("/nowhere"));
        let ws = ws.path();
        let set = agent(
            ws,
            Some("shell"),
            &["variable", "set", "Learner_Name", "ada lovelace"],
        );
        assert_eq!(set, (0, String::new(), String::new()));
        assert_eq!(
            agent(ws, Some("shell"), &["variable", "get", "LEARNER_NAME"]),
            (0, "ada lovelace\n".into(), String::new())
        );
        let (code, out, err) = agent(ws, Some("server"), &["variable", "get", "learner_name"]);
        assert_eq!((code, out.as_str()), (0, "\n"));
        assert_eq!(
            err,
            "agent: variable learner_name is not set on host server\n"
        );

        let vars = AgentVars::load(ws).unwrap();
        assert_eq!(
            vars.get(Some("shell"), "learner_NAME"),
            Some("ada lovelace")
        );
        let on_disk = std::fs::read_to_string(ws.join(".labrun/agent-vars.json")).unwrap();
        let json: serde_json::Value = serde_json::from_str(&on_disk).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"shell": {"learner_name": "ada lovelace"}})
        );
    }

    #[test]
    fn without_labrun_host_the_only_host_recorded_is_used() {
        let ws = workspace_of(Path::new("/nowhere"));
        agent(ws.path(), Some("shell"), &["variable", "set", "A", "1"]);
        assert_eq!(agent(ws.path(), None, &["variable", "get", "a"]).1, "1\n");
    }

    #[test]
    fn usage_errors_say_what_is_wrong_and_exit_1() {
        let ws = workspace_of(Path::new("/nowhere"));
        let cases: [(&[&str], &str); 5] = [
            (&["variable", "set", "K"], "needs a KEY and a VALUE"),
            (
                &["variable", "set", "K", "a", "b"],
                "quote a VALUE with spaces",
            ),
            (&["variable", "get"], "takes one KEY"),
            (&["variable", "delete", "K"], "unknown command \"delete\""),
            (&["status"], "not `agent status`"),
        ];
        for (args, expected) in cases {
            let (code, out, err) = agent(ws.path(), Some("shell"), args);
            assert_eq!(code, 1, "{args:?}");
            assert!(out.is_empty(), "{args:?}: {out}");
            assert!(
                err.starts_with("agent: ") && err.contains(expected),
                "{args:?}: {err}"
            );
            assert!(err.contains("agent variable set KEY VALUE"), "{err}");
        }
        assert!(!ws.path().join(".labrun/agent-vars.json").exists());
        let (code, out, _) = agent(ws.path(), None, &["--help"]);
        assert_eq!(code, 0);
        assert!(out.contains("agent variable get KEY"), "{out}");
    }

    #[test]
    fn outside_a_workspace_it_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let (code, _, err) = agent(dir.path(), Some("shell"), &["variable", "get", "K"]);
        assert_eq!(code, 1);
        assert!(err.contains("not a labrun workspace"), "{err}");
    }
}
