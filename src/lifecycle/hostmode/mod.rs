//! Host mode: how an Instruqt host's paths map into a labrun workspace, so
//! that scripts written to run as root in a lab container run, unchanged on
//! disk, on the learner's machine. The workspace *is* the local host's
//! workdir (the terminal tab's `workdir`, else `/root`): the learner's shell
//! starts there and it is their `$HOME`. Scripts run as root does on
//! Instruqt: `HOME` is `/root`, which is the workspace too when the workdir
//! is `/root`, else the host's private `.labrun/hosts/<host>/root`.
//!
//! Two ways to do it, chosen once per process (`LABRUN_HOST_MODE` =
//! `namespace` | `rewrite` | `auto`, the default):
//! - **namespace** (bubblewrap, where `bwrap --dev-bind / / true` works): the
//!   process sees the workspace at the workdir, the private `/root` and
//!   `/tmp` (`.labrun/hosts/<host>/tmp`), and the host's name; every path
//!   works, for the learner's typed commands too.
//! - **rewrite** (elsewhere): the script's text is copied with its path
//!   tokens `/root` and the workdir replaced by the mapped directories; `/tmp`
//!   is the machine's own. Paths built at run time are not mapped.

mod namespace;
pub mod rewrite;

use super::LifecycleError;
use crate::process_group::{self, AfterExit, Ending};
use std::ffi::{OsStr, OsString};
use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

/// The environment variable that forces a mode.
pub const MODE_VAR: &str = "LABRUN_HOST_MODE";

/// Where a workspace keeps each host's private directories.
pub const HOSTS_DIR: &str = ".labrun/hosts";
/// The stand-ins (agent, fail-message, helm, …) a workspace puts on PATH.
pub const STANDINS_DIR: &str = ".labrun/bin";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostMode {
    /// Processes run under bubblewrap, which binds the workspace over the host's paths.
    Namespace { bwrap: PathBuf },
    /// Scripts run from a copy whose paths were rewritten; `why` says why not namespace.
    Rewrite { why: String },
}

impl HostMode {
    /// The mode for this process: `LABRUN_HOST_MODE`, else namespace where
    /// bubblewrap works, else rewrite. bubblewrap is tried once per process.
    pub fn detect() -> Result<HostMode, LifecycleError> {
        let setting = std::env::var(MODE_VAR).ok();
        HostMode::choose(setting.as_deref(), probe_once)
    }

    /// Namespace mode, or why this machine cannot give it.
    pub fn namespace() -> Result<HostMode, LifecycleError> {
        HostMode::choose(Some("namespace"), probe_once)
    }

    /// The mode a setting asks for; `probe` says where a working bwrap is, or why none.
    pub fn choose(
        setting: Option<&str>,
        probe: impl FnOnce() -> Result<PathBuf, String>,
    ) -> Result<HostMode, LifecycleError> {
        match setting.map(str::trim).unwrap_or("") {
            "" | "auto" => Ok(match probe() {
                Ok(bwrap) => HostMode::Namespace { bwrap },
                Err(why) => HostMode::Rewrite { why },
            }),
            "namespace" => probe()
                .map(|bwrap| HostMode::Namespace { bwrap })
                .map_err(LifecycleError::NamespaceUnavailable),
            "rewrite" => Ok(HostMode::Rewrite {
                why: format!("{MODE_VAR}=rewrite"),
            }),
            other => Err(LifecycleError::UnknownMode(other.to_string())),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            HostMode::Namespace { .. } => "namespace",
            HostMode::Rewrite { .. } => "rewrite",
        }
    }

    /// One line for `labrun lint` and the docs: the mode and why.
    pub fn describe(&self) -> String {
        match self {
            HostMode::Namespace { bwrap } => format!(
                "host mode: namespace (bubblewrap, {}): /root, the workdir and /tmp are the workspace's",
                bwrap.display()
            ),
            HostMode::Rewrite { why } => format!(
                "host mode: rewrite ({why}): scripts run from copies with /root and the workdir rewritten; /tmp is this machine's"
            ),
        }
    }
}

/// [`probe_bwrap`], once per process: the answer is a fact about the
/// machine, and trying costs a process start.
fn probe_once() -> Result<PathBuf, String> {
    static PROBE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    PROBE.get_or_init(probe_bwrap).clone()
}

