//! The lifecycle scripts a runner (and its clones) has running, and the
//! background processes setup, solve and cleanup scripts left running (as
//! Instruqt leaves them), so that quitting can end them all with their
//! process groups, whichever thread waits for each; once stopped, no new
//! script starts. When the last handle goes, whatever was left running ends.

use crate::process_group::{Canceller, Survivors};
use std::sync::{Arc, Mutex, MutexGuard};

/// The scripts a runner (and its clones) has running, so that quitting can
/// end them all, whichever thread waits for them.
#[derive(Debug, Clone, Default)]
pub struct InFlight(Arc<Mutex<InFlightState>>);

#[derive(Default)]
struct InFlightState {
    next: u64,
    running: Vec<(u64, Canceller)>,
    /// Ended when dropped: by `stop_all`, or with the last handle.
    left_running: Vec<Survivors>,
    stopped: bool,
}

impl std::fmt::Debug for InFlightState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InFlight")
            .field("running", &self.running.len())
            .field("left_running", &self.left_running.len())
            .field("stopped", &self.stopped)
            .finish()
    }
}

impl InFlight {
    fn lock(&self) -> MutexGuard<'_, InFlightState> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Ends every running script with its whole group, and what finished
    /// scripts left running, and refuses to start new ones (they end
    /// `Cancelled` at once): for quitting.
    pub fn stop_all(&self) {
        let mut state = self.lock();
        state.stopped = true;
        for (_, canceller) in state.running.drain(..) {
            canceller.cancel();
        }
        state.left_running.clear();
    }

    /// How many finished scripts left background processes running.
    pub fn left_running(&self) -> usize {
        self.lock().left_running.len()
    }

    /// Keeps what a finished script left running, to end it later (at once when stopped).
    pub(super) fn keep(&self, survivors: Survivors) {
        let mut state = self.lock();
        if !state.stopped {
            state.left_running.push(survivors);
        }
    }

    /// How many scripts run now.
    pub fn running(&self) -> usize {
        self.lock().running.len()
    }

    pub fn is_stopped(&self) -> bool {
        self.lock().stopped
    }

    /// Registers a started script; None when stopped.
    pub(super) fn register(&self, canceller: Canceller) -> Option<u64> {
        let mut state = self.lock();
        if state.stopped {
            return None;
        }
        state.next += 1;
        let id = state.next;
        state.running.push((id, canceller));
        Some(id)
    }

    fn forget(&self, id: u64) {
        self.lock().running.retain(|(i, _)| *i != id);
    }
}

/// A running script's place in its `InFlight`, given up when dropped.
pub(super) struct Registration {
    pub(super) in_flight: InFlight,
    pub(super) id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.in_flight.forget(self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_all_refuses_what_comes_after() {
        let in_flight = InFlight::default();
        let id = in_flight.register(Canceller::detached()).unwrap();
        assert_eq!(in_flight.running(), 1);
        drop(Registration {
            in_flight: in_flight.clone(),
            id,
        });
        assert_eq!(in_flight.running(), 0);
        in_flight.register(Canceller::detached()).unwrap();
        in_flight.stop_all();
        assert_eq!(in_flight.running(), 0);
        assert!(in_flight.is_stopped());
        assert!(in_flight.register(Canceller::detached()).is_none());
    }
}
