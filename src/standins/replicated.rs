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

use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::path::{Component, Path};

use serde::Serialize;

use crate::vendor_api::client::{Client, ClientError, Config, ENV_APP, ENV_TOKEN};
use crate::vendor_api::spec::encode_chart_spec;
use crate::vendor_api::types::{ChartRef, PromoteRequest, PromoteResponse, Release};

/// Go's zero `time.Time` in RFC 3339: the CLI's EDITED column for KOTS apps.
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";
/// Chart packages larger than this are not read (Helm refuses 100 MiB inflated).
const MAX_CHART_BYTES: u64 = 100 * 1024 * 1024;
/// Helm's limit on a decompressed chart archive (`loader.MaxDecompressedChartSize`).
const MAX_INFLATED_BYTES: u64 = 100 * 1024 * 1024;
/// Helm's per-file limit (`loader.MaxDecompressedFileSize`).
const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;
/// The CLI's tables: `tabwriter.NewWriter(w, 0, 8, 4, ' ', 0)`.
const TABLE_PADDING: usize = 4;
const REAL_CLI: &str = "https://github.com/replicatedhq/replicated";
const HELM_HEADER: &str = "You are creating a release that will only be installable with the helm CLI.\n\
For more information, see \n\
https://docs.replicated.com/vendor/helm-install#about-helm-installations-with-replicated\n\n";

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

// ---------------------------------------------------------------- parsing

#[derive(Debug, Default, Clone, PartialEq)]
struct Flags {
    app: Option<String>,
    token: Option<String>,
    output: Option<String>,
    chart: Option<String>,
    promote: Option<String>,
    version: Option<String>,
    release_notes: Option<String>,
    required: bool,
    help: bool,
    /// Long names of the flags given, to check them against the command.
    given: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq)]
enum Command {
    Help(&'static str),
    Version,
    ReleaseCreate {
        chart: String,
    },
    ReleasePromote {
        sequence: i64,
        channel: String,
    },
    ReleaseLs,
    ChannelLs,
    AppLs {
        filter: Option<String>,
    },
    /// The words of a command the stand-in does not cover.
    Unsupported(String),
}

#[derive(Debug, Clone, PartialEq)]
struct Invocation {
    command: Command,
    flags: Flags,
}

/// (long name, short name, takes a value).
const FLAGS: &[(&str, Option<char>, bool)] = &[
    ("app", None, true),
    ("token", None, true),
    ("output", Some('o'), true),
    ("chart", None, true),
    ("promote", None, true),
    ("version", None, true),
    ("release-notes", None, true),
    ("required", None, false),
    ("help", Some('h'), false),
    ("debug", None, false),
    // Real flags the stand-in refuses with an explanation.
    ("yaml-dir", None, true),
    ("yaml", None, true),
    ("yaml-file", None, true),
    ("ensure-channel", None, false),
    ("lint", None, false),
    ("profile", None, true),
];

/// Flags every command takes.
const GLOBAL_FLAGS: &[&str] = &["app", "token", "help", "debug", "profile"];

fn parse(args: &[String]) -> Result<Invocation, String> {
    let mut flags = Flags::default();
    let mut words: Vec<String> = Vec::new();
    // Reported only if the command is one the stand-in covers.
    let mut unknown: Option<String> = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if arg == "--" {
            words.extend(rest.by_ref().cloned());
            break;
        }
        let (spec, inline) = if let Some(long) = arg.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((name, value)) => (name, Some(value.to_string())),
                None => (long, None),
            };
            let Some(spec) = FLAGS.iter().find(|(long, _, _)| *long == name) else {
                unknown.get_or_insert_with(|| format!("unknown flag: --{name}"));
                continue;
            };
            (spec, value)
        } else if let Some(short) = arg.strip_prefix('-').filter(|s| !s.is_empty()) {
            let mut chars = short.chars();
            let letter = chars.next().unwrap_or('-');
            let Some(spec) = FLAGS.iter().find(|(_, s, _)| *s == Some(letter)) else {
                unknown
                    .get_or_insert_with(|| format!("unknown shorthand flag: '{letter}' in {arg}"));
                continue;
            };
            let attached = chars.as_str();
            let value = if attached.is_empty() {
                None
            } else {
                Some(attached.strip_prefix('=').unwrap_or(attached).to_string())
            };
            (spec, value)
        } else {
            words.push(arg.clone());
            continue;
        };
        let (name, _, takes_value) = *spec;
        let value = if takes_value {
            match inline {
                Some(value) => Some(value),
                None => Some(
                    rest.next()
                        .cloned()
                        .ok_or_else(|| format!("flag needs an argument: --{name}"))?,
                ),
            }
        } else {
            match inline.as_deref() {
                None | Some("true") => None,
                Some("false") => continue,
                Some(other) => {
                    return Err(format!(
                        "invalid argument {other:?} for --{name}: use true or false"
                    ));
                }
            }
        };
        flags.given.push(name);
        match name {
            "app" => flags.app = value,
            "token" => flags.token = value,
            "output" => flags.output = value,
            "chart" => flags.chart = value,
            "promote" => flags.promote = value,
            "version" => flags.version = value,
            "release-notes" => flags.release_notes = value,
            "required" => flags.required = true,
            "help" => flags.help = true,
            _ => {}
        }
    }
    let command = command(&words, &flags);
    if let Some(unknown) = unknown
        && !matches!(command, Ok(Command::Unsupported(_)))
    {
        return Err(unknown);
    }
    let command = command?;
    if !matches!(command, Command::Help(_) | Command::Unsupported(_)) {
        check_flags(&command, &flags)?;
    }
    Ok(Invocation { command, flags })
}