/// Where a working `bwrap` is, or why there is none.
fn probe_bwrap() -> Result<PathBuf, String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let bwrap = std::env::split_paths(&path)
        .map(|dir| dir.join("bwrap"))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| "bwrap (bubblewrap) is not on PATH".to_string())?;
    let mut command = Command::new(&bwrap);
    command.args(["--dev-bind", "/", "/", "true"]);
    let tried = process_group::spawn(command, 4096)
        .and_then(|group| group.wait(Duration::from_secs(10), AfterExit::EndGroup))
        .map_err(|e| format!("{} could not run: {e}", bwrap.display()))?;
    match tried.ending {
        Ending::Exited(0) => Ok(bwrap),
        _ => Err(format!(
            "`{} --dev-bind / / true` failed: {}",
            bwrap.display(),
            tried.output.lines().next().unwrap_or("no output").trim()
        )),
    }
}

/// One host's paths in one workspace, in one mode.
#[derive(Debug, Clone)]
pub struct HostMap {
    mode: HostMode,
    workspace: PathBuf,
    host: String,
    workdir: PathBuf,
}

/// A program to start on a host: what to spawn, where, with which
/// variables (added to the inherited environment).
#[derive(Debug, Clone)]
pub struct Launch {
    pub program: OsString,
    pub args: Vec<OsString>,
    /// Where to start the program on this machine (bubblewrap changes to the workdir itself).
    pub cwd: PathBuf,
    pub env: Vec<(OsString, OsString)>,
}

impl Launch {
    pub fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .current_dir(&self.cwd)
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }
}

impl HostMap {
    /// `workdir`: the host's terminal workdir as Instruqt names it (None: `/root`).
    pub fn new(
        mode: HostMode,
        workspace: &Path,
        host: &str,
        workdir: Option<&Path>,
    ) -> Result<HostMap, LifecycleError> {
        let valid_name = !host.is_empty()
            && host != "."
            && host != ".."
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid_name {
            return Err(LifecycleError::HostName(host.to_string()));
        }
        let workspace = workspace
            .canonicalize()
            .map_err(|source| LifecycleError::Io {
                path: workspace.to_path_buf(),
                source,
            })?;
        let workdir = workdir.unwrap_or(Path::new("/root")).to_path_buf();
        check_workdir(&workdir)?;
        if let HostMode::Rewrite { .. } = mode
            && let Some(bad) = workspace
                .to_string_lossy()
                .chars()
                .find(|&c| !rewrite::safe_in_script(c))
        {
            return Err(LifecycleError::UnsafeForRewrite {
                workspace: workspace.clone(),
                character: bad,
            });
        }
        Ok(HostMap {
            mode,
            workspace,
            host: host.to_string(),
            workdir,
        })
    }

    pub fn mode(&self) -> &HostMode {
        &self.mode
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    /// The workdir as Instruqt names it (`/root`, `/home/replicant`).
    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// The workspace on this machine (absolute, canonical).
    pub fn workspace(&self) -> &Path {
        &self.workspace
    }

    /// The host's private directories: `<workspace>/.labrun/hosts/<host>`.
    pub fn private_dir(&self) -> PathBuf {
        self.workspace.join(HOSTS_DIR).join(&self.host)
    }

    /// Where `/root` is on this machine.
    pub fn root_dir(&self) -> PathBuf {
        if self.workdir == Path::new("/root") {
            self.workspace.clone()
        } else {
            self.private_dir().join("root")
        }
    }

    /// Where `/tmp` is: the machine's own in both modes, so the learner's
    /// shell and the scripts see the same files there.
    pub fn tmp_dir(&self) -> PathBuf {
        PathBuf::from("/tmp")
    }

    /// Makes the host's private directories (owner only).
    pub fn prepare(&self) -> Result<(), LifecycleError> {
        for dir in [self.root_dir()] {
            if dir.is_dir() {
                continue;
            }
            let io = |source| LifecycleError::Io {
                path: dir.clone(),
                source,
            };
            std::fs::create_dir_all(&dir).map_err(io)?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
                    .map_err(io)?;
            }
        }
        Ok(())
    }

    /// A path of this machine inside the workspace, as a process on the host names it.
    pub fn seen(&self, on_disk: &Path) -> PathBuf {
        match (&self.mode, on_disk.strip_prefix(&self.workspace)) {
            (HostMode::Namespace { .. }, Ok(inside)) if inside.as_os_str().is_empty() => {
                self.workdir.clone()
            }
            (HostMode::Namespace { .. }, Ok(inside)) => self.workdir.join(inside),
            _ => on_disk.to_path_buf(),
        }
    }

    /// `HOME` of the host's scripts (they run as root): `/root`, mapped.
    pub fn script_home(&self) -> PathBuf {
        match self.mode {
            HostMode::Namespace { .. } => PathBuf::from("/root"),
            HostMode::Rewrite { .. } => self.root_dir(),
        }
    }

    /// `HOME` of the learner's shell: the workdir (the workspace), as seen.
    pub fn shell_home(&self) -> PathBuf {
        self.seen(&self.workspace)
    }

