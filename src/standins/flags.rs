//! Command-line flags as Go's pflag reads them (the parser behind cobra, so
//! behind both `helm` and `replicated`): `--flag value`, `--flag=value`,
//! `-f value`, `-fvalue`, `-f=value`, bool flags that take no value (or
//! `--flag=false`), shorthand bool flags grouped (`-hd`), flags mixed with
//! arguments, `--` ending the flags, and pflag's own error messages.

use std::ffi::{OsStr, OsString};

/// One flag a command knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag {
    pub long: &'static str,
    pub short: Option<char>,
    /// Takes a value (`--chart FILE`), or is a bool (`--required`).
    pub takes_value: bool,
}

impl Flag {
    pub const fn value(long: &'static str, short: Option<char>) -> Flag {
        Flag {
            long,
            short,
            takes_value: true,
        }
    }

    pub const fn bool(long: &'static str, short: Option<char>) -> Flag {
        Flag {
            long,
            short,
            takes_value: false,
        }
    }
}

/// What one piece of the command line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token<'a> {
    /// A positional argument.
    Word(&'a OsStr),
    /// A flag that takes a value, with its value.
    Value {
        flag: &'static Flag,
        value: OsString,
    },
    /// A bool flag, set (`--required`, `--required=true`) or not (`=false`).
    Switch { flag: &'static Flag, on: bool },
    /// A flag the command does not know, with pflag's message. Reading goes
    /// on after it as if it were a bool flag, so that a caller may still find
    /// the command words (and say the command is not covered instead).
    Unknown(FlagError),
}

/// pflag's errors, worded as pflag words them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlagError {
    #[error("unknown flag: --{0}")]
    UnknownLong(String),
    #[error("unknown shorthand flag: '{letter}' in -{group}")]
    UnknownShort { letter: char, group: String },
    #[error("flag needs an argument: --{0}")]
    NeedsArgument(&'static str),
    #[error("flag needs an argument: '{letter}' in -{group}")]
    ShortNeedsArgument { letter: char, group: String },
    #[error("invalid argument {value:?} for \"--{flag}\" flag: use true or false")]
    NotBool { flag: &'static str, value: String },
}

/// Splits `args` into words and flags of `flags`; fails only where pflag
/// would stop reading (a missing value, a bool flag given a non-bool).
pub fn tokenize<'a, S: AsRef<OsStr>>(
    args: &'a [S],
    flags: &'static [Flag],
) -> Result<Vec<Token<'a>>, FlagError> {
    let mut tokens = Vec::new();
    let mut rest = args.iter().map(AsRef::as_ref);
    while let Some(arg) = rest.next() {
        // A flag is UTF-8 and starts with a dash; `-` alone is a word.
        let Some(text) = arg.to_str().filter(|t| t.starts_with('-') && *t != "-") else {
            tokens.push(Token::Word(arg));
            continue;
        };
        if text == "--" {
            tokens.extend(rest.by_ref().map(Token::Word));
            break;
        }
        match text.strip_prefix("--") {
            Some(long) => tokens.push(long_flag(long, flags, &mut rest)?),
            None => short_flags(&text[1..], flags, &mut rest, &mut tokens)?,
        }
    }
    Ok(tokens)
}

fn long_flag<'a>(
    text: &str,
    flags: &'static [Flag],
    rest: &mut impl Iterator<Item = &'a OsStr>,
) -> Result<Token<'a>, FlagError> {
    let (name, inline) = match text.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (text, None),
    };
    let Some(flag) = flags.iter().find(|f| f.long == name) else {
        return Ok(Token::Unknown(FlagError::UnknownLong(name.to_owned())));
    };
    if !flag.takes_value {
        return switch(flag, inline);
    }
    let value = match inline {
        Some(value) => OsString::from(value),
        None => rest
            .next()
            .map(OsStr::to_owned)
            .ok_or(FlagError::NeedsArgument(flag.long))?,
    };
    Ok(Token::Value { flag, value })
}

/// `-abc`: bool shorthands one after another; the first that takes a value
/// takes the rest of the group (`-dout`, `-d=out`) or the next argument.
fn short_flags<'a>(
    group: &str,
    flags: &'static [Flag],
    rest: &mut impl Iterator<Item = &'a OsStr>,
    tokens: &mut Vec<Token<'a>>,
) -> Result<(), FlagError> {
    for (at, letter) in group.char_indices() {
        let after = &group[at + letter.len_utf8()..];
        let Some(flag) = flags.iter().find(|f| f.short == Some(letter)) else {
            tokens.push(Token::Unknown(FlagError::UnknownShort {
                letter,
                group: group.to_owned(),
            }));
            return Ok(());
        };
        if !flag.takes_value {
            match after.strip_prefix('=') {
                Some(value) => {
                    tokens.push(switch(flag, Some(value))?);
                    return Ok(());
                }
                None => tokens.push(switch(flag, None)?),
            }
            continue;
        }
        let value = if after.is_empty() {
            rest.next()
                .map(OsStr::to_owned)
                .ok_or_else(|| FlagError::ShortNeedsArgument {
                    letter,
                    group: group.to_owned(),
                })?
        } else {
            OsString::from(after.strip_prefix('=').unwrap_or(after))
        };
        tokens.push(Token::Value { flag, value });
        return Ok(());
    }
    Ok(())
}

