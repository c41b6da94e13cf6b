//! The class server (`labrun class serve`): joins learners, stores their
//! events once each, and serves the class to its instructor.

/// Why the class server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("labrun class serve is not built yet")]
    NotBuilt,
}
