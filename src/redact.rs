//! Keeping secret values out of labrun's output. A secret can reach output
//! in more shapes than as written: quoted with `{:?}` (which escapes quotes,
//! backslashes and combining marks), escaped in a regular expression a
//! check shows, with its whitespace collapsed by a text comparison, and then
//! escaped again by JSON or XML output. Every one of those shapes is
//! replaced by [`REDACTED`].
//!
//! A secret shorter than [`MIN_SECRET_CHARS`] (not counting whitespace), or
//! holding a control character, is refused rather than redacted (see
//! [`weakness`]): a short value occurs by chance in ordinary text, and
//! hiding it there would garble output while a line break inside a secret
//! splits it across lines no replacement can see whole.

use aho_corasick::{AhoCorasick, MatchKind};
use std::borrow::Cow;

/// What stands in for a secret value in every output.
pub const REDACTED: &str = "[hidden]";

/// The fewest characters (whitespace aside) a secret value may have.
pub const MIN_SECRET_CHARS: usize = 8;

/// Why `value` cannot be a secret labrun keeps out of its output, if it cannot.
pub fn weakness(value: &str) -> Option<String> {
    if value.chars().any(char::is_control) {
        return Some("holds a control character (a line break, a tab…)".into());
    }
    let count = value.chars().filter(|c| !c.is_whitespace()).count();
    (count < MIN_SECRET_CHARS).then(|| {
        format!(
            "has {count} characters (whitespace aside), fewer than {MIN_SECRET_CHARS}: \
             a value that short could not be told apart from ordinary text in output"
        )
    })
}

/// Replaces every form of a set of secret values.
#[derive(Clone, Default)]
pub struct Redactor {
    /// All forms of all secrets, the longest winning where they overlap;
    /// `None` without secrets.
    forms: Option<AhoCorasick>,
}

impl Redactor {
    /// A redactor for `secrets`; values with a [`weakness`] are left out
    /// (they are refused before anything runs with them).
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Redactor {
        let mut all: Vec<String> = secrets
            .into_iter()
            .filter(|s| weakness(s).is_none())
            .flat_map(forms)
            .collect();
        if all.is_empty() {
            return Redactor::default();
        }
        all.sort();
        all.dedup();
        // Leftmost-longest: where forms overlap, the whole of the longest goes.
        let forms = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&all)
            .expect("a few short literal patterns always build");
        Redactor { forms: Some(forms) }
    }

    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        match &self.forms {
            Some(forms) if forms.is_match(text) => {
                let mut out = String::with_capacity(text.len());
                forms.replace_all_with(text, &mut out, |_, _, out| {
                    out.push_str(REDACTED);
                    true
                });
                Cow::Owned(out)
            }
            _ => Cow::Borrowed(text),
        }
    }
}

/// Every shape `secret` takes in labrun's output: as written or with its
/// whitespace collapsed; as is or regex-escaped; as is or `{:?}`-escaped;
/// and each of those as is, JSON-escaped or XML-escaped.
pub fn forms(secret: &str) -> Vec<String> {
    let collapsed = secret.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut shown = Vec::new();
    for text in [secret.to_string(), collapsed] {
        for text in [regex::escape(&text), text] {
            shown.push(debug_escaped(&text));
            shown.push(text);
        }
    }
    let mut all = Vec::new();
    for text in shown {
        all.push(json_escaped(&text));
        all.push(crate::output::xml(&text));
        all.push(text);
    }
    all.retain(|f| !f.is_empty());
    all.sort();
    all.dedup();
    all
}

/// `text` as `{:?}` writes it inside a larger string (quotes, backslashes,
/// control characters and combining marks escaped, char by char).
fn debug_escaped(text: &str) -> String {
    let quoted = format!("{text:?}");
    quoted[1..quoted.len() - 1].to_string()
}

fn json_escaped(text: &str) -> String {
    let quoted = serde_json::to_string(text).expect("a string serializes");
    quoted[1..quoted.len() - 1].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUOTED: &str = "it's \"q\"-pw\u{301}x";
    const REGEXY: &str = "p@ss.w0rd+x(1)";
    const SPACED: &str = "pass   word   long";

    fn redactor() -> Redactor {
        Redactor::new([QUOTED, REGEXY, SPACED, "abc"])
    }

    #[test]
    fn every_shape_of_a_secret_is_hidden() {
        let r = redactor();
        let shapes = [
            format!("expected: {:?}", QUOTED),
            format!("found {:?} here", format!("<{QUOTED}>")),
            format!("a value matching /^{}$/", regex::escape(REGEXY)),
            format!("pattern {:?}", regex::escape(REGEXY)),
            "+pw: pass word long".to_string(),
            serde_json::to_string(&format!("expected: {:?}", QUOTED)).unwrap(),
            crate::output::xml(&format!("expected: {QUOTED:?} and {REGEXY}")),
        ];
        for text in shapes {
            let redacted = r.redact(&text);
            assert!(redacted.contains(REDACTED), "{text} → {redacted}");
            for secret in [QUOTED, REGEXY, SPACED] {
                for form in forms(secret) {
                    assert!(!redacted.contains(&form), "{form} in {redacted}");
                }
            }
        }
    }

    #[test]
    fn a_debug_quoted_secret_is_hidden_whole() {
        assert_eq!(
            redactor().redact(&format!("expected: {QUOTED:?}")),
            "expected: \"[hidden]\""
        );
    }

    #[test]
    fn short_or_multi_line_values_are_weak_and_never_redacted() {
        assert!(weakness("abc").is_some());
        assert!(weakness("a b c d e f g").is_some());
        assert!(weakness("line\nbreak-long-enough").is_some());
        assert!(weakness("abcdefgh").is_none());
        assert!(weakness(SPACED).is_none());
        // "abc" is left alone rather than cut out of every word.
        assert_eq!(redactor().redact("abcdef"), "abcdef");
        assert!(matches!(Redactor::new([]).redact("x"), Cow::Borrowed("x")));
    }
}
