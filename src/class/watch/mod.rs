//! The instructor's views of a live class: the terminal dashboard (`labrun
//! class watch URL`) and `labrun report URL`. Both read the class state the
//! server keeps ([`crate::class::protocol::ClassState`]) with the instructor
//! token, and show it through `report::build` — the same data as `labrun
//! report` on exported records.
//!
//! - [`token`]: where the instructor token comes from (never a flag)
//! - [`client`]: `GET /api/class`, its failures worded for the instructor
//! - [`stream`]: the `/api/stream` (server-sent events) client on its own thread
//! - [`board`]: the class state as the dashboard's rows, stuck and idle learners
//! - [`app`]: the dashboard's state and `update(Action) → Effect`
//! - [`keys`]: the key bindings, as data (input and help read the same table)
//! - [`render`]: the screen, a pure function of the state
//! - [`event_loop`]: the terminal, the threads and the loop that joins them

pub mod app;
pub mod board;
pub mod client;
mod event_loop;
pub mod keys;
pub mod render;
pub mod stream;
pub mod token;

pub use event_loop::run;

/// Why a view of the class could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error(
        "no instructor token for {base}: run `labrun class serve` on this machine (it remembers the token in {remembered_in}), or set {env} to the instructor token `class serve` printed"
    )]
    NoToken {
        base: String,
        /// Where `class serve` would have remembered it.
        remembered_in: String,
        env: &'static str,
    },
    #[error("the instructor token for {base} was refused ({why}; the token {source_of_token})")]
    Refused {
        base: String,
        why: String,
        source_of_token: String,
    },
    #[error(
        "{request} failed: the class server did not answer ({why}); is `labrun class serve` running there?"
    )]
    Unreachable { request: String, why: String },
    #[error("{request} failed: the class server answered {status} ({why})")]
    Status {
        request: String,
        status: u16,
        why: String,
    },
    #[error("{request} did not answer a class state: {why}")]
    BadState { request: String, why: String },
    #[error("the class {class:?} at {base} has no learner with progress yet: nothing to report")]
    EmptyClass { class: String, base: String },
    #[error("labrun class watch needs a terminal; use `labrun report {0}` in scripts")]
    NotATerminal(String),
    #[error(
        "labrun class watch needs a full-screen terminal, and TERM is {0:?}; use `labrun report URL` instead"
    )]
    Dumb(String),
    /// Taking over the terminal, reading its input or drawing on it.
    #[error("the dashboard stopped: {0}")]
    Terminal(#[from] std::io::Error),
}
