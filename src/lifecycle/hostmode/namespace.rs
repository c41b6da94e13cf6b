//! Host mode "namespace": the bubblewrap command line that shows a process
//! the machine as it is, except the host's paths: the workspace at the
//! host's workdir, the host's private `/root` (when the workdir is not
//! `/root`), and the host's name. `/tmp` stays the machine's: the lab's
//! shell pane sees what a setup script left there (`/tmp/look-around`).
//! Nothing else changes on disk; what a process writes under the host's
//! paths lands in the workspace.

use super::HostMap;
use crate::lifecycle::LifecycleError;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// The paths a host covers: under these, the machine's own files are hidden.
fn covered(map: &HostMap) -> [&Path; 2] {
    [Path::new("/root"), map.workdir()]
}

/// Arguments as bwrap takes them: strings and paths alike.
macro_rules! os {
    ($($arg:expr),* $(,)?) => {
        [$(OsString::from(AsRef::<OsStr>::as_ref(&$arg))),*]
    };
}

/// `bwrap` and its options up to the command (ending in `--`).
/// `keep_visible`: paths labrun itself needs inside (its own executable,
/// which the stand-ins link to): bound at their own place when covered.
pub fn bwrap_prefix(
    bwrap: &Path,
    map: &HostMap,
    keep_visible: &[PathBuf],
) -> Result<Vec<OsString>, LifecycleError> {
    let mut args: Vec<OsString> = vec![bwrap.into()];
    args.extend(os!["--dev-bind", "/", "/"]);
    let workdir = map.workdir();
    if workdir != Path::new("/root") {
        args.extend(os!["--bind", map.root_dir(), "/root"]);
    }
    // A workdir that does not exist here (`/home/replicant`): a private
    // tmpfs over its parent gets the mount point, and the parent's own
    // entries are put back, so the learner's `/home/<me>` stays.
    if !workdir.starts_with("/root") && !workdir.exists() {
        let parent = workdir
            .ancestors()
            .skip(1)
            .find(|a| a.is_dir())
            .filter(|a| *a != Path::new("/"))
            .ok_or_else(|| LifecycleError::Workdir {
                workdir: workdir.to_path_buf(),
                why: "no directory above it exists but /, which labrun does not cover".into(),
            })?;
        args.extend(os!["--tmpfs", parent]);
        let entries = std::fs::read_dir(parent).map_err(|source| LifecycleError::Io {
            path: parent.to_path_buf(),
            source,
        })?;
        let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for entry in entries {
            if workdir.starts_with(&entry) {
                continue;
            }
            match std::fs::read_link(&entry) {
                Ok(target) => args.extend(os!["--symlink", target, entry]),
                Err(_) => args.extend(os!["--dev-bind", entry, entry]),
            }
        }
    }
    args.extend(os!["--bind", map.workspace(), workdir]);
    let mut kept: Vec<&PathBuf> = Vec::new();
    for path in keep_visible {
        let hidden = covered(map).iter().any(|c| path.starts_with(c));
        if hidden && path.exists() && !kept.contains(&path) {
            kept.push(path);
            args.extend(os!["--ro-bind", path, path]);
        }
    }
    args.extend(os![
        "--unshare-uts",
        "--hostname",
        map.host(),
        "--die-with-parent",
        "--chdir",
        workdir,
        "--",
    ]);
    Ok(args)
}

#[cfg(test)]
mod tests {
    use super::super::{HostMap, HostMode};
    use super::*;

    fn strings(args: &[OsString]) -> Vec<String> {
        args.iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    fn namespace() -> HostMode {
        HostMode::Namespace {
            bwrap: "/usr/bin/bwrap".into(),
        }
    }

    #[test]
    fn root_workdir_binds_the_workspace_at_root() {
        let ws = tempfile::tempdir().unwrap();
        let map = HostMap::new(namespace(), ws.path(), "shell", None).unwrap();
        let ws = map.workspace().display().to_string();
        let args = strings(&bwrap_prefix(Path::new("/usr/bin/bwrap"), &map, &[]).unwrap());
        let expected = format!(
            "/usr/bin/bwrap --dev-bind / / --bind {ws} /root \
             --unshare-uts --hostname shell --die-with-parent --chdir /root --"
        );
        assert_eq!(args.join(" "), expected);
    }

    #[test]
    fn another_workdir_gets_a_private_root_and_keeps_the_parents_entries() {
        let ws = tempfile::tempdir().unwrap();
        let map = HostMap::new(
            namespace(),
            ws.path(),
            "shell",
            Some(Path::new("/home/labrun-no-such-user")),
        )
        .unwrap();
        let ws = map.workspace().display().to_string();
        let args = strings(&bwrap_prefix(Path::new("bwrap"), &map, &[]).unwrap()).join(" ");
        assert!(
            args.contains(&format!("--bind {ws}/.labrun/hosts/shell/root /root")),
            "{args}"
        );
        assert!(args.contains("--tmpfs /home"), "{args}");
        for entry in std::fs::read_dir("/home").unwrap().flatten() {
            let entry = entry.path().display().to_string();
            assert!(args.contains(&format!(" {entry} {entry}")), "{args}");
        }
        assert!(
            args.contains(&format!("--bind {ws} /home/labrun-no-such-user")),
            "{args}"
        );
        assert!(
            args.ends_with("--chdir /home/labrun-no-such-user --"),
            "{args}"
        );
    }

    #[test]
    fn labruns_own_files_stay_visible_when_covered() {
        let ws = tempfile::tempdir_in("/tmp").unwrap();
        let map = HostMap::new(namespace(), ws.path(), "shell", None).unwrap();
        let in_tmp = ws.path().join("labrun");
        std::fs::write(&in_tmp, "").unwrap();
        let outside = PathBuf::from("/usr/bin/env");
        let args =
            strings(&bwrap_prefix(Path::new("bwrap"), &map, &[in_tmp.clone(), outside]).unwrap())
                .join(" ");
        // /tmp is the machine's: what is there stays visible without a bind.
        assert!(!args.contains("--ro-bind"), "{args}");
        assert!(!args.contains("/usr/bin/env"), "{args}");
    }
}
