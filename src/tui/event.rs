//! The one event type the lab's UI thread waits on, and the threads that
//! send it: terminal input, the shell's output and exit, file changes,
//! check results and termination signals. Nothing wakes the UI otherwise.

use crate::checks::StepReport;
use ratatui::crossterm::event as ct;
use std::sync::mpsc::SyncSender;
use std::time::{Duration, Instant};

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
    /// Results of a check run, in step order; `asked` when the learner asked for it.
    Checked {
        reports: Vec<StepReport>,
        asked: bool,
    },
    /// A signal (SIGTERM, SIGHUP, SIGINT, SIGQUIT): restore the terminal,
    /// end the shell and leave with 128 + its number.
    Terminate(i32),
}

/// Reads terminal input on its own thread: `crossterm::event::read` cannot
/// be interrupted, so it gets a thread that does nothing else.
pub fn spawn_input(tx: SyncSender<Event>) {
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            while let Ok(event) = ct::read() {
                if tx.send(Event::Input(event, Instant::now())).is_err() {
                    break;
                }
            }
        })
        .expect("spawning the input thread");
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

/// Watches the workspace and reports changes, coalesced: one event per
/// burst of writes (an editor's save is several), none while idle.
pub fn spawn_watcher(
    root: &std::path::Path,
    tx: SyncSender<Event>,
) -> notify::Result<notify::RecommendedWatcher> {
    use notify::{RecursiveMode, Watcher};
    let state_dir = root.join(crate::workspace::STATE_DIR);
    let api_state = state_dir.join(crate::session::VENDOR_STATE_DIR);
    // (learner files changed, API state changed)
    let (raw_tx, raw_rx) = std::sync::mpsc::channel::<(bool, bool)>();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        let Ok(event) = res else { return };
        if event.kind.is_access() {
            return;
        }
        // labrun's own state (progress, temp files) is not the learner's work.
        let files = event.paths.iter().any(|p| !p.starts_with(&state_dir));
        let api = event
            .paths
            .iter()
            .any(|p| p.starts_with(&api_state) && p.extension().is_some_and(|e| e == "json"));
        if files || api {
            let _ = raw_tx.send((files, api));
        }
    })?;
    watcher.watch(root, RecursiveMode::Recursive)?;
    std::thread::Builder::new()
        .name("watch-debounce".into())
        .spawn(move || {
            const QUIET: Duration = Duration::from_millis(150);
            while let Ok((mut files, mut api)) = raw_rx.recv() {
                while let Ok((more_files, more_api)) = raw_rx.recv_timeout(QUIET) {
                    files |= more_files;
                    api |= more_api;
                }
                let sent = [(files, Event::FilesChanged), (api, Event::ApiChanged)]
                    .into_iter()
                    .filter(|(changed, _)| *changed)
                    .try_for_each(|(_, event)| tx.send(event));
                if sent.is_err() {
                    break;
                }
            }
        })
        .expect("spawning the watcher thread");
    Ok(watcher)
}
