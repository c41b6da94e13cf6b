//! A learner's side of a class: the workspace's membership, its queue of
//! events, and the sender that delivers them.

/// Why joining a class or queueing an event failed.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("joining a class is not built yet")]
    NotBuilt,
}