    /// The script's text as it runs on this host: unchanged in namespace
    /// mode, its path tokens rewritten in rewrite mode.
    pub fn script_text(&self, text: &str) -> String {
        match self.mode {
            HostMode::Namespace { .. } => text.to_string(),
            HostMode::Rewrite { .. } => {
                let shown = |p: &Path| p.to_string_lossy().into_owned();
                let mut pairs = vec![(shown(&self.workdir), shown(&self.workspace))];
                if self.workdir != Path::new("/root") {
                    pairs.push(("/root".into(), shown(&self.root_dir())));
                }
                rewrite::rewrite(text, &pairs)
            }
        }
    }

    /// A lifecycle script's launch: `HOME` is root's.
    pub fn script(&self, program: &OsStr, args: &[OsString]) -> Result<Launch, LifecycleError> {
        self.launch(program, args, self.script_home())
    }

    /// The lab's shell pane's launch (program and arguments as the pane
    /// would start them): in namespace mode under bubblewrap, so what the
    /// learner types with `/root`, the workdir or `/tmp` works; `HOME` is
    /// the workspace. Spawn it from a thread that lives as long as the
    /// shell: bubblewrap's `--die-with-parent` follows the spawning thread.
    pub fn shell(&self, program: &OsStr, args: &[OsString]) -> Result<Launch, LifecycleError> {
        self.launch(program, args, self.shell_home())
    }

    fn launch(
        &self,
        program: &OsStr,
        args: &[OsString],
        home: PathBuf,
    ) -> Result<Launch, LifecycleError> {
        self.prepare()?;
        let standins = self.seen(&self.workspace.join(STANDINS_DIR));
        let (path, _) =
            crate::script::path_with(&standins).map_err(|source| LifecycleError::Io {
                path: standins.clone(),
                source,
            })?;
        let env = vec![
            ("HOME".into(), home.into_os_string()),
            ("PATH".into(), path),
            (
                "LABRUN_WORKSPACE".into(),
                self.seen(&self.workspace).into_os_string(),
            ),
            ("LABRUN_HOST".into(), self.host.clone().into()),
        ];
        let (program, args) = match &self.mode {
            HostMode::Namespace { bwrap } => {
                let mut argv = namespace::bwrap_prefix(bwrap, self, &self.keep_visible())?;
                argv.push(program.to_owned());
                argv.extend(args.iter().cloned());
                let program = argv.remove(0);
                (program, argv)
            }
            HostMode::Rewrite { .. } => (program.to_owned(), args.to_vec()),
        };
        Ok(Launch {
            program,
            args,
            cwd: self.workspace.clone(),
            env,
        })
    }

    /// labrun's own executable and what the stand-ins link to: needed
    /// inside the namespace even where the host's paths cover them.
    fn keep_visible(&self) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = std::env::current_exe().into_iter().collect();
        if let Ok(entries) = std::fs::read_dir(self.workspace.join(STANDINS_DIR)) {
            for entry in entries.flatten() {
                if let Ok(target) = std::fs::canonicalize(entry.path()) {
                    paths.push(target);
                }
            }
        }
        paths.sort();
        paths.dedup();
        paths
    }
}

