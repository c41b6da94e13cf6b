//! The instructor's views of a live class: the terminal dashboard (`labrun
//! class watch URL`) and `labrun report URL`.

/// Why a view of the class could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("watching a class is not built yet")]
    NotBuilt,
}