/// A bool flag's value as Go's `strconv.ParseBool` reads it.
fn switch<'a>(flag: &'static Flag, value: Option<&str>) -> Result<Token<'a>, FlagError> {
    let on = match value {
        None => true,
        Some("1" | "t" | "T" | "TRUE" | "true" | "True") => true,
        Some("0" | "f" | "F" | "FALSE" | "false" | "False") => false,
        Some(other) => {
            return Err(FlagError::NotBool {
                flag: flag.long,
                value: other.to_owned(),
            });
        }
    };
    Ok(Token::Switch { flag, on })
}

#[cfg(test)]
mod tests {
    use super::*;

    static FLAGS: &[Flag] = &[
        Flag::value("destination", Some('d')),
        Flag::value("version", None),
        Flag::bool("help", Some('h')),
        Flag::bool("debug", Some('x')),
    ];

    fn flag(long: &str) -> &'static Flag {
        FLAGS.iter().find(|f| f.long == long).unwrap()
    }

    fn value(long: &str, value: &str) -> Token<'static> {
        Token::Value {
            flag: flag(long),
            value: value.into(),
        }
    }

    fn word(text: &'static str) -> Token<'static> {
        Token::Word(OsStr::new(text))
    }

    #[test]
    fn values_every_way_pflag_takes_them() {
        for args in [
            &["--destination", "out"][..],
            &["--destination=out"],
            &["-d", "out"],
            &["-dout"],
            &["-d=out"],
        ] {
            assert_eq!(tokenize(args, FLAGS), Ok(vec![value("destination", "out")]));
        }
        // A value may start with a dash: it is taken as it is.
        assert_eq!(
            tokenize(&["--version", "-1"], FLAGS),
            Ok(vec![value("version", "-1")])
        );
        assert_eq!(
            tokenize(&["--version="], FLAGS),
            Ok(vec![value("version", "")])
        );
    }

    #[test]
    fn words_flags_and_the_end_of_flags() {
        assert_eq!(
            tokenize(
                &["a", "--version", "1", "-", "b", "--", "-d", "--help"],
                FLAGS
            ),
            Ok(vec![
                word("a"),
                value("version", "1"),
                word("-"),
                word("b"),
                word("-d"),
                word("--help"),
            ])
        );
    }

    #[test]
    fn bool_flags_take_no_value_and_group() {
        let on = |long| Token::Switch {
            flag: flag(long),
            on: true,
        };
        assert_eq!(
            tokenize(&["--help", "x"], FLAGS),
            Ok(vec![on("help"), word("x")])
        );
        assert_eq!(
            tokenize(&["-hxdout"], FLAGS),
            Ok(vec![on("help"), on("debug"), value("destination", "out")])
        );
        assert_eq!(
            tokenize(&["--help=false", "-h=1"], FLAGS),
            Ok(vec![
                Token::Switch {
                    flag: flag("help"),
                    on: false
                },
                on("help")
            ])
        );
        assert_eq!(
            tokenize(&["--help=yes"], FLAGS).unwrap_err().to_string(),
            "invalid argument \"yes\" for \"--help\" flag: use true or false"
        );
    }

    #[test]
    fn errors_as_pflag_words_them() {
        let unknown = |args: &[&str]| match &tokenize(args, FLAGS).unwrap()[0] {
            Token::Unknown(e) => e.to_string(),
            other => panic!("expected an unknown flag, got {other:?}"),
        };
        assert_eq!(unknown(&["--bogus=1"]), "unknown flag: --bogus");
        assert_eq!(unknown(&["-q"]), "unknown shorthand flag: 'q' in -q");
        assert_eq!(
            tokenize(&["-hq", "a"], FLAGS).unwrap()[1..],
            [
                Token::Unknown(FlagError::UnknownShort {
                    letter: 'q',
                    group: "hq".into()
                }),
                word("a")
            ]
        );
        let fails = |args: &[&str]| tokenize(args, FLAGS).unwrap_err().to_string();
        assert_eq!(
            fails(&["--destination"]),
            "flag needs an argument: --destination"
        );
        assert_eq!(fails(&["-d"]), "flag needs an argument: 'd' in -d");
        assert_eq!(fails(&["-hd"]), "flag needs an argument: 'd' in -hd");
    }

    #[cfg(unix)]
    #[test]
    fn arguments_that_are_not_utf8_are_words() {
        use std::os::unix::ffi::OsStrExt;
        let odd = OsStr::from_bytes(b"-\xff");
        assert_eq!(tokenize(&[odd], FLAGS), Ok(vec![Token::Word(odd)]));
        let args = [OsStr::new("-d"), OsStr::from_bytes(b"\xff")];
        assert_eq!(
            tokenize(&args, FLAGS),
            Ok(vec![Token::Value {
                flag: flag("destination"),
                value: OsStr::from_bytes(b"\xff").to_owned()
            }])
        );
    }
}