fn command(words: &[String], flags: &Flags) -> Result<Command, String> {
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let unsupported = |n: usize| Command::Unsupported(words[..n.min(words.len())].join(" "));
    let command = match words.as_slice() {
        [] => Command::Help(ROOT_HELP),
        ["help"] => Command::Help(ROOT_HELP),
        ["help", topic @ ..] => {
            return Ok(match help_for(topic) {
                Some(text) => Command::Help(text),
                None => Command::Unsupported(topic.join(" ")),
            });
        }
        ["version", ..] => Command::Version,
        ["release"] => Command::Help(RELEASE_HELP),
        ["release", "create", extra @ ..] => {
            no_arguments("release create", extra, flags)?;
            if flags.help {
                return Ok(Command::Help(CREATE_HELP));
            }
            for unsupported in ["yaml-dir", "yaml", "yaml-file"] {
                if flags.given.contains(&unsupported) {
                    return Err(format!(
                        "labrun's stand-in creates releases from a Helm chart package only \
                         (--chart ./release/NAME-VERSION.tgz); --{unsupported} needs the real \
                         replicated CLI from {REAL_CLI}"
                    ));
                }
            }
            match &flags.chart {
                Some(chart) if !chart.is_empty() => Command::ReleaseCreate {
                    chart: chart.clone(),
                },
                _ => {
                    return Err(
                        "--chart is required: labrun's stand-in creates a release from a Helm \
                         chart package, e.g. --chart ./release/slackernews-0.5.0.tgz"
                            .into(),
                    );
                }
            }
        }
        ["release", "promote", args @ ..] => {
            if flags.help {
                return Ok(Command::Help(PROMOTE_HELP));
            }
            let [sequence, channel] = args else {
                return Err("release sequence and channel ID required \
                     (replicated release promote SEQUENCE CHANNEL_NAME_OR_ID)"
                    .into());
            };
            let sequence = sequence
                .parse::<i64>()
                .map_err(|_| format!("Failed to parse sequence argument {sequence}"))?;
            Command::ReleasePromote {
                sequence,
                channel: channel.to_string(),
            }
        }
        ["release", "ls" | "list", extra @ ..] => {
            no_arguments("release ls", extra, flags)?;
            Command::ReleaseLs
        }
        ["release", ..] => unsupported(2),
        ["channel"] => Command::Help(CHANNEL_HELP),
        ["channel", "ls" | "list", extra @ ..] => {
            no_arguments("channel ls", extra, flags)?;
            Command::ChannelLs
        }
        ["channel", ..] => unsupported(2),
        ["app"] => Command::Help(APP_HELP),
        ["app", "ls" | "list"] => Command::AppLs { filter: None },
        ["app", "ls" | "list", filter] => Command::AppLs {
            filter: Some(filter.to_string()),
        },
        ["app", "ls" | "list", _, extra, ..] => {
            return Err(format!(
                "app ls takes at most one app name, got also {extra:?}"
            ));
        }
        ["app", ..] => unsupported(2),
        _ => unsupported(1),
    };
    if flags.help {
        let topic: Vec<&str> = words.iter().take(2).copied().collect();
        return Ok(Command::Help(help_for(&topic).unwrap_or(ROOT_HELP)));
    }
    Ok(command)
}

fn no_arguments(command: &str, extra: &[&str], flags: &Flags) -> Result<(), String> {
    match extra.first() {
        Some(word) if !flags.help => Err(format!(
            "{command} takes no arguments, got {word:?} (flags need their dashes, like --version)"
        )),
        _ => Ok(()),
    }
}

fn check_flags(command: &Command, flags: &Flags) -> Result<(), String> {
    let allowed: &[&str] = match command {
        Command::ReleaseCreate { .. } => &[
            "chart",
            "promote",
            "version",
            "release-notes",
            "output",
            "required",
        ],
        Command::ReleasePromote { .. } => &["version", "release-notes", "output", "required"],
        Command::ReleaseLs | Command::ChannelLs | Command::AppLs { .. } => &["output"],
        Command::Version => &["output"],
        Command::Help(_) | Command::Unsupported(_) => &[],
    };
    for name in &flags.given {
        if GLOBAL_FLAGS.contains(name) || allowed.contains(name) {
            continue;
        }
        return Err(match *name {
            "ensure-channel" | "lint" => format!(
                "--{name} is not supported by labrun's stand-in; use the real replicated CLI \
                 from {REAL_CLI}"
            ),
            _ => format!("unknown flag: --{name}"),
        });
    }
    if flags.given.contains(&"profile") {
        return Err(format!(
            "--profile is not supported by labrun's stand-in: set REPLICATED_API_TOKEN (or \
             --token) instead, or use the real replicated CLI from {REAL_CLI}"
        ));
    }
    Ok(())
}

fn output_format(flags: &Flags, env: &dyn Fn(&str) -> Option<String>) -> Result<bool, String> {
    let output = flags
        .output
        .clone()
        .or_else(|| env("REPLICATED_OUTPUT").filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "table".into());
    match output.trim() {
        "table" => Ok(false),
        "json" => Ok(true),
        other => Err(format!(
            "invalid output format {other:?}: use --output table or --output json"
        )),
    }
}

