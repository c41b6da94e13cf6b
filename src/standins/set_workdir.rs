//! A stand-in for Instruqt's `set-workdir DIR` helper: a script names the
//! directory the learner's terminal on its host should start in. labrun
//! records it per host in the workspace's `.labrun/workdirs.json`
//! (`{"<host>": "<dir>"}`, changed under a lock, written atomically) for the
//! lab to map as the host's workdir.

use super::lab_env::{self, LabEnvError};
use crate::json_state::{self, JsonStateError};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Write;
use std::path::Path;

/// The recorded workdirs of a workspace, in its `.labrun/`.
pub const WORKDIRS_FILE: &str = "workdirs.json";
const WORKDIRS_LOCK: &str = "workdirs.lock";

/// Host → the directory (an Instruqt path, such as `/home/replicant/app`).
pub type Workdirs = BTreeMap<String, String>;

#[derive(Debug, thiserror::Error)]
pub enum SetWorkdirError {
    #[error(transparent)]
    Lab(#[from] LabEnvError),
    #[error(transparent)]
    State(#[from] JsonStateError),
    #[error("{0}\nUsage: set-workdir DIR (an absolute path on the host, e.g. /root/project)")]
    Usage(&'static str),
}

/// The workdirs recorded in the workspace at `workspace_root`.
pub fn read_workdirs(workspace_root: &Path) -> Result<Workdirs, SetWorkdirError> {
    let path = workspace_root
        .join(crate::workspace::STATE_DIR)
        .join(WORKDIRS_FILE);
    Ok(json_state::read(&path)?)
}

/// The binary invoked as `set-workdir`; `args` exclude the program name.
pub fn run(args: &[OsString]) -> i32 {
    let env = |name: &str| std::env::var(name).ok();
    let cwd = std::env::current_dir().unwrap_or_default();
    super::run_printing(|_, err| run_with(args, &env, &cwd, err))
}

/// [`run`] with the environment and working directory supplied.
pub fn run_with(
    args: &[OsString],
    env: &dyn Fn(&str) -> Option<String>,
    cwd: &Path,
    err: &mut dyn Write,
) -> i32 {
    match record(args, env, cwd) {
        Ok(()) => 0,
        Err(e) => {
            let _ = writeln!(err, "set-workdir: {e}");
            1
        }
    }
}

fn record(
    args: &[OsString],
    env: &dyn Fn(&str) -> Option<String>,
    cwd: &Path,
) -> Result<(), SetWorkdirError> {
    let [dir] = args else {
        return Err(SetWorkdirError::Usage("expected one DIR"));
    };
    let dir = dir
        .to_str()
        .ok_or(SetWorkdirError::Usage("DIR must be UTF-8"))?;
    if !dir.starts_with('/') {
        return Err(SetWorkdirError::Usage("DIR must be an absolute path"));
    }
    let recorded = |ws: &Path| read_workdirs(ws).unwrap_or_default();
    let lab = lab_env::resolve("set-workdir", env, cwd, recorded)?;
    let state = lab.state_dir();
    json_state::update(
        &state.join(WORKDIRS_FILE),
        &state.join(WORKDIRS_LOCK),
        |dirs: &mut Workdirs| dirs.insert(lab.host.clone(), dir.to_string()),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::lab_env::tests::workspace_of;
    use super::*;

    fn set_workdir(ws: &Path, host: &str, args: &[&str]) -> (i32, String) {
        let ws = ws.display().to_string();
        let host = host.to_string();
        let env = move |name: &str| match name {
            "LABRUN_WORKSPACE" => Some(ws.clone()),
            "LABRUN_HOST" => Some(host.clone()),
            _ => None,
        };
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        let mut err = Vec::new();
        let code = run_with(&args, &env, Path::new("/"), &mut err);
        (code, String::from_utf8(err).unwrap())
    }

    #[test]
    fn records_the_directory_per_host() {
        let ws = workspace_of(Path::new("/nowhere"));
        assert_eq!(
            set_workdir(ws.path(), "shell", &["/home/replicant"]),
            (0, String::new())
        );
        assert_eq!(
            set_workdir(ws.path(), "server", &["/srv"]),
            (0, String::new())
        );
        assert_eq!(
            set_workdir(ws.path(), "shell", &["/root/app"]),
            (0, String::new())
        );
        let dirs = read_workdirs(ws.path()).unwrap();
        assert_eq!(
            dirs,
            Workdirs::from([
                ("server".into(), "/srv".into()),
                ("shell".into(), "/root/app".into())
            ])
        );
    }

    #[test]
    fn refuses_anything_but_one_absolute_directory() {
        let ws = workspace_of(Path::new("/nowhere"));
        for args in [&[][..], &["a", "b"], &["relative/dir"]] {
            let (code, err) = set_workdir(ws.path(), "shell", args);
            assert_eq!(code, 1, "{args:?}");
            assert!(
                err.starts_with("set-workdir: ") && err.contains("Usage: set-workdir DIR"),
                "{err}"
            );
        }
        assert!(read_workdirs(ws.path()).unwrap().is_empty());
    }
}
