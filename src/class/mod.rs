//! A class, live: learners' labruns send what happens in their labs to a
//! class server; instructors watch the class in a terminal dashboard, a web
//! page or `labrun report URL`.
//!
//! Data flows one way: a workspace's progress changes → [`outbox`] (events
//! queued in the workspace, fsync'd, sent in the background) → [`server`]
//! (stored once by event id, in SQLite or PostgreSQL) → [`protocol::ClassState`]
//! → `report::build` → the views ([`watch`], the web page, `labrun report`).
//!
//! - [`protocol`]: the HTTP contract between them
//! - [`credentials`]: the instructor tokens this machine knows

pub mod credentials;
pub mod outbox;
pub mod protocol;
pub mod server;
pub mod watch;
