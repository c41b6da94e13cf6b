//! The secret values a command line touches, found again when it fails so
//! the error message can be redacted: an error can quote anything (an
//! origin such as `REPLICATED_API_ORIGIN="x $TOKEN"`, a value from a file)
//! and is raised before, or far from, the code that knew the variables.

use crate::cli::{Command, ProgressAction};
use crate::lesson::{Lesson, Variable, Vars, bundled};
use crate::redact::Redactor;
use crate::workspace;
use std::path::{Path, PathBuf};

/// What a command names: its lesson, its workspace, its `--var`s and any
/// secret given as an argument.
#[derive(Debug, Default)]
pub struct CommandSecrets {
    lesson: Option<String>,
    workspace: Option<PathBuf>,
    vars: Vec<(String, String)>,
    given: Vec<String>,
}

impl CommandSecrets {
    pub fn of(command: &Command) -> CommandSecrets {
        let named = |lesson: &Option<String>, workspace: Option<&Path>| CommandSecrets {
            lesson: lesson.clone(),
            workspace: workspace.map(Path::to_path_buf),
            ..CommandSecrets::default()
        };
        match command {
            Command::Start {
                lesson,
                workspace,
                vars,
                ..
            }
            | Command::Show {
                lesson,
                workspace,
                vars,
                ..
            } => CommandSecrets {
                vars: vars.vars.clone(),
                ..named(lesson, workspace.as_deref())
            },
            Command::Check {
                lesson,
                workspace,
                vars,
                ..
            } => CommandSecrets {
                vars: vars.vars.clone(),
                ..named(lesson, workspace.workspace.as_deref())
            },
            Command::Solve {
                workspace, vars, ..
            } => CommandSecrets {
                vars: vars.vars.clone(),
                ..named(&None, workspace.workspace.as_deref())
            },
            Command::Hint { workspace, .. }
            | Command::Reset { workspace, .. }
            | Command::Progress {
                action: None,
                workspace,
                ..
            }
            | Command::Progress {
                action: Some(ProgressAction::Export { workspace, .. }),
                ..
            } => named(&None, workspace.workspace.as_deref()),
            Command::Init { args, .. } => match args.as_slice() {
                [lesson, dir] => named(&Some(lesson.clone()), Some(Path::new(dir))),
                [dir] => named(&None, Some(Path::new(dir))),
                _ => CommandSecrets::default(),
            },
            Command::Sandbox {
                token, workspace, ..
            } => CommandSecrets {
                given: token.iter().cloned().collect(),
                ..named(&None, workspace.as_deref())
            },
            Command::Lint { lesson, .. } => named(lesson, None),
            Command::Class {
                action: crate::cli::ClassAction::Join { workspace, .. },
            } => named(&None, workspace.workspace.as_deref()),
            Command::Test { .. }
            | Command::Trust { .. }
            | Command::Report { .. }
            | Command::Class { .. }
            | Command::Replicated { .. }
            | Command::Helm { .. } => CommandSecrets::default(),
        }
    }

    /// `message` without any secret value of the lesson and workspace the
    /// command names (from `--var`, the environment or the workspace), as
    /// far as they can still be opened.
    pub fn redact(&self, message: &str) -> String {
        let dir = match &self.workspace {
            Some(dir) => Some(dir.clone()),
            None => std::env::current_dir()
                .ok()
                .and_then(|here| workspace::find(&here)),
        };
        let workspace = dir.and_then(|dir| workspace::open(&dir).ok());
        let lesson_dir = match (&self.lesson, &workspace) {
            (Some(arg), _) => bundled::resolve(Some(arg)).ok(),
            (None, Some(ws)) if ws.state.lesson.dir.is_dir() => Some(ws.state.lesson.dir.clone()),
            (None, Some(ws)) => bundled::resolve(Some(&ws.state.lesson.slug)).ok(),
            (None, None) => bundled::resolve(None).ok(),
        };
        // The class token of the workspace, if it joined a class.
        let class_token = workspace
            .as_ref()
            .and_then(|w| crate::class::outbox::membership::token_of(&w.root));
        let saved = workspace.map(|w| w.state.vars).unwrap_or_default();
        let declared = match lesson_dir.and_then(|dir| Lesson::load(&dir).ok()) {
            Some(lesson) => lesson.variables,
            // Without the lesson every saved value counts as secret.
            None => saved.keys().map(|name| Variable::secret(name)).collect(),
        };
        let vars = Vars::resolve(&declared, &self.vars, |k| std::env::var(k).ok(), &saved);
        let message = vars.redact(message);
        Redactor::new(self.given.iter().chain(&class_token).map(String::as_str))
            .redact(&message)
            .into_owned()
    }
}
