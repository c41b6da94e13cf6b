//! The lab's side of a class: the background sender of the workspace's
//! events (when it joined a class), what it tells the learner shown as
//! notices, and the lab lock that tells a `labrun check` in the shell that
//! this lab's sender delivers its events.

use super::Event;
use crate::class::outbox::ClassPaths;
use crate::class::outbox::membership::Membership;
use crate::class::outbox::sender::Sender;
use crate::fsutil::FileLock;
use crate::workspace::Workspace;
use std::sync::mpsc::SyncSender;

pub(super) struct LabSender {
    sender: Sender,
    _lab: Option<FileLock>,
}

impl LabSender {
    pub(super) fn wake(&self) {
        self.sender.wake();
    }
}

/// The sender of `workspace`'s class; `None` when it joined none (or the
/// membership is unreadable: the lab works without its class).
pub(super) fn start(workspace: &Workspace, tx: SyncSender<Event>) -> Option<LabSender> {
    let paths = ClassPaths::of(&workspace.root);
    Membership::load(&paths).ok().flatten()?;
    // Never blocks the lab: a notice that does not fit is dropped.
    let tell = move |text: String| {
        let _ = tx.try_send(Event::Notice(text));
    };
    let sender = Sender::spawn(paths.clone(), tell).ok()?;
    let lab = crate::fsutil::try_lock_exclusive(&paths.lab_lock())
        .ok()
        .flatten();
    Some(LabSender { sender, _lab: lab })
}