fn help_for(topic: &[&str]) -> Option<&'static str> {
    Some(match topic {
        [] => ROOT_HELP,
        ["release"] => RELEASE_HELP,
        ["release", "create"] => CREATE_HELP,
        ["release", "promote"] => PROMOTE_HELP,
        ["release", "ls" | "list"] => RELEASE_LS_HELP,
        ["channel"] => CHANNEL_HELP,
        ["channel", "ls" | "list"] => CHANNEL_LS_HELP,
        ["app"] => APP_HELP,
        ["app", "ls" | "list"] => APP_LS_HELP,
        ["version"] => ROOT_HELP,
        _ => return None,
    })
}

const ROOT_HELP: &str = "\
labrun's stand-in for the replicated CLI: the commands a lesson needs, against the same Vendor API.
For everything else install the real CLI from https://github.com/replicatedhq/replicated.

Usage:
  replicated [command]

Available Commands:
  release create   Create a new release from a Helm chart package (--chart)
  release promote  Set the release for a channel
  release ls       List all of an app's releases
  channel ls       List all channels in your app
  app ls           List apps
  version          Print the stand-in's version

Flags:
      --app string     The app slug or app id used in all calls (default uses $REPLICATED_APP env variable)
  -h, --help           help for replicated
      --token string   The API token used to access your app in the Vendor API (default uses $REPLICATED_API_TOKEN env variable)

