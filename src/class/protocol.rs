//! The class protocol: what a learner's labrun sends the class server and
//! what an instructor's views read back. One contract for the server
//! (`class::server`), the learner's outbox (`class::outbox`), the terminal
//! dashboard (`class::watch`) and the web page.
//!
//! Every event carries the learner's whole redacted [`Record`] as it stood
//! after the event, numbered by `seq` in the learner's queue: the server keeps
//! each learner's record with the highest `seq`, so events that arrive late,
//! twice or out of order (a laptop back online after ten minutes) still leave
//! the class exactly as the learner's own progress file says — and every view
//! of the class is `report::build` over those records, the same data as
//! `labrun report` on exported files.

use crate::checks::Status;
use crate::progress::Condition;
use crate::report::Record;
use serde::{Deserialize, Serialize};

/// `POST` a [`JoinRequest`] → `201` [`JoinResponse`]. Needs the class code.
pub const JOIN: &str = "/api/join";
/// `POST` an [`EventBatch`] → `200` [`BatchAck`]. Needs the learner's token
/// (`Authorization: Bearer …`); events are stored as that learner's, whatever
/// their record says.
pub const EVENTS: &str = "/api/events";
/// `GET` → `200` [`ClassState`]. Needs the instructor token.
pub const CLASS: &str = "/api/class";
/// `GET` → server-sent events: `event: class`, `data:` a [`ClassState`] as
/// one line of JSON, once on connecting and again after every change
/// (changes that come while one is being sent are coalesced into the next).
/// Needs the instructor token.
pub const STREAM: &str = "/api/stream";
/// The join URL learners are given: `<base>/join/<code>`.
pub const JOIN_PATH_PREFIX: &str = "/join/";

/// The most bytes a request body may have (`413` above it).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// The most events one [`EventBatch`] may hold (`413` above it).
pub const MAX_EVENTS_PER_BATCH: usize = 100;
/// Requests a learner's token may make per second, sustained, and in a burst;
/// above them the server answers `429` with `Retry-After`.
pub const LEARNER_REQUESTS_PER_SECOND: u32 = 5;
pub const LEARNER_REQUEST_BURST: u32 = 20;
/// The longest learner name the server takes.
pub const MAX_NAME_CHARS: usize = 80;

/// Prefixes that make a token recognisable (in a leaked log, to a secret
/// scanner) and tell a learner's from an instructor's.
pub const LEARNER_TOKEN_PREFIX: &str = "lrl_";
pub const INSTRUCTOR_TOKEN_PREFIX: &str = "lri_";

/// The environment variable an instructor's views read the instructor token
/// from when `class serve` did not run on this machine (never a flag: argv is
/// visible to every user of the machine).
pub const INSTRUCTOR_TOKEN_ENV: &str = "LABRUN_CLASS_TOKEN";

/// A learner joining a class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JoinRequest {
    /// The class code (the last part of the join URL).
    pub code: String,
    /// The learner's name as the instructor will see it.
    pub name: String,
    /// The workspace's stable id (`workspace::State::id`): one learner per
    /// workspace, also in `labrun report`.
    pub workspace_id: String,
    /// The lesson or course slug the learner works on.
    pub lesson: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JoinResponse {
    /// The class's name, to show the learner what they joined.
    pub class: String,
    pub learner_id: String,
    /// The learner's own token ([`LEARNER_TOKEN_PREFIX`]): only appends this
    /// learner's events. A secret: kept in the workspace, never printed.
    pub token: String,
}

/// What happened in the learner's lab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A step was checked (`status` and `conditions` say how it went).
    Check,
    /// A hint was shown.
    Hint,
    /// The learner entered a challenge of a course.
    ChallengeStarted,
    /// A challenge passed or was skipped.
    ChallengeFinished,
}

/// One event, as queued in the workspace and sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Random, 32 hex digits: the server stores an id once, so a resend is
    /// acknowledged and changes nothing.
    pub id: String,
    /// 1, 2, 3… in the learner's queue, in the order the progress changed.
    pub seq: u64,
    /// RFC 3339, the learner's clock.
    pub at: String,
    pub kind: EventKind,
    /// The challenge's slug, in a course.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
    /// The step's id (check, hint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// The step's status after a check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Each condition of a check, pass or fail.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// The learner's progress after the event, redacted like `progress export`.
    pub record: Record,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventBatch {
    pub events: Vec<Event>,
}

/// The server's answer to a batch: every event in it is now stored, `stored`
/// of them for the first time and `duplicates` already before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchAck {
    pub stored: u32,
    pub duplicates: u32,
}

/// Every answer that is not a success: one sentence saying what was wrong.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
}

/// The class as an instructor's views show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassState {
    /// The class's name.
    pub class: String,
    /// RFC 3339, the server's clock.
    pub generated_at: String,
    /// Grows with every stored event: a view that saw version N has seen
    /// everything up to it.
    pub version: u64,
    /// Every learner who joined, in joining order.
    pub learners: Vec<LearnerState>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnerState {
    pub learner_id: String,
    pub name: String,
    /// RFC 3339.
    pub joined_at: String,
    /// When the learner's latest event happened (their clock), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_event_at: Option<String>,
    /// When the server received the latest event (its clock): idle learners
    /// are told by this, whatever the laptops' clocks say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen_at: Option<String>,
    /// Events stored for this learner.
    pub events: u64,
    /// The record of the learner's highest `seq`; `None` before the first event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<Record>,
}

