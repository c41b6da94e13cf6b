//! Helpers shared by the integration tests that include them.

pub mod pty;
