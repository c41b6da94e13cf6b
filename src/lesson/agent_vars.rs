//! The values Instruqt scripts keep with `agent variable set KEY VALUE`:
//! per host, keys case-insensitive, stored in a workspace's
//! `.labrun/agent-vars.json` as `{"<host>": {"<key lowercased>": "<value>"}}`
//! (written by the `agent` stand-in). They fill `[[ Instruqt-Var ]]`
//! placeholders of the text that no lesson variable fills.

use crate::fsutil::ReadError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file, in a workspace's `.labrun/`.
pub const AGENT_VARS_FILE: &str = "agent-vars.json";
/// The largest agent-vars file read: values are short strings.
const READ_LIMIT: u64 = 4 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum AgentVarsError {
    #[error(transparent)]
    Unreadable(#[from] ReadError),
    #[error(
        "{}: not the agent variables labrun keeps ({{\"host\": {{\"key\": \"value\"}}}}): {message}",
        path.display()
    )]
    Malformed { path: PathBuf, message: String },
}

/// Agent variables by host, then by lowercased key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentVars {
    hosts: BTreeMap<String, BTreeMap<String, String>>,
}

impl AgentVars {
    /// Parses the file's JSON; keys are lowercased (the file's writer does,
    /// but a hand-edited file may not).
    pub fn from_json(text: &str) -> Result<AgentVars, serde_json::Error> {
        let raw: BTreeMap<String, BTreeMap<String, String>> = serde_json::from_str(text)?;
        let hosts = raw
            .into_iter()
            .map(|(host, vars)| {
                let vars = vars
                    .into_iter()
                    .map(|(key, value)| (key.to_lowercase(), value))
                    .collect();
                (host, vars)
            })
            .collect();
        Ok(AgentVars { hosts })
    }

    /// The agent variables of the workspace in `workspace`; none when no
    /// script has set one yet.
    pub fn load(workspace: &Path) -> Result<AgentVars, AgentVarsError> {
        let path = workspace
            .join(crate::workspace::STATE_DIR)
            .join(AGENT_VARS_FILE);
        let bytes = match crate::fsutil::read_limited(&path, READ_LIMIT) {
            Ok(bytes) => bytes,
            Err(e) if e.is_not_found() => return Ok(AgentVars::default()),
            Err(e) => return Err(e.into()),
        };
        let text =
            String::from_utf8(bytes).map_err(|_| ReadError::NotText { path: path.clone() })?;
        AgentVars::from_json(&text).map_err(|e| AgentVarsError::Malformed {
            path,
            message: e.to_string(),
        })
    }

    /// The value of `key` (any case) on `host`; with no host named, on the
    /// first host (by name) that has it.
    pub fn get(&self, host: Option<&str>, key: &str) -> Option<&str> {
        let key = key.to_lowercase();
        match host {
            Some(host) => self.hosts.get(host)?.get(&key),
            None => self.hosts.values().find_map(|vars| vars.get(&key)),
        }
        .map(String::as_str)
    }

    /// Every host's variables: host → lowercased key → value.
    pub fn by_host(&self) -> &BTreeMap<String, BTreeMap<String, String>> {
        &self.hosts
    }

    pub fn is_empty(&self) -> bool {
        self.hosts.values().all(BTreeMap::is_empty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_case_insensitive_and_per_host() {
        let vars =
            AgentVars::from_json(r#"{"shell": {"App_Slug": "demo"}, "vm": {"app_slug": "other"}}"#)
                .unwrap();
        assert_eq!(vars.get(Some("shell"), "APP_SLUG"), Some("demo"));
        assert_eq!(vars.get(Some("vm"), "app_slug"), Some("other"));
        assert_eq!(vars.get(None, "app_slug"), Some("demo"));
        assert_eq!(vars.get(Some("db"), "app_slug"), None);
        assert_eq!(vars.get(Some("shell"), "nope"), None);
    }

    #[test]
    fn a_workspace_without_the_file_has_none_and_a_broken_file_is_named() {
        let ws = tempfile::tempdir().unwrap();
        assert!(AgentVars::load(ws.path()).unwrap().is_empty());
        let state = ws.path().join(".labrun");
        std::fs::create_dir(&state).unwrap();
        std::fs::write(state.join(AGENT_VARS_FILE), r#"{"shell": {"k": 1}}"#).unwrap();
        let err = AgentVars::load(ws.path()).unwrap_err().to_string();
        assert!(
            err.contains("agent-vars.json") && err.contains("not the agent variables"),
            "{err}"
        );
        std::fs::write(state.join(AGENT_VARS_FILE), r#"{"shell": {"K": "v"}}"#).unwrap();
        assert_eq!(
            AgentVars::load(ws.path()).unwrap().get(Some("shell"), "k"),
            Some("v")
        );
    }
}
