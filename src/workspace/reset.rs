//! `labrun reset`: a step's files, or the whole workspace's, put back as the
//! lesson starts them. First a plan (what would change, to show and confirm),
//! then its application, which keeps every file it replaces or removes in
//! `.labrun/backup/<time>/`. Variables and progress stay as they are.

use super::backup::{Backup, BackupReport, same_content};
use super::{STATE_DIR, Workspace, WorkspaceError, io_err};
use crate::lesson::{CheckKind, Lesson, Step, Vars};
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

/// What a reset covers.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Every starting file, every file a check looks at, the local Vendor API.
    Whole,
    /// The files this step's checks look at (and the local Vendor API for a release check).
    Step(&'a Step),
}

/// One path a reset changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A starting file the learner edited (or replaced): the lesson's version back.
    Restore(PathBuf),
    /// A starting file that is gone: the lesson's version back.
    Recreate(PathBuf),
    /// Something the lesson does not start with (the learner's work): moved away.
    Remove(PathBuf),
}

impl Change {
    /// The path, relative to the workspace.
    pub fn path(&self) -> &Path {
        match self {
            Change::Restore(p) | Change::Recreate(p) | Change::Remove(p) => p,
        }
    }
}

/// The local Vendor API's state (apps, channels, releases), relative to the workspace.
fn vendor_state() -> PathBuf {
    Path::new(STATE_DIR).join(crate::session::VENDOR_STATE_DIR)
}

/// What resetting `scope` would change in `workspace`, in path order.
pub fn plan(workspace: &Workspace, lesson: &Lesson, vars: &Vars, scope: Scope) -> Vec<Change> {
    let steps: Vec<&Step> = match scope {
        Scope::Whole => lesson.steps.iter().collect(),
        Scope::Step(step) => vec![step],
    };
    let mut paths = BTreeSet::new();
    if let (Scope::Whole, Some(files)) = (scope, &lesson.files_dir) {
        starting_files(files, Path::new(""), &mut paths);
    }
    let mut api = false;
    for check in steps.iter().flat_map(|s| &s.checks) {
        if matches!(check.kind, CheckKind::Release { .. }) {
            api = true;
        }
        // A name that cannot be filled in, or that leads outside the
        // workspace, is never touched.
        if let Some(rel) = check
            .workspace_file()
            .and_then(|file| vars.expand(file).ok())
            .and_then(|f| in_workspace(&f))
        {
            paths.insert(rel);
        }
    }
    let mut changes: Vec<Change> = paths
        .into_iter()
        .filter_map(|rel| change_for(workspace, lesson, rel))
        .collect();
    if api
        && workspace
            .root
            .join(vendor_state())
            .symlink_metadata()
            .is_ok()
    {
        changes.push(Change::Remove(vendor_state()));
    }
    changes
}

fn change_for(workspace: &Workspace, lesson: &Lesson, rel: PathBuf) -> Option<Change> {
    let here = workspace.root.join(&rel);
    let exists = here.symlink_metadata().is_ok();
    match starting_file(lesson, &rel) {
        Some(_) if !exists => Some(Change::Recreate(rel)),
        Some(start) if same_content(&start, &here) => None,
        Some(_) => Some(Change::Restore(rel)),
        None if exists => Some(Change::Remove(rel)),
        None => None,
    }
}

/// Carries out `changes`: what is there is moved into the backup first,
/// then the lesson's version written (atomically). Returns the backup, if
/// anything was kept.
pub fn apply(
    workspace: &Workspace,
    lesson: &Lesson,
    changes: &[Change],
) -> Result<Option<BackupReport>, WorkspaceError> {
    let mut backup = Backup::new(&workspace.root);
    for change in changes {
        let rel = change.path();
        if workspace.root.join(rel).symlink_metadata().is_ok() {
            backup.keep(rel)?;
        }
        if let Change::Restore(_) | Change::Recreate(_) = change
            && let Some(start) = starting_file(lesson, rel)
        {
            put_back(&start, &workspace.root.join(rel))?;
        }
    }
    Ok(backup.report())
}

/// Writes the lesson's file `start` to `to`, whole, with its permissions.
fn put_back(start: &Path, to: &Path) -> Result<(), WorkspaceError> {
    let bytes = crate::fsutil::read(start).map_err(WorkspaceError::Unreadable)?;
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(io_err(parent))?;
    }
    crate::fsutil::write_atomic(to, &bytes).map_err(io_err(to))?;
    let mode = std::fs::metadata(start)
        .map_err(io_err(start))?
        .permissions();
    std::fs::set_permissions(to, mode).map_err(io_err(to))
}

/// The lesson's starting version of `rel`, if it has one (a regular file).
fn starting_file(lesson: &Lesson, rel: &Path) -> Option<PathBuf> {
    let path = lesson.files_dir.as_ref()?.join(rel);
    let meta = path.symlink_metadata().ok()?;
    meta.is_file().then_some(path)
}

/// Every regular file under `dir`, relative to the starting files' root.
fn starting_files(dir: &Path, rel: &Path, out: &mut BTreeSet<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let rel = rel.join(entry.file_name());
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => starting_files(&entry.path(), &rel, out),
            Ok(kind) if kind.is_file() => {
                out.insert(rel);
            }
            _ => {}
        }
    }
}

/// `file` as a path inside the workspace: relative, no `..`, not labrun's own state.
fn in_workspace(file: &str) -> Option<PathBuf> {
    let path = Path::new(file);
    let normal = path
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    let rel: PathBuf = path
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    let inside = normal && !rel.as_os_str().is_empty() && !rel.starts_with(STATE_DIR);
    inside.then_some(rel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_inside_the_workspace_are_reset() {
        assert_eq!(
            in_workspace("./chart/values.yaml"),
            Some(PathBuf::from("chart/values.yaml"))
        );
        for outside in [
            "../notes",
            "/etc/passwd",
            "",
            ".labrun/workspace.json",
            "a/../../b",
        ] {
            assert_eq!(in_workspace(outside), None, "{outside}");
        }
    }
}
