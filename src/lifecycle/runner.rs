//! Running one lifecycle script (`setup-shell`, `check-shell`, …) as
//! Instruqt would, on the local host in its host mode: from a copy of the
//! script (byte-identical in namespace mode, paths rewritten in rewrite
//! mode) in the workspace, in a process group of its own that ends whole on
//! timeout, cancel or drop, with the environment Instruqt's helpers need
//! (exported, never in the command line). What a check starts in the
//! background ends with it; what a setup, solve or cleanup script starts
//! keeps running until the runner's [`InFlight`] stops it. A script for a
//! host labrun cannot provide (a VM, a second container) is skipped, saying so.

use super::hostmode::{HostMap, HostMode};
use super::in_flight::{InFlight, Registration};
use super::interpreter::interpreter;
use super::{LifecycleError, Phase};
use crate::fsutil::is_executable;
use crate::lesson::{Host, Vars};
use crate::process_group::{self, AfterExit, Canceller, Ending, Group};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Output kept from one script, for the learner to see: its end explains a failure.
pub const DEFAULT_OUTPUT_LIMIT: usize = 64 * 1024;
/// The largest script labrun copies and runs.
const MAX_SCRIPT_BYTES: u64 = 4 * 1024 * 1024;
/// Where the copies that run are kept while they run.
const RUN_DIR: &str = ".labrun/run";

/// The variables every script of a course gets besides the lesson's,
/// `HOME`, `PATH`, `LABRUN_WORKSPACE` and `LABRUN_HOST`.
#[derive(Debug, Clone, Default)]
pub struct ScriptEnv {
    /// `INSTRUQT_PARTICIPANT_ID`: a stable id of the workspace.
    pub participant_id: String,
    /// `INSTRUQT_TRACK_SLUG`.
    pub track_slug: String,
}

/// One script to run.
#[derive(Debug, Clone)]
pub struct ScriptRun<'a> {
    pub phase: Phase,
    pub host: &'a str,
    /// The script on disk (never changed).
    pub path: &'a Path,
    pub timeout: Duration,
    /// `INSTRUQT_CHALLENGE_ID` (None for track scripts).
    pub challenge_id: Option<&'a str>,
    /// The lesson's variables, exported (never in the command line).
    pub vars: &'a Vars,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    Passed,
    /// A non-zero exit status (128 + the signal when a signal ended it).
    Failed(i32),
    TimedOut,
    /// Ended by labrun (quitting) before it finished.
    Cancelled,
    /// Not run: why (`needs host `cluster` (a VM), not available here`).
    Skipped(String),
}

#[derive(Debug, Clone)]
pub struct ScriptResult {
    pub phase: Phase,
    pub host: String,
    /// The script on disk.
    pub script: PathBuf,
    pub outcome: RunOutcome,
    /// The script's output (stdout and stderr as written), at most the last N KiB.
    pub output: String,
    /// What labrun did differently from Instruqt (ran a script that is not executable…).
    pub notes: Vec<String>,
    pub duration: Duration,
    pub timeout: Duration,
}

impl ScriptResult {
    /// The script's file name (`check-shell`).
    pub fn name(&self) -> String {
        self.script.file_name().map_or_else(
            || self.script.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    }

    /// What to show the learner: labrun's notes (`labrun: …` lines), then
    /// the script's output.
    pub fn transcript(&self) -> String {
        let mut text: String = self
            .notes
            .iter()
            .map(|note| format!("labrun: {note}\n"))
            .collect();
        text.push_str(&self.output);
        text
    }

    /// How it ended, in words.
    pub fn describe(&self) -> String {
        match &self.outcome {
            RunOutcome::Passed => "exited with status 0".into(),
            RunOutcome::Failed(code) => format!("exited with status {code}"),
            RunOutcome::TimedOut => format!(
                "did not finish within {} (its time limit) and was ended",
                seconds(self.timeout)
            ),
            RunOutcome::Cancelled => "was stopped before it finished".into(),
            RunOutcome::Skipped(why) => why.clone(),
        }
    }
}

/// A time limit in words: `60 s`, `0.2 s`.
fn seconds(limit: Duration) -> String {
    if limit.subsec_millis() == 0 {
        format!("{} s", limit.as_secs())
    } else {
        format!("{:.1} s", limit.as_secs_f64())
    }
}

/// What every script of a course runs with: the local host's map, the
/// hosts labrun cannot provide, the environment.
#[derive(Debug, Clone)]
pub struct Runner {
    map: HostMap,
    /// The course's other hosts, which labrun cannot provide.
    elsewhere: Vec<Host>,
    env: ScriptEnv,
    output_limit: usize,
    in_flight: InFlight,
}

/// A script that runs (or was skipped). Dropping it ends the script's whole group.
pub struct RunningScript {
    group: Option<Group>,
    result: ScriptResult,
    /// Forgotten by its `InFlight` when the run ends (after the group: fields drop in order).
    _registered: Option<Registration>,
    /// The copy that runs, removed when the run ends.
    _copy: Option<tempfile::TempPath>,
}

impl RunningScript {
    /// Ends the script (and its group) from another thread; `wait` then says `Cancelled`.
    pub fn canceller(&self) -> Canceller {
        self.group
            .as_ref()
            .map_or_else(Canceller::detached, Group::canceller)
    }

