//! A learner's side of a class: the workspace's membership
//! ([`membership`]), the events its progress changes make ([`diff`]),
//! their queue in the workspace ([`queue`]) and their delivery
//! ([`sender`]). This file ties them to the progress: [`update_progress`]
//! is how every writer in a workspace that joined a class changes its
//! progress, and [`enrol`] how a workspace joins.
//!
//! The lab never waits on the network: events are appended to the queue
//! (fsync'd) under the progress lock, and sent afterwards — by the lab's
//! sender thread, or by the command that made them, once, briefly.

pub mod diff;
pub mod membership;
pub mod queue;
pub mod sender;

use crate::class::protocol::{ClassUrl, Event, JoinRequest, JoinResponse, UrlError};
use crate::lesson::Course;
use crate::progress::{Progress, ProgressError};
use crate::workspace::{STATE_DIR, Workspace};
use membership::{Joined, Membership};
use queue::Queue;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Why joining a class, queueing or sending its events failed.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Unreadable(crate::fsutil::ReadError),
    #[error("{}: damaged class membership (line {}): {source}; join again with `labrun class join URL`", path.display(), source.line())]
    DamagedMembership {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{}: damaged sent cursor: {source}; remove it to send the queue again (the server keeps each event once)", path.display())]
    DamagedCursor {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error(transparent)]
    Url(#[from] UrlError),
    #[error(
        "{0:?} is the class server's address, not a join URL: ask the instructor for the URL ending in /join/<code>"
    )]
    NoCode(String),
    #[error("could not reach the class server at {base}: {reason}")]
    Unreachable { base: String, reason: String },
    #[error("the class server at {base} refused ({status}): {message}")]
    Refused {
        base: String,
        status: u16,
        message: String,
    },
    #[error("the class server at {base} failed ({status}): {message}")]
    ServerFailed {
        base: String,
        status: u16,
        message: String,
    },
    #[error("the class server at {base} asks to wait {}s (too many requests)", retry_after.as_secs())]
    RateLimited { base: String, retry_after: Duration },
    #[error("the class server at {base} gave an answer labrun does not read: {reason}")]
    BadAnswer { base: String, reason: String },
    #[error("no HTTP client: {0}")]
    Client(String),
    #[error(transparent)]
    Progress(#[from] ProgressError),
}

impl OutboxError {
    /// Worth trying again later: the network, the server's trouble, a rate
    /// limit. A refusal of who we are (401, 403, 404) is not.
    pub fn is_retried(&self) -> bool {
        match self {
            OutboxError::Refused { status, .. } => !matches!(status, 401 | 403 | 404 | 410),
            _ => true,
        }
    }
}

/// Where a workspace keeps its class: `.labrun/class.json` and `.labrun/class/`.
#[derive(Debug, Clone)]
pub struct ClassPaths {
    root: PathBuf,
}

impl ClassPaths {
    pub fn of(root: &Path) -> ClassPaths {
        ClassPaths {
            root: root.to_path_buf(),
        }
    }
    pub fn state_dir(&self) -> PathBuf {
        self.root.join(STATE_DIR)
    }
    pub fn membership(&self) -> PathBuf {
        self.state_dir().join("class.json")
    }
    pub fn dir(&self) -> PathBuf {
        self.state_dir().join("class")
    }
    pub fn queue(&self) -> PathBuf {
        self.dir().join("queue.jsonl")
    }
    pub fn cursor(&self) -> PathBuf {
        self.dir().join("sent.json")
    }
    /// Held while one process delivers.
    pub fn sender_lock(&self) -> PathBuf {
        self.dir().join("sender.lock")
    }
    /// Held by a lab for its whole life: its sender delivers what a command
    /// in its shell queues, so the command need not.
    pub fn lab_lock(&self) -> PathBuf {
        self.dir().join("lab.lock")
    }
    /// Serialises changes of the membership.
    fn membership_lock(&self) -> PathBuf {
        self.dir().join("membership.lock")
    }
}

