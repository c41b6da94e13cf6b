//! The command line carried out: each command dispatched to the module of
//! its family, and its error turned into a message (secrets redacted) and
//! an exit code (0 all good, 1 checks failed, 2 usage or lesson error).

mod author;
mod class_join;
mod class_serve;
mod class_views;
mod error;
mod lint;
mod open;
mod records;
mod sandbox;
mod setup;
mod show;
mod shown;
mod start;
mod steps;
mod trust;

pub use error::CommandError;

use crate::cli::{ClassAction, Cli, Command, ProgressAction};
use crate::output::terminal_safe;
use std::process::ExitCode;

pub const SUCCESS: u8 = 0;
pub const CHECKS_FAILED: u8 = 1;
pub const USAGE_ERROR: u8 = 2;

pub fn run(cli: Cli) -> ExitCode {
    let secrets = crate::command_secrets::CommandSecrets::of(&cli.command);
    let result = match cli.command {
        Command::Start {
            lesson,
            workspace,
            vars,
            class,
        } => start::start(
            lesson.as_deref(),
            workspace.as_deref(),
            &vars,
            class.as_deref(),
        ),
        Command::Init { args, force } => setup::init(&args, force),
        Command::Reset {
            workspace,
            step,
            yes,
        } => setup::reset(workspace.workspace.as_deref(), step.as_deref(), yes),
        Command::Check {
            lesson,
            workspace,
            step,
            vars,
            format,
        } => steps::check(
            lesson.as_deref(),
            workspace.workspace.as_deref(),
            step.as_deref(),
            &vars,
            format,
        ),
        Command::Lint { lesson, format } => lint::lint(lesson.as_deref(), format),
        Command::Trust { dir } => trust::trust(&dir),
        Command::Test {
            lessons,
            junit,
            format,
            keep,
            course,
        } => author::test(&lessons, junit.as_deref(), format, keep, &course),
        Command::Progress {
            action:
                Some(ProgressAction::Export {
                    workspace,
                    output,
                    learner,
                }),
            ..
        } => records::export(
            workspace.workspace.as_deref(),
            output.as_deref(),
            learner.as_deref(),
        ),
        Command::Progress {
            workspace, format, ..
        } => records::progress(workspace.workspace.as_deref(), format),
        Command::Report { paths, format } => match class_views::class_url(&paths) {
            Some(url) => class_views::report(url, format),
            None => records::report(&paths, format),
        },
        Command::Class {
            action:
                ClassAction::Serve {
                    listen,
                    db,
                    name,
                    tls_cert,
                    tls_key,
                },
        } => class_serve::serve(listen, &db, &name, tls_cert.as_deref(), tls_key.as_deref()),
        Command::Class {
            action:
                ClassAction::Join {
                    url,
                    workspace,
                    name,
                },
        } => class_join::join(&url, workspace.workspace.as_deref(), name.as_deref()),
        Command::Class {
            action: ClassAction::Watch { url },
        } => class_views::watch(&url),
        Command::Hint { step, workspace } => steps::hint(&step, workspace.workspace.as_deref()),
        Command::Solve {
            workspace,
            step,
            vars,
        } => steps::solve(workspace.workspace.as_deref(), step.as_deref(), &vars),
        Command::Show {
            lesson,
            workspace,
            vars,
            reveal,
        } => show::show(lesson.as_deref(), workspace.as_deref(), &vars, reveal),
        Command::Sandbox {
            listen,
            state,
            app,
            token,
            workspace,
        } => sandbox::sandbox(listen, state, app, token, workspace.as_deref()),
        Command::Replicated { args } => Ok(crate::standins::replicated::run(&args) as u8),
        Command::Helm { args } => Ok(crate::standins::helm::run(&args) as u8),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            // An error can quote anything, a secret too.
            let message = secrets.redact(&error.to_string());
            eprintln!("labrun: {}", terminal_safe(&message));
            ExitCode::from(error.exit_code())
        }
    }
}