Environment:
  REPLICATED_API_ORIGIN  the Vendor API (default https://api.replicated.com/vendor; a local sandbox is http://127.0.0.1:PORT)

Use \"replicated [command] --help\" for more information about a command.
";

const RELEASE_HELP: &str = "\
Manage app releases.

Usage:
  replicated release [command]

Available Commands:
  create      Create a new release from a Helm chart package (--chart)
  ls          List all of an app's releases
  promote     Set the release for a channel
";

const CREATE_HELP: &str = "\
Create a new release from a Helm chart package, and optionally promote it to a channel.

Usage:
  replicated release create --chart FILE [flags]

Examples:
  replicated release create --promote Unstable --chart ./release/slackernews-0.5.0.tgz --version 0.5.0 --release-notes \"…\"

Flags:
      --chart string           Helm chart package (.tgz) to create the release from
  -h, --help                   help for create
  -o, --output string          The output format to use. One of: json|table (default \"table\")
      --promote string         Channel name or id to promote this release to
      --release-notes string   When used with --promote <channel>, sets the **markdown** release notes
      --required               When used with --promote <channel>, marks this release as required during upgrades.
      --version string         When used with --promote <channel>, sets the version label for the release in this channel
";

const PROMOTE_HELP: &str = "\
Set the release for a channel.

Usage:
  replicated release promote SEQUENCE CHANNEL_ID [flags]

Examples:
  replicated release promote 5 Beta --version 0.5.0 --release-notes \"…\"

Flags:
  -h, --help                   help for promote
  -o, --output string          The output format to use. One of: json|table (default \"table\")
      --release-notes string   The **markdown** release notes
      --required               When set, this release can't be skipped
      --version string         A version label for the release in this channel
";

const RELEASE_LS_HELP: &str = "\
List all of an app's releases.

Usage:
  replicated release ls [flags]

Aliases:
  ls, list

Flags:
  -h, --help            help for ls
  -o, --output string   The output format to use. One of: json|table (default \"table\")
";

const CHANNEL_HELP: &str = "\
List channels.

Usage:
  replicated channel [command]

Available Commands:
  ls          List all channels in your app
";

const CHANNEL_LS_HELP: &str = "\
List all channels in your app.

Usage:
  replicated channel ls [flags]

Aliases:
  ls, list

Flags:
  -h, --help            help for ls
  -o, --output string   The output format to use. One of: json|table (default \"table\")
";

const APP_HELP: &str = "\
List apps.

Usage:
  replicated app [command]

Available Commands:
  ls          List apps
";

const APP_LS_HELP: &str = "\
List apps and their slugs.

Usage:
  replicated app ls [NAME] [flags]

Aliases:
  ls, list

Flags:
  -h, --help            help for ls
  -o, --output string   The output format to use. One of: json|table (default \"table\")
";

// ---------------------------------------------------------------- commands

enum Failure {
    Api(ClientError),
    Message(String),
}

impl From<ClientError> for Failure {
    fn from(e: ClientError) -> Self {
        Failure::Api(e)
    }
}

/// Progress lines like the CLI's logger without a TTY: `  • Doing` then ` ✓`.
struct Ui<'a> {
    out: &'a mut dyn Write,
    quiet: bool,
}

impl Ui<'_> {
    fn text(&mut self, text: &str) {
        if !self.quiet {
            let _ = write!(self.out, "{text}");
        }
    }

    /// `  • {action}` … ` ✓` around `step`, or ` ✗` when it fails.
    fn action<T, E>(&mut self, action: &str, step: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
        if !self.quiet {
            let _ = write!(self.out, "  • {action}");
            let _ = self.out.flush();
        }
        let result = step();
        if !self.quiet {
            let mark = if result.is_ok() { "✓" } else { "✗" };
            let _ = writeln!(self.out, " {mark}");
        }
        result
    }

    fn child(&mut self, line: &str) {
        self.text(&format!("    • {line}\n"));
    }

    fn json(&mut self, value: &impl Serialize) -> Result<(), Failure> {
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| Failure::Message(format!("cannot print JSON: {e}")))?;
        let _ = writeln!(self.out, "{text}");
        Ok(())
    }
}

fn report(err: &mut dyn Write, failure: &Failure) {
    let _ = match failure {
        Failure::Message(message) => writeln!(err, "Error: {message}"),
        Failure::Api(e) => match (e.status(), e.request()) {
            (Some(status), Some((method, url))) => writeln!(
                err,
                "ERROR: {status}\nMETHOD: {method}\nENDPOINT: {url}\n{}",
                api_detail(e)
            ),
            _ => writeln!(err, "Error: {e}"),
        },
    };
}

/// The last line of an `ERROR:` block: the API's message with what to do.
fn api_detail(e: &ClientError) -> String {
    match e {
        ClientError::Unauthorized { .. } => {
            "the Vendor API refused the token: check REPLICATED_API_TOKEN (or --token)".into()
        }
        ClientError::Forbidden { message, .. } => {
            format!("{message} (does the token belong to the team that owns the app?)")
        }
        ClientError::NotFound { what, .. } => what.clone(),
        ClientError::Server {
            message, attempts, ..
        } if *attempts > 1 => format!("{message} (after {attempts} attempts)"),
        ClientError::Server { message, .. } | ClientError::Rejected { message, .. } => {
            message.clone()
        }
        other => other.to_string(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateOutput<'a> {
    sequence: i64,
    app_id: &'a str,
    charts: &'a [ChartRef],
}

#[derive(Serialize)]
struct PromoteOutput<'a> {
    channel: &'a str,
    release_sequence: i64,
    version_label: &'a str,
}

fn release_create(
    client: &Client,
    flags: &Flags,
    chart: &str,
    json: bool,
    ui: &mut Ui,
) -> Result<(), Failure> {
    let app = client.app()?;
    ui.text(HELM_HEADER);
    let (file_name, bytes) =
        ui.action(&format!("Reading chart from {chart}"), || read_chart(chart))?;
    // The channel is resolved first, so a bad name creates nothing.
    let channel = match &flags.promote {
        Some(name) => Some(client.channel_by_name_or_id(&app.id, name)?),
        None => None,
    };
    let spec_gzip = encode_chart_spec(&file_name, &bytes);
    let release = ui.action("Creating Release", || {
        client.create_release(&app.id, spec_gzip)
    })?;
    ui.child(&format!("SEQUENCE: {}", release.sequence));
    if let Some(channel) = channel {
        let request = promote_request(flags, &channel.id);
        let response = ui.action("Promoting", || {
            client.promote_request(&app.id, release.sequence, &request)
        })?;
        match warnings(&response) {
            Some(lines) => ui.text(&lines),
            None => ui.child(&format!(
                "Channel {} successfully set to release {}",
                channel.id, release.sequence
            )),
        }
    }
    if json {
        ui.json(&CreateOutput {
            sequence: release.sequence,
            app_id: &release.app_id,
            charts: &release.charts,
        })?;
    }
    Ok(())
}

fn release_promote(
    client: &Client,
    flags: &Flags,
    sequence: i64,
    channel_arg: &str,
    json: bool,
    ui: &mut Ui,
) -> Result<(), Failure> {
    let app = client.app()?;
    let channel = client.channel_by_name_or_id(&app.id, channel_arg)?;
    let request = promote_request(flags, &channel.id);
    let response = client.promote_request(&app.id, sequence, &request)?;
    if json {
        return ui.json(&PromoteOutput {
            channel: &channel.id,
            release_sequence: sequence,
            version_label: &request.version_label,
        });
    }
    match warnings(&response) {
        Some(lines) => ui.text(&lines),
        None => ui.text(&format!(
            "Channel {channel_arg} successfully set to release {sequence}\n"
        )),
    }
    Ok(())
}

fn promote_request(flags: &Flags, channel_id: &str) -> PromoteRequest {
    PromoteRequest {
        release_notes: flags.release_notes.clone().unwrap_or_default(),
        version_label: flags.version.clone().unwrap_or_default(),
        is_required: flags.required,
        channel_ids: vec![channel_id.to_string()],
        ignore_warnings: false,
        omit_details_in_response: true,
    }
}

/// The CLI prints the promote warnings instead of the success line.
fn warnings(response: &PromoteResponse) -> Option<String> {
    (!response.warnings.is_empty()).then(|| {
        response
            .warnings
            .iter()
            .map(|w| format!("Warning: {w}\n"))
            .collect()
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReleaseInfo<'a> {
    active_channels: Vec<ChannelInfo<'a>>,
    app_id: &'a str,
    created_at: String,
    edited_at: &'static str,
    editable: bool,
    sequence: i64,
    version: &'a str,
    charts: &'a [ChartRef],
    is_helm_only: bool,
}

#[derive(Serialize)]
struct ChannelInfo<'a> {
    id: &'a str,
    name: &'a str,
}

fn release_ls(client: &Client, json: bool, ui: &mut Ui) -> Result<(), Failure> {
    let app = client.app()?;
    let releases = client.releases(&app.id)?;
    if json {
        let infos: Vec<ReleaseInfo> = releases
            .iter()
            .map(|r| ReleaseInfo {
                active_channels: r
                    .channels
                    .iter()
                    .filter(|c| !c.is_archived)
                    .map(|c| ChannelInfo {
                        id: &c.id,
                        name: &c.name,
                    })
                    .collect(),
                app_id: &r.app_id,
                created_at: go_time(r.created.as_deref()),
                edited_at: ZERO_TIME,
                editable: !r.is_release_not_editable,
                sequence: r.sequence,
                version: r.charts.first().map_or("", |c| c.version.as_str()),
                charts: &r.charts,
                is_helm_only: r.is_helm_only,
            })
            .collect();
        return ui.json(&infos);
    }
    ui.text(&releases_table(&releases));
    Ok(())
}

/// `release ls` as the CLI prints it (`cli/print/releases.go`).
pub fn releases_table(releases: &[Release]) -> String {
    let mut text = String::from("SEQUENCE\tCREATED\tEDITED\tACTIVE_CHANNELS\n");
    for release in releases {
        let created = go_time(release.created.as_deref());
        // EDITED is blank when it equals CREATED; KOTS releases are never "edited".
        let edited = if created == ZERO_TIME { "" } else { ZERO_TIME };
        let channels: Vec<&str> = release
            .channels
            .iter()
            .filter(|c| !c.is_archived)
            .map(|c| c.name.as_str())
            .collect();
        text.push_str(&format!(
            "{}\t{created}\t{edited}\t{}\n",
            release.sequence,
            channels.join(",")
        ));
    }
    tabwrite(&text, TABLE_PADDING)
}

fn channel_ls(client: &Client, json: bool, ui: &mut Ui) -> Result<(), Failure> {
    let app = client.app()?;
    let channels = client.list_channels(&app.id)?;
    if json {
        return ui.json(&channels);
    }
    let mut text = String::from("ID\tNAME\tRELEASE\tVERSION\n");
    for channel in &channels {
        let release = if channel.release_sequence >= 1 {
            channel.release_sequence.to_string()
        } else {
            String::new()
        };
        text.push_str(&format!(
            "{}\t{}\t{release}\t{}\n",
            channel.id, channel.name, channel.current_version
        ));
    }
    ui.text(&tabwrite(&text, TABLE_PADDING));
    Ok(())
}

fn app_ls(client: &Client, filter: Option<&str>, json: bool, ui: &mut Ui) -> Result<(), Failure> {
    let apps: Vec<_> = client
        .apps()?
        .into_iter()
        .filter(|a| filter.is_none_or(|f| a.id == f || a.slug == f || a.name == f))
        .collect();
    if json {
        return ui.json(&apps);
    }
    let mut text = String::from("ID\tNAME\tSLUG\tSCHEDULER\n");
    for app in &apps {
        text.push_str(&format!("{}\t{}\t{}\tkots\n", app.id, app.name, app.slug));
    }
    ui.text(&tabwrite(&text, TABLE_PADDING));
    Ok(())
}

/// An RFC 3339 time as Go prints it with `time.RFC3339`: no fractional
/// seconds; absent is Go's zero time.
fn go_time(time: Option<&str>) -> String {
    let Some(time) = time.map(str::trim).filter(|t| !t.is_empty()) else {
        return ZERO_TIME.to_string();
    };
    // "2024-04-22T17:19:17.123456Z" → "2024-04-22T17:19:17Z"
    match time.get(19..20) {
        Some(".") => {
            let rest = &time[20..];
            let zone = rest.trim_start_matches(|c: char| c.is_ascii_digit());
            format!("{}{zone}", &time[..19])
        }
        _ => time.to_string(),
    }
}

// ---------------------------------------------------------------- tables

/// Go's `text/tabwriter` with minwidth 0 and space padding (tabwidth is then
/// irrelevant), no flags: cells end with `\t`, the last cell of a line is not
/// part of any column, and a column block is a run of consecutive lines that
/// have a cell in that column. Widths count characters, like Go's runes.
pub fn tabwrite(text: &str, padding: usize) -> String {
    let (body, newline) = match text.strip_suffix('\n') {
        Some(body) => (body, true),
        None => (text, false),
    };
    if body.is_empty() && !newline {
        return String::new();
    }
    let lines: Vec<Vec<&str>> = body.split('\n').map(|l| l.split('\t').collect()).collect();
    let mut out = String::with_capacity(text.len() * 2);
    let mut widths = Vec::new();
    format_block(&lines, &mut widths, 0, lines.len(), padding, &mut out);
    if !newline {
        out.pop();
    }
    out
}

/// Go's `Writer.format`: finds column blocks in `lines[line0..line1]` for the
/// column after `widths`, recursing to the right of each block.
fn format_block(
    lines: &[Vec<&str>],
    widths: &mut Vec<usize>,
    mut line0: usize,
    line1: usize,
    padding: usize,
    out: &mut String,
) {
    let column = widths.len();
    let mut this = line0;
    while this < line1 {
        if column + 1 >= lines[this].len() {
            this += 1;
            continue;
        }
        write_lines(lines, widths, line0, this, out);
        line0 = this;
        let mut width = 0;
        while this < line1 && column + 1 < lines[this].len() {
            width = width.max(lines[this][column].chars().count() + padding);
            this += 1;
        }
        widths.push(width);
        format_block(lines, widths, line0, this, padding, out);
        widths.pop();
        line0 = this;
    }
    write_lines(lines, widths, line0, line1, out);
}

fn write_lines(
    lines: &[Vec<&str>],
    widths: &[usize],
    line0: usize,
    line1: usize,
    out: &mut String,
) {
    for line in &lines[line0..line1] {
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if let Some(width) = widths.get(j) {
                let used = cell.chars().count();
                out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
            }
        }
        out.push('\n');
    }
}

// ---------------------------------------------------------------- charts

/// Reads and checks a chart package like the CLI's `loader.LoadArchive`
/// before anything is sent: a gzip'd tar, every file under one top-level
/// directory, `<top>/Chart.yaml` with a name and a version. Returns the file
/// name (the spec's `name`/`path`) and the bytes.
fn read_chart(chart: &str) -> Result<(String, Vec<u8>), Failure> {
    let path = Path::new(chart);
    let fail = |why: String| Failure::Message(format!("{chart}: {why}"));
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => fail(
            "no such file (package the chart first, e.g. `helm package ~/slackernews \
             --destination ~/release`)"
                .into(),
        ),
        _ => fail(format!("cannot read: {e}")),
    })?;
    if meta.is_dir() {
        return Err(fail(
            "is a directory; --chart takes the packaged chart (.tgz) that `helm package` writes"
                .into(),
        ));
    }
    if meta.len() > MAX_CHART_BYTES {
        return Err(fail(format!(
            "is larger than {} MiB; not a chart package",
            MAX_CHART_BYTES >> 20
        )));
    }
    // Regular files only, opened without blocking: a FIFO named as the
    // chart must not hang the command.
    let bytes = crate::fsutil::read_limited(path, MAX_CHART_BYTES).map_err(|e| match e {
        crate::fsutil::ReadError::NotRegular { kind, .. } => fail(format!(
            "is not a regular file ({kind}); not a chart package"
        )),
        crate::fsutil::ReadError::TooLarge { .. } => fail(format!(
            "is larger than {} MiB; not a chart package",
            MAX_CHART_BYTES >> 20
        )),
        other => fail(format!("cannot read: {other}")),
    })?;
    check_chart_archive(&bytes).map_err(fail)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| chart.to_string());
    Ok((file_name, bytes))
}

/// The chart's (name, version), or why the bytes are not a chart package.
fn check_chart_archive(bytes: &[u8]) -> Result<(String, String), String> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Err(
            "is not a gzip file; --chart takes a chart package (.tgz) as `helm package` writes it"
                .into(),
        );
    }
    let inflated = flate2::read::MultiGzDecoder::new(bytes).take(MAX_INFLATED_BYTES + 1);
    let mut archive = tar::Archive::new(inflated);
    let broken = |e: io::Error| format!("is not a valid chart package (truncated or corrupt: {e})");
    let mut top: Option<String> = None;
    let mut chart_yaml: Option<Vec<u8>> = None;
    let mut files = 0usize;
    for entry in archive.entries().map_err(broken)? {
        let mut entry = entry.map_err(broken)?;
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions()
            || kind.is_pax_local_extensions()
            || kind.is_gnu_longname()
            || kind.is_gnu_longlink()
            || kind.is_dir()
        {
            continue;
        }
        let path = entry.path().map_err(broken)?.into_owned();
        let mut parts = Vec::new();
        for component in path.components() {
            match component {
                Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
                Component::CurDir => {}
                _ => {
                    return Err(format!(
                        "holds an unsafe path {:?}; not a chart package",
                        path.display().to_string()
                    ));
                }
            }
        }
        let [first, inner @ ..] = parts.as_slice() else {
            continue;
        };
        if inner.is_empty() {
            return Err(format!(
                "has {first} at its top level; a chart package has everything under one \
                 directory named after the chart"
            ));
        }
        match &top {
            None => top = Some(first.clone()),
            Some(top) if top != first => {
                return Err(format!(
                    "has more than one top-level directory ({top}/ and {first}/); a chart \
                     package has one"
                ));
            }
            Some(_) => {}
        }
        if !kind.is_file() {
            continue;
        }
        files += 1;
        if entry.size() > MAX_FILE_BYTES {
            return Err(format!(
                "holds {}, larger than {} MiB",
                parts.join("/"),
                MAX_FILE_BYTES >> 20
            ));
        }
        if inner.len() == 1 && inner[0] == "Chart.yaml" {
            let mut content = Vec::new();
            entry.read_to_end(&mut content).map_err(broken)?;
            chart_yaml = Some(content);
        }
    }
    // To the end of the gzip stream (every member): its CRC is checked only there.
    io::copy(&mut archive.into_inner(), &mut io::sink()).map_err(broken)?;
    let Some(top) = top.filter(|_| files > 0) else {
        return Err("holds no files; not a chart package".into());
    };
    let Some(chart_yaml) = chart_yaml else {
        return Err(format!(
            "has no {top}/Chart.yaml: Chart.yaml file is missing, so it is not a Helm chart"
        ));
    };
    chart_metadata(&top, &chart_yaml)
}

