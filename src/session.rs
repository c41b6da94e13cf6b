//! The surroundings of a lab run: the lesson's variables, labrun's stand-ins
//! on PATH, and the Vendor API the lesson talks to. Offline (the default) that
//! API is the local one, running in this process on the workspace's state
//! file for as long as the session lives; `check`, `solve` and the lab screen
//! all open one. The session makes the one Vendor API client its checks use.

use crate::checks::{Context, Scripts};
use crate::lesson::{CheckKind, Course, Lesson, Vars};
use crate::lifecycle::runner::Runner;
use crate::vendor_api::client::{self, Client, ClientError};
use crate::vendor_api::server::exports::{ValueError, check_app_slug, check_token};
use crate::vendor_api::server::owner::{self, Claim, OwnerRecord, Ownership};
use crate::vendor_api::server::{Sandbox, ServerConfig, ServerError};
use crate::workspace::{Workspace, WorkspaceError};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The variables that name the Vendor API (the client's, under the names
/// the commands use).
pub use crate::vendor_api::client::{
    ENV_APP as APP_VAR, ENV_ORIGIN as ORIGIN_VAR, ENV_TOKEN as TOKEN_VAR,
};
/// The local API's state files, one per app, inside the workspace's state.
pub const VENDOR_STATE_DIR: &str = "vendor-api";

/// Where the local API keeps the state of `app` for a workspace.
pub fn vendor_state_path(workspace: &Workspace, app: &str) -> PathBuf {
    workspace
        .state_dir()
        .join(VENDOR_STATE_DIR)
        .join(format!("{app}.json"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiMode {
    /// The local Vendor API, unless REPLICATED_API_ORIGIN names another.
    Offline,
    /// The real service (or REPLICATED_API_ORIGIN), with the learner's token.
    Online,
}

/// The session's Vendor API client, shared with the lab's check thread; or
/// why it could not be made (a token that cannot be sent in a header), which
/// each release check reports, so the rest of the lab still works.
pub type SharedClient = Arc<Result<Client, ClientError>>;

pub struct Session {
    pub vars: Vars,
    pub extra_path: Option<PathBuf>,
    /// Made once when the lesson asks the Vendor API; every check reuses it.
    pub api: Option<SharedClient>,
    /// Declared before `sandbox` so that it is dropped first: the record
    /// of the local API is withdrawn before the server stops.
    publication: Option<Publication>,
    /// Kept alive for the session; dropping it stops the local API.
    sandbox: Option<Sandbox>,
    /// What publishing the local API needs: its state file and credentials.
    local: Option<LocalApi>,
    cache_dir: PathBuf,
    /// The runner of the course's lifecycle scripts (check scripts run
    /// through it); None for a course without scripts. Dropping it ends
    /// every script still running.
    runner: Option<Runner>,
}

struct LocalApi {
    state_path: PathBuf,
    token: String,
    app: String,
}

/// The lab's claim to be the server a learner's other shells use (see
/// `vendor::server::owner`): held by a thread that publishes at once, or
/// as soon as the current owner (a `labrun sandbox`) ends.
struct Publication {
    slot: Arc<Mutex<PublicationSlot>>,
}

#[derive(Default)]
struct PublicationSlot {
    ended: bool,
    ownership: Option<Ownership>,
}

impl Drop for Publication {
    fn drop(&mut self) {
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        slot.ended = true;
        slot.ownership = None;
    }
}

/// Why a session could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Workspace(WorkspaceError),
    #[error("the local Vendor API could not start: {0}")]
    Server(ServerError),
    /// The Vendor API's settings are incomplete (no token, no app).
    #[error(transparent)]
    Client(ClientError),
    /// A variable the local API needs has a value it cannot use; `from` says
    /// where the value came from, in words that say what to fix.
    #[error("the local Vendor API could not start: {var} {from}: {problem}")]
    Invalid {
        var: &'static str,
        from: String,
        problem: ValueError,
    },
    /// The course's scripts cannot run on this machine as asked (host mode).
    #[error(transparent)]
    Lifecycle(#[from] crate::lifecycle::LifecycleError),
}

/// Whether any step of the lesson asks the Vendor API.
pub fn uses_vendor_api(lesson: &Lesson) -> bool {
    lesson
        .steps
        .iter()
        .flat_map(|s| &s.checks)
        .any(|c| matches!(c.kind, CheckKind::Release { .. }))
}

impl Session {
    /// The session of `course` in `workspace`: its stand-ins, the Vendor
    /// API if any challenge asks it, the runner if it has scripts.
    pub fn open(
        course: &Course,
        workspace: &Workspace,
        mut vars: Vars,
        mode: ApiMode,
    ) -> Result<Session, SessionError> {
        let extra_path = workspace.standins_dir().map_err(SessionError::Workspace)?;
        let mut session = Session {
            vars: Vars::default(),
            extra_path,
            api: None,
            sandbox: None,
            local: None,
            publication: None,
            cache_dir: workspace.state_dir().join("cache"),
            runner: None,
        };
        if course.scripts().next().is_some() {
            session.runner = Some(crate::course_run::runner_for(course, workspace)?);
        }
        if course.challenges.iter().any(uses_vendor_api) {
            if let Some(origin) = std::env::var(ORIGIN_VAR)
                .ok()
                .filter(|o| !o.is_empty() && vars.get(ORIGIN_VAR).is_none())
            {
                vars.set(
                    ORIGIN_VAR,
                    &origin,
                    crate::lesson::vars::Source::Environment,
                );
            }
            let external = vars.get(ORIGIN_VAR).is_some();
            if mode == ApiMode::Offline && !external {
                let (sandbox, local) = start_sandbox(workspace, &vars)?;
                session.local = Some(local);
                vars.set(
                    ORIGIN_VAR,
                    sandbox.origin(),
                    crate::lesson::vars::Source::Workspace,
                );
                session.sandbox = Some(sandbox);
            }
            let config = api_config(&vars).map_err(SessionError::Client)?;
            session.api = Some(Arc::new(Client::new(config)));
        }
        session.vars = vars;
        Ok(session)
    }

    /// Publishes this session's local API as the workspace's, for
    /// `labrun sandbox` in another shell to find (at once, or when the
    /// `labrun sandbox` serving now ends). For long-lived sessions: the lab.
    pub fn published(mut self, command: &str) -> Session {
        let (Some(sandbox), Some(local)) = (&self.sandbox, &self.local) else {
            return self;
        };
        let record = OwnerRecord::new(command, sandbox.origin(), &local.token, &local.app);
        let state = local.state_path.clone();
        let slot = Arc::new(Mutex::new(PublicationSlot::default()));
        let held = Arc::clone(&slot);
        let spawned = std::thread::Builder::new()
            .name("api-owner".into())
            .spawn(move || {
                let election = match owner::claim(&state) {
                    Ok(Claim::Won(election)) => election,
                    // Blocks in the OS's lock queue until that owner ends.
                    Ok(Claim::Taken(_)) => match owner::wait_to_take_over(&state) {
                        Ok(election) => election,
                        Err(_) => return,
                    },
                    Err(_) => return,
                };
                let mut slot = held.lock().unwrap_or_else(|e| e.into_inner());
                if !slot.ended {
                    slot.ownership = election.publish(&record).ok();
                }
            });
        if spawned.is_ok() {
            self.publication = Some(Publication { slot });
        }
        self
    }

    /// The origin of the local Vendor API, when this session runs one.
    pub fn local_api_origin(&self) -> Option<&str> {
        self.sandbox.as_ref().map(Sandbox::origin)
    }

    pub fn context<'a>(&'a self, lesson: &'a Lesson, workspace: &'a Workspace) -> Context<'a> {
        Context {
            workspace: &workspace.root,
            lesson_dir: &lesson.dir,
            vars: &self.vars,
            extra_path: self.extra_path.clone(),
            api: self.api.as_deref().map(Result::as_ref),
            scripts: self.runner.as_ref().map(|runner| Scripts {
                runner,
                challenge_id: Some(&lesson.slug),
            }),
        }
    }

    /// The runner of the course's lifecycle scripts, when it has any.
    pub fn runner(&self) -> Option<&Runner> {
        self.runner.as_ref()
    }

    /// The environment of a lesson shell or script: every variable with a
    /// value, and (offline) a private cache so a real `replicated` CLI does
    /// not reuse app ids cached from another API.
    pub fn shell_env(&self) -> Vec<(String, String)> {
        let mut env: Vec<(String, String)> = self
            .vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if self.sandbox.is_some() {
            env.push((
                "XDG_CACHE_HOME".into(),
                self.cache_dir.display().to_string(),
            ));
        }
        env
    }
}

fn start_sandbox(workspace: &Workspace, vars: &Vars) -> Result<(Sandbox, LocalApi), SessionError> {
    let generated = |pattern: &str| crate::workspace::generate_value(pattern);
    let app_slug = vars
        .get(APP_VAR)
        .map_or_else(|| generated("slackernews-{word}"), str::to_string);
    let token = vars
        .get(TOKEN_VAR)
        .map_or_else(|| generated("{token}"), str::to_string);
    let invalid = |var: &'static str, problem: ValueError| SessionError::Invalid {
        var,
        from: value_source(workspace, vars, var),
        problem,
    };
    check_app_slug(&app_slug).map_err(|e| invalid(APP_VAR, e))?;
    check_token(&token).map_err(|e| invalid(TOKEN_VAR, e))?;
    let state_path = vendor_state_path(workspace, &app_slug);
    let local = LocalApi {
        state_path: state_path.clone(),
        token: token.clone(),
        app: app_slug.clone(),
    };
    let config = ServerConfig {
        listen: ([127, 0, 0, 1], 0).into(),
        state_path: Some(state_path),
        app_slug,
        token,
    };
    let sandbox = Sandbox::start(config).map_err(SessionError::Server)?;
    Ok((sandbox, local))
}

/// Where a variable's value came from, in words that say what to fix.
fn value_source(workspace: &Workspace, vars: &Vars, name: &str) -> String {
    use crate::lesson::vars::Source;
    match vars.source(name) {
        Some(Source::CommandLine) => "(from --var)".to_string(),
        Some(Source::Environment) => "(from the environment)".to_string(),
        Some(Source::Workspace) => format!(
            "(from {})",
            workspace.state_dir().join("workspace.json").display()
        ),
        _ => "(the lesson's default)".to_string(),
    }
}

/// The client's configuration from the session's variables (which already
/// hold the environment's values).
fn api_config(vars: &Vars) -> Result<client::Config, ClientError> {
    client::Config::from_lookup(|name| vars.get(name).map(str::to_string))
}
