//! `kind = "yaml"`: a value at a key path equals / starts with / matches.

use super::files::Files;
use super::{Outcome, read_text};
use crate::lesson::{Expect, Vars};
use crate::yaml::{self, Lookup};

pub(super) fn check(
    name: &str,
    files: &dyn Files,
    file: &str,
    key: &str,
    expect: &Expect,
    vars: &Vars,
) -> Outcome {
    let expect = match expand(expect, vars) {
        Ok(expect) => expect,
        Err(outcome) => return outcome.renamed(name),
    };
    let text = match read_text(name, files, file) {
        Ok(text) => text,
        Err(outcome) => return outcome,
    };
    let shown = files.display(file);
    let root = match yaml::parse(&text) {
        Ok(Some(root)) => root,
        Ok(None) => return Outcome::fail(name, format!("{shown} is empty: expected {key} in it")),
        Err(e) => {
            return Outcome::fail(
                name,
                format!(
                    "{shown} is not valid YAML: line {}, column {}: {}",
                    e.line, e.column, e.message
                ),
            )
            .at(file, e.line);
        }
    };
    let node = match root.lookup(key) {
        Lookup::Found(node) => node,
        Lookup::Missing {
            found,
            missing,
            line,
        } => {
            let parent = path_named(&found);
            return Outcome::fail(
                name,
                format!("{key} is not set in {shown}: {parent} has no key `{missing}`"),
            )
            .at(file, line);
        }
        Lookup::NotContainer { found, what, line } => {
            return Outcome::fail(
                name,
                format!("{key} is not set in {shown}: `{found}` is {what}, not a mapping"),
            )
            .at(file, line);
        }
    };
    let Some(found) = node.as_scalar() else {
        return Outcome::fail(
            name,
            format!(
                "{key} in {shown} is {}, expected a single value",
                node.kind_name()
            ),
        )
        .at(file, node.line);
    };
    compare(name, key, &shown, found, &expect).at(file, node.line)
}

/// A key path as a message names it: `` `images.proxy` ``, or "the top
/// level" for the empty path of the document itself.
pub(super) fn path_named(path: &str) -> String {
    if path.is_empty() {
        "the top level".to_string()
    } else {
        format!("`{path}`")
    }
}

/// An expectation with its variables filled in (regex values escaped).
enum Expanded {
    Equals(String),
    StartsWith(String),
    Matches(regex::Regex, String),
}

fn expand(expect: &Expect, vars: &Vars) -> Result<Expanded, Outcome> {
    let missing = |e: crate::lesson::vars::MissingVar| Outcome::error("", e.to_string());
    Ok(match expect {
        Expect::Equals(v) => Expanded::Equals(vars.expand(v).map_err(missing)?),
        Expect::StartsWith(v) => Expanded::StartsWith(vars.expand(v).map_err(missing)?),
        Expect::Matches(v) => {
            let pattern = vars.expand_regex(v).map_err(missing)?;
            let regex = regex::Regex::new(&pattern).map_err(|e| {
                Outcome::error(
                    "",
                    format!("the lesson's pattern {pattern:?} is invalid: {e}"),
                )
            })?;
            Expanded::Matches(regex, pattern)
        }
    })
}

fn compare(name: &str, key: &str, shown: &str, found: &str, expect: &Expanded) -> Outcome {
    let (ok, wanted) = match expect {
        Expanded::Equals(v) => (found == v, format!("{v:?}")),
        Expanded::StartsWith(v) => (
            found.starts_with(v.as_str()),
            format!("a value starting with {v:?}"),
        ),
        Expanded::Matches(re, pattern) => {
            (re.is_match(found), format!("a value matching /{pattern}/"))
        }
    };
    if ok {
        return Outcome::pass(name, format!("{key} is {found:?}"));
    }
    let outcome = Outcome::fail(
        name,
        format!("{key} in {shown}\n  expected: {wanted}\n  found:    {found:?}"),
    );
    match expect {
        Expanded::Equals(v) => outcome.with_diff(format!("-{found}\n+{v}\n")),
        _ => outcome,
    }
}

