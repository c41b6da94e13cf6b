//! labrun's stand-ins for the tools a lesson uses, for machines that lack
//! them: `helm package` and the `replicated` CLI. The binary answers as the
//! tool when invoked under its name (a link on a lesson shell's PATH).

pub mod flags;
pub mod helm;
pub mod replicated;

/// Tools labrun stands in for when a machine lacks them.
pub const STANDINS: &[&str] = &["helm", "replicated"];