fn chart_metadata(top: &str, chart_yaml: &[u8]) -> Result<(String, String), String> {
    let text = std::str::from_utf8(chart_yaml)
        .map_err(|_| format!("{top}/Chart.yaml is not UTF-8 text"))?;
    let root = crate::yaml::parse(text)
        .map_err(|e| format!("{top}/Chart.yaml: {e}"))?
        .ok_or_else(|| format!("{top}/Chart.yaml is empty"))?;
    let field = |key: &str| match root.lookup(key) {
        crate::yaml::Lookup::Found(node) => node
            .as_scalar()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned),
        _ => None,
    };
    let name = field("name")
        .ok_or_else(|| format!("{top}/Chart.yaml: validation: chart.metadata.name is required"))?;
    let version = field("version").ok_or_else(|| {
        format!("{top}/Chart.yaml: validation: chart.metadata.version is required")
    })?;
    Ok((name, version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vendor_api::types::ChannelRef;
    use flate2::Compression;
    use flate2::write::GzEncoder;

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    fn release(sequence: i64, created: &str, channels: &[&str]) -> Release {
        Release {
            app_id: "app".into(),
            sequence,
            created: Some(created.into()),
            is_archived: false,
            spec: String::new(),
            release_notes: String::new(),
            is_release_not_editable: false,
            is_helm_only: true,
            channels: channels
                .iter()
                .map(|name| ChannelRef {
                    id: format!("id-{name}"),
                    name: name.to_string(),
                    is_archived: false,
                })
                .collect(),
            charts: vec![],
        }
    }

    /// The lesson's expected `release ls` (assignment.md; vendor-api.md §1.5).
    const LESSON_TABLE: &str = "\
SEQUENCE    CREATED                 EDITED                  ACTIVE_CHANNELS
5           2024-04-22T17:19:17Z    0001-01-01T00:00:00Z    Stable,Beta,Unstable
4           2024-04-22T16:23:39Z    0001-01-01T00:00:00Z
3           2024-04-22T16:23:34Z    0001-01-01T00:00:00Z
2           2024-04-22T16:23:28Z    0001-01-01T00:00:00Z
1           2024-04-22T16:23:22Z    0001-01-01T00:00:00Z
";

    #[test]
    fn release_table_reproduces_the_lesson() {
        let releases = vec![
            release(5, "2024-04-22T17:19:17Z", &["Stable", "Beta", "Unstable"]),
            release(4, "2024-04-22T16:23:39Z", &[]),
            release(3, "2024-04-22T16:23:34Z", &[]),
            release(2, "2024-04-22T16:23:28.5Z", &[]),
            release(1, "2024-04-22T16:23:22Z", &[]),
        ];
        let table = releases_table(&releases);
        // Go's tabwriter pads every cell but the last, so rows with no active
        // channel end in four spaces (the lesson's copy lost them).
        assert!(
            table
                .lines()
                .nth(2)
                .unwrap()
                .ends_with("0001-01-01T00:00:00Z    ")
        );
        let trimmed: String = table
            .lines()
            .map(|l| format!("{}\n", l.trim_end()))
            .collect();
        assert_eq!(trimmed, LESSON_TABLE);
    }

    #[test]
    fn archived_channels_are_hidden() {
        let mut r = release(5, "2024-04-22T17:19:17Z", &["Stable", "Old", "Beta"]);
        r.channels[1].is_archived = true;
        assert!(releases_table(&[r]).contains("    Stable,Beta\n"));
    }

    #[test]
    fn tabwriter_matches_go() {
        // Go: tabwriter.NewWriter(&b, 0, 8, 4, ' ', 0) on the channel ls template.
        let text = "ID\tNAME\tRELEASE\tVERSION\n\
                    2FOfwru7Rq1plkqyZFLH6MLR1fk\tStable\t1\t0.0.1\n\
                    2FK67bqiSUUpl0PpEHe8fZYuXXK\treplicated-cli\t\tThe CLI\n";
        assert_eq!(
            tabwrite(text, 4),
            "ID                             NAME              RELEASE    VERSION\n\
             2FOfwru7Rq1plkqyZFLH6MLR1fk    Stable            1          0.0.1\n\
             2FK67bqiSUUpl0PpEHe8fZYuXXK    replicated-cli               The CLI\n"
        );
        // A line with fewer cells ends the column block above it.
        assert_eq!(
            tabwrite("a\tb\tc\nlonger\n\tx\ty\n", 2),
            "a  b  c\nlonger\n  x  y\n"
        );
        assert_eq!(tabwrite("aaa\tb\na\tbb\tc\n", 1), "aaa b\na   bb c\n");
        // Characters, not bytes, and no trailing newline kept as is.
        assert_eq!(tabwrite("✓\tx\nab\ty", 1), "✓  x\nab y");
        assert_eq!(tabwrite("", 4), "");
        assert_eq!(tabwrite("\n", 4), "\n");
    }

    #[test]
    fn go_time_drops_fractions_and_defaults_to_zero() {
        assert_eq!(
            go_time(Some("2024-04-22T17:19:17Z")),
            "2024-04-22T17:19:17Z"
        );
        assert_eq!(
            go_time(Some("2024-04-22T17:19:17.123456789+02:00")),
            "2024-04-22T17:19:17+02:00"
        );
        assert_eq!(go_time(None), ZERO_TIME);
        assert_eq!(go_time(Some("")), ZERO_TIME);
        // A release without a creation time shows a blank EDITED, like Go.
        let mut r = release(1, "", &[]);
        r.created = None;
        assert_eq!(
            releases_table(&[r]).lines().nth(1).unwrap(),
            format!("1           {ZERO_TIME}    {}", " ".repeat(10))
        );
    }

    #[test]
    fn parses_the_lesson_commands() {
        let inv = parse(&args(&[
            "release",
            "create",
            "--promote",
            "Unstable",
            "--chart",
            "./release/slackernews-0.5.0.tgz",
            "--version",
            "0.5.0",
            "--release-notes",
            "Uses the Replicated proxy registry to pull images",
        ]))
        .unwrap();
        assert_eq!(
            inv.command,
            Command::ReleaseCreate {
                chart: "./release/slackernews-0.5.0.tgz".into()
            }
        );
        assert_eq!(inv.flags.promote.as_deref(), Some("Unstable"));
        assert_eq!(inv.flags.version.as_deref(), Some("0.5.0"));
        assert_eq!(
            inv.flags.release_notes.as_deref(),
            Some("Uses the Replicated proxy registry to pull images")
        );

        let inv = parse(&args(&[
            "release",
            "promote",
            "5",
            "Beta",
            "--version=0.5.0",
            "--app",
            "slackernews-mackerel",
            "--required",
        ]))
        .unwrap();
        assert_eq!(
            inv.command,
            Command::ReleasePromote {
                sequence: 5,
                channel: "Beta".into()
            }
        );
        assert_eq!(inv.flags.app.as_deref(), Some("slackernews-mackerel"));
        assert!(inv.flags.required);

        let inv = parse(&args(&["release", "ls", "-o", "json"])).unwrap();
        assert_eq!(inv.command, Command::ReleaseLs);
        assert_eq!(inv.flags.output.as_deref(), Some("json"));
        assert_eq!(
            parse(&args(&["release", "list", "-ojson"]))
                .unwrap()
                .flags
                .output
                .as_deref(),
            Some("json")
        );
        assert_eq!(
            parse(&args(&["channel", "ls"])).unwrap().command,
            Command::ChannelLs
        );
        assert_eq!(
            parse(&args(&["app", "list", "--token", "t"]))
                .unwrap()
                .command,
            Command::AppLs { filter: None }
        );
    }

    #[test]
    fn parse_errors_and_help() {
        let err = |words: &[&str]| parse(&args(words)).unwrap_err();
        assert!(err(&["release", "create"]).starts_with("--chart is required"));
        assert!(err(&["release", "create", "--yaml-dir", "m"]).contains("Helm chart package only"));
        assert_eq!(
            err(&["release", "ls", "--chart", "x"]),
            "unknown flag: --chart"
        );
        assert_eq!(err(&["release", "ls", "--nope"]), "unknown flag: --nope");
        assert_eq!(
            err(&["release", "create", "--chart"]),
            "flag needs an argument: --chart"
        );
        assert!(err(&["release", "promote", "5"]).starts_with("release sequence and channel ID"));
        assert_eq!(
            err(&["release", "promote", "five", "Beta"]),
            "Failed to parse sequence argument five"
        );
        assert!(err(&["release", "ls", "extra"]).contains("takes no arguments"));
        assert!(err(&["release", "create", "--chart", "c", "--lint"]).contains("not supported"));

        let cmd = |words: &[&str]| parse(&args(words)).unwrap().command;
        assert_eq!(cmd(&[]), Command::Help(ROOT_HELP));
        assert_eq!(cmd(&["--help"]), Command::Help(ROOT_HELP));
        assert_eq!(
            cmd(&["release", "create", "-h"]),
            Command::Help(CREATE_HELP)
        );
        assert_eq!(
            cmd(&["help", "release", "promote"]),
            Command::Help(PROMOTE_HELP)
        );
        assert_eq!(cmd(&["release"]), Command::Help(RELEASE_HELP));
        assert_eq!(cmd(&["version"]), Command::Version);
        assert_eq!(
            cmd(&["customer", "create", "--name", "x"]),
            Command::Unsupported("customer".into())
        );
        assert_eq!(
            cmd(&["channel", "create", "--name", "LTS"]),
            Command::Unsupported("channel create".into())
        );
    }

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

    fn tgz(files: &[(&str, &str)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
        for (path, content) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(content.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder
                .append_data(&mut header, path, content.as_bytes())
                .unwrap();
        }
        builder.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn chart_packages_are_checked_locally() {
        let chart = "apiVersion: v2\nname: slackernews\nversion: 0.5.0\n";
        assert_eq!(
            check_chart_archive(&tgz(&[
                ("slackernews/Chart.yaml", chart),
                ("slackernews/values.yaml", "a: 1\n"),
            ])),
            Ok(("slackernews".into(), "0.5.0".into()))
        );
        let fails = |bytes: &[u8]| check_chart_archive(bytes).unwrap_err();
        assert!(fails(b"plain text").contains("not a gzip file"));
        assert!(
            fails(&tgz(&[("slackernews/values.yaml", "a: 1")]))
                .contains("Chart.yaml file is missing")
        );
        assert!(fails(&tgz(&[("Chart.yaml", chart)])).contains("at its top level"));
        assert!(
            fails(&tgz(&[("a/Chart.yaml", chart), ("b/values.yaml", "")]))
                .contains("more than one top-level directory")
        );
        assert!(fails(&tgz(&[("a/Chart.yaml", "name: a\n")])).contains("version is required"));
        assert!(fails(&tgz(&[])).contains("holds no files"));
        let mut truncated = tgz(&[("slackernews/Chart.yaml", chart)]);
        truncated.truncate(truncated.len() / 2);
        assert!(check_chart_archive(&truncated).is_err());
    }
}
