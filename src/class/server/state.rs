//! The served class in memory: every learner with the record of their
//! highest `seq`, rebuilt from the store at start and updated after every
//! commit; a version that grows with each change (a `watch` channel the
//! streams wait on); and a snapshot per version, serialised at most once
//! and shared by every stream and page (a class of 500 is about 1 MB).

use super::page;
use super::store::{LearnerEvents, LearnerRow};
use crate::class::protocol::{ClassState, Event, LearnerState};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;
use tokio::sync::watch;

/// The class at one version, with its renderings made on first use.
pub struct Snapshot {
    pub state: ClassState,
    json: OnceLock<Arc<str>>,
    board: OnceLock<Arc<str>>,
}

impl Snapshot {
    fn new(state: ClassState) -> Snapshot {
        Snapshot {
            state,
            json: OnceLock::new(),
            board: OnceLock::new(),
        }
    }

    pub fn version(&self) -> u64 {
        self.state.version
    }

    /// The state as one line of JSON (`/api/class`, `/api/stream`).
    pub fn json(&self) -> Arc<str> {
        Arc::clone(self.json.get_or_init(|| {
            serde_json::to_string(&self.state)
                .unwrap_or_else(|_| "{}".to_string())
                .into()
        }))
    }

    /// The page's live fragment (`/page/stream`).
    pub fn board(&self) -> Arc<str> {
        Arc::clone(self.board.get_or_init(|| {
            page::render_board(&self.state, SystemTime::now())
                .replace('\r', "")
                .into()
        }))
    }
}

struct Inner {
    class: String,
    version: u64,
    learners: Vec<LearnerState>,
    /// The `seq` of each learner's kept record (0: none yet).
    seqs: Vec<u64>,
    by_token_hash: HashMap<String, usize>,
    snapshot: Option<Arc<Snapshot>>,
}

/// A learner a token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearnerRef {
    pub id: String,
    pub name: String,
    index: usize,
}

pub struct Live {
    inner: Mutex<Inner>,
    version: watch::Sender<u64>,
}

