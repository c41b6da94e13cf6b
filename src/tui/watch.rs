//! The workspace watcher: file events (inotify/kqueue, no polling) turned
//! into at most one `FilesChanged` / `ApiChanged` event per save, so a step
//! is re-checked the moment the learner saves and never while idle.

use super::event::Event;
use std::sync::mpsc::SyncSender;
use std::time::{Duration, Instant};

/// How long the watcher waits after a change before reporting it. A write
/// that is finished — the file closed after writing, renamed into place,
/// removed — is reported almost at once (the short wait merges the rest of
/// the save: a temp file's rename, a mode change); a write still going on
/// (data without a close yet) waits for quiet, so a long write is checked
/// once, not once per chunk; a stream of writes is still reported now and then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Debounce {
    pub settled: Duration,
    pub quiet: Duration,
    pub max_wait: Duration,
}

pub const DEBOUNCE: Debounce = Debounce {
    settled: Duration::from_millis(10),
    quiet: Duration::from_millis(100),
    max_wait: Duration::from_millis(500),
};

/// Whether a file event ends a write (see [`Debounce`]); None for events
/// that change nothing (opens, reads).
fn finishes_a_write(kind: &notify::EventKind) -> Option<bool> {
    use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind};
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => Some(true),
        EventKind::Access(_) => None,
        EventKind::Create(_) | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any) => {
            Some(false)
        }
        _ => Some(true),
    }
}

/// What changed since the last report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Changes {
    files: bool,
    api: bool,
}

/// Watches the workspace and reports changes, coalesced: one event per
/// save (an editor's save is several file events), none while idle.
pub fn spawn_watcher(
    root: &std::path::Path,
    tx: SyncSender<Event>,
) -> notify::Result<notify::RecommendedWatcher> {
    use notify::{RecursiveMode, Watcher};
    let state_dir = root.join(crate::workspace::STATE_DIR);
    let api_state = state_dir.join(crate::session::VENDOR_STATE_DIR);
    // (what changed, whether the write is finished)
    let (raw_tx, raw_rx) = std::sync::mpsc::channel::<(Changes, bool)>();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        let Ok(event) = res else { return };
        let Some(finished) = finishes_a_write(&event.kind) else {
            return;
        };
        // labrun's own state (progress, temp files) is not the learner's work.
        let changes = Changes {
            files: event.paths.iter().any(|p| !p.starts_with(&state_dir)),
            api: event
                .paths
                .iter()
                .any(|p| p.starts_with(&api_state) && p.extension().is_some_and(|e| e == "json")),
        };
        if changes.files || changes.api {
            let _ = raw_tx.send((changes, finished));
        }
    })?;
    watcher.watch(root, RecursiveMode::Recursive)?;
    std::thread::Builder::new()
        .name("watch-debounce".into())
        .spawn(move || debounce(&raw_rx, &tx, DEBOUNCE))?;
    Ok(watcher)
}

/// The debouncing as plain state, fed with the time of each event: the
/// thread below waits until `due`, then reports what `take` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Debouncer {
    timing: Debounce,
    pending: Option<Pending>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pending {
    changes: Changes,
    first: Instant,
    quiet_until: Instant,
}

impl Debouncer {
    fn new(timing: Debounce) -> Debouncer {
        Debouncer {
            timing,
            pending: None,
        }
    }

    fn event(&mut self, changes: Changes, finished: bool, now: Instant) {
        let wait = if finished {
            self.timing.settled
        } else {
            self.timing.quiet
        };
        let pending = self.pending.get_or_insert(Pending {
            changes: Changes::default(),
            first: now,
            quiet_until: now,
        });
        pending.changes.files |= changes.files;
        pending.changes.api |= changes.api;
        pending.quiet_until = now + wait;
    }

    /// When the pending changes are to be reported.
    fn due(&self) -> Option<Instant> {
        self.pending
            .map(|p| p.quiet_until.min(p.first + self.timing.max_wait))
    }

    fn take(&mut self) -> Changes {
        self.pending.take().map(|p| p.changes).unwrap_or_default()
    }
}

fn debounce(
    raw: &std::sync::mpsc::Receiver<(Changes, bool)>,
    tx: &SyncSender<Event>,
    timing: Debounce,
) {
    use std::sync::mpsc::RecvTimeoutError;
    let mut debouncer = Debouncer::new(timing);
    loop {
        let next = match debouncer.due() {
            None => raw.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(due) => raw.recv_timeout(due.saturating_duration_since(Instant::now())),
        };
        match next {
            Ok((changes, finished)) => debouncer.event(changes, finished, Instant::now()),
            Err(RecvTimeoutError::Timeout) => {
                let changes = debouncer.take();
                let sent = [
                    (changes.files, Event::FilesChanged),
                    (changes.api, Event::ApiChanged),
                ]
                .into_iter()
                .filter(|(changed, _)| *changed)
                .try_for_each(|(_, event)| tx.send(event));
                if sent.is_err() {
                    return;
                }
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, EventKind, ModifyKind};

    #[test]
    fn closes_renames_and_removals_finish_writes_and_data_does_not() {
        let close = EventKind::Access(AccessKind::Close(AccessMode::Write));
        assert_eq!(finishes_a_write(&close), Some(true));
        let rename = EventKind::Modify(ModifyKind::Name(notify::event::RenameMode::To));
        assert_eq!(finishes_a_write(&rename), Some(true));
        let data = EventKind::Modify(ModifyKind::Data(DataChange::Content));
        assert_eq!(finishes_a_write(&data), Some(false));
        assert_eq!(
            finishes_a_write(&EventKind::Create(CreateKind::File)),
            Some(false)
        );
        let open = EventKind::Access(AccessKind::Open(AccessMode::Any));
        assert_eq!(finishes_a_write(&open), None);
    }

    const FILES: Changes = Changes {
        files: true,
        api: false,
    };
    const API: Changes = Changes {
        files: false,
        api: true,
    };

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_finished_save_is_due_at_once_and_merges_what_follows() {
        let t0 = Instant::now();
        let mut d = Debouncer::new(DEBOUNCE);
        assert_eq!(d.due(), None, "nothing while idle");
        // Create, write, write (in progress), close, rename (finished): one save.
        d.event(FILES, false, t0);
        assert_eq!(d.due(), Some(t0 + DEBOUNCE.quiet));
        d.event(FILES, false, t0 + ms(1));
        d.event(FILES, true, t0 + ms(2));
        d.event(API, true, t0 + ms(3));
        assert_eq!(d.due(), Some(t0 + ms(3) + DEBOUNCE.settled));
        assert_eq!(
            d.take(),
            Changes {
                files: true,
                api: true
            }
        );
        assert_eq!(d.due(), None);
    }

    #[test]
    fn a_long_write_waits_for_quiet_but_not_forever() {
        let t0 = Instant::now();
        let mut d = Debouncer::new(DEBOUNCE);
        // Chunks every 50 ms: no report per chunk...
        for i in 0..20 {
            d.event(FILES, false, t0 + ms(50 * i));
        }
        // ...but one at the latest `max_wait` after the first.
        assert_eq!(d.due(), Some(t0 + DEBOUNCE.max_wait));
    }
}
