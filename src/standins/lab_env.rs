//! Where an Instruqt helper stand-in (`agent`, `set-workdir`) keeps what it
//! records: the workspace it runs for (`LABRUN_WORKSPACE`, else the one
//! holding the current directory, as git finds its repository) and the host
//! (`LABRUN_HOST`, else the course's first host). labrun sets both variables
//! for a course's lifecycle scripts; the fallbacks serve a learner's or an
//! author's own shell.

use crate::fsutil;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The workspace a stand-in records into (absolute).
pub const WORKSPACE_ENV: &str = "LABRUN_WORKSPACE";
/// The host a lifecycle script runs on (`shell`, `server`, …).
pub const HOST_ENV: &str = "LABRUN_HOST";

/// config.yml is a few KiB; anything past this is not one.
const CONFIG_READ_LIMIT: u64 = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum LabEnvError {
    #[error(
        "not inside a labrun workspace: {WORKSPACE_ENV} is not set, and neither {} nor a directory above it holds .labrun/workspace.json (labrun sets {WORKSPACE_ENV} for a course's scripts and the lab's shell)",
        .0.display()
    )]
    NoWorkspace(PathBuf),
    #[error(
        "{WORKSPACE_ENV}={}: not a labrun workspace (no .labrun/workspace.json there)",
        .0.display()
    )]
    NotAWorkspace(PathBuf),
    #[error(
        "which host? {HOST_ENV} is not set and the course names no host (config.yml); run it as {HOST_ENV}=<host> {tool} …"
    )]
    NoHost { tool: &'static str },
}

/// The workspace and host a stand-in acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabEnv {
    pub workspace: PathBuf,
    pub host: String,
}

impl LabEnv {
    /// The workspace's state directory, `.labrun/`.
    pub fn state_dir(&self) -> PathBuf {
        self.workspace.join(crate::workspace::STATE_DIR)
    }
}

/// The workspace from `LABRUN_WORKSPACE`, else the one holding `cwd`.
pub fn workspace(env: &dyn Fn(&str) -> Option<String>, cwd: &Path) -> Result<PathBuf, LabEnvError> {
    match env(WORKSPACE_ENV).filter(|w| !w.is_empty()) {
        Some(named) => {
            let dir = PathBuf::from(named);
            if crate::workspace::is_workspace(&dir) {
                Ok(std::path::absolute(&dir).unwrap_or(dir))
            } else {
                Err(LabEnvError::NotAWorkspace(dir))
            }
        }
        None => crate::workspace::find(cwd).ok_or_else(|| LabEnvError::NoWorkspace(cwd.into())),
    }
}

/// The workspace and the host for `tool`: `LABRUN_HOST`, else the first
/// host of the course (its config.yml: containers, then virtual machines),
/// else the first host `recorded` already holds.
pub fn resolve<V>(
    tool: &'static str,
    env: &dyn Fn(&str) -> Option<String>,
    cwd: &Path,
    recorded: impl FnOnce(&Path) -> BTreeMap<String, V>,
) -> Result<LabEnv, LabEnvError> {
    let workspace = workspace(env, cwd)?;
    let host = match env(HOST_ENV).filter(|h| !h.is_empty()) {
        Some(host) => host,
        None => course_hosts(&workspace)
            .into_iter()
            .next()
            .or_else(|| recorded(&workspace).into_keys().next())
            .ok_or(LabEnvError::NoHost { tool })?,
    };
    Ok(LabEnv { workspace, host })
}

/// The hosts config.yml of the workspace's course names, containers first
/// (the local host is a container), in the file's order. Empty when the
/// course has no config.yml or it cannot be read: the caller falls back.
fn course_hosts(workspace: &Path) -> Vec<String> {
    let Ok(opened) = crate::workspace::open(workspace) else {
        return Vec::new();
    };
    let course = &opened.state.lesson.dir;
    // A challenge directory inside a track keeps its config.yml one level up.
    let config = [course.join("config.yml"), course.join("../config.yml")]
        .into_iter()
        .find(|p| p.is_file());
    let Some(text) = config.and_then(|p| fsutil::read_limited(&p, CONFIG_READ_LIMIT).ok()) else {
        return Vec::new();
    };
    #[derive(serde::Deserialize)]
    struct Named {
        name: String,
    }
    #[derive(serde::Deserialize)]
    struct Hosts {
        #[serde(default)]
        containers: Vec<Named>,
        #[serde(default)]
        virtualmachines: Vec<Named>,
    }
    serde_saphyr::from_slice::<Hosts>(&text)
        .map(|h| {
            h.containers
                .into_iter()
                .chain(h.virtualmachines)
                .map(|n| n.name)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A workspace whose `workspace.json` names `course` as its lesson dir.
    pub(crate) fn workspace_of(course: &Path) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join(".labrun");
        std::fs::create_dir(&state).unwrap();
        let json = serde_json::json!({
            "schema": 1,
            "lesson": {"slug": "course", "dir": course},
            "created_at": "2024-01-01T00:00:00Z",
        });
        std::fs::write(state.join("workspace.json"), json.to_string()).unwrap();
        dir
    }

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name: &str| map.get(name).cloned()
    }

    fn none(_: &Path) -> BTreeMap<String, ()> {
        BTreeMap::new()
    }

    #[test]
    fn the_workspace_comes_from_the_variable_else_from_the_directory() {
        let ws = workspace_of(Path::new("/nowhere"));
        let deep = ws.path().join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        let found = workspace(&env_of(&[]), &deep).unwrap();
        assert_eq!(found, ws.path());
        let named = ws.path().display().to_string();
        let elsewhere = tempfile::tempdir().unwrap();
        let found = workspace(&env_of(&[(WORKSPACE_ENV, &named)]), elsewhere.path()).unwrap();
        assert_eq!(found, ws.path());

        let err = workspace(&env_of(&[]), elsewhere.path()).unwrap_err();
        assert!(
            err.to_string().contains("not inside a labrun workspace"),
            "{err}"
        );
        let bogus = elsewhere.path().display().to_string();
        let err = workspace(&env_of(&[(WORKSPACE_ENV, &bogus)]), Path::new("/")).unwrap_err();
        assert!(matches!(err, LabEnvError::NotAWorkspace(_)), "{err}");
    }

    #[test]
    fn the_host_is_the_variable_else_the_first_container_of_config_yml() {
        let course = tempfile::tempdir().unwrap();
        std::fs::write(
            course.path().join("config.yml"),
            "version: \"3\"\nvirtualmachines:\n- name: cluster\ncontainers:\n- name: shell\n  image: x\n- name: other\n",
        )
        .unwrap();
        let ws = workspace_of(course.path());
        let here = ws.path();
        let lab = resolve("agent", &env_of(&[]), here, none).unwrap();
        assert_eq!(lab.host, "shell");
        let lab = resolve("agent", &env_of(&[(HOST_ENV, "server")]), here, none).unwrap();
        assert_eq!(lab.host, "server");
    }

    #[test]
    fn without_a_config_the_host_is_the_first_recorded_one_or_an_error() {
        let ws = workspace_of(Path::new("/nowhere"));
        let recorded = |_: &Path| BTreeMap::from([("web".to_string(), ()), ("zeta".into(), ())]);
        let lab = resolve("agent", &env_of(&[]), ws.path(), recorded).unwrap();
        assert_eq!(lab.host, "web");
        let err = resolve("set-workdir", &env_of(&[]), ws.path(), none).unwrap_err();
        assert!(
            err.to_string().contains("LABRUN_HOST=<host> set-workdir"),
            "{err}"
        );
    }
}
