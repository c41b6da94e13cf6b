//! labrun's stand-ins for the tools a lesson or a course's scripts use: `helm
//! package` and the `replicated` CLI for machines that lack them; Instruqt's
//! helpers (`agent`, `fail-message`, `set-workdir`), which exist only on
//! Instruqt's hosts; and a `curl` that points Vendor API calls at the local
//! API. The binary answers as the tool when invoked under its name (a link
//! in `<workspace>/.labrun/bin`, first on the PATH of the lab's shell and of
//! lifecycle scripts).

pub mod agent;
pub mod curl;
pub mod fail_message;
pub mod flags;
pub mod helm;
pub mod lab_env;
pub mod replicated;
pub mod set_workdir;

use std::ffi::OsString;
use std::io::{self, Write};

/// Every tool labrun answers as: the workspace links the binary under these
/// names into `.labrun/bin`.
pub const STANDINS: &[&str] = &[
    "helm",
    "replicated",
    "agent",
    "fail-message",
    "set-workdir",
    "curl",
];

/// Stand-ins linked even where the machine has a program of that name:
/// whatever a machine calls `agent` is not Instruqt's, and the `curl`
/// wrapper hands every call to the machine's curl. The others (`helm`,
/// `replicated`) only fill in for a tool that is missing.
pub const ALWAYS_LINKED: &[&str] = &["agent", "fail-message", "set-workdir", "curl"];

/// Whether a workspace links the binary as `tool`: when nothing on PATH
/// answers to that name, or (for [`ALWAYS_LINKED`]) when what answers is
/// another program. A PATH entry that already is labrun under that name (a
/// link to a binary called `labrun`, as tests and nested labs put first on
/// PATH) is left to answer.
pub fn needs_link(tool: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    match std::env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .find(|p| p.is_file())
    {
        None => true,
        Some(found) if is_labrun(&found) => false,
        Some(_) => ALWAYS_LINKED.contains(&tool),
    }
}

fn is_labrun(program: &std::path::Path) -> bool {
    std::fs::canonicalize(program)
        .is_ok_and(|real| real.file_stem().is_some_and(|stem| stem == "labrun"))
}

/// Answers as the stand-in `tool` (argv[0]'s file name) with `args`; `None`
/// when labrun does not stand in for `tool`.
pub fn run_as(tool: &str, args: &[OsString]) -> Option<i32> {
    Some(match tool {
        "helm" => helm::run(args),
        "replicated" => replicated::run(args),
        "agent" => agent::run(args),
        "fail-message" => fail_message::run(args),
        "set-workdir" => set_workdir::run(args),
        "curl" => curl::run(args),
        _ => return None,
    })
}

/// Runs a stand-in against the process's own stdout and stderr, flushed.
fn run_printing(body: impl FnOnce(&mut dyn Write, &mut dyn Write) -> i32) -> i32 {
    let (stdout, stderr) = (io::stdout(), io::stderr());
    let (mut out, mut err) = (stdout.lock(), stderr.lock());
    let code = body(&mut out, &mut err);
    let _ = out.flush();
    let _ = err.flush();
    code
}

/// The arguments as UTF-8, or a message saying they are not.
fn utf8_args(args: &[OsString]) -> Result<Vec<String>, String> {
    args.iter()
        .map(|a| a.to_str().map(str::to_owned))
        .collect::<Option<_>>()
        .ok_or_else(|| "arguments must be valid UTF-8".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn always_linked_tools_are_standins_and_other_names_are_not_answered() {
        assert!(ALWAYS_LINKED.iter().all(|t| STANDINS.contains(t)));
        // Dispatch under each name goes through the real binary: tests/standins_instruqt.rs.
        assert_eq!(run_as("labrun", &[]), None);
        assert_eq!(run_as("kubectl", &[]), None);
    }
}
