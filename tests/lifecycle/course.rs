//! The test's course: a workspace with test stand-ins for Instruqt's
//! helpers, a runner for its local host `shell` (and a VM `cluster` it
//! cannot provide), a marker every process of its scripts inherits, and
//! /proc scans that find those processes.

use labrun::checks::{self, Context, Scripts, StepReport};
use labrun::lesson::vars::Source;
use labrun::lesson::{CheckKind, CheckSpec, Step, Vars};
use labrun::lesson::{Host, HostKind};
use labrun::lifecycle::Phase;
use labrun::lifecycle::hostmode::{HostMap, HostMode};
use labrun::lifecycle::runner::{RunOutcome, Runner, ScriptEnv, ScriptResult, ScriptRun};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub const TRACKS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tracks");

/// Long enough for a loaded 2-core machine; conditions are polled, never slept for.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// Test stand-ins for Instruqt's helpers (labrun's own are not this test's
/// subject): `fail-message` and a file-backed `agent variable get|set`.
const FAIL_MESSAGE: &str = "#!/bin/sh\necho \"FAIL: $*\"\n";
const AGENT: &str = r#"#!/bin/sh
dir="$LABRUN_WORKSPACE/.labrun/test-agent/$LABRUN_HOST"
key=$(printf %s "$3" | tr A-Z a-z)
case "$1 $2" in
  "variable set") mkdir -p "$dir" && printf %s "$4" > "$dir/$key" ;;
  "variable get") cat "$dir/$key" ;;
  *) echo "agent: $*: unknown" >&2; exit 2 ;;
esac
"#;

pub struct Course {
    _dir: tempfile::TempDir,
    pub ws: PathBuf,
    pub runner: Runner,
    pub vars: Vars,
    pub marker: String,
}

impl Course {
    pub fn new(mode: HostMode) -> Course {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("shell-basics");
        let bin = ws.join(".labrun/bin");
        std::fs::create_dir_all(&bin).unwrap();
        executable(&bin.join("fail-message"), FAIL_MESSAGE);
        executable(&bin.join("agent"), AGENT);
        let map = HostMap::new(mode, &ws, "shell", None).unwrap();
        let ws = map.workspace().to_path_buf();
        let cluster = Host::elsewhere("cluster", HostKind::VirtualMachine);
        let env = ScriptEnv {
            participant_id: "learner-1".into(),
            track_slug: "shell-basics".into(),
        };
        // Every process a script starts inherits this: how /proc finds them.
        let marker = format!("{}-{}", std::process::id(), ws.display());
        let mut vars = Vars::default();
        vars.set("LABRUN_TEST_MARKER", &marker, Source::CommandLine);
        Course {
            _dir: dir,
            ws,
            runner: Runner::new(map, vec![cluster], env),
            vars,
            marker,
        }
    }

    pub fn run(&self, script: &Path, host: &str, phase: Phase, timeout: Duration) -> ScriptResult {
        self.runner
            .run(&ScriptRun {
                phase,
                host,
                path: script,
                timeout,
                challenge_id: Some("fixture"),
                vars: &self.vars,
            })
            .unwrap()
    }

    /// `<phase>-shell` of a shell-basics challenge, with Instruqt's time limit.
    pub fn phase(&self, challenge: &str, phase: Phase) -> ScriptResult {
        let script = Path::new(TRACKS)
            .join("shell-basics")
            .join(challenge)
            .join(format!("{phase}-shell"));
        self.run(
            &script,
            "shell",
            phase,
            std::time::Duration::from_secs(labrun::lesson::Timeouts::default().for_phase(phase)),
        )
    }

    pub fn passes(&self, challenge: &str, phase: Phase) {
        let result = self.phase(challenge, phase);
        assert_eq!(
            result.outcome,
            RunOutcome::Passed,
            "{challenge}/{phase}: {}",
            result.output
        );
    }

    /// The check of a challenge as the checklist shows it: a step of one script check.
    pub fn check(&self, track: &str, challenge: &str, host: &str) -> StepReport {
        let step = Step {
            id: format!("check-{host}"),
            title: format!("the challenge's check (check-{host})"),
            section: None,
            hint: String::new(),
            solution: String::new(),
            needs: vec![],
            checks: vec![CheckSpec {
                name: None,
                kind: CheckKind::Script {
                    host: host.into(),
                    path: format!("check-{host}").into(),
                    timeout_secs: 60,
                },
                line: 1,
            }],
            line: 1,
        };
        let lesson_dir = Path::new(TRACKS).join(track).join(challenge);
        let ctx = Context {
            workspace: &self.ws,
            lesson_dir: &lesson_dir,
            vars: &self.vars,
            extra_path: None,
            api: None,
            scripts: Some(Scripts {
                runner: &self.runner,
                challenge_id: Some("fixture"),
            }),
        };
        checks::run_step(&step, &ctx)
    }

    pub fn processes(&self) -> Vec<u32> {
        processes(&self.marker)
    }

    pub fn wait_for_processes(&self, what: &str, done: impl Fn(&[u32]) -> bool) -> Vec<u32> {
        wait_for_processes(&self.marker, what, done)
    }
}

/// The processes (a script's and all it started) that carry a course's marker.
pub fn processes(marker: &str) -> Vec<u32> {
    let needle = format!("LABRUN_TEST_MARKER={marker}");
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
            continue;
        };
        if environ
            .split(|&b| b == 0)
            .any(|var| var == needle.as_bytes())
        {
            found.push(pid);
        }
    }
    found
}

pub fn wait_for_processes(marker: &str, what: &str, done: impl Fn(&[u32]) -> bool) -> Vec<u32> {
    let started = Instant::now();
    loop {
        let found = processes(marker);
        if done(&found) {
            return found;
        }
        assert!(started.elapsed() < DEADLINE, "{what}: still {found:?}");
        std::thread::yield_now();
    }
}

pub fn executable(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

pub fn rewrite() -> HostMode {
    HostMode::Rewrite {
        why: "chosen by the test".into(),
    }
}

/// Namespace mode where this machine has it; where not, the refusal says
/// why (bubblewrap) and the test says it did not run.
pub fn namespace() -> Option<HostMode> {
    match HostMode::namespace() {
        Ok(mode) => Some(mode),
        Err(why) => {
            assert!(why.to_string().contains("bwrap"), "{why}");
            eprintln!("namespace mode is not tested on this machine: {why}");
            None
        }
    }
}
