//! Where an instructor view's token comes from: what `labrun class serve`
//! remembered on this machine for the class's base URL, else
//! `LABRUN_CLASS_TOKEN`. Never a flag (argv is visible to every user of the
//! machine), never printed: errors say where the token came from, not what
//! it is.

use super::WatchError;
use crate::class::credentials::Credentials;
use crate::class::protocol::INSTRUCTOR_TOKEN_ENV;
use std::fmt;

/// An instructor token and where it was found. `Debug` hides the token, so
/// it cannot reach a log or a panic message by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct InstructorToken {
    secret: String,
    pub source: TokenSource,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// Remembered by `class serve` in this file.
    Remembered(String),
    /// From [`INSTRUCTOR_TOKEN_ENV`].
    Env,
}

impl fmt::Display for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenSource::Remembered(path) => write!(f, "remembered in {path}"),
            TokenSource::Env => write!(f, "from {INSTRUCTOR_TOKEN_ENV}"),
        }
    }
}

impl fmt::Debug for InstructorToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InstructorToken([hidden], {})", self.source)
    }
}

impl InstructorToken {
    /// The `Authorization` header's value.
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.secret)
    }

    /// For tests and callers that hold a token already.
    pub fn new(secret: &str, source: TokenSource) -> InstructorToken {
        InstructorToken {
            secret: secret.to_string(),
            source,
        }
    }
}

/// The instructor token for the class at `base`, looked up in the
/// environment `env` gives (the process's, or a test's).
pub fn instructor_token(
    base: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<InstructorToken, WatchError> {
    let credentials = Credentials::default_location(env);
    let remembered_in = match &credentials {
        Ok(c) => c.path().display().to_string(),
        Err(_) => {
            "$XDG_DATA_HOME/labrun/classes.json (neither XDG_DATA_HOME nor HOME is set)".to_string()
        }
    };
    // A damaged credentials file must not hide a token the environment gives.
    let remembered = credentials
        .ok()
        .and_then(|c| c.instructor_token(base).ok().flatten())
        .filter(|t| !t.trim().is_empty());
    if let Some(secret) = remembered {
        return Ok(InstructorToken {
            secret: secret.trim().to_string(),
            source: TokenSource::Remembered(remembered_in),
        });
    }
    match env(INSTRUCTOR_TOKEN_ENV).filter(|t| !t.trim().is_empty()) {
        Some(secret) => Ok(InstructorToken {
            secret: secret.trim().to_string(),
            source: TokenSource::Env,
        }),
        None => Err(WatchError::NoToken {
            base: base.to_string(),
            remembered_in,
            env: INSTRUCTOR_TOKEN_ENV,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn a_remembered_token_comes_first_then_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_str().unwrap().to_string();
        let base = "http://127.0.0.1:7878";
        let env = env_of(&[("XDG_DATA_HOME", &data), (INSTRUCTOR_TOKEN_ENV, "lri_env")]);
        let token = instructor_token(base, &env).unwrap();
        assert_eq!(token.source, TokenSource::Env);
        assert_eq!(token.bearer(), "Bearer lri_env");
        Credentials::default_location(&env)
            .unwrap()
            .remember(&[base.to_string()], "lri_remembered")
            .unwrap();
        let token = instructor_token(base, &env).unwrap();
        assert_eq!(token.bearer(), "Bearer lri_remembered");
        assert!(matches!(token.source, TokenSource::Remembered(_)));
        assert!(!format!("{token:?}").contains("lri_"), "{token:?}");
    }

    #[test]
    fn no_token_says_both_ways_to_give_one() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_str().unwrap().to_string();
        let env = env_of(&[("XDG_DATA_HOME", &data), (INSTRUCTOR_TOKEN_ENV, "  ")]);
        let error = instructor_token("http://h:1", &env)
            .unwrap_err()
            .to_string();
        assert!(error.contains("labrun class serve"), "{error}");
        assert!(error.contains("classes.json"), "{error}");
        assert!(error.contains(INSTRUCTOR_TOKEN_ENV), "{error}");
        let error = instructor_token("http://h:1", &env_of(&[]))
            .unwrap_err()
            .to_string();
        assert!(error.contains(INSTRUCTOR_TOKEN_ENV), "{error}");
    }
}