    /// Waits for the end (at most the script's timeout, then it is killed
    /// with its group). A check's background processes end with it; those
    /// of a setup, solve or cleanup script keep running, as on Instruqt,
    /// until the runner's `InFlight` stops them (quitting) or goes away.
    pub fn wait(mut self) -> Result<ScriptResult, LifecycleError> {
        let Some(group) = self.group.take() else {
            return Ok(self.result);
        };
        let after = match self.result.phase {
            Phase::Check => AfterExit::EndGroup,
            Phase::Setup | Phase::Solve | Phase::Cleanup => AfterExit::LeaveRunning,
        };
        let ended =
            group
                .wait(self.result.timeout, after)
                .map_err(|source| LifecycleError::Io {
                    path: self.result.script.clone(),
                    source,
                })?;
        self.result.outcome = match ended.ending {
            Ending::Exited(0) => RunOutcome::Passed,
            Ending::Exited(code) => RunOutcome::Failed(code),
            Ending::Signalled(signal) => RunOutcome::Failed(128 + signal),
            Ending::TimedOut => RunOutcome::TimedOut,
            Ending::Cancelled => RunOutcome::Cancelled,
        };
        self.result.output = ended.output;
        self.result.duration = ended.duration;
        if let (Some(survivors), Some(registration)) = (ended.survivors, &self._registered) {
            registration.in_flight.keep(survivors);
        }
        Ok(self.result)
    }
}

impl Runner {
    /// `map`: the local host; `unavailable`: the track's other hosts.
    pub fn new(map: HostMap, elsewhere: Vec<Host>, env: ScriptEnv) -> Runner {
        Runner {
            map,
            elsewhere,
            env,
            output_limit: DEFAULT_OUTPUT_LIMIT,
            in_flight: InFlight::default(),
        }
    }

    /// The scripts this runner and its clones have running (to stop them all on quit).
    pub fn in_flight(&self) -> InFlight {
        self.in_flight.clone()
    }

    pub fn with_output_limit(mut self, bytes: usize) -> Runner {
        self.output_limit = bytes.max(1);
        self
    }

    pub fn map(&self) -> &HostMap {
        &self.map
    }

    /// Why a script for `host` cannot run here, or None when it can.
    pub fn unavailable(&self, host: &str) -> Option<String> {
        if host == self.map.host() {
            return None;
        }
        let declared = self.elsewhere.iter().find(|h| h.name == host);
        Some(declared.and_then(Host::unavailable).unwrap_or_else(|| {
            format!("needs host `{host}` (not the track's local host), not available here")
        }))
    }

    /// Runs the script to its end.
    pub fn run(&self, run: &ScriptRun) -> Result<ScriptResult, LifecycleError> {
        self.start(run)?.wait()
    }

