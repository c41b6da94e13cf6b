//! The one event type the lab's UI thread waits on, and the threads that
//! send terminal input and termination signals as events. The shell's
//! output and exit come from `shell`, file changes from `watch`, check
//! results from the check worker, a challenge set up or skipped from the
//! course runtime; nothing wakes the UI otherwise.

use crate::checks::StepReport;
use ratatui::crossterm::event as ct;
use std::sync::mpsc::SyncSender;
use std::time::Instant;

#[derive(Debug)]
pub enum Event {
    /// A terminal event and when it was read (the lab tells typing from
    /// commands by the time between keys).
    Input(ct::Event, Instant),
    /// Bytes the shell wrote to its terminal.
    ShellOutput(Vec<u8>),
    /// The shell exited, with its exit code if it had one.
    ShellExited(Option<u32>),
    /// The learner's files changed on disk.
    FilesChanged,
    /// The local Vendor API's state changed (a release was created or promoted).
    ApiChanged,
    /// Results of a check run of a challenge's steps (in step order);
    /// `asked` when the learner asked for it.
    Checked {
        challenge: usize,
        reports: Vec<StepReport>,
        asked: bool,
    },
    /// The course runtime set challenge N up (its setup scripts ran).
    ChallengeReady(usize),
    /// The course runtime skipped challenge N (its solve scripts ran).
    ChallengeSkipped(usize),
    /// Something the learner should read (a lifecycle script that failed).
    Notice(String),
    /// A signal (SIGTERM, SIGHUP, SIGINT, SIGQUIT): restore the terminal,
    /// end the shell and leave with 128 + its number.
    Terminate(i32),
}

/// Reads terminal input on its own thread: `crossterm::event::read` cannot
/// be interrupted, so it gets a thread that does nothing else.
pub fn spawn_input(tx: SyncSender<Event>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            while let Ok(event) = ct::read() {
                if tx.send(Event::Input(event, Instant::now())).is_err() {
                    break;
                }
            }
        })
        .map(drop)
}

/// Turns SIGTERM, SIGHUP, SIGINT and SIGQUIT into an event, so the terminal is restored
/// before the process ends.
pub fn spawn_signals(tx: SyncSender<Event>) -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    // In raw mode Ctrl-C is a key, so SIGINT only comes from `kill`: leave cleanly too.
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT, SIGQUIT])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let _ = tx.send(Event::Terminate(signal));
            }
        })?;
    Ok(())
}
