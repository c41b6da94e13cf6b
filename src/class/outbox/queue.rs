//! The workspace's queue of class events, `.labrun/class/queue.jsonl`: one
//! [`Event`] a line, append-only, each append flushed to disk before the
//! progress change it describes is written (the caller holds the progress
//! lock, so `seq` follows the order the progress changed in). Beside it the
//! sent cursor, `sent.json`: the last acknowledged `seq` and where its line
//! ends, written atomically after each acknowledgement.
//!
//! A process killed mid-append leaves a last line without its newline: it
//! is never read as an event (its progress change was never written), and
//! the next append seals it with a newline so it stays one damaged line,
//! counted and skipped by the reader, never a panic.

use super::{ClassPaths, OutboxError};
use crate::class::protocol::Event;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// The most bytes one read of pending events takes: several full batches.
const READ_CHUNK: u64 = 4 * crate::class::protocol::MAX_BODY_BYTES as u64;
/// The tail read first when looking for the last event; doubled until a
/// whole line is in it.
const TAIL_CHUNK: u64 = 64 * 1024;

/// How far delivery got: every event up to `seq`, whose line ends at `offset`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub seq: u64,
    pub offset: u64,
}

/// An event read back, with where its line ends.
#[derive(Debug, Clone)]
pub struct Queued {
    pub event: Event,
    /// The line as written (sent as is).
    pub line: String,
    pub end: u64,
}

/// The events after a cursor, and how many damaged lines were skipped.
#[derive(Debug, Default)]
pub struct Pending {
    pub events: Vec<Queued>,
    pub damaged: usize,
    /// Where the reading stopped (past the damaged lines too).
    pub end: u64,
}

pub struct Queue<'a> {
    paths: &'a ClassPaths,
}

