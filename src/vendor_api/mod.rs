//! The Replicated Vendor API: shared JSON types, release specs, the client,
//! and the local stand-in server. Knows nothing of lessons.

pub mod client;
pub mod server;
pub mod spec;
pub mod types;
