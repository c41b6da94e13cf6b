//! `CheckKind::Script`: an Instruqt `check-<host>` script, run on the local
//! host through `lifecycle::runner` (host mode, its own process group, a
//! time limit), its `FAIL:` lines made conditions by `lifecycle::feedback`.
//! A script for a host labrun cannot provide is skipped, saying which.

use super::{Context, Outcome};
use crate::lifecycle::runner::{Runner, ScriptRun};
use crate::lifecycle::{Phase, feedback};
use std::path::Path;
use std::time::Duration;

/// What script checks run with: the course's runner (its local host, the
/// hosts it cannot provide, the scripts' environment) and the challenge.
#[derive(Clone, Copy)]
pub struct Scripts<'a> {
    pub runner: &'a Runner,
    /// `INSTRUQT_CHALLENGE_ID` of the challenge whose check this is.
    pub challenge_id: Option<&'a str>,
}

pub(super) fn check(
    name: &str,
    host: &str,
    path: &Path,
    timeout_secs: u64,
    ctx: &Context,
) -> Vec<Outcome> {
    let Some(scripts) = ctx.scripts else {
        return vec![Outcome::error(
            name,
            "labrun runs a track's check scripts only with the course's hosts (none were given)",
        )];
    };
    let path = ctx.lesson_dir.join(path);
    let run = ScriptRun {
        phase: Phase::Check,
        host,
        path: &path,
        timeout: Duration::from_secs(timeout_secs),
        challenge_id: scripts.challenge_id,
        vars: ctx.vars,
    };
    match scripts.runner.run(&run) {
        Ok(result) => feedback::conditions(name, &result),
        Err(e) => vec![Outcome::error(
            name,
            format!("could not run the check: {e}"),
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::{Status, WorkspaceFiles, evaluate};
    use super::*;
    use crate::lesson::CheckKind;
    use crate::lesson::{Host, HostKind};
    use crate::lifecycle::hostmode::{HostMap, HostMode};
    use crate::lifecycle::runner::ScriptEnv;

    fn write(dir: &Path, name: &str, text: &str) {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }

    fn evaluate_script(
        lesson: &Path,
        ws: &Path,
        script: &str,
        host: &str,
        with_runner: bool,
    ) -> Vec<Outcome> {
        let mode = HostMode::Rewrite { why: "test".into() };
        let map = HostMap::new(mode, ws, "shell", None).unwrap();
        let vm = Host::elsewhere("cluster", HostKind::VirtualMachine);
        let runner = Runner::new(map, vec![vm], ScriptEnv::default());
        let vars = vars(&[("NAME", "ada")]);
        let ctx = Context {
            workspace: ws,
            lesson_dir: lesson,
            vars: &vars,
            extra_path: None,
            api: None,
            scripts: with_runner.then_some(Scripts {
                runner: &runner,
                challenge_id: Some("lbrn01"),
            }),
        };
        let kind = CheckKind::Script {
            host: host.into(),
            path: script.into(),
            timeout_secs: 60,
        };
        evaluate(&spec(kind), &WorkspaceFiles { root: ws }, &ctx)
    }

    #[test]
    fn fail_lines_are_conditions_and_the_variables_are_exported() {
        let lesson = tempfile::tempdir().unwrap();
        let ws = tempfile::tempdir().unwrap();
        write(
            lesson.path(),
            "check-shell",
            "#!/bin/bash\n[ -f /root/notes.txt ] || echo \"FAIL: no notes for $NAME\"\necho 'FAIL: not done'\nexit 2\n",
        );
        let outcomes = evaluate_script(lesson.path(), ws.path(), "check-shell", "shell", true);
        let names: Vec<(&str, Status)> = outcomes
            .iter()
            .map(|o| (o.name.as_str(), o.status))
            .collect();
        assert_eq!(
            names,
            [
                ("no notes for ada", Status::Fail),
                ("not done", Status::Fail)
            ]
        );
        std::fs::write(ws.path().join("notes.txt"), "").unwrap();
        let outcomes = evaluate_script(lesson.path(), ws.path(), "check-shell", "shell", true);
        assert_eq!(outcomes.len(), 1);
        assert_eq!(outcomes[0].name, "not done");
    }

    #[test]
    fn a_vm_host_is_skipped_and_no_runner_is_an_error() {
        let lesson = tempfile::tempdir().unwrap();
        let ws = tempfile::tempdir().unwrap();
        write(lesson.path(), "check-cluster", "#!/bin/bash\nexit 0\n");
        let skipped = evaluate_script(lesson.path(), ws.path(), "check-cluster", "cluster", true);
        assert_eq!(skipped[0].status, Status::Skipped);
        assert_eq!(
            skipped[0].message,
            "needs host `cluster` (a VM), not available here"
        );
        let alone = evaluate_script(lesson.path(), ws.path(), "check-cluster", "cluster", false);
        assert_eq!(alone[0].status, Status::Error);
    }
}