    /// Starts the script. Wait for it in the thread that started it: in
    /// namespace mode bubblewrap ends with that thread (`--die-with-parent`).
    pub fn start(&self, run: &ScriptRun) -> Result<RunningScript, LifecycleError> {
        let mut result = ScriptResult {
            phase: run.phase,
            host: run.host.to_string(),
            script: run.path.to_path_buf(),
            outcome: RunOutcome::Cancelled,
            output: String::new(),
            notes: Vec::new(),
            duration: Duration::ZERO,
            timeout: run.timeout,
        };
        if let Some(why) = self.unavailable(run.host) {
            result.outcome = RunOutcome::Skipped(why);
            return Ok(RunningScript {
                group: None,
                result,
                _registered: None,
                _copy: None,
            });
        }
        if self.in_flight.is_stopped() {
            return Ok(RunningScript {
                group: None,
                result,
                _registered: None,
                _copy: None,
            });
        }
        let bytes = crate::fsutil::read_limited(run.path, MAX_SCRIPT_BYTES)?;
        let name = result.name();
        let (program, first_args) =
            interpreter(&bytes, is_executable(run.path), &name, &mut result.notes);
        let text = match std::str::from_utf8(&bytes) {
            Ok(text) => self.map.script_text(text).into_bytes(),
            Err(_) => {
                if let HostMode::Rewrite { .. } = self.map.mode() {
                    result.notes.push(format!(
                        "{name} is not UTF-8 text: its paths were not rewritten"
                    ));
                }
                bytes
            }
        };
        let copy = self.copy(&name, &text)?;
        let mut args = first_args;
        args.push(self.map.seen(&copy).into_os_string());
        let launch = self.map.script(&program, &args)?;
        let mut command = Command::new(&launch.program);
        command
            .args(&launch.args)
            .current_dir(&launch.cwd)
            .envs(run.vars.iter())
            .envs(launch.env.iter().map(|(k, v)| (k, v)))
            .env("INSTRUQT_PARTICIPANT_ID", &self.env.participant_id)
            .env("INSTRUQT_TRACK_SLUG", &self.env.track_slug);
        match run.challenge_id {
            Some(id) => command.env("INSTRUQT_CHALLENGE_ID", id),
            None => command.env_remove("INSTRUQT_CHALLENGE_ID"),
        };
        let group = process_group::spawn(command, self.output_limit).map_err(|source| {
            LifecycleError::Start {
                script: run.path.to_path_buf(),
                program: launch.program.clone(),
                source,
            }
        })?;
        let Some(id) = self.in_flight.register(group.canceller()) else {
            // Stopped (quitting) meanwhile: dropping the group ends it.
            return Ok(RunningScript {
                group: None,
                result,
                _registered: None,
                _copy: None,
            });
        };
        Ok(RunningScript {
            group: Some(group),
            result,
            _registered: Some(Registration {
                in_flight: self.in_flight.clone(),
                id,
            }),
            _copy: Some(copy),
        })
    }

