//! Output as the CLI prints it without a terminal: progress lines
//! (`  • Doing ✓`), JSON, and errors (`Error: …`, or the `ERROR:` block with
//! the method and endpoint for a refused API call).

use std::io::Write;

use serde::Serialize;

use crate::vendor_api::client::ClientError;

pub(super) enum Failure {
    Api(ClientError),
    Message(String),
}

impl From<ClientError> for Failure {
    fn from(e: ClientError) -> Self {
        Failure::Api(e)
    }
}

/// Progress lines like the CLI's logger without a TTY: `  • Doing` then ` ✓`.
pub(super) struct Ui<'a> {
    pub(super) out: &'a mut dyn Write,
    pub(super) quiet: bool,
}

impl Ui<'_> {
    pub(super) fn text(&mut self, text: &str) {
        if !self.quiet {
            let _ = write!(self.out, "{text}");
        }
    }

    /// `  • {action}` … ` ✓` around `step`, or ` ✗` when it fails.
    pub(super) fn action<T, E>(
        &mut self,
        action: &str,
        step: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        if !self.quiet {
            let _ = write!(self.out, "  • {action}");
            let _ = self.out.flush();
        }
        let result = step();
        if !self.quiet {
            let mark = if result.is_ok() { "✓" } else { "✗" };
            let _ = writeln!(self.out, " {mark}");
        }
        result
    }

    pub(super) fn child(&mut self, line: &str) {
        self.text(&format!("    • {line}\n"));
    }

    pub(super) fn json(&mut self, value: &impl Serialize) -> Result<(), Failure> {
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| Failure::Message(format!("cannot print JSON: {e}")))?;
        let _ = writeln!(self.out, "{text}");
        Ok(())
    }
}

pub(super) fn report(err: &mut dyn Write, failure: &Failure) {
    let _ = match failure {
        Failure::Message(message) => writeln!(err, "Error: {message}"),
        Failure::Api(e) => match (e.status(), e.request()) {
            (Some(status), Some((method, url))) => writeln!(
                err,
                "ERROR: {status}\nMETHOD: {method}\nENDPOINT: {url}\n{}",
                api_detail(e)
            ),
            _ => writeln!(err, "Error: {e}"),
        },
    };
}

/// The last line of an `ERROR:` block: the API's message with what to do.
pub(super) fn api_detail(e: &ClientError) -> String {
    match e {
        ClientError::Unauthorized { .. } => {
            "the Vendor API refused the token: check REPLICATED_API_TOKEN (or --token)".into()
        }
        ClientError::Forbidden { message, .. } => {
            format!("{message} (does the token belong to the team that owns the app?)")
        }
        ClientError::NotFound { what, .. } => what.clone(),
        ClientError::Server {
            message, attempts, ..
        } if *attempts > 1 => format!("{message} (after {attempts} attempts)"),
        ClientError::Server { message, .. } | ClientError::Rejected { message, .. } => {
            message.clone()
        }
        other => other.to_string(),
    }
}
