//! `labrun class watch URL` and `labrun report URL`: the instructor's views
//! of a live class, with the instructor token this machine remembers (or
//! `LABRUN_CLASS_TOKEN`).

use super::CommandError;
use crate::class::protocol::ClassUrl;
use crate::class::watch::{self, WatchError, client, token};
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

fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// `labrun report URL`: the class's records, reported as `labrun report`
/// reports exported files.
pub fn report(url: &str, format: ReportFormat) -> Result<u8, CommandError> {
    let url = ClassUrl::parse(url)?;
    let token = token::instructor_token(&url.base, &process_env)?;
    let state = client::fetch_state(&url, &token)?;
    let records = state.records();
    if records.is_empty() {
        return Err(WatchError::EmptyClass {
            class: state.class,
            base: url.base,
        }
        .into());
    }
    super::records::print_report(&records, format)
}

/// `labrun class watch URL`: the live dashboard, until the instructor quits.
pub fn watch(url: &str) -> Result<u8, CommandError> {
    let url = ClassUrl::parse(url)?;
    let token = token::instructor_token(&url.base, &process_env)?;
    Ok(watch::run(&url, token)?)
}
