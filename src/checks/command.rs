//! `kind = "command"`: a shell command run in the workspace (Instruqt-style
//! check scripts). Exit status 0 passes; the output is shown either way.
//! The lesson's variables reach the command through its environment only.

use super::{Context, Outcome};
use crate::script::{self, Script};
use crate::shell_refs::shell_references;
use std::time::Duration;

pub(super) fn check(name: &str, run: &str, timeout_secs: u64, ctx: &Context) -> Outcome {
    let timeout = Duration::from_secs(timeout_secs);
    // `${NAME}` stays a reference the shell fills in from the environment:
    // the values (tokens) never appear in the command line.
    let source = match shell_references(run, ctx.vars) {
        Ok(source) => source,
        Err(e) => return Outcome::error(name, e.to_string()),
    };
    let script = Script {
        source: &source,
        dir: ctx.workspace,
        env: ctx
            .vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        extra_path: ctx.extra_path.as_deref(),
        timeout,
        errexit: false,
    };
    let finished = match script::run(&script) {
        Ok(finished) => finished,
        Err(e) => return Outcome::error(name, format!("could not run the check command: {e}")),
    };
    let output = finished.output.trim_end();
    let shown = if output.is_empty() {
        String::new()
    } else {
        format!("\n{output}")
    };
    let how = finished.describe(timeout);
    if finished.success() {
        Outcome::pass(name, format!("the command {how}{shown}"))
    } else if finished.timed_out {
        Outcome::error(name, format!("the command {how}{shown}"))
    } else {
        Outcome::fail(name, format!("the command {how}{shown}"))
    }
}

#[cfg(test)]
mod tests {
    use super::super::Status;
    use super::super::test_support::*;
    use crate::lesson::CheckKind;

    fn run(cmd: &str, timeout_secs: u64) -> super::Outcome {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f.txt"), "content\n").unwrap();
        let kind = CheckKind::Command {
            run: cmd.into(),
            timeout_secs,
        };
        eval_in(dir.path(), kind, &vars(&[("APP", "sn-app")]))
    }

    #[test]
    fn exit_zero_passes_in_the_workspace_with_variables() {
        let o = run("grep content f.txt && test \"$APP\" = sn-app", 10);
        assert_eq!(o.status, Status::Pass, "{}", o.message);
        assert_eq!(o.message, "the command exited with status 0\ncontent");
    }

    #[test]
    fn non_zero_fails_with_its_output() {
        let o = run("echo 'fail-message: values.yaml not updated'; exit 1", 10);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(
            o.message,
            "the command exited with status 1\nfail-message: values.yaml not updated"
        );
    }

    #[test]
    fn timeout_is_an_error() {
        let o = run("sleep 5", 0);
        assert_eq!(o.status, Status::Error);
        assert!(o.message.contains("did not finish within 0 s"));
    }
}
