//! `helm` on the command line: `package`, `version` and `help` with Helm's
//! flags (read by the shared pflag tokenizer), Helm's output lines, and a
//! clear refusal, pointing to <https://helm.sh>, for everything else.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::package::{PackageOptions, clean_path, package};
use crate::standins::flags::{Flag, FlagError, Token, tokenize};

/// The version `helm version` reports; the build metadata says it is not the real Helm.
const STAND_IN_VERSION: &str = "v3.21.4+labrun";

/// What the command line asked for.
#[derive(Debug, PartialEq)]
enum Command {
    Help(HelpTopic),
    Version {
        short: bool,
    },
    Package {
        charts: Vec<PathBuf>,
        options: PackageOptions,
    },
    Unsupported(String),
}

#[derive(Debug, PartialEq)]
enum HelpTopic {
    Root,
    Package,
}

/// Entry point when the binary runs as `helm ARGS` or `labrun helm ARGS`; `args` excludes the program name.
/// Supports `package CHART... [--destination|-d DIR] [--version V] [--app-version V]`, `--help`, `version`.
/// Prints `Successfully packaged chart and saved it to: <path>` on success (stdout); errors as `Error: …` on stderr, exit 1.
/// Any other subcommand: a clear message that labrun only stands in for `helm package` and to install helm from https://helm.sh, exit 1.
pub fn run(args: &[OsString]) -> i32 {
    match parse_command(args) {
        Ok(Command::Help(HelpTopic::Root)) => print!("{ROOT_HELP}"),
        Ok(Command::Help(HelpTopic::Package)) => print!("{PACKAGE_HELP}"),
        Ok(Command::Version { short: true }) => println!("{STAND_IN_VERSION}"),
        Ok(Command::Version { short: false }) => println!(
            "version.BuildInfo{{Version:\"{STAND_IN_VERSION}\", GitCommit:\"\", GitTreeState:\"\", GoVersion:\"labrun stand-in: helm package only\"}}"
        ),
        Ok(Command::Package { charts, options }) => return package_all(&charts, &options),
        Ok(Command::Unsupported(sub)) => {
            eprintln!(
                "Error: labrun only stands in for `helm package`; `helm {sub}` needs the real Helm.\n\
                 Install Helm from https://helm.sh (https://helm.sh/docs/intro/install/)."
            );
            return 1;
        }
        Err(message) => {
            eprintln!("Error: {message}");
            return 1;
        }
    }
    0
}

/// Packages each chart in turn and, like Helm, stops at the first failure.
fn package_all(charts: &[PathBuf], options: &PackageOptions) -> i32 {
    for chart in charts {
        match package(chart, options) {
            Ok(written) => println!(
                "Successfully packaged chart and saved it to: {}",
                shown_path(&written, options).display()
            ),
            Err(e) => {
                eprintln!("Error: {e}");
                return 1;
            }
        }
    }
    0
}

/// Helm saves to the working directory's absolute path when the destination is the default `.`.
fn shown_path(written: &Path, options: &PackageOptions) -> PathBuf {
    match std::env::current_dir() {
        Ok(cwd) if clean_path(&options.destination).as_os_str().is_empty() => cwd.join(written),
        _ => written.to_path_buf(),
    }
}

fn parse_command(args: &[OsString]) -> Result<Command, String> {
    let mut rest = args.iter().skip_while(|a| *a == "--debug");
    let Some(sub) = rest.next() else {
        return Ok(Command::Help(HelpTopic::Root));
    };
    let rest: Vec<&OsString> = rest.collect();
    match sub.to_str() {
        Some("-h" | "--help") => Ok(Command::Help(HelpTopic::Root)),
        Some("help") => Ok(help_for(rest.first().and_then(|a| a.to_str()))),
        Some("version") => parse_version_args(&rest),
        Some("package") => parse_package_args(&rest),
        Some(other) if other.starts_with('-') => Err(format!(
            "unknown flag: {other}\nRun 'helm --help' for usage."
        )),
        other => Ok(Command::Unsupported(
            other.map_or_else(|| sub.to_string_lossy().into_owned(), str::to_owned),
        )),
    }
}

fn help_for(topic: Option<&str>) -> Command {
    match topic {
        Some("package") => Command::Help(HelpTopic::Package),
        None => Command::Help(HelpTopic::Root),
        Some(other) => Command::Unsupported(format!("help {other}")),
    }
}

static VERSION_FLAGS: &[Flag] = &[
    Flag::bool("short", None),
    Flag::bool("debug", None),
    Flag::bool("help", Some('h')),
];

fn parse_version_args(args: &[&OsString]) -> Result<Command, String> {
    let mut short = false;
    for token in tokenize(args, VERSION_FLAGS).map_err(|e| e.to_string())? {
        match token {
            Token::Switch { flag, on } => match flag.long {
                "short" => short = on,
                "help" if on => return Ok(Command::Help(HelpTopic::Root)),
                _ => {}
            },
            Token::Unknown(e) => return Err(e.to_string()),
            Token::Word(word) => return Err(format!("unknown flag: {}", word.to_string_lossy())),
            Token::Value { .. } => {}
        }
    }
    Ok(Command::Version { short })
}

static PACKAGE_FLAGS: &[Flag] = &[
    Flag::value("destination", Some('d')),
    Flag::value("version", None),
    Flag::value("app-version", None),
    Flag::bool("help", Some('h')),
    Flag::bool("debug", None),
];