/// A progress write and what it queued for the class.
#[derive(Debug)]
pub struct Written {
    pub progress: Progress,
    /// Events queued (0 outside a class).
    pub queued: usize,
    /// The progress was written but its events could not be queued.
    pub unqueued: Option<OutboxError>,
}

/// Applies `change` to the workspace's progress (as [`Progress::update`]);
/// in a class, the events it makes are appended to the queue, with the
/// redacted record after the change, under the progress lock.
pub fn update_progress(
    workspace: &Workspace,
    course: &Course,
    change: impl FnOnce(&mut Progress),
) -> Result<Written, ProgressError> {
    let paths = ClassPaths::of(&workspace.root);
    let (membership, mut unqueued) = match Membership::load(&paths) {
        Ok(membership) => (membership, None),
        Err(error) => (None, Some(error)),
    };
    let mut queued = 0;
    let progress = Progress::update_observed(
        &workspace.progress_path(),
        &course.slug,
        change,
        |before, after| {
            let Some(membership) = &membership else {
                return;
            };
            match queue_changes(&paths, workspace, course, membership, before, after) {
                Ok(n) => queued = n,
                Err(error) => unqueued = Some(error),
            }
        },
    )?;
    Ok(Written {
        progress,
        queued,
        unqueued,
    })
}

/// The events between `before` and `after`, queued with the record after.
fn queue_changes(
    paths: &ClassPaths,
    workspace: &Workspace,
    course: &Course,
    membership: &Membership,
    before: &Progress,
    after: &Progress,
) -> Result<usize, OutboxError> {
    // Diffed as the instructor sees them: completed and redacted.
    let learner = Some(membership.name.as_str());
    let was = crate::report::course_record(workspace, course, before, learner);
    let record = crate::report::course_record(workspace, course, after, learner);
    let drafts = diff::events_between(&was.progress, &record.progress);
    append(paths, drafts, &record)
}

fn append(
    paths: &ClassPaths,
    drafts: Vec<diff::Draft>,
    record: &crate::report::Record,
) -> Result<usize, OutboxError> {
    if drafts.is_empty() {
        return Ok(0);
    }
    let at = crate::workspace::now_rfc3339();
    let events = Queue::of(paths).append(|next| {
        drafts
            .into_iter()
            .zip(next..)
            .map(|(draft, seq)| Event {
                id: event_id(),
                seq,
                at: at.clone(),
                kind: draft.kind,
                challenge: draft.challenge,
                step: draft.step,
                status: draft.status,
                conditions: draft.conditions,
                record: record.clone(),
            })
            .collect()
    })?;
    Ok(events.len())
}

/// 32 random hex digits.
fn event_id() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the OS has a random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How [`enrol`] went.
#[derive(Debug)]
pub enum Enrolled {
    /// The workspace was in this class already; nothing changed.
    Already(Membership),
    /// A new membership (joined, or pending when not `online`), and the
    /// class it left, with how many of its events were never sent.
    New {
        membership: Membership,
        left: Option<(Membership, usize)>,
    },
}

