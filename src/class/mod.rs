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

use std::time::Duration;

pub mod credentials;
pub mod outbox;
pub mod protocol;
pub mod server;
pub mod watch;

/// On one step this long without passing it…
pub const STUCK_AFTER: Duration = Duration::from_secs(5 * 60);
/// …or with this many failed checks of it, a learner is stuck. Below both,
/// they are working on it: the lab checks every step as it opens and after
/// every save, so a step a learner has just reached is already "failing".
pub const STUCK_AFTER_ATTEMPTS: u32 = 3;

/// Whether a learner who spent `seconds` on their first step not passed,
/// and failed it `attempts` times, is stuck there (the live views' rule).
pub fn is_stuck(seconds: u64, attempts: u32) -> bool {
    seconds >= STUCK_AFTER.as_secs() || attempts >= STUCK_AFTER_ATTEMPTS
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_learner_is_stuck_after_five_minutes_or_three_failed_checks() {
        assert!(!super::is_stuck(0, 0));
        assert!(!super::is_stuck(299, 2));
        assert!(super::is_stuck(300, 0));
        assert!(super::is_stuck(10, 3));
    }
}