/// `helm package` flags as pflag reads them; flags and chart paths may be mixed.
fn parse_package_args(args: &[&OsString]) -> Result<Command, String> {
    let mut charts = Vec::new();
    let mut options = PackageOptions::default();
    for token in tokenize(args, PACKAGE_FLAGS).map_err(|e| e.to_string())? {
        match token {
            Token::Word(chart) => charts.push(PathBuf::from(chart)),
            Token::Switch { flag, on } => {
                if flag.long == "help" && on {
                    return Ok(Command::Help(HelpTopic::Package));
                }
            }
            Token::Value { flag, value } => match flag.long {
                "destination" => options.destination = PathBuf::from(value),
                "version" => options.version = Some(utf8_value(flag.long, value)?),
                _ => options.app_version = Some(utf8_value(flag.long, value)?),
            },
            Token::Unknown(e) => return Err(unsupported_flag(&e)),
        }
    }
    if charts.is_empty() {
        return Err(
            "\"helm package\" requires at least 1 argument\n\nUsage:  helm package [CHART_PATH] [...] [flags]"
                .into(),
        );
    }
    Ok(Command::Package { charts, options })
}

fn utf8_value(flag: &str, value: OsString) -> Result<String, String> {
    value
        .into_string()
        .map_err(|_| format!("invalid argument for --{flag}: not valid UTF-8"))
}

/// pflag's message, or for a flag of the real `helm package` that the
/// stand-in leaves out, what to do instead.
fn unsupported_flag(e: &FlagError) -> String {
    const REAL_HELM_FLAGS: [&str; 8] = [
        "-u",
        "--dependency-update",
        "--sign",
        "--key",
        "--keyring",
        "--passphrase-file",
        "--username",
        "--password",
    ];
    let flag = match e {
        FlagError::UnknownLong(name) => format!("--{name}"),
        FlagError::UnknownShort { letter, .. } => format!("-{letter}"),
        _ => String::new(),
    };
    if REAL_HELM_FLAGS.contains(&flag.as_str()) {
        format!(
            "{flag} is not supported by labrun's helm stand-in, which only packages charts.\n\
             Install Helm from https://helm.sh to use it."
        )
    } else {
        format!("{e}\nRun 'helm package --help' for usage.")
    }
}

const ROOT_HELP: &str = "\
labrun's stand-in for Helm, the Kubernetes package manager.

It implements `helm package` only, writing the same archive layout as Helm v3.
For anything else, install Helm from https://helm.sh.

Usage:
  helm [command]

Available Commands:
  help        Help about any command
  package     package a chart directory into a chart archive
  version     print the client version information

Flags:
  -h, --help   help for helm

Use \"helm [command] --help\" for more information about a command.
";

const PACKAGE_HELP: &str = "\
This command packages a chart into a versioned chart archive file. If a path
is given, this will look at that path for a chart (which must contain a
Chart.yaml file) and then package that directory.

The archive is named <name>-<version>.tgz after the chart's Chart.yaml.
(labrun's stand-in: dependency updates and signing need the real Helm, https://helm.sh.)

Usage:
  helm package [CHART_PATH] [...] [flags]

Flags:
      --app-version string   set the appVersion on the chart to this version
  -d, --destination string   location to write the chart. (default \".\")
  -h, --help                 help for package
      --version string       set the version on the chart to this semver version
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standins::helm::test_support::*;

    fn os_args(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    fn parsed(args: &[&str]) -> Result<Command, String> {
        parse_command(&os_args(args))
    }

    #[test]
    fn parses_package_flags_like_pflag() {
        let Ok(Command::Package { charts, options }) = parsed(&[
            "package",
            "slackernews",
            "--destination",
            "./release",
            "--version=0.5.0",
        ]) else {
            panic!("expected a package command");
        };
        assert_eq!(charts, [PathBuf::from("slackernews")]);
        assert_eq!(options.destination, PathBuf::from("./release"));
        assert_eq!(options.version.as_deref(), Some("0.5.0"));

        let Ok(Command::Package { options, charts }) = parsed(&[
            "package",
            "-drelease",
            "a",
            "--app-version",
            "2",
            "--",
            "-b",
        ]) else {
            panic!("expected a package command");
        };
        assert_eq!(options.destination, PathBuf::from("release"));
        assert_eq!(options.app_version.as_deref(), Some("2"));
        assert_eq!(charts, [PathBuf::from("a"), PathBuf::from("-b")]);
    }

    #[test]
    fn other_commands_and_bad_flags() {
        assert_eq!(parsed(&[]), Ok(Command::Help(HelpTopic::Root)));
        assert_eq!(
            parsed(&["package", "--help"]),
            Ok(Command::Help(HelpTopic::Package))
        );
        assert_eq!(
            parsed(&["version", "--short"]),
            Ok(Command::Version { short: true })
        );
        assert_eq!(
            parsed(&["install", "x"]),
            Ok(Command::Unsupported("install".into()))
        );
        assert!(
            parsed(&["package"])
                .unwrap_err()
                .contains("requires at least 1 argument")
        );
        assert!(
            parsed(&["package", "x", "--sign"])
                .unwrap_err()
                .contains("https://helm.sh")
        );
        assert!(
            parsed(&["package", "x", "--bogus"])
                .unwrap_err()
                .contains("unknown flag: --bogus")
        );
        assert!(
            parsed(&["package", "x", "-d"])
                .unwrap_err()
                .contains("needs an argument")
        );
        assert_eq!(run(&os_args(&["install"])), 1);
    }

    #[test]
    fn run_packages_and_reports_errors() {
        let dir = small_chart();
        let chart = dir.path().join("src-dir");
        let dest = dir.path().join("release");
        let args = [
            OsString::from("package"),
            chart.clone().into_os_string(),
            OsString::from("-d"),
            dest.clone().into_os_string(),
        ];
        assert_eq!(run(&args), 0);
        assert!(dest.join("demo-0.1.0.tgz").is_file());
        let missing = [
            OsString::from("package"),
            dir.path().join("nope").into_os_string(),
        ];
        assert_eq!(run(&missing), 1);
    }
}
