//! The instructor tokens this machine knows: `labrun class serve` remembers
//! the token of the class it serves under every URL it prints, so `labrun
//! class watch URL` and `labrun report URL` on the same machine need nothing
//! more. Kept in `$XDG_DATA_HOME/labrun/classes.json` (else
//! `~/.local/share/labrun/`), written atomically (mode 0600, like every
//! temp-file-and-rename write). On another machine the token comes from
//! `LABRUN_CLASS_TOKEN` — never from a flag, which every user of the
//! machine could read in the process list.

use crate::json_state::{self, JsonStateError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

const FILE: &str = "classes.json";

#[derive(Debug, Default, Serialize, Deserialize)]
struct CredentialsFile {
    /// Base URL → instructor token.
    #[serde(default)]
    instructor_tokens: BTreeMap<String, String>,
}

/// Where the tokens are kept.
#[derive(Debug, Clone)]
pub struct Credentials {
    dir: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error(
        "no place to remember the instructor token: neither XDG_DATA_HOME nor HOME is set (set {} instead)",
        super::protocol::INSTRUCTOR_TOKEN_ENV
    )]
    NoDataDir,
    #[error(transparent)]
    State(#[from] JsonStateError),
}

impl Credentials {
    pub fn in_dir(dir: PathBuf) -> Credentials {
        Credentials { dir }
    }

    /// `$XDG_DATA_HOME/labrun` (absolute only), else `$HOME/.local/share/labrun`.
    pub fn default_location(
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Credentials, CredentialsError> {
        let dir = crate::fsutil::data_dir(env).ok_or(CredentialsError::NoDataDir)?;
        Ok(Credentials::in_dir(dir))
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE)
    }

    /// Remembers `token` as the instructor token of the class at each of `bases`.
    pub fn remember(&self, bases: &[String], token: &str) -> Result<(), CredentialsError> {
        std::fs::create_dir_all(&self.dir).map_err(|source| JsonStateError::Io {
            path: self.dir.clone(),
            source,
        })?;
        let lock = self.dir.join(format!("{FILE}.lock"));
        json_state::update(&self.path(), &lock, |file: &mut CredentialsFile| {
            for base in bases {
                file.instructor_tokens
                    .insert(normalise(base), token.to_string());
            }
        })?;
        Ok(())
    }

    /// The instructor token remembered for the class at `base`.
    pub fn instructor_token(&self, base: &str) -> Result<Option<String>, CredentialsError> {
        let file: CredentialsFile = json_state::read(&self.path())?;
        Ok(file.instructor_tokens.get(&normalise(base)).cloned())
    }

    /// Every instructor token remembered here (a resumed server finds its
    /// own by hash, whatever URL it was remembered under).
    pub fn known_tokens(&self) -> Result<Vec<String>, CredentialsError> {
        let file: CredentialsFile = json_state::read(&self.path())?;
        Ok(file.instructor_tokens.into_values().collect())
    }
}

fn normalise(base: &str) -> String {
    base.trim().trim_end_matches('/').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_token_is_found_under_each_url_and_the_file_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let credentials = Credentials::in_dir(dir.path().join("labrun"));
        let bases = [
            "http://127.0.0.1:7878".to_string(),
            "http://10.0.0.5:7878/".to_string(),
        ];
        credentials.remember(&bases, "lri_secret").unwrap();
        assert_eq!(
            credentials
                .instructor_token("http://10.0.0.5:7878")
                .unwrap()
                .as_deref(),
            Some("lri_secret")
        );
        assert_eq!(
            credentials
                .instructor_token("HTTP://127.0.0.1:7878/")
                .unwrap()
                .as_deref(),
            Some("lri_secret")
        );
        assert_eq!(
            credentials
                .instructor_token("http://127.0.0.1:9999")
                .unwrap(),
            None
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(credentials.path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "{mode:o}");
        }
    }

    #[test]
    fn no_home_is_a_clear_error() {
        let error = Credentials::default_location(&|_| None).unwrap_err();
        assert!(error.to_string().contains("LABRUN_CLASS_TOKEN"), "{error}");
    }
}