/// The workspace joins the class of `url` as `name`. `online`: the server
/// is asked now and an unreachable one is an error (nothing saved);
/// otherwise the membership is saved pending, joined by the sender later.
/// The workspace's standing so far is queued as its first event.
pub fn enrol(
    workspace: &Workspace,
    course: &Course,
    url: &str,
    name: Option<&str>,
    online: bool,
) -> Result<Enrolled, OutboxError> {
    let url = ClassUrl::parse(url)?;
    let code = url
        .code
        .clone()
        .ok_or_else(|| OutboxError::NoCode(url.base.clone()))?;
    let paths = ClassPaths::of(&workspace.root);
    let previous = Membership::load(&paths)?;
    if let Some(previous) = previous
        .as_ref()
        .filter(|m| m.is_for(&url.base, &code) && (m.joined.is_some() || !online))
    {
        return Ok(Enrolled::Already(previous.clone()));
    }
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map_or_else(crate::report::os_user, str::to_string);
    let mut membership = Membership {
        base: url.base.clone(),
        code,
        name,
        joined: None,
    };
    if online {
        let request = join_request(&paths, &membership)?;
        let answer = sender::join(&membership.base, &request, sender::Patience::BACKGROUND)?;
        membership.joined = Some(joined(answer));
    }
    std::fs::create_dir_all(paths.dir()).map_err(|source| OutboxError::Io {
        path: paths.dir(),
        source,
    })?;
    let lock = paths.membership_lock();
    let _held = crate::fsutil::lock_exclusive(&lock)
        .map_err(|source| OutboxError::Io { path: lock, source })?;
    let left = match previous.filter(|m| !m.is_for(&membership.base, &membership.code)) {
        Some(old) => Some((old, Queue::of(&paths).clear()?)),
        None => None,
    };
    membership.save(&paths)?;
    // Where the learner stands, as the first event (under the progress lock,
    // so it is numbered before any change that follows).
    let mut queued = Ok(0);
    Progress::update_observed(
        &workspace.progress_path(),
        &course.slug,
        |_| {},
        |_, now| {
            let learner = Some(membership.name.as_str());
            let record = crate::report::course_record(workspace, course, now, learner);
            let fresh = Queue::of(&paths).all().map(|q| q.events.is_empty());
            if fresh.unwrap_or(false) {
                queued = append(
                    &paths,
                    diff::standing(&record.progress).into_iter().collect(),
                    &record,
                );
            }
        },
    )?;
    queued?;
    Ok(Enrolled::New { membership, left })
}

/// What the workspace tells the server when joining.
fn join_request(paths: &ClassPaths, membership: &Membership) -> Result<JoinRequest, OutboxError> {
    let workspace = crate::workspace::open(&paths.root).map_err(|e| OutboxError::Io {
        path: paths.state_dir(),
        source: std::io::Error::other(e.to_string()),
    })?;
    Ok(JoinRequest {
        code: membership.code.clone(),
        name: membership.name.clone(),
        workspace_id: workspace.state.id(),
        lesson: workspace.state.lesson.slug.clone(),
    })
}

fn joined(answer: JoinResponse) -> Joined {
    Joined {
        class: answer.class,
        learner_id: answer.learner_id,
        token: answer.token,
    }
}

/// Saves the server's answer to a pending membership (unless the workspace
/// joined another class meanwhile).
fn remember_join(
    paths: &ClassPaths,
    pending: &Membership,
    answer: JoinResponse,
) -> Result<Membership, OutboxError> {
    let lock = paths.membership_lock();
    let _held = crate::fsutil::lock_exclusive(&lock)
        .map_err(|source| OutboxError::Io { path: lock, source })?;
    let current = Membership::load(paths)?.unwrap_or_else(|| pending.clone());
    if !current.is_for(&pending.base, &pending.code) {
        return Ok(current);
    }
    let membership = Membership {
        joined: Some(joined(answer)),
        ..current
    };
    membership.save(paths)?;
    Ok(membership)
}

/// A command that queued events delivers them once, briefly — unless a lab
/// is open on the workspace (its sender does it) or another process is
/// sending. What could not be sent stays queued; the error says why.
pub fn deliver_now(root: &Path) -> Result<sender::Round, OutboxError> {
    let paths = ClassPaths::of(root);
    let lab = paths.lab_lock();
    if std::fs::create_dir_all(paths.dir()).is_ok()
        && crate::fsutil::try_lock_exclusive(&lab)
            .map_err(|source| OutboxError::Io { path: lab, source })?
            .is_none()
    {
        return Ok(sender::Round {
            busy: true,
            ..sender::Round::default()
        });
    }
    sender::deliver(&paths, sender::Patience::COMMAND)
}