    /// The text that runs, in `<workspace>/.labrun/run/` (private to the owner).
    fn copy(&self, name: &str, text: &[u8]) -> Result<tempfile::TempPath, LifecycleError> {
        let dir = self.map.workspace().join(RUN_DIR);
        let io = |source| LifecycleError::Io {
            path: dir.clone(),
            source,
        };
        std::fs::create_dir_all(&dir).map_err(io)?;
        let mut file = tempfile::Builder::new()
            .prefix(&format!("{name}."))
            .tempfile_in(&dir)
            .map_err(io)?;
        std::io::Write::write_all(&mut file, text).map_err(io)?;
        Ok(file.into_temp_path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::HostKind;

    fn runner(ws: &Path) -> Runner {
        let mode = HostMode::Rewrite { why: "test".into() };
        let map = HostMap::new(mode, ws, "shell", None).unwrap();
        let env = ScriptEnv {
            participant_id: "p-123".into(),
            track_slug: "shell-basics".into(),
        };
        let vm = Host::elsewhere("cluster", HostKind::VirtualMachine);
        Runner::new(map, vec![vm], env)
    }

    fn app_var() -> Vars {
        crate::checks::test_support::vars(&[("APP", "sn-app")])
    }

    fn script(dir: &Path, name: &str, text: &str, mode: u32) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        path
    }

    fn run_it(runner: &Runner, path: &Path, phase: Phase) -> ScriptResult {
        runner
            .run(&ScriptRun {
                phase,
                host: "shell",
                path,
                timeout: Duration::from_secs(60),
                challenge_id: Some("lbrnnote01"),
                vars: &app_var(),
            })
            .unwrap()
    }

    #[test]
    fn the_environment_is_exported_and_the_script_runs_in_the_workdir() {
        let ws = tempfile::tempdir().unwrap();
        let lesson = tempfile::tempdir().unwrap();
        let path = script(
            lesson.path(),
            "check-shell",
            "#!/bin/bash\necho \"$APP $INSTRUQT_PARTICIPANT_ID $INSTRUQT_TRACK_SLUG $INSTRUQT_CHALLENGE_ID $LABRUN_HOST\"\n\
             [ \"$HOME\" = \"$LABRUN_WORKSPACE\" ] && [ \"$PWD\" = \"$HOME\" ] && echo home\n\
             case \"$PATH\" in \"$LABRUN_WORKSPACE/.labrun/bin:\"*) echo path;; esac\nexit 3\n",
            0o755,
        );
        let result = run_it(&runner(ws.path()), &path, Phase::Check);
        assert_eq!(result.outcome, RunOutcome::Failed(3), "{}", result.output);
        assert_eq!(
            result.output,
            "sn-app p-123 shell-basics lbrnnote01 shell\nhome\npath\n"
        );
        assert!(result.notes.is_empty(), "{:?}", result.notes);
        // The copy that ran is gone; the script on disk is as it was.
        let run_dir = ws.path().join(RUN_DIR);
        assert_eq!(std::fs::read_dir(run_dir).unwrap().count(), 0);
    }

    #[test]
    fn a_script_for_a_vm_is_skipped_saying_why() {
        let ws = tempfile::tempdir().unwrap();
        let lesson = tempfile::tempdir().unwrap();
        let path = script(
            lesson.path(),
            "check-cluster",
            "#!/bin/bash\nexit 0\n",
            0o755,
        );
        let runner = runner(ws.path());
        let result = runner
            .run(&ScriptRun {
                phase: Phase::Check,
                host: "cluster",
                path: &path,
                timeout: Duration::from_secs(60),
                challenge_id: None,
                vars: &app_var(),
            })
            .unwrap();
        assert_eq!(
            result.outcome,
            RunOutcome::Skipped("needs host `cluster` (a VM), not available here".into())
        );
        assert_eq!(
            runner.unavailable("db").unwrap(),
            "needs host `db` (not the track's local host), not available here"
        );
    }

    #[test]
    fn a_script_without_exec_bit_or_shebang_runs_and_says_so() {
        let ws = tempfile::tempdir().unwrap();
        let lesson = tempfile::tempdir().unwrap();
        let runner = runner(ws.path());
        let plain = script(
            lesson.path(),
            "setup-shell",
            "echo ${BASH_VERSION:+bash}\n",
            0o644,
        );
        let result = run_it(&runner, &plain, Phase::Setup);
        assert_eq!(result.outcome, RunOutcome::Passed);
        assert_eq!(result.output, "bash\n");
        assert_eq!(
            result.notes,
            [
                "setup-shell has no #! line: labrun ran it with bash; Instruqt may refuse it (add #!/bin/bash)"
            ]
        );
        assert_eq!(
            result.transcript(),
            "labrun: setup-shell has no #! line: labrun ran it with bash; Instruqt may refuse it (add #!/bin/bash)\nbash\n"
        );
        let not_exec = script(
            lesson.path(),
            "solve-shell",
            "#!/bin/sh -e\nfalse\necho not reached\n",
            0o644,
        );
        let result = run_it(&runner, &not_exec, Phase::Solve);
        assert_eq!(result.outcome, RunOutcome::Failed(1));
        assert_eq!(result.output, "");
        assert_eq!(
            result.notes,
            [
                "solve-shell is not executable: labrun ran it with its #! line; Instruqt may refuse it (chmod +x solve-shell)"
            ]
        );
    }

    #[test]
    fn a_timeout_ends_the_script_and_says_so() {
        let ws = tempfile::tempdir().unwrap();
        let lesson = tempfile::tempdir().unwrap();
        let path = script(
            lesson.path(),
            "setup-shell",
            "#!/bin/bash\necho waiting\nwhile true; do sleep 1; done\n",
            0o755,
        );
        let result = runner(ws.path())
            .run(&ScriptRun {
                phase: Phase::Setup,
                host: "shell",
                path: &path,
                timeout: Duration::from_millis(200),
                challenge_id: None,
                vars: &app_var(),
            })
            .unwrap();
        assert_eq!(result.outcome, RunOutcome::TimedOut);
        assert_eq!(result.output, "waiting\n");
        assert_eq!(
            result.describe(),
            "did not finish within 0.2 s (its time limit) and was ended"
        );
    }

    #[test]
    fn a_missing_interpreter_is_an_error_naming_it() {
        let ws = tempfile::tempdir().unwrap();
        let lesson = tempfile::tempdir().unwrap();
        let path = script(
            lesson.path(),
            "check-shell",
            "#!/no/such/interpreter\n",
            0o755,
        );
        let err = runner(ws.path())
            .run(&ScriptRun {
                phase: Phase::Check,
                host: "shell",
                path: &path,
                timeout: Duration::from_secs(60),
                challenge_id: None,
                vars: &app_var(),
            })
            .unwrap_err();
        assert!(err.to_string().contains("/no/such/interpreter"), "{err}");
    }
}
