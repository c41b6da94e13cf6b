//! `labrun class join URL` and `labrun start --class URL`: a workspace joins a class.

use super::CommandError;
use std::path::Path;

pub fn join(
    _url: &str,
    _workspace: Option<&Path>,
    _name: Option<&str>,
) -> Result<u8, CommandError> {
    Err(crate::class::outbox::OutboxError::NotBuilt.into())
}
