//! `labrun class watch`'s loop: the terminal taken over (and given back on
//! every way out: quit, a refused token, SIGTERM/SIGHUP, a panic), threads
//! for the terminal's input, termination signals and the class stream all
//! sending one `Event` type, and the loop turning each into an action,
//! updating the app and drawing only when something changed. While nothing
//! happens it sleeps in `recv_timeout` until a learner is due to turn idle
//! (at most a minute): no polling.

use super::WatchError;
use super::app::{Action, App, Connection, Effect, Ending};
use super::client;
use super::keys;
use super::render;
use super::stream::{self, StreamEvent};
use super::token::InstructorToken;
use crate::class::protocol::ClassUrl;
use ratatui::crossterm::event as ct;
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::time::SystemTime;

enum Event {
    Input(ct::Event),
    Stream(StreamEvent),
    Signal(i32),
}

/// Refuses a terminal the dashboard cannot draw on.
fn check_terminal(url: &ClassUrl) -> Result<(), WatchError> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(WatchError::NotATerminal(url.base.clone()));
    }
    let term = std::env::var("TERM").unwrap_or_default();
    if term.is_empty() || term == "dumb" {
        return Err(WatchError::Dumb(term));
    }
    Ok(())
}

fn spawn_input(tx: SyncSender<Event>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            while let Ok(event) = ct::read() {
                if tx.send(Event::Input(event)).is_err() {
                    break;
                }
            }
        })
        .map(drop)
}

fn spawn_signals(tx: SyncSender<Event>) -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT, SIGQUIT])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let _ = tx.send(Event::Signal(signal));
            }
        })
        .map(drop)
}

/// Watches the class at `url` until the instructor quits; the exit code
/// (0, or 128 + a signal's number).
pub fn run(url: &ClassUrl, token: InstructorToken) -> Result<u8, WatchError> {
    check_terminal(url)?;
    // Asked once before the screen is taken: a refused token is said on the
    // plain terminal; a server that is down is shown as reconnecting.
    let first = match client::fetch_state(url, &token) {
        Ok(state) => Ok(state),
        Err(refused @ WatchError::Refused { .. }) => return Err(refused),
        Err(other) => Err(other.to_string()),
    };
    let (tx, rx) = mpsc::sync_channel::<Event>(256);
    spawn_signals(tx.clone())?;
    let mut terminal = crate::tui::terminal::init()?;
    let result = (|| {
        spawn_input(tx.clone())?;
        let to_loop = tx.clone();
        stream::spawn(url.clone(), token, move |e| {
            to_loop.send(Event::Stream(e)).is_ok()
        })?;
        drop(tx);
        let size = terminal.size()?;
        let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        let mut app = App::new(
            &url.base,
            SystemTime::now(),
            (size.width, size.height),
            color,
        );
        match first {
            Ok(state) => app.update(Action::State(Box::new(state), SystemTime::now())),
            Err(why) => app.update(Action::Connection(Connection::Reconnecting {
                attempt: 1,
                why,
            })),
        };
        event_loop(&mut terminal, &mut app, &rx)
    })();
    crate::tui::terminal::restore();
    result
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    rx: &mpsc::Receiver<Event>,
) -> Result<u8, WatchError> {
    let mut refused: Option<WatchError> = None;
    terminal.draw(|f| render::draw(f, app))?;
    loop {
        let first = match rx.recv_timeout(app.next_tick()) {
            Ok(event) => Some(event),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return Ok(0),
        };
        let mut draw =
            matches!(app.update(Action::Tick(SystemTime::now())), Effect::Draw) && first.is_none();
        // Everything that piled up is taken in before one draw.
        for event in first.into_iter().chain(rx.try_iter()) {
            let action = match event {
                Event::Input(input) => keys::action_for(&input, app.typing),
                Event::Signal(n) => Some(Action::Signal(n)),
                Event::Stream(StreamEvent::State(state)) => {
                    Some(Action::State(state, SystemTime::now()))
                }
                Event::Stream(StreamEvent::Down { attempt, why, .. }) => {
                    Some(Action::Connection(Connection::Reconnecting {
                        attempt,
                        why,
                    }))
                }
                Event::Stream(StreamEvent::Refused(error)) => {
                    let why = error.to_string();
                    refused = Some(error);
                    Some(Action::Refused(why))
                }
            };
            let Some(action) = action else { continue };
            match app.update(action) {
                Effect::Nothing => {}
                Effect::Draw => draw = true,
                Effect::Quit(Ending::Quit) => return Ok(0),
                Effect::Quit(Ending::Signal(n)) => {
                    return Ok(u8::try_from(128 + n).unwrap_or(255));
                }
                Effect::Quit(Ending::Refused(why)) => {
                    return Err(refused.take().unwrap_or(WatchError::Unreachable {
                        request: "GET /api/stream".into(),
                        why,
                    }));
                }
            }
        }
        if draw {
            terminal.draw(|f| render::draw(f, app))?;
        }
    }
}
