//! `labrun class serve`: the class server, started from the command line.

use super::CommandError;
use std::net::SocketAddr;
use std::path::Path;

pub fn serve(
    _listen: SocketAddr,
    _db: &str,
    _name: &str,
    _tls_cert: Option<&Path>,
    _tls_key: Option<&Path>,
) -> Result<u8, CommandError> {
    Err(crate::class::server::ServerError::NotBuilt.into())
}