impl<'a> Queue<'a> {
    pub fn of(paths: &'a ClassPaths) -> Queue<'a> {
        Queue { paths }
    }

    /// Appends `events` (numbered from the last `seq` on) and flushes them to
    /// disk. The caller holds the progress lock: appends never interleave.
    pub fn append(&self, make: impl FnOnce(u64) -> Vec<Event>) -> Result<Vec<Event>, OutboxError> {
        let path = self.paths.queue();
        let io = |source| OutboxError::Io {
            path: path.clone(),
            source,
        };
        let dir = self.paths.dir();
        let created = !dir.is_dir();
        std::fs::create_dir_all(&dir).map_err(|source| OutboxError::Io {
            path: dir.clone(),
            source,
        })?;
        let mut file = open_append(&path).map_err(io)?;
        let (last, sealed) = last_seq(&mut file).map_err(io)?;
        let events = make(last + 1);
        if events.is_empty() {
            return Ok(events);
        }
        let mut bytes = Vec::new();
        if !sealed {
            // A torn line from a killed writer: keep it one (damaged) line.
            bytes.push(b'\n');
        }
        for event in &events {
            serde_json::to_writer(&mut bytes, event).expect("an event serializes");
            bytes.push(b'\n');
        }
        file.write_all(&bytes).map_err(io)?;
        file.sync_data().map_err(io)?;
        if created {
            sync_dir(&self.paths.state_dir());
        }
        Ok(events)
    }

    /// The events after `cursor`, at most [`READ_CHUNK`] bytes of them.
    pub fn pending(&self, cursor: Cursor) -> Result<Pending, OutboxError> {
        let path = self.paths.queue();
        let io = |source| OutboxError::Io {
            path: path.clone(),
            source,
        };
        let mut file = match crate::fsutil::open_regular(&path) {
            Ok(file) => file,
            Err(e) if e.is_not_found() => return Ok(Pending::default()),
            Err(e) => return Err(OutboxError::Unreadable(e)),
        };
        let len = file.metadata().map_err(io)?.len();
        // A queue cut short (made afresh): read it from its start.
        let start = if cursor.offset > len {
            0
        } else {
            cursor.offset
        };
        file.seek(SeekFrom::Start(start)).map_err(io)?;
        let mut bytes = Vec::new();
        file.take(READ_CHUNK).read_to_end(&mut bytes).map_err(io)?;
        let mut pending = Pending {
            end: start,
            ..Pending::default()
        };
        let mut at = start;
        // Only whole lines: a last line without its newline is being
        // written, or was torn by a kill.
        for line in bytes.split_inclusive(|&b| b == b'\n') {
            if line.last() != Some(&b'\n') {
                break;
            }
            at += line.len() as u64;
            pending.end = at;
            let text = String::from_utf8_lossy(&line[..line.len() - 1]);
            match serde_json::from_str::<Event>(&text) {
                Ok(event) if event.seq > cursor.seq => pending.events.push(Queued {
                    event,
                    line: text.into_owned(),
                    end: at,
                }),
                Ok(_) => {}
                Err(_) if text.trim().is_empty() => {}
                Err(_) => pending.damaged += 1,
            }
        }
        Ok(pending)
    }

    /// Every event in the queue (for tests and `labrun class` status).
    pub fn all(&self) -> Result<Pending, OutboxError> {
        let mut all = Pending::default();
        let mut cursor = Cursor::default();
        loop {
            let mut chunk = self.pending(cursor)?;
            all.damaged += chunk.damaged;
            if chunk.end == cursor.offset {
                return Ok(all);
            }
            cursor = Cursor {
                seq: chunk.events.last().map_or(cursor.seq, |q| q.event.seq),
                offset: chunk.end,
            };
            all.end = chunk.end;
            all.events.append(&mut chunk.events);
        }
    }

    /// The sent cursor; the start when nothing was acknowledged yet.
    pub fn cursor(&self) -> Result<Cursor, OutboxError> {
        let path = self.paths.cursor();
        match crate::fsutil::read_limited(&path, 4096) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|source| OutboxError::DamagedCursor { path, source }),
            Err(e) if e.is_not_found() => Ok(Cursor::default()),
            Err(e) => Err(OutboxError::Unreadable(e)),
        }
    }

    /// Records that every event up to `cursor` was acknowledged.
    pub fn acknowledge(&self, cursor: Cursor) -> Result<(), OutboxError> {
        let path = self.paths.cursor();
        let json = serde_json::to_vec(&cursor).expect("a cursor serializes");
        crate::fsutil::write_atomic(&path, &json).map_err(|source| OutboxError::Io { path, source })
    }

    /// Forgets the queue and its cursor (the workspace left its class).
    /// Returns how many events were never acknowledged.
    pub fn clear(&self) -> Result<usize, OutboxError> {
        let unsent = self
            .pending(self.cursor().unwrap_or_default())?
            .events
            .len();
        for path in [self.paths.queue(), self.paths.cursor()] {
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(OutboxError::Io { path, source: e });
                }
                _ => {}
            }
        }
        Ok(unsent)
    }
}

fn open_append(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    Ok(file)
}

/// The highest `seq` of the last whole event line, and whether the file
/// ends with a newline (false: a torn line is at its end).
fn last_seq(file: &mut File) -> std::io::Result<(u64, bool)> {
    #[derive(Deserialize)]
    struct Seq {
        seq: u64,
    }
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok((0, true));
    }
    let mut window = TAIL_CHUNK.min(len);
    loop {
        let start = len - window;
        file.seek(SeekFrom::Start(start))?;
        let mut bytes = Vec::with_capacity(window as usize);
        (&mut *file).take(window).read_to_end(&mut bytes)?;
        let sealed = bytes.last() == Some(&b'\n');
        let mut lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
        if !sealed {
            lines.pop();
        }
        // The first piece is cut unless the window reaches the file's start.
        let whole = if start == 0 {
            &lines[..]
        } else {
            lines.get(1..).unwrap_or(&[])
        };
        if let Some(seq) = whole
            .iter()
            .rev()
            .find_map(|line| serde_json::from_slice::<Seq>(line).ok())
        {
            return Ok((seq.seq, sealed));
        }
        if start == 0 {
            return Ok((0, sealed));
        }
        window = (window * 2).min(len);
    }
}

