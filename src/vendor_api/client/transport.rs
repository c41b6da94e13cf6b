//! One HTTP attempt: the request sent, the answer read (bounded), and what
//! went wrong below HTTP ([`Transport`]) told apart, because the retry rules
//! depend on it: a refused connection sent nothing, a broken one may have.

use std::io::Read;

use reqwest::Method;

use super::{Client, ClientError};

/// Answers larger than this are refused (a release with its spec is the largest).
const MAX_BODY_BYTES: u64 = 256 * 1024 * 1024;

/// What went wrong below HTTP.
pub(super) enum Transport {
    Timeout {
        connecting: bool,
    },
    /// Nothing was sent: the server is not listening.
    Refused,
    /// No connection could be made (name resolution, unreachable network, TLS).
    Connect(String),
    /// The connection broke after the request may have been sent.
    Broken(String),
}

pub(super) enum Attempt {
    Done(u16, Vec<u8>),
    Failed(Transport),
}

impl Client {
    pub(super) fn attempt(&self, method: &Method, url: &str, body: Option<&[u8]>) -> Attempt {
        let mut request = self.http.request(method.clone(), url);
        if let Some(body) = body {
            request = request.body(body.to_vec());
        }
        let mut response = match request.send() {
            Ok(response) => response,
            Err(e) => return Attempt::Failed(classify(&e)),
        };
        let status = response.status().as_u16();
        let mut bytes = Vec::new();
        match (&mut response)
            .take(MAX_BODY_BYTES + 1)
            .read_to_end(&mut bytes)
        {
            Ok(_) if bytes.len() as u64 > MAX_BODY_BYTES => Attempt::Failed(Transport::Broken(
                format!("the answer is larger than {} MiB", MAX_BODY_BYTES >> 20),
            )),
            Ok(_) => Attempt::Done(status, bytes),
            Err(e) if chain_has_timeout(&e) => {
                Attempt::Failed(Transport::Timeout { connecting: false })
            }
            Err(e) => Attempt::Failed(Transport::Broken(format!(
                "the answer was cut off: {}",
                innermost(&e)
            ))),
        }
    }

    pub(super) fn transport_error(
        &self,
        method: &Method,
        url: &str,
        failure: Transport,
    ) -> ClientError {
        let hint = if self.loopback {
            " — is `labrun sandbox` running?"
        } else {
            " — check REPLICATED_API_ORIGIN and the network connection"
        };
        let unreachable = |reason: String| ClientError::Unreachable {
            method: method.to_string(),
            url: url.to_string(),
            reason,
        };
        match failure {
            Transport::Timeout { connecting } => ClientError::Timeout {
                method: method.to_string(),
                url: url.to_string(),
                after: if connecting {
                    self.config.connect_timeout.min(self.config.timeout)
                } else {
                    self.config.timeout
                },
            },
            Transport::Refused => unreachable(format!("connection refused{hint}")),
            Transport::Connect(reason) => unreachable(format!("{reason}{hint}")),
            Transport::Broken(reason) if *method == Method::GET => {
                unreachable(format!("the connection broke: {reason}{hint}"))
            }
            Transport::Broken(reason) => unreachable(format!(
                "the connection broke before an answer arrived ({reason}); the change may or \
                 may not have been applied: check with `replicated release ls`{hint}"
            )),
        }
    }
}

fn classify(e: &reqwest::Error) -> Transport {
    if e.is_timeout() {
        return Transport::Timeout {
            connecting: e.is_connect(),
        };
    }
    if chain_has_io_kind(e, std::io::ErrorKind::ConnectionRefused) {
        return Transport::Refused;
    }
    if e.is_connect() {
        let reason = if e.is_dns() {
            format!("the host name could not be resolved ({})", innermost(e))
        } else {
            innermost(e)
        };
        return Transport::Connect(reason);
    }
    Transport::Broken(innermost(e))
}

fn chain_has_io_kind(e: &(dyn std::error::Error + 'static), kind: std::io::ErrorKind) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = current {
        if err
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == kind)
        {
            return true;
        }
        current = err.source();
    }
    false
}

fn chain_has_timeout(e: &std::io::Error) -> bool {
    if e.kind() == std::io::ErrorKind::TimedOut {
        return true;
    }
    let mut current: Option<&(dyn std::error::Error + 'static)> = e.get_ref().map(|r| r as _);
    while let Some(err) = current {
        if err
            .downcast_ref::<reqwest::Error>()
            .is_some_and(reqwest::Error::is_timeout)
            || chain_has_io_kind(err, std::io::ErrorKind::TimedOut)
        {
            return true;
        }
        current = err.source();
    }
    false
}

/// The deepest cause's message ("Connection refused (os error 111)").
pub(super) fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut current = e;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}