impl Live {
    /// The class as stored: its learners in joining order and, for those
    /// with events, what the store says of them.
    pub fn rebuild(
        class: &str,
        learners: &[LearnerRow],
        events: Vec<LearnerEvents>,
    ) -> Result<Live, (String, serde_json::Error)> {
        let mut inner = Inner {
            class: class.to_string(),
            version: 0,
            learners: Vec::new(),
            seqs: Vec::new(),
            by_token_hash: HashMap::new(),
            snapshot: None,
        };
        for row in learners {
            inner.push_learner(row);
        }
        let by_id: HashMap<String, usize> = inner
            .learners
            .iter()
            .enumerate()
            .map(|(i, l)| (l.learner_id.clone(), i))
            .collect();
        for stored in events {
            let Some(&index) = by_id.get(&stored.learner_id) else {
                continue;
            };
            let event: Event =
                serde_json::from_str(&stored.body).map_err(|e| (stored.learner_id.clone(), e))?;
            let learner = &mut inner.learners[index];
            learner.events = u64::try_from(stored.count).unwrap_or(0);
            learner.last_seen_at = Some(stored.last_seen_at);
            learner.last_event_at = Some(stored.at);
            learner.record = Some(event.record);
            inner.seqs[index] = u64::try_from(stored.seq).unwrap_or(0);
            inner.version += learner.events;
        }
        let (version, _) = watch::channel(inner.version);
        Ok(Live {
            inner: Mutex::new(inner),
            version,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits on changes: the value is the class's version.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.version.subscribe()
    }

    pub fn learner_count(&self) -> usize {
        self.lock().learners.len()
    }

    /// The learner whose token hashes to `hash`.
    pub fn learner_by_token_hash(&self, hash: &str) -> Option<LearnerRef> {
        let inner = self.lock();
        let &index = inner.by_token_hash.get(hash)?;
        let l = &inner.learners[index];
        Some(LearnerRef {
            id: l.learner_id.clone(),
            name: l.name.clone(),
            index,
        })
    }

    /// A learner who joined (already stored).
    pub fn joined(&self, row: &LearnerRow) {
        let mut inner = self.lock();
        inner.push_learner(row);
        let version = inner.version;
        drop(inner);
        self.version.send_replace(version);
    }

    /// Events of `learner` that were stored for the first time (committed),
    /// received at `received_at`: the record of the highest `seq` is kept.
    pub fn stored(&self, learner: &LearnerRef, received_at: &str, events: Vec<Event>) {
        if events.is_empty() {
            return;
        }
        let mut inner = self.lock();
        let Inner {
            learners,
            seqs,
            version,
            ..
        } = &mut *inner;
        let (Some(state), Some(seq)) =
            (learners.get_mut(learner.index), seqs.get_mut(learner.index))
        else {
            return;
        };
        for event in events {
            state.events += 1;
            *version += 1;
            if event.seq > *seq {
                *seq = event.seq;
                state.last_event_at = Some(event.at);
                state.record = Some(event.record);
            }
        }
        state.last_seen_at = Some(received_at.to_string());
        let version = *version;
        drop(inner);
        self.version.send_replace(version);
    }

    /// The class now; the same snapshot until the next change.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        let mut inner = self.lock();
        if let Some(snapshot) = &inner.snapshot
            && snapshot.version() == inner.version
        {
            return Arc::clone(snapshot);
        }
        let snapshot = Arc::new(Snapshot::new(ClassState {
            class: inner.class.clone(),
            generated_at: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
            version: inner.version,
            learners: inner.learners.clone(),
        }));
        inner.snapshot = Some(Arc::clone(&snapshot));
        snapshot
    }
}

impl Inner {
    fn push_learner(&mut self, row: &LearnerRow) {
        self.by_token_hash
            .insert(row.token_hash.clone(), self.learners.len());
        self.learners.push(LearnerState {
            learner_id: row.id.clone(),
            name: row.name.clone(),
            joined_at: row.joined_at.clone(),
            last_event_at: None,
            last_seen_at: None,
            events: 0,
            record: None,
        });
        self.seqs.push(0);
        self.version += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::class::protocol::EventKind;

    fn row(id: &str) -> LearnerRow {
        LearnerRow {
            id: id.into(),
            position: 1,
            name: format!("name {id}"),
            workspace_id: "w".into(),
            lesson: "l".into(),
            token_hash: format!("hash-{id}"),
            joined_at: "2026-11-30T00:00:00.000Z".into(),
        }
    }

    fn event(seq: u64, lesson: &str) -> Event {
        Event {
            id: format!("{seq:032x}"),
            seq,
            at: format!("2026-11-30T00:00:{seq:02}Z"),
            kind: EventKind::Check,
            challenge: None,
            step: None,
            status: None,
            conditions: vec![],
            record: crate::report::Record {
                schema: crate::report::RECORD_SCHEMA,
                kind: crate::report::RECORD_KIND.into(),
                learner: "x".into(),
                lesson: lesson.into(),
                exported_at: "2026-11-30T00:00:00Z".into(),
                workspace_id: None,
                progress: crate::progress::Progress::new(lesson),
            },
        }
    }

    #[test]
    fn the_record_of_the_highest_seq_is_kept_and_every_change_is_a_version() {
        let live = Live::rebuild("c", &[row("a")], vec![]).unwrap();
        let mut changes = live.subscribe();
        assert_eq!(*changes.borrow_and_update(), 1, "a learner is a version");
        let ada = live.learner_by_token_hash("hash-a").unwrap();
        assert!(live.learner_by_token_hash("hash-b").is_none());

        live.stored(
            &ada,
            "2026-11-30T00:01:00.000Z",
            vec![event(2, "second"), event(1, "first")],
        );
        assert!(changes.has_changed().unwrap());
        let snapshot = live.snapshot();
        assert_eq!(snapshot.version(), 3);
        let learner = &snapshot.state.learners[0];
        assert_eq!(learner.events, 2);
        assert_eq!(learner.record.as_ref().unwrap().lesson, "second");
        assert_eq!(
            learner.last_event_at.as_deref(),
            Some("2026-11-30T00:00:02Z")
        );
        assert_eq!(
            learner.last_seen_at.as_deref(),
            Some("2026-11-30T00:01:00.000Z")
        );

        // Unchanged: the same snapshot and the same serialisation, shared.
        let again = live.snapshot();
        assert!(Arc::ptr_eq(&snapshot, &again));
        assert!(Arc::ptr_eq(&snapshot.json(), &again.json()));
        live.joined(&row("b"));
        assert_eq!(live.snapshot().version(), 4);
        assert_eq!(live.learner_count(), 2);
    }

    #[test]
    fn a_rebuilt_class_counts_its_stored_events_in_its_version() {
        let stored = LearnerEvents {
            learner_id: "a".into(),
            count: 5,
            last_seen_at: "2026-11-30T00:01:00.000Z".into(),
            seq: 7,
            at: "2026-11-30T00:00:07Z".into(),
            body: serde_json::to_string(&event(7, "seventh")).unwrap(),
        };
        let live = Live::rebuild("c", &[row("a"), row("b")], vec![stored]).unwrap();
        let snapshot = live.snapshot();
        assert_eq!(snapshot.version(), 2 + 5);
        assert_eq!(snapshot.state.learners[0].events, 5);
        // A late event of a lower seq does not replace the kept record.
        let ada = live.learner_by_token_hash("hash-a").unwrap();
        live.stored(&ada, "2026-11-30T00:02:00.000Z", vec![event(3, "third")]);
        let learner = &live.snapshot().state.learners[0];
        assert_eq!(learner.record.as_ref().unwrap().lesson, "seventh");
        assert_eq!(learner.events, 6);

        let damaged = LearnerEvents {
            body: "{".into(),
            ..LearnerEvents {
                learner_id: "a".into(),
                count: 1,
                last_seen_at: String::new(),
                seq: 1,
                at: String::new(),
                body: String::new(),
            }
        };
        assert!(Live::rebuild("c", &[row("a")], vec![damaged]).is_err());
    }
}
