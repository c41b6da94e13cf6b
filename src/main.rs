//! The `labrun` binary: parse the command line and dispatch. Invoked as
//! `helm` or `replicated` (stand-ins on a lesson shell's PATH), it answers as that tool.

use clap::Parser;
use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    restore_default_sigpipe();
    let mut args: Vec<OsString> = std::env::args_os().collect();
    let invoked_as = args
        .first()
        .and_then(|a| Path::new(a).file_stem())
        .and_then(|s| s.to_str())
        .unwrap_or("labrun")
        .to_string();
    match invoked_as.as_str() {
        "helm" => return ExitCode::from(labrun::standins::helm::run(&args.split_off(1)) as u8),
        "replicated" => {
            return ExitCode::from(labrun::standins::replicated::run(&args.split_off(1)) as u8);
        }
        _ => {}
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
