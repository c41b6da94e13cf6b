//! `labrun class watch URL` and `labrun report URL`: the instructor's views of a live class.

use super::CommandError;
use crate::cli::ReportFormat;
use std::path::PathBuf;

/// The class URL among `report`'s paths, when it was given one.
pub fn class_url(paths: &[PathBuf]) -> Option<&str> {
    match paths {
        [one] => one
            .to_str()
            .filter(|p| p.starts_with("http://") || p.starts_with("https://")),
        _ => None,
    }
}

pub fn report(_url: &str, _format: ReportFormat) -> Result<u8, CommandError> {
    Err(crate::class::watch::WatchError::NotBuilt.into())
}

pub fn watch(_url: &str) -> Result<u8, CommandError> {
    Err(crate::class::watch::WatchError::NotBuilt.into())
}
