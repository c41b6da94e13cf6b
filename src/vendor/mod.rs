//! The Replicated Vendor API: shared JSON types, the client, the local
//! stand-in server, and the `replicated` CLI stand-in. Knows nothing of lessons.

pub mod client;
pub mod replicated;
pub mod server;
pub mod types;