impl ClassState {
    /// The learners' records, named as the class knows them, for
    /// `report::build` and its renderers.
    pub fn records(&self) -> Vec<Record> {
        self.learners
            .iter()
            .filter_map(|l| {
                let mut record = l.record.clone()?;
                record.learner = l.name.clone();
                Some(record)
            })
            .collect()
    }
}

/// A class server's address as a learner or instructor types it: the base
/// URL, and the class code when it is a join URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassUrl {
    /// `http(s)://host:port`, no trailing slash.
    pub base: String,
    pub code: Option<String>,
}

/// Why text is not a class URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("{0:?} is not a class URL: it must start with http:// or https://")]
    Scheme(String),
    #[error("{0:?} is not a class URL: it has no host")]
    NoHost(String),
    #[error("{0:?} is not a class URL: expected {1}")]
    Path(String, &'static str),
}

impl ClassUrl {
    /// `http://h:p`, `http://h:p/` or `http://h:p/join/CODE`.
    pub fn parse(text: &str) -> Result<ClassUrl, UrlError> {
        let text = text.trim();
        let rest = text
            .strip_prefix("http://")
            .or_else(|| text.strip_prefix("https://"))
            .ok_or_else(|| UrlError::Scheme(text.to_string()))?;
        let scheme_len = text.len() - rest.len();
        let (host, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if host.is_empty() {
            return Err(UrlError::NoHost(text.to_string()));
        }
        let base = format!("{}{host}", &text[..scheme_len]);
        let path = path.trim_end_matches('/');
        if path.is_empty() {
            return Ok(ClassUrl { base, code: None });
        }
        match path.strip_prefix(JOIN_PATH_PREFIX.trim_end_matches('/')) {
            Some(code) => {
                let code = code.trim_start_matches('/');
                if code.is_empty() || code.contains('/') {
                    return Err(UrlError::Path(text.to_string(), "<base>/join/<code>"));
                }
                Ok(ClassUrl {
                    base,
                    code: Some(code.to_string()),
                })
            }
            None => Err(UrlError::Path(
                text.to_string(),
                "the server's address, or <base>/join/<code>",
            )),
        }
    }

    /// The join URL of `code` at `base`.
    pub fn join_url(base: &str, code: &str) -> String {
        format!("{}{JOIN_PATH_PREFIX}{code}", base.trim_end_matches('/'))
    }

    /// `base` + an API path.
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_join_url_gives_its_base_and_code() {
        let url = ClassUrl::parse("http://192.168.1.5:7878/join/k7m2-x9qp").unwrap();
        assert_eq!(url.base, "http://192.168.1.5:7878");
        assert_eq!(url.code.as_deref(), Some("k7m2-x9qp"));
        assert_eq!(url.endpoint(EVENTS), "http://192.168.1.5:7878/api/events");
        assert_eq!(
            ClassUrl::join_url(&url.base, "k7m2-x9qp"),
            "http://192.168.1.5:7878/join/k7m2-x9qp"
        );
    }

    #[test]
    fn a_base_url_has_no_code() {
        for text in [
            "https://class.example.org",
            "https://class.example.org/",
            " http://[::1]:80 ",
        ] {
            let url = ClassUrl::parse(text).unwrap();
            assert!(url.code.is_none(), "{text}");
            assert!(!url.base.ends_with('/'), "{text}");
        }
    }

    #[test]
    fn anything_else_is_refused_saying_why() {
        let cases = [
            ("ftp://x", "http:// or https://"),
            ("http:///join/x", "no host"),
            ("http://h/other", "<base>/join/<code>"),
            ("http://h/join/", "<base>/join/<code>"),
            ("http://h/join/a/b", "<base>/join/<code>"),
        ];
        for (text, says) in cases {
            let error = ClassUrl::parse(text).unwrap_err().to_string();
            assert!(error.contains(says), "{text}: {error}");
        }
    }

    #[test]
    fn the_state_names_records_as_the_class_knows_them() {
        let record = crate::report::Record {
            schema: crate::report::RECORD_SCHEMA,
            kind: crate::report::RECORD_KIND.into(),
            learner: "laptop-user".into(),
            lesson: "l".into(),
            exported_at: "2026-11-30T00:00:00Z".into(),
            workspace_id: None,
            progress: crate::progress::Progress::new("l"),
        };
        let state = ClassState {
            class: "c".into(),
            generated_at: "2026-11-30T00:00:00Z".into(),
            version: 1,
            learners: vec![
                LearnerState {
                    learner_id: "1".into(),
                    name: "Ada".into(),
                    joined_at: "2026-11-30T00:00:00Z".into(),
                    last_event_at: None,
                    last_seen_at: None,
                    events: 1,
                    record: Some(record),
                },
                LearnerState {
                    learner_id: "2".into(),
                    name: "Grace".into(),
                    joined_at: "2026-11-30T00:00:00Z".into(),
                    last_event_at: None,
                    last_seen_at: None,
                    events: 0,
                    record: None,
                },
            ],
        };
        let records = state.records();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].learner, "Ada");
    }
}
