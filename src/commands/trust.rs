//! `labrun trust DIR`: allow a course's lifecycle scripts, as they are now,
//! to run on this machine (like `direnv allow`): prints what it trusts. The
//! scripts are found by Instruqt's file names — `setup-`, `check-`,
//! `solve-`, `cleanup-<host>` in a challenge directory, in a track's
//! challenge directories and in its `track_scripts/`.

use super::{CommandError, SUCCESS};
use crate::trust::{Status, TrustError, TrustStore};
use std::path::{Path, PathBuf};

pub(super) fn trust(dir: &Path) -> Result<u8, CommandError> {
    if !dir.is_dir() {
        return Err(CommandError::Usage(format!(
            "{} is not a directory: name a track or challenge directory",
            dir.display()
        )));
    }
    let scripts = lifecycle_scripts(dir).map_err(|source| TrustError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    if scripts.is_empty() {
        println!(
            "{} has no lifecycle scripts (setup-, check-, solve-, cleanup-<host>): nothing to trust",
            dir.display()
        );
        return Ok(SUCCESS);
    }
    let store = TrustStore::default_location(&|name| std::env::var(name).ok())?;
    let review = store.review(dir, &scripts)?;
    let course = review.course.display();
    if review.is_trusted() {
        println!(
            "labrun already trusts the {} scripts of {course}",
            scripts.len()
        );
        return Ok(SUCCESS);
    }
    for script in review.untrusted() {
        let status = if script.status == Status::Changed {
            "changed"
        } else {
            "new"
        };
        println!(
            "  {status:<8} {}",
            crate::trust::prompt::visible(&script.name)
        );
    }
    store.allow(&review)?;
    println!(
        "labrun will run the {} scripts of {course} on this machine, as you, until one changes",
        scripts.len()
    );
    Ok(SUCCESS)
}

/// The lifecycle scripts of a track (its `track_scripts/` and every
/// challenge directory, in name order) or of a bare challenge directory.
fn lifecycle_scripts(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut places = Vec::new();
    if dir.join("track.yml").is_file() {
        places.push(dir.join("track_scripts"));
        places.extend(
            sorted_entries(dir)?
                .into_iter()
                .filter(|d| d.join("assignment.md").is_file()),
        );
    } else {
        places.push(dir.to_path_buf());
    }
    let mut scripts = Vec::new();
    for place in places.iter().filter(|p| p.is_dir()) {
        scripts.extend(
            sorted_entries(place)?
                .into_iter()
                .filter(|p| p.is_file() && is_lifecycle_name(p)),
        );
    }
    Ok(scripts)
}

fn sorted_entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut entries = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()?;
    entries.sort();
    Ok(entries)
}

/// `<phase>-<host>`: a host name of letters, digits, `-` and `_`.
fn is_lifecycle_name(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    ["setup-", "check-", "solve-", "cleanup-"]
        .iter()
        .any(|phase| {
            name.strip_prefix(phase).is_some_and(|host| {
                !host.is_empty()
                    && host
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            })
        })
}
