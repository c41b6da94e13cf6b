//! The `export` lines `labrun sandbox` prints for another shell, and the
//! checks that keep the values in them harmless: every value is shell-quoted
//! (a learner pastes these lines into a shell, so a value must never run as
//! code), and tokens and app slugs are validated where they are loaded.

use std::fmt::Write as _;

/// The longest token accepted; real Vendor API tokens are far shorter.
pub const MAX_TOKEN_LEN: usize = 512;

/// Why a token or an app slug cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("the API token is empty")]
    EmptyToken,
    #[error("the API token is longer than {MAX_TOKEN_LEN} characters")]
    LongToken,
    /// The token itself is not repeated: it is a secret.
    #[error(
        "the API token must be visible ASCII characters without spaces \
         (it is sent in an HTTP header)"
    )]
    TokenCharacters,
    #[error("app slug {0:?} must be letters, digits, '-' or '_'")]
    AppSlug(String),
}

/// A token is sent as the raw `Authorization` header: visible ASCII only,
/// no spaces, no control characters.
pub fn check_token(token: &str) -> Result<(), ValueError> {
    if token.is_empty() {
        return Err(ValueError::EmptyToken);
    }
    if token.len() > MAX_TOKEN_LEN {
        return Err(ValueError::LongToken);
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ValueError::TokenCharacters);
    }
    Ok(())
}

/// An app slug names files and URL paths: letters, digits, `-` and `_`.
pub fn check_app_slug(slug: &str) -> Result<(), ValueError> {
    let ok = !slug.is_empty()
        && slug.len() <= 128
        && slug
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ValueError::AppSlug(slug.to_string()))
    }
}

/// `export NAME=VALUE` lines, each value quoted for POSIX shells (`sh`,
/// `bash`, `zsh`), indented for the banner.
pub fn export_lines(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        let _ = writeln!(out, "  export {name}={}", shell_quote(value));
    }
    out
}

/// `value` as one shell word. shlex quotes with single quotes when needed;
/// a NUL byte cannot be in a shell word at all, so it is dropped (validated
/// values never hold one).
pub fn shell_quote(value: &str) -> String {
    let clean: String = value.chars().filter(|&c| c != '\0').collect();
    match shlex::try_quote(&clean) {
        Ok(quoted) => quoted.into_owned(),
        Err(_) => "''".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_validated_without_being_echoed() {
        assert!(check_token("0123456789abcdef").is_ok());
        assert!(
            check_token("tok$(touch${IFS}X)").is_ok(),
            "quoted when printed"
        );
        assert_eq!(check_token(""), Err(ValueError::EmptyToken));
        let spaced = check_token("tok$(touch X)").unwrap_err();
        assert_eq!(spaced, ValueError::TokenCharacters);
        assert!(!spaced.to_string().contains("touch"));
        assert_eq!(check_token("a\nb"), Err(ValueError::TokenCharacters));
        assert_eq!(check_token("é"), Err(ValueError::TokenCharacters));
        assert_eq!(check_token(&"x".repeat(513)), Err(ValueError::LongToken));
    }

    #[test]
    fn slugs_are_validated() {
        assert!(check_app_slug("slackernews-mackerel_2").is_ok());
        for bad in ["", "a b", "a/b", "$(x)", "a;b"] {
            assert!(check_app_slug(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn every_value_is_one_inert_shell_word() {
        let lines = export_lines(&[
            ("REPLICATED_API_ORIGIN", "http://127.0.0.1:8080"),
            ("REPLICATED_API_TOKEN", "tok$(touch X)`id`'q'\"d\"\\"),
            ("REPLICATED_APP", "slackernews-otter"),
        ]);
        assert!(lines.contains("export REPLICATED_API_ORIGIN=http://127.0.0.1:8080\n"));
        assert!(lines.contains("export REPLICATED_APP=slackernews-otter\n"));
        let token_line = lines.lines().nth(1).unwrap().trim();
        let word = token_line
            .strip_prefix("export REPLICATED_API_TOKEN=")
            .unwrap();
        assert_eq!(shlex::split(word).unwrap(), ["tok$(touch X)`id`'q'\"d\"\\"]);
    }
}
