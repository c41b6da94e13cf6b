//! The `labrun` binary: parse the command line and dispatch. Invoked as
//! `helm` (a stand-in on a lesson shell's PATH), it answers as `helm`.

use clap::Parser;
use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    let invoked_as = args
        .first()
        .and_then(|a| Path::new(a).file_stem())
        .and_then(|s| s.to_str())
        .unwrap_or("labrun")
        .to_string();
    if invoked_as == "helm" {
        return ExitCode::from(labrun::helm::run(&args.split_off(1)) as u8);
    }
    labrun::commands::run(labrun::cli::Cli::parse_from(args))
}