impl Outcome {
    fn renamed(mut self, name: &str) -> Outcome {
        self.name = name.to_string();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::super::Status;
    use super::super::test_support::*;
    use crate::lesson::{CheckKind, Expect};
    use std::fs;

    const VALUES: &str =
        "images:\n  slackernews:\n    repository: ghcr.io/slackernews/slackernews-web:1.0.17\n";

    fn run(text: &str, key: &str, expect: Expect) -> super::Outcome {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("values.yaml"), text).unwrap();
        let kind = CheckKind::Yaml {
            file: "values.yaml".into(),
            key: key.into(),
            expect,
        };
        eval_in(dir.path(), kind, &vars(&[("APP", "sn-app")]))
    }

    const KEY: &str = "images.slackernews.repository";

    #[test]
    fn equals_passes_on_the_exact_value() {
        let o = run(
            VALUES,
            KEY,
            Expect::Equals("ghcr.io/slackernews/slackernews-web:1.0.17".into()),
        );
        assert_eq!(o.status, Status::Pass, "{}", o.message);
        assert_eq!(o.location.as_deref(), Some("values.yaml:3"));
    }

    #[test]
    fn equals_fails_saying_expected_found_and_where() {
        let o = run(
            VALUES,
            KEY,
            Expect::Equals(
                "proxy.replicated.com/proxy/${APP}/ghcr.io/slackernews/slackernews-web:1.0.17"
                    .into(),
            ),
        );
        assert_eq!(o.status, Status::Fail);
        assert_eq!(
            o.message,
            "images.slackernews.repository in values.yaml\n  expected: \"proxy.replicated.com/proxy/sn-app/ghcr.io/slackernews/slackernews-web:1.0.17\"\n  found:    \"ghcr.io/slackernews/slackernews-web:1.0.17\""
        );
        assert_eq!(o.location.as_deref(), Some("values.yaml:3"));
        assert!(o.diff.unwrap().starts_with("-ghcr.io"));
    }

    #[test]
    fn starts_with_and_matches() {
        assert_eq!(
            run(VALUES, KEY, Expect::StartsWith("ghcr.io/".into())).status,
            Status::Pass
        );
        assert_eq!(
            run(VALUES, KEY, Expect::StartsWith("proxy.".into())).status,
            Status::Fail
        );
        assert_eq!(
            run(VALUES, KEY, Expect::Matches(r":1\.0\.\d+$".into())).status,
            Status::Pass
        );
        let o = run(VALUES, KEY, Expect::Matches("^proxy/${APP}/".into()));
        assert!(
            o.message.contains(r"matching /^proxy/sn\-app/"),
            "{}",
            o.message
        );
    }

    #[test]
    fn versions_compare_as_written() {
        let o = run("version: 0.50\n", "version", Expect::Equals("0.5".into()));
        assert_eq!(o.status, Status::Fail);
    }

    #[test]
    fn syntax_error_is_a_failure_naming_the_line() {
        let o = run(
            "images:\n  slackernews:\n   repository: x\n  nginx: [\n",
            KEY,
            Expect::Equals("x".into()),
        );
        assert_eq!(o.status, Status::Fail);
        assert!(
            o.message.starts_with("values.yaml is not valid YAML: line"),
            "{}",
            o.message
        );
        assert!(o.location.is_some());
    }

    #[test]
    fn missing_key_says_where_the_path_stops() {
        let o = run(
            VALUES,
            "images.nginx.repository",
            Expect::Equals("x".into()),
        );
        assert_eq!(
            o.message,
            "images.nginx.repository is not set in values.yaml: `images` has no key `nginx`"
        );
        assert_eq!(o.location.as_deref(), Some("values.yaml:2"));
        let o = run(VALUES, "images.slackernews", Expect::Equals("x".into()));
        assert!(
            o.message.contains("is a mapping, expected a single value"),
            "{}",
            o.message
        );
    }

    #[test]
    fn missing_and_empty_files_fail() {
        let dir = tempfile::tempdir().unwrap();
        let kind = CheckKind::Yaml {
            file: "values.yaml".into(),
            key: KEY.into(),
            expect: Expect::Equals("x".into()),
        };
        let o = eval_in(dir.path(), kind, &vars(&[]));
        assert_eq!(
            (o.status, o.message.as_str()),
            (Status::Fail, "values.yaml does not exist")
        );
        let o = run("", KEY, Expect::Equals("x".into()));
        assert_eq!(o.status, Status::Fail);
    }
}
