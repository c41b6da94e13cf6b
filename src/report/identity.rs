//! Who a progress record is of. A learner is named the same way whether an
//! instructor reads their workspace directly or they export it: by
//! `--learner`, else as the OS user. A workspace has a stable id that its
//! exports carry, so a workspace and its exports (or two exports of it)
//! count as one learner in a report.

use super::Record;
use super::load::SkipReason;
use crate::workspace::Workspace;
use std::path::PathBuf;

/// The OS user's name: `USER`, else `USERNAME`, else the login name of the
/// process's user (tmux, cron and containers often set neither), else "unknown".
pub fn os_user() -> String {
    ["USER", "USERNAME"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
        .or_else(current_login_name)
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(unix)]
fn current_login_name() -> Option<String> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    login_name(unsafe { libc::geteuid() })
}

#[cfg(not(unix))]
fn current_login_name() -> Option<String> {
    None
}

/// The learner of a workspace read directly: the OS user who owns it, named
/// as `progress export` names the user running it — the current user as
/// [`os_user`], another by their login name.
pub fn workspace_owner(ws: &Workspace) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(meta) = std::fs::metadata(ws.state_dir()) {
            // SAFETY: geteuid has no preconditions and cannot fail.
            let me = unsafe { libc::geteuid() };
            if meta.uid() != me {
                return login_name(meta.uid()).unwrap_or_else(|| format!("uid {}", meta.uid()));
            }
        }
    }
    let _ = ws;
    os_user()
}

/// The login name of `uid` from the user database.
#[cfg(unix)]
fn login_name(uid: u32) -> Option<String> {
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    // SAFETY: passwd is plain old data; getpwuid_r fills it in.
    let mut entry: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is to memory owned here, `buf.len()` is its size;
    // on success `result` points at `entry`, whose strings live in `buf`.
    let rc = unsafe { libc::getpwuid_r(uid, &mut entry, buf.as_mut_ptr(), buf.len(), &mut result) };
    if rc != 0 || result.is_null() || entry.pw_name.is_null() {
        return None;
    }
    // SAFETY: pw_name is a NUL-terminated string in `buf`, alive here.
    let name = unsafe { std::ffi::CStr::from_ptr(entry.pw_name) };
    Some(name.to_string_lossy().into_owned()).filter(|n| !n.is_empty())
}

/// A record as loaded: where from, and whether from the workspace itself.
pub(super) struct Found {
    pub record: Record,
    pub path: PathBuf,
    pub live: bool,
}

/// One record per workspace: of the records with the same lesson and
/// workspace id, the most recent progress is kept (the workspace itself on
/// a tie: an export is never newer than it), under the name of the latest
/// export if there is one (it may carry `--learner`). The others are
/// returned with the reason, to be reported as skipped.
pub(super) fn one_per_workspace(found: Vec<Found>) -> (Vec<Record>, Vec<(PathBuf, SkipReason)>) {
    let mut groups: Vec<Vec<Found>> = Vec::new();
    for f in found {
        let same = |g: &Vec<Found>| {
            let first = &g[0].record;
            f.record.workspace_id.is_some()
                && first.workspace_id == f.record.workspace_id
                && first.lesson == f.record.lesson
        };
        match groups.iter_mut().find(|g| same(g)) {
            Some(group) => group.push(f),
            None => groups.push(vec![f]),
        }
    }
    let mut records = Vec::new();
    let mut skipped = Vec::new();
    for mut group in groups {
        let newest = (0..group.len())
            .max_by_key(|&i| freshness(&group[i]))
            .expect("groups are never empty");
        let name = group
            .iter()
            .filter(|f| !f.live)
            .max_by(|a, b| a.record.exported_at.cmp(&b.record.exported_at))
            .map(|f| f.record.learner.clone());
        let mut kept = group.swap_remove(newest);
        if let Some(name) = name {
            kept.record.learner = name;
        }
        for other in group {
            skipped.push((other.path, SkipReason::SameWorkspace(kept.path.clone())));
        }
        records.push(kept.record);
    }
    (records, skipped)
}

/// The latest check of any step, then the workspace itself over an export.
fn freshness(found: &Found) -> (Option<&str>, bool, &str) {
    let last = found
        .record
        .progress
        .steps
        .iter()
        .filter_map(|s| s.last_checked_at.as_deref())
        .max();
    (last, found.live, &found.record.exported_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::{LessonRef, State};
    use std::collections::BTreeMap;

    fn state(created_at: &str, token: &str) -> State {
        State {
            schema: 1,
            lesson: LessonRef {
                slug: "demo".into(),
                dir: "/somewhere".into(),
                built_in: false,
            },
            created_at: created_at.into(),
            vars: BTreeMap::from([("TOKEN".to_string(), token.to_string())]),
        }
    }

    #[test]
    fn a_workspace_id_is_stable_and_tells_workspaces_apart() {
        let a = state("2026-01-05T09:00:00Z", "t0ken-aaaaaaaaaaaaaaaa");
        let mut moved = a.clone();
        moved.lesson.dir = "/elsewhere".into();
        assert_eq!(
            crate::workspace::State::id(&a),
            crate::workspace::State::id(&moved)
        );
        assert_eq!(crate::workspace::State::id(&a).len(), 16);
        let same_second = state("2026-01-05T09:00:00Z", "t0ken-bbbbbbbbbbbbbbbb");
        assert_ne!(
            crate::workspace::State::id(&a),
            crate::workspace::State::id(&same_second)
        );
        assert!(!crate::workspace::State::id(&a).contains("t0ken"));
    }

    #[cfg(unix)]
    #[test]
    fn login_names_come_from_the_user_database() {
        assert_eq!(login_name(0).as_deref(), Some("root"));
    }
}