/// A workdir labrun can map: absolute, plain (no `.`/`..`), not `/` and
/// not in `/tmp` (which the host has its own of).
fn check_workdir(workdir: &Path) -> Result<(), LifecycleError> {
    let why = if !workdir.is_absolute() {
        Some("it is not an absolute path")
    } else if workdir
        .components()
        .any(|c| matches!(c, Component::CurDir | Component::ParentDir))
    {
        Some("it holds `.` or `..`")
    } else if workdir.parent().is_none() {
        Some("it is /")
    } else if workdir.starts_with("/tmp") {
        Some("it is in /tmp, which the host has its own of")
    } else if workdir.to_str().is_none_or(|w| w.contains(':')) {
        Some("it holds `:` or is not UTF-8")
    } else {
        None
    };
    match why {
        Some(why) => Err(LifecycleError::Workdir {
            workdir: workdir.to_path_buf(),
            why: why.into(),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite_mode() -> HostMode {
        HostMode::Rewrite { why: "test".into() }
    }

    #[test]
    fn the_setting_chooses_and_auto_falls_back() {
        let works = || Ok(PathBuf::from("/usr/bin/bwrap"));
        let fails = || Err("bwrap is not on PATH".to_string());
        assert_eq!(HostMode::choose(None, works).unwrap().name(), "namespace");
        assert_eq!(
            HostMode::choose(Some("auto"), fails).unwrap(),
            HostMode::Rewrite {
                why: "bwrap is not on PATH".into()
            }
        );
        assert_eq!(
            HostMode::choose(Some("rewrite"), works).unwrap().name(),
            "rewrite"
        );
        let refused = HostMode::choose(Some("namespace"), fails).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "LABRUN_HOST_MODE=namespace, but bwrap is not on PATH"
        );
        let unknown = HostMode::choose(Some("docker"), works).unwrap_err();
        assert!(unknown.to_string().contains("\"docker\""), "{unknown}");
    }

    #[test]
    fn root_workdir_is_the_workspace() {
        let ws = tempfile::tempdir().unwrap();
        let map = HostMap::new(rewrite_mode(), ws.path(), "shell", None).unwrap();
        let canonical = ws.path().canonicalize().unwrap();
        assert_eq!(map.root_dir(), canonical);
        assert_eq!(map.script_home(), canonical);
        assert_eq!(map.shell_home(), canonical);
        assert_eq!(map.tmp_dir(), Path::new("/tmp"));
        assert_eq!(
            map.script_text("cat /root/.bash_history > /tmp/x"),
            format!("cat {}/.bash_history > /tmp/x", canonical.display())
        );
    }

    #[test]
    fn another_workdir_maps_root_to_a_private_home() {
        let ws = tempfile::tempdir().unwrap();
        let workdir = Path::new("/home/replicant");
        let map = HostMap::new(rewrite_mode(), ws.path(), "shell", Some(workdir)).unwrap();
        let canonical = ws.path().canonicalize().unwrap();
        let root = canonical.join(".labrun/hosts/shell/root");
        assert_eq!(map.root_dir(), root);
        assert_eq!(map.script_home(), root);
        assert_eq!(map.shell_home(), canonical);
        assert_eq!(
            map.script_text("cp /root/a /home/replicant/b"),
            format!("cp {}/a {}/b", root.display(), canonical.display())
        );
    }

    #[test]
    fn namespace_paths_are_seen_at_the_workdir() {
        let ws = tempfile::tempdir().unwrap();
        let mode = HostMode::Namespace {
            bwrap: "/usr/bin/bwrap".into(),
        };
        let map = HostMap::new(mode, ws.path(), "shell", None).unwrap();
        let canonical = ws.path().canonicalize().unwrap();
        assert_eq!(map.seen(&canonical), Path::new("/root"));
        assert_eq!(
            map.seen(&canonical.join(".labrun/bin")),
            Path::new("/root/.labrun/bin")
        );
        assert_eq!(map.seen(Path::new("/usr/bin")), Path::new("/usr/bin"));
        assert_eq!(map.script_home(), Path::new("/root"));
        assert_eq!(map.tmp_dir(), Path::new("/tmp"));
        // The text runs as written.
        assert_eq!(map.script_text("cat /root/x"), "cat /root/x");
        let launch = map
            .script(OsStr::new("/bin/bash"), &["-c".into(), "true".into()])
            .unwrap();
        assert_eq!(launch.program, OsStr::new("/usr/bin/bwrap"));
        assert_eq!(
            launch.args[launch.args.len() - 3..],
            [OsString::from("/bin/bash"), "-c".into(), "true".into()]
        );
        let env: Vec<_> = launch
            .env
            .iter()
            .map(|(k, _)| k.to_str().unwrap())
            .collect();
        assert_eq!(env, ["HOME", "PATH", "LABRUN_WORKSPACE", "LABRUN_HOST"]);
        assert!(
            launch.env[1]
                .1
                .to_str()
                .unwrap()
                .starts_with("/root/.labrun/bin:")
        );
    }

    #[test]
    fn bad_names_and_workdirs_are_refused() {
        let ws = tempfile::tempdir().unwrap();
        let map = |host: &str, workdir: &str| {
            HostMap::new(rewrite_mode(), ws.path(), host, Some(Path::new(workdir)))
                .map(drop)
                .map_err(|e| e.to_string())
        };
        assert!(map("shell", "/home/replicant").is_ok());
        assert!(map("../x", "/root").unwrap_err().contains("../x"));
        assert!(map("", "/root").is_err());
        for bad in ["relative", "/", "/tmp/work", "/home/../etc", "/a:b"] {
            assert!(map("shell", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rewrite_refuses_a_workspace_it_cannot_write_into_a_script() {
        let parent = tempfile::tempdir().unwrap();
        let ws = parent.path().join("my lab");
        std::fs::create_dir(&ws).unwrap();
        let err = HostMap::new(rewrite_mode(), &ws, "shell", None).unwrap_err();
        assert!(err.to_string().contains("' '"), "{err}");
        let namespace = HostMode::Namespace {
            bwrap: "bwrap".into(),
        };
        assert!(HostMap::new(namespace, &ws, "shell", None).is_ok());
    }
}
