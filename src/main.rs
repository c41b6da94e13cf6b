//! The `labrun` binary: parse the command line and dispatch. Invoked under
//! the name of a stand-in (`helm`, `replicated`, `agent`, `fail-message`,
//! `set-workdir`, `curl`: links on a lesson shell's and a script's PATH), it
//! answers as that tool.

use clap::Parser;
use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    restore_default_sigpipe();
    let args: Vec<OsString> = std::env::args_os().collect();
    let invoked_as = args
        .first()
        .and_then(|a| Path::new(a).file_stem())
        .and_then(|s| s.to_str())
        .unwrap_or("labrun")
        .to_string();
    let tool_args = args.get(1..).unwrap_or_default();
    if let Some(code) = labrun::standins::run_as(&invoked_as, tool_args) {
        return ExitCode::from(code as u8);
    }
    labrun::commands::run(labrun::cli::Cli::parse_from(args))
}

/// Rust ignores SIGPIPE, so `labrun check | head` would panic on the closed
/// pipe; like other command-line tools, end quietly instead.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: resetting a signal disposition to its default before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