/// Makes a new file's name durable (its directory entry), best effort.
fn sync_dir(dir: &Path) {
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::class::protocol::EventKind;

    fn event(seq: u64) -> Event {
        Event {
            id: format!("{seq:032x}"),
            seq,
            at: "2026-11-30T00:00:00Z".into(),
            kind: EventKind::Hint,
            challenge: None,
            step: Some("s".into()),
            status: None,
            conditions: Vec::new(),
            record: crate::report::Record {
                schema: crate::report::RECORD_SCHEMA,
                kind: crate::report::RECORD_KIND.into(),
                learner: "Ada".into(),
                lesson: "l".into(),
                exported_at: "2026-11-30T00:00:00Z".into(),
                workspace_id: None,
                progress: crate::progress::Progress::new("l"),
            },
        }
    }

    fn paths() -> (tempfile::TempDir, ClassPaths) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".labrun")).unwrap();
        let paths = ClassPaths::of(dir.path());
        (dir, paths)
    }

    #[test]
    fn appends_number_events_and_the_cursor_keeps_what_was_sent() {
        let (_dir, paths) = paths();
        let queue = Queue::of(&paths);
        let first = queue
            .append(|next| vec![event(next), event(next + 1)])
            .unwrap();
        assert_eq!(first.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2]);
        let third = queue.append(|next| vec![event(next)]).unwrap();
        assert_eq!(third[0].seq, 3);
        assert!(queue.append(|_| Vec::new()).unwrap().is_empty());
        let pending = queue.pending(queue.cursor().unwrap()).unwrap();
        assert_eq!(pending.events.len(), 3);
        let acked = &pending.events[1];
        queue
            .acknowledge(Cursor {
                seq: acked.event.seq,
                offset: acked.end,
            })
            .unwrap();
        let pending = queue.pending(queue.cursor().unwrap()).unwrap();
        assert_eq!(
            pending
                .events
                .iter()
                .map(|q| q.event.seq)
                .collect::<Vec<_>>(),
            [3]
        );
    }

    #[test]
    fn a_torn_last_line_is_ignored_then_sealed_and_counted() {
        let (_dir, paths) = paths();
        let queue = Queue::of(&paths);
        queue.append(|next| vec![event(next)]).unwrap();
        // A kill in the middle of the second append.
        let line = serde_json::to_string(&event(2)).unwrap();
        let mut file = open_append(&paths.queue()).unwrap();
        file.write_all(&line.as_bytes()[..line.len() / 2]).unwrap();
        let pending = queue.all().unwrap();
        assert_eq!(pending.events.len(), 1, "the torn line is not an event");
        assert_eq!(pending.damaged, 0, "a line being written is not damage yet");
        // The next append numbers after the last whole event and seals the tear.
        let next = queue.append(|next| vec![event(next)]).unwrap();
        assert_eq!(next[0].seq, 2);
        let pending = queue.all().unwrap();
        assert_eq!(
            pending
                .events
                .iter()
                .map(|q| q.event.seq)
                .collect::<Vec<_>>(),
            [1, 2]
        );
        assert_eq!(pending.damaged, 1);
    }

    #[test]
    fn the_last_seq_is_found_past_a_long_tail() {
        let (_dir, paths) = paths();
        let queue = Queue::of(&paths);
        queue.append(|next| vec![event(next)]).unwrap();
        let mut big = event(2);
        big.step = Some("x".repeat(3 * TAIL_CHUNK as usize));
        queue.append(|_| vec![big.clone()]).unwrap();
        let mut file = open_append(&paths.queue()).unwrap();
        assert_eq!(last_seq(&mut file).unwrap(), (2, true));
        let next = queue.append(|next| vec![event(next)]).unwrap();
        assert_eq!(next[0].seq, 3);
    }

    #[test]
    fn clearing_says_how_many_were_unsent() {
        let (_dir, paths) = paths();
        let queue = Queue::of(&paths);
        queue
            .append(|next| vec![event(next), event(next + 1)])
            .unwrap();
        assert_eq!(queue.clear().unwrap(), 2);
        assert!(queue.all().unwrap().events.is_empty());
        assert_eq!(queue.append(|next| vec![event(next)]).unwrap()[0].seq, 1);
    }
}
