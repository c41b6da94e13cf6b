//! Helpers shared by the integration tests that include them.

// Each test file uses its own part of the helpers.
#[allow(dead_code)]
pub mod pty;
