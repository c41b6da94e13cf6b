//! The command line: every command and flag, with its help text.

use clap::{Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "labrun",
    version,
    about = "Run a markdown lesson as a hands-on lab in the terminal",
    long_about = "Run a markdown lesson as a hands-on lab in the terminal.\n\n\
        A lesson is an Instruqt-style challenge (assignment.md) plus labrun's lesson.toml: \
        steps, checks, hints and a reference solution. `labrun init` lays out a workspace, \
        `labrun check` tells which steps are done.\n\n\
        Exit status: 0 all good, 1 checks failed, 2 usage or lesson error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the lab: the lesson, a shell in the workspace, and the steps, in one screen
    ///
    /// Run inside a workspace (or any directory in it), it resumes that workspace; elsewhere
    /// the workspace is ./<lesson-slug>: created on first start, resumed after.
    /// Offline by default: labrun serves the Vendor API itself.
    Start {
        /// Lesson directory or bundled slug (default: the workspace's lesson, else the bundled lesson)
        lesson: Option<String>,
        /// The workspace directory (default: the one holding the current directory, else ./<lesson-slug>)
        #[arg(long, short = 'w', value_name = "DIR")]
        workspace: Option<PathBuf>,
        #[command(flatten)]
        vars: VarArgs,
        /// Join a class: the join URL the instructor gives (remembered in the workspace,
        /// as `labrun class join URL` does)
        #[arg(long, value_name = "URL")]
        class: Option<String>,
    },
    /// Create a workspace with a lesson's starting files
    ///
    /// LESSON is a lesson directory or the slug of a bundled lesson (default: the bundled
    /// lesson). DIR is created if needed; an existing workspace of the same lesson is resumed.
    Init {
        /// [LESSON] DIR
        #[arg(value_name = "LESSON_OR_DIR", num_args = 1..=2, required = true)]
        args: Vec<String>,
        /// Use DIR even if it is not empty or holds another lesson's workspace: the starting
        /// files are laid down, what they replace is kept in DIR/.labrun/backup/<time>/, and
        /// this lesson's own workspace keeps its variables (see also `labrun reset`)
        #[arg(long)]
        force: bool,
    },
    /// Put the lesson's starting files back, for one step or the whole workspace
    ///
    /// Files the lesson starts with are restored, files a step's checks look at that it does
    /// not start with (a package, a new template) are removed, and for a release step the
    /// local Vendor API's releases are cleared. Everything replaced or removed is first moved
    /// into .labrun/backup/<time>/; variables (app, token) and progress stay. Asks first on a
    /// terminal; elsewhere it needs --yes.
    Reset {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Reset only this step's files: its id, or its number in the checklist
        #[arg(long, value_name = "STEP")]
        step: Option<String>,
        /// Do not ask (needed when not on a terminal)
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Check which steps of the lesson are done
    Check {
        /// Lesson directory or bundled slug (default: the workspace's own lesson)
        lesson: Option<String>,
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Check only this step: its id, or its number in the checklist (1, 2, …)
        #[arg(long, value_name = "STEP")]
        step: Option<String>,
        #[command(flatten)]
        vars: VarArgs,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Test lessons and tracks as their authors' CI should
    ///
    /// A lesson: lint, every check fails on the starting files, each reference solution passes
    /// its step, and each step fails without its own work. An Instruqt track or challenge: in
    /// one workspace, the track's setup, then per challenge in order: lint, setup, every check
    /// fails, solve, every check passes, cleanup. Exit 1 on any failure.
    Test {
        /// Lesson, challenge or track directories, or bundled slugs (default: every bundled lesson)
        lessons: Vec<String>,
        /// Also write a JUnit XML report (one testcase per step and phase)
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = ProgressFormat::Human)]
        format: ProgressFormat,
        /// Keep the temporary workspaces and print their paths
        #[arg(long)]
        keep: bool,
        #[command(flatten)]
        course: CourseTestArgs,
    },
    /// Report problems in a lesson, an Instruqt challenge or a whole track, by file and line
    ///
    /// What `instruqt track validate` checks (front matter, tabs and scripts naming hosts
    /// config.yml declares, scripts with a #! line and the exec bit) and more: placeholders no
    /// setup script sets, missing images, checks without a solve, hosts not available here.
    /// Exit 1 on errors; warnings and info alone pass.
    Lint {
        /// Lesson, challenge or track directory, or a bundled slug (default: the bundled lesson)
        lesson: Option<String>,
        #[arg(long, value_enum, default_value_t = ProgressFormat::Human)]
        format: ProgressFormat,
    },
    /// Allow a course's scripts to run on this machine, as they are now
    ///
    /// A track's setup, check, solve and cleanup scripts run as you; labrun runs them only
    /// once trusted (by content), and asks again when one changes. This trusts DIR's scripts.
    Trust {
        /// The course: an Instruqt track or challenge directory
        dir: PathBuf,
    },
    /// Show the workspace's progress: status, attempts and first pass of each step
    #[command(args_conflicts_with_subcommands = true)]
    Progress {
        #[command(flatten)]
        workspace: WorkspaceArg,
        #[arg(long, value_enum, default_value_t = ProgressFormat::Human)]
        format: ProgressFormat,
        #[command(subcommand)]
        action: Option<ProgressAction>,
    },
    /// Run a class live: serve it, join it, watch it
    Class {
        #[command(subcommand)]
        action: ClassAction,
    },
    /// A class at a glance: learners × steps from exported records and workspaces
    ///
    /// PATH is a record (`labrun progress export`), a workspace, or a directory of either;
    /// or the URL of a class server (`labrun class serve`), for the class as it stands now.
    Report {
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
        format: ReportFormat,
    },
    /// Show a step's hint
    Hint {
        /// The step: its id (see `labrun check`) or its number in the checklist (1, 2, …)
        step: String,
        #[command(flatten)]
        workspace: WorkspaceArg,
    },
    /// Run the lesson's reference solution in the workspace (for authors and CI)
    Solve {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Solve only this step, by id or number (default: every step, in order)
        #[arg(long, value_name = "STEP")]
        step: Option<String>,
        #[command(flatten)]
        vars: VarArgs,
    },
    /// Print the lesson text with its variables filled in
    Show {
        /// Lesson directory or bundled slug (default: the workspace's lesson, else the bundled one)
        lesson: Option<String>,
        /// Take variable values from this workspace (default: the one holding the current directory)
        #[arg(long, short = 'w', value_name = "DIR")]
        workspace: Option<PathBuf>,
        #[command(flatten)]
        vars: VarArgs,
        /// Show secret values instead of masking them
        #[arg(long)]
        reveal: bool,
    },
    /// Serve the local Vendor API (offline stand-in for api.replicated.com)
    ///
    /// In a workspace (-w DIR, or the current directory) it serves that workspace's app and
    /// token and keeps its state there; elsewhere it makes up an app and a token.
    Sandbox {
        /// Loopback address to listen on; port 0 picks a free port
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: std::net::SocketAddr,
        /// State file (default: the workspace's, else in memory)
        #[arg(long, value_name = "FILE")]
        state: Option<PathBuf>,
        /// The app slug to serve (default: the workspace's REPLICATED_APP)
        #[arg(long)]
        app: Option<String>,
        /// The token clients must send (default: the workspace's REPLICATED_API_TOKEN)
        #[arg(long)]
        token: Option<String>,
        /// The workspace whose app, token and state to use
        #[arg(long, short = 'w', value_name = "DIR")]
        workspace: Option<PathBuf>,
    },
    /// labrun's stand-in for the `replicated` CLI (also used when labrun runs as `replicated`)
    #[command(disable_help_flag = true)]
    Replicated {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
    /// labrun's stand-in for `helm package` (also used when labrun runs as `helm`)
    #[command(disable_help_flag = true)]
    Helm {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClassAction {
    /// Serve a class: learners join it, their checks show up live for the instructor
    ///
    /// Prints the join URL for learners and the instructor token (remembered on this machine
    /// for `labrun class watch` and `labrun report URL`). Loopback only unless --listen says
    /// otherwise; started again with the same --db and --name, the class goes on where it was.
    Serve {
        /// Address to listen on: a LAN needs an explicit one, such as 0.0.0.0:7878
        #[arg(long, default_value = "127.0.0.1:7878")]
        listen: std::net::SocketAddr,
        /// Where the class is stored: a SQLite file (sqlite://FILE) or a PostgreSQL server
        /// (postgres://…; a password is better in PGPASSWORD than on the command line)
        #[arg(
            long,
            env = "LABRUN_CLASS_DB",
            value_name = "URL",
            default_value = "sqlite://class.db"
        )]
        db: String,
        /// The class's name: one database holds many classes
        #[arg(long, default_value = "class")]
        name: String,
        /// Serve HTTPS with this certificate chain (PEM)
        #[arg(long, value_name = "FILE", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The certificate's private key (PEM)
        #[arg(long, value_name = "FILE", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// Join a class from a workspace: its checks, hints and challenges are sent to the class
    Join {
        /// The join URL the instructor gives
        url: String,
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Your name as the instructor sees it (default: the OS user)
        #[arg(long)]
        name: Option<String>,
    },
    /// Watch a class live in the terminal: learners × steps, who is stuck, who is idle
    Watch {
        /// The class server's URL
        url: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProgressAction {
    /// Write a portable JSON record of the workspace's progress (secrets redacted) for an instructor
    Export {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Write to FILE instead of standard output
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        /// The learner's name (default: the OS user)
        #[arg(long)]
        learner: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    Human,
    Markdown,
    Csv,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct WorkspaceArg {
    /// The workspace directory (default: the workspace holding the current directory)
    #[arg(long, short = 'w', value_name = "DIR")]
    pub workspace: Option<PathBuf>,
}

/// `--var`s and `--online`; the default is neither (the saved values, offline).
#[derive(Debug, Default, clap::Args)]
pub struct VarArgs {
    /// Set a lesson variable (highest precedence; repeatable)
    #[arg(long = "var", value_name = "K=V", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// Use the real Vendor API (or REPLICATED_API_ORIGIN) with your REPLICATED_API_TOKEN
    /// and REPLICATED_APP, instead of labrun's local one
    #[arg(long)]
    pub online: bool,
    /// In a course: the challenge, by its number (1, 2, …) or slug (default: the current one)
    #[arg(long, value_name = "N|SLUG")]
    pub challenge: Option<String>,
    /// Run the course's lifecycle scripts without asking (as LABRUN_TRUST=1 does): for CI
    #[arg(long)]
    pub trust: bool,
}

/// `labrun test`'s flags for a course (a track, a challenge).
#[derive(Debug, Default, clap::Args)]
pub struct CourseTestArgs {
    /// Run the course's lifecycle scripts (as LABRUN_TRUST=1 does; else they must be trusted
    /// with `labrun trust DIR`)
    #[arg(long)]
    pub trust: bool,
    /// Test one challenge, by number (1, 2, …) or slug; the earlier ones are set up and
    /// solved first, untested, so it starts from the state a learner reaches
    #[arg(long, value_name = "N|SLUG")]
    pub challenge: Option<String>,
    /// Stop at the first failure
    #[arg(long)]
    pub fail_fast: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Junit,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ProgressFormat {
    Human,
    Json,
}

/// A `--var` that is not `K=V` (clap prints it after the flag's name).
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("expected K=V, got {0:?}")]
pub struct NotKeyValue(String);

fn parse_var(text: &str) -> Result<(String, String), NotKeyValue> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err(NotKeyValue(text.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn var_must_be_key_value() {
        assert_eq!(parse_var("A=b=c").unwrap(), ("A".into(), "b=c".into()));
        assert_eq!(parse_var("novalue"), Err(NotKeyValue("novalue".into())));
        assert_eq!(parse_var("=v"), Err(NotKeyValue("=v".into())));
    }
}
