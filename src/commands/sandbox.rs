//! `labrun sandbox`: the local Vendor API served for another shell, with
//! the app, token and state of the workspace it is run in (or made up).

use super::SUCCESS;
use super::error::CommandError;
use crate::session::{APP_VAR, TOKEN_VAR};
use crate::vendor_api::server::ServerConfig;
use crate::vendor_api::server::exports::{check_app_slug, check_token};
use crate::workspace;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub(super) fn sandbox(
    listen: SocketAddr,
    state: Option<PathBuf>,
    app: Option<String>,
    token: Option<String>,
    dir: Option<&Path>,
) -> Result<u8, CommandError> {
    // A named workspace must exist; the current directory is used only if it is one.
    let workspace = match dir {
        Some(dir) => Some(workspace::open(dir)?),
        None => workspace::open(Path::new(".")).ok(),
    };
    let saved = |name: &str| {
        workspace
            .as_ref()
            .and_then(|w| w.state.vars.get(name).cloned())
    };
    // Where a value came from, for an error that says which file to fix.
    let source = |flag: &str| match &workspace {
        Some(w) => format!(
            "{} (from {})",
            flag,
            w.state_dir().join("workspace.json").display()
        ),
        None => flag.to_string(),
    };
    let (app_slug, app_source) = match app {
        Some(app) => (app, "--app".to_string()),
        None => match saved(APP_VAR) {
            Some(app) => (app, source(APP_VAR)),
            None => (
                workspace::generate_value("slackernews-{word}"),
                String::new(),
            ),
        },
    };
    check_app_slug(&app_slug).map_err(|error| CommandError::SandboxValue {
        origin: app_source,
        error,
    })?;
    let (token, token_source) = match token {
        Some(token) => (token, "--token".to_string()),
        None => match saved(TOKEN_VAR) {
            Some(token) => (token, source(TOKEN_VAR)),
            None => (workspace::generate_value("{token}"), String::new()),
        },
    };
    check_token(&token).map_err(|error| CommandError::SandboxValue {
        origin: token_source,
        error,
    })?;
    let config = ServerConfig {
        listen,
        state_path: state.or_else(|| {
            workspace
                .as_ref()
                .map(|w| crate::session::vendor_state_path(w, &app_slug))
        }),
        app_slug,
        token,
    };
    crate::vendor_api::server::command::run(config)?;
    Ok(SUCCESS)
}
