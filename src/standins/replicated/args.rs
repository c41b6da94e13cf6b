//! The stand-in's command line: the words of a command and the CLI's flags
//! (read by the shared pflag tokenizer), checked against what each command
//! takes, and the output format.

use super::REAL_CLI;
use super::help::*;
use crate::standins::flags::{Flag, Token, tokenize};

#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct Flags {
    pub(super) app: Option<String>,
    pub(super) token: Option<String>,
    pub(super) output: Option<String>,
    pub(super) chart: Option<String>,
    pub(super) promote: Option<String>,
    pub(super) version: Option<String>,
    pub(super) release_notes: Option<String>,
    pub(super) required: bool,
    pub(super) help: bool,
    /// Long names of the flags given, to check them against the command.
    pub(super) given: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Command {
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
pub(super) struct Invocation {
    pub(super) command: Command,
    pub(super) flags: Flags,
}

/// The flags of the commands the stand-in covers, and real ones it refuses
/// with an explanation.
static FLAGS: &[Flag] = &[
    Flag::value("app", None),
    Flag::value("token", None),
    Flag::value("output", Some('o')),
    Flag::value("chart", None),
    Flag::value("promote", None),
    Flag::value("version", None),
    Flag::value("release-notes", None),
    Flag::bool("required", None),
    Flag::bool("help", Some('h')),
    Flag::bool("debug", None),
    // Real flags the stand-in refuses with an explanation.
    Flag::value("yaml-dir", None),
    Flag::value("yaml", None),
    Flag::value("yaml-file", None),
    Flag::bool("ensure-channel", None),
    Flag::bool("lint", None),
    Flag::value("profile", None),
];

/// Flags every command takes.
pub(super) const GLOBAL_FLAGS: &[&str] = &["app", "token", "help", "debug", "profile"];

pub(super) fn parse(args: &[String]) -> Result<Invocation, String> {
    let mut flags = Flags::default();
    let mut words: Vec<String> = Vec::new();
    // Reported only if the command is one the stand-in covers.
    let mut unknown: Option<String> = None;
    for token in tokenize(args, FLAGS).map_err(|e| e.to_string())? {
        let (flag, value) = match token {
            Token::Word(word) => {
                words.push(word.to_string_lossy().into_owned());
                continue;
            }
            Token::Unknown(e) => {
                unknown.get_or_insert_with(|| e.to_string());
                continue;
            }
            Token::Switch { on: false, .. } => continue,
            Token::Switch { flag, on: true } => (flag, None),
            Token::Value { flag, value } => (flag, Some(value.to_string_lossy().into_owned())),
        };
        flags.given.push(flag.long);
        match flag.long {
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

pub(super) fn command(words: &[String], flags: &Flags) -> Result<Command, String> {
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

pub(super) fn no_arguments(command: &str, extra: &[&str], flags: &Flags) -> Result<(), String> {
    match extra.first() {
        Some(word) if !flags.help => Err(format!(
            "{command} takes no arguments, got {word:?} (flags need their dashes, like --version)"
        )),
        _ => Ok(()),
    }
}

pub(super) fn check_flags(command: &Command, flags: &Flags) -> Result<(), String> {
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

pub(super) fn output_format(
    flags: &Flags,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<bool, String> {
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

pub(super) fn help_for(topic: &[&str]) -> Option<&'static str> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
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
}
