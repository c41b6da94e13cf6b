//! `kind = "text"`: a file matches the lesson's text, whatever its whitespace
//! layout (indentation, trailing spaces, blank lines). A mismatch comes with
//! a unified diff of the two texts, laid out alike so only real differences show.

use super::files::Files;
use super::{Outcome, read_text};
use crate::lesson::vars::MissingVar;
use crate::lesson::{ExpectedText, Vars};
use similar::TextDiff;

pub(super) fn check(
    name: &str,
    files: &dyn Files,
    file: &str,
    expected: &ExpectedText,
    vars: &Vars,
) -> Outcome {
    let expected = match load_expected(expected, vars) {
        Ok(text) => text,
        Err(why) => return Outcome::error(name, why.to_string()),
    };
    let found = match read_text(name, files, file) {
        Ok(text) => text,
        Err(outcome) => return outcome,
    };
    let shown = files.display(file);
    if words(&found).eq(words(&expected)) {
        return Outcome::pass(name, format!("{shown} matches the lesson's text"));
    }
    let (expected_lines, found_lines) = (normalized_lines(&expected), normalized_lines(&found));
    let first_difference = first_differing_line(&found, &expected_lines, &found_lines);
    // Read as the patch that turns the learner's file into the lesson's text.
    let diff = TextDiff::from_lines(&found_lines, &expected_lines)
        .unified_diff()
        .context_radius(3)
        .header(&format!("found ({shown})"), "expected (lesson)")
        .to_string();
    Outcome::fail(
        name,
        format!("{shown} differs from the lesson's text (whitespace layout aside); first difference at line {first_difference}"),
    )
    .with_diff(diff)
    .at(file, first_difference)
}

/// Why the lesson's expected text is not there to compare with: the
/// lesson's fault, so the check is an error, not a failure.
#[derive(Debug, thiserror::Error)]
enum ExpectedError {
    #[error("the lesson's expected text cannot be read: {0}")]
    Unreadable(crate::fsutil::ReadError),
    #[error(transparent)]
    Missing(#[from] MissingVar),
}

fn load_expected(expected: &ExpectedText, vars: &Vars) -> Result<String, ExpectedError> {
    let text = match expected {
        ExpectedText::Inline(text) => text.clone(),
        ExpectedText::File(path) => {
            crate::fsutil::read_text(path).map_err(ExpectedError::Unreadable)?
        }
    };
    Ok(vars.expand(&text)?)
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace()
}

/// Each non-blank line with its whitespace runs collapsed, newline-terminated.
fn normalized_lines(text: &str) -> String {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .map(|l| l + "\n")
        .collect()
}

/// The line of `found` (1-based, counting blank lines) where the normalized
/// texts first part ways.
fn first_differing_line(found: &str, expected_norm: &str, found_norm: &str) -> usize {
    let index = expected_norm
        .lines()
        .zip(found_norm.lines())
        .position(|(e, f)| e != f)
        .unwrap_or_else(|| {
            expected_norm
                .lines()
                .count()
                .min(found_norm.lines().count())
        });
    found
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .nth(index)
        .map_or(found.lines().count().max(1), |(n, _)| n + 1)
}

#[cfg(test)]
mod tests {
    use super::super::Status;
    use super::super::test_support::*;
    use super::{ExpectedError, MissingVar, load_expected};
    use crate::lesson::{CheckKind, ExpectedText};
    use std::fs;

    const SECRET: &str = "{{ if hasKey ((.Values.global).replicated) \"dockerconfigjson\" }}\napiVersion: v1\nkind: Secret\nmetadata:\n  name: replicated-pull-secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {{ .Values.global.replicated.dockerconfigjson }}\n{{ end }}\n";

    fn run(found: &str) -> super::Outcome {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("secret.yaml"), found).unwrap();
        let kind = CheckKind::Text {
            file: "secret.yaml".into(),
            expected: ExpectedText::Inline(SECRET.into()),
        };
        eval_in(dir.path(), kind, &vars(&[]))
    }

    #[test]
    fn whitespace_layout_does_not_matter() {
        assert_eq!(run(SECRET).status, Status::Pass);
        let relaid = SECRET.replace("  name", "    name").replace('\n', "  \n\n");
        assert_eq!(run(&relaid).status, Status::Pass);
    }

    #[test]
    fn a_real_difference_fails_with_a_diff_and_the_line() {
        let wrong = SECRET.replace("replicated-pull-secret", "my-secret");
        let o = run(&wrong);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.location.as_deref(), Some("secret.yaml:5"));
        let diff = o.diff.unwrap();
        assert!(
            diff.contains("-name: my-secret\n+name: replicated-pull-secret\n"),
            "{diff}"
        );
        assert!(
            diff.starts_with("--- found (secret.yaml)\n+++ expected (lesson)\n"),
            "{diff}"
        );
    }

    #[test]
    fn a_missing_guard_is_caught() {
        let unguarded: String = SECRET
            .lines()
            .skip(1)
            .take(7)
            .map(|l| format!("{l}\n"))
            .collect();
        let o = run(&unguarded);
        assert_eq!(o.status, Status::Fail);
        assert!(o.diff.unwrap().contains("+{{ if hasKey"));
        assert_eq!(o.location.as_deref(), Some("secret.yaml:1"));
    }

    #[test]
    fn missing_expected_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("f"), "x").unwrap();
        let kind = CheckKind::Text {
            file: "f".into(),
            expected: ExpectedText::File(dir.path().join("nope")),
        };
        let outcome = eval_in(dir.path(), kind, &vars(&[]));
        assert_eq!(outcome.status, Status::Error);
        assert!(
            outcome
                .message
                .starts_with("the lesson's expected text cannot be read: "),
            "{}",
            outcome.message
        );
        let expected = ExpectedText::File(dir.path().join("nope"));
        assert!(matches!(
            load_expected(&expected, &vars(&[])),
            Err(ExpectedError::Unreadable(e)) if e.is_not_found()
        ));
        let expected = ExpectedText::Inline("${NOPE}".into());
        assert!(matches!(
            load_expected(&expected, &vars(&[])),
            Err(ExpectedError::Missing(MissingVar(name))) if name == "NOPE"
        ));
    }
}
