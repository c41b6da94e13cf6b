//! A stand-in for the `replicated` CLI (<https://github.com/replicatedhq/replicated>),
//! covering the commands a lesson uses: `release create --chart`, `release
//! promote`, `release ls`, `channel ls` and `app ls`. It makes the same Vendor
//! API calls in the same order as the real CLI and prints the same lines
//! (`shared/docs/vendor-api.md` §1.3 and §1.5), so a lesson reads the same
//! with either. Anything else says so and points to the real CLI.
//!
//! Configuration as the CLI: the app from `--app` or `REPLICATED_APP`, the
//! token from `--token` or `REPLICATED_API_TOKEN`, the origin from
//! `REPLICATED_API_ORIGIN`, the output format from `-o`/`--output` or
//! `REPLICATED_OUTPUT`. Not supported: profiles, `~/.replicated` config, the
//! `.replicated` file and the app cache.
//!
//! [`args`] reads the command line (with the shared pflag tokenizer), [`help`]
//! holds the help texts, [`commands`] makes the API calls and prints, [`ui`]
//! prints progress and errors as the CLI does, [`table`] lays out its
//! tables, and [`chart`] reads the `--chart` package (by [`crate::chart`]).

mod args;
mod chart;
mod commands;
mod help;
mod table;
mod ui;

use std::ffi::OsString;
use std::io::{self, Write};

use crate::vendor_api::client::{Client, Config, ENV_APP, ENV_TOKEN};
use args::{Command, output_format, parse};
use commands::{app_ls, channel_ls, release_create, release_ls, release_promote};
use ui::{Failure, Ui, report};

pub use commands::releases_table;

/// The real CLI, for everything the stand-in does not cover.
const REAL_CLI: &str = "https://github.com/replicatedhq/replicated";

/// `labrun replicated ARGS`, or the binary invoked as `replicated`; `args`
/// exclude the program name. Returns the exit code (0 or 1).
pub fn run(args: &[OsString]) -> i32 {
    let env = |name: &str| std::env::var(name).ok();
    let stdout = io::stdout();
    let stderr = io::stderr();
    run_with(args, &env, &mut stdout.lock(), &mut stderr.lock())
}

/// [`run`] with the environment and both output streams supplied (tests, the UI).
pub fn run_with(
    args: &[OsString],
    env: &dyn Fn(&str) -> Option<String>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let code = run_inner(args, env, out, err);
    let _ = out.flush();
    let _ = err.flush();
    code
}

fn run_inner(
    args: &[OsString],
    env: &dyn Fn(&str) -> Option<String>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let Some(args) = args
        .iter()
        .map(|a| a.to_str().map(str::to_owned))
        .collect::<Option<Vec<String>>>()
    else {
        let _ = writeln!(err, "Error: arguments must be valid UTF-8");
        return 1;
    };
    let invocation = match parse(&args) {
        Ok(invocation) => invocation,
        Err(message) => {
            let _ = writeln!(err, "Error: {message}");
            return 1;
        }
    };
    let flags = &invocation.flags;
    match &invocation.command {
        Command::Help(text) => {
            let _ = write!(out, "{text}");
            return 0;
        }
        Command::Version => {
            let _ = writeln!(
                out,
                "replicated stand-in from labrun {} (covers {SUPPORTED}; the real CLI is at {REAL_CLI})",
                env!("CARGO_PKG_VERSION")
            );
            return 0;
        }
        Command::Unsupported(what) => {
            let _ = writeln!(
                err,
                "Error: `replicated {what}` is not part of labrun's stand-in, which covers \
                 {SUPPORTED}.\nInstall the real replicated CLI from {REAL_CLI} for everything else."
            );
            return 1;
        }
        _ => {}
    }
    let json = match output_format(flags, env) {
        Ok(json) => json,
        Err(message) => {
            let _ = writeln!(err, "Error: {message}");
            return 1;
        }
    };
    let need_app = !matches!(invocation.command, Command::AppLs { .. });
    let lookup = |name: &str| match name {
        ENV_TOKEN => flags.token.clone().or_else(|| env(name)),
        ENV_APP => flags.app.clone().or_else(|| env(name)),
        _ => env(name),
    };
    let client = match Config::from_lookup_with(lookup, need_app).and_then(Client::new) {
        Ok(client) => client,
        Err(e) => {
            report(err, &Failure::Api(e));
            return 1;
        }
    };
    let mut ui = Ui { out, quiet: json };
    let result = match &invocation.command {
        Command::ReleaseCreate { chart } => release_create(&client, flags, chart, json, &mut ui),
        Command::ReleasePromote { sequence, channel } => {
            release_promote(&client, flags, *sequence, channel, json, &mut ui)
        }
        Command::ReleaseLs => release_ls(&client, json, &mut ui),
        Command::ChannelLs => channel_ls(&client, json, &mut ui),
        Command::AppLs { filter } => app_ls(&client, filter.as_deref(), json, &mut ui),
        Command::Help(_) | Command::Version | Command::Unsupported(_) => Ok(()),
    };
    match result {
        Ok(()) => 0,
        Err(failure) => {
            let _ = ui.out.flush();
            report(err, &failure);
            1
        }
    }
}

const SUPPORTED: &str =
    "release create --chart, release promote, release ls, channel ls and app ls";

#[cfg(test)]
mod tests {
    use super::*;

    fn run_args(words: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
        let argv: Vec<OsString> = words.iter().map(OsString::from).collect();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let lookup = move |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run_with(&argv, &lookup, &mut out, &mut err);
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[test]
    fn unsupported_commands_point_to_the_real_cli() {
        let (code, out, err) = run_args(&["customer", "ls"], &[]);
        assert_eq!(code, 1);
        assert_eq!(out, "");
        assert!(err.contains("`replicated customer`"), "{err}");
        assert!(err.contains(
            "release create --chart, release promote, release ls, channel ls and app ls"
        ));
        assert!(err.contains("https://github.com/replicatedhq/replicated"));
    }

    #[test]
    fn missing_configuration_is_explained_without_the_token() {
        let (code, _, err) = run_args(&["release", "ls"], &[(ENV_APP, "app")]);
        assert_eq!(code, 1);
        assert!(
            err.starts_with("Error: REPLICATED_API_TOKEN is not set: "),
            "{err}"
        );
        let (code, _, err) = run_args(
            &["release", "ls", "--token", "tok-SECRET"],
            &[("REPLICATED_API_ORIGIN", "localhost:3000")],
        );
        assert_eq!(code, 1);
        assert!(err.contains("REPLICATED_API_ORIGIN"), "{err}");
        let (code, _, err) = run_args(&["release", "ls", "--token", "tok-SECRET"], &[]);
        assert_eq!(code, 1);
        assert!(err.starts_with("Error: REPLICATED_APP is not set"), "{err}");
        assert!(!err.contains("tok-SECRET"));
        let (code, _, err) = run_args(
            &["release", "ls", "-o", "yaml"],
            &[(ENV_APP, "a"), (ENV_TOKEN, "t")],
        );
        assert_eq!(code, 1);
        assert!(err.contains("invalid output format \"yaml\""), "{err}");
    }

    #[test]
    fn help_and_version_print_to_stdout() {
        let (code, out, err) = run_args(&["release", "create", "--help"], &[]);
        assert_eq!((code, err.as_str()), (0, ""));
        assert!(out.contains("--chart string"));
        let (code, out, _) = run_args(&["version"], &[]);
        assert_eq!(code, 0);
        assert!(out.starts_with("replicated stand-in from labrun "));
    }
}
