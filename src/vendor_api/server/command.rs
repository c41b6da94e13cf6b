//! `labrun sandbox`: serve a state file's Vendor API for the learner's other
//! shells, or, when the lab (or another `labrun sandbox`) already serves it,
//! print that server's `export` lines instead of starting a rival, and take
//! over when it ends (on its port when free, so pasted exports keep working).

use super::exports::export_lines;
use super::owner::{self, Claim, OwnerRecord};
use super::{Sandbox, ServerConfig, ServerError};
use std::io::Write;
use std::net::SocketAddr;

use crate::vendor_api::client::{
    ENV_APP as APP_VAR, ENV_ORIGIN as ORIGIN_VAR, ENV_TOKEN as TOKEN_VAR,
};

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("the local Vendor API could not start: {0}")]
    Server(#[from] ServerError),
    #[error("the local Vendor API could not be claimed: {0}")]
    Owner(#[from] owner::OwnerError),
}

/// Serves until the process is ended (Ctrl-C); returns only on an error.
pub fn run(config: ServerConfig) -> Result<(), CommandError> {
    // Written so that a closed stdout (a learner piping to `head`) never ends the server.
    #[cfg(unix)]
    // SAFETY: changing a signal disposition; main reset SIGPIPE to its default.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
    let Some(state) = config.state_path.clone() else {
        // In memory only: nobody else can share it.
        let server = Sandbox::start(config.clone())?;
        say(&serving_banner(&server, &config));
        return serve_forever(server, None);
    };
    let election = match owner::claim(&state)? {
        Claim::Won(election) => election,
        Claim::Taken(running) => {
            say(&follower_banner(&running, &config));
            let election = owner::wait_to_take_over(&state)?;
            // Its port, if free, so exports pasted from it keep working.
            let mut on_its_port = config.clone();
            if config.listen.port() == 0
                && let Some(addr) = origin_addr(&running.origin)
            {
                on_its_port.listen = addr;
            }
            let server = Sandbox::start(on_its_port).or_else(|_| Sandbox::start(config.clone()))?;
            let same = server.origin() == running.origin;
            say(&format!(
                "\n{} (pid {}) ended; this command serves the Vendor API now{}.\n",
                running.command,
                running.pid,
                if same {
                    ", at the same address"
                } else {
                    "; use these lines instead"
                }
            ));
            let ownership = election.publish(&record(&server, &config))?;
            say(&serving_banner(&server, &config));
            return serve_forever(server, Some(ownership));
        }
    };
    let server = Sandbox::start(config.clone())?;
    let ownership = election.publish(&record(&server, &config))?;
    say(&serving_banner(&server, &config));
    serve_forever(server, Some(ownership))
}

fn record(server: &Sandbox, config: &ServerConfig) -> OwnerRecord {
    OwnerRecord::new(
        "labrun sandbox",
        server.origin(),
        &config.token,
        &config.app_slug,
    )
}

fn serve_forever(server: Sandbox, ownership: Option<owner::Ownership>) -> Result<(), CommandError> {
    let _kept = (server, ownership);
    loop {
        std::thread::park();
    }
}

fn serving_banner(server: &Sandbox, config: &ServerConfig) -> String {
    let origin = server.origin();
    let exports = export_lines(&[
        (ORIGIN_VAR, origin),
        (TOKEN_VAR, &config.token),
        (APP_VAR, &config.app_slug),
    ]);
    format!(
        "Local Vendor API for app {} at {origin}\nIn another shell:\n\n{exports}\n\
         State is saved after every change. Stop with Ctrl-C.\n",
        config.app_slug
    )
}

fn follower_banner(running: &OwnerRecord, config: &ServerConfig) -> String {
    // Quoted: a learner pastes these lines into a shell.
    let exports = export_lines(&[
        (ORIGIN_VAR, &running.origin),
        (TOKEN_VAR, &running.token),
        (APP_VAR, &running.app),
    ]);
    let token_note = if running.token == config.token {
        ""
    } else {
        "(its token, not the one given here)\n"
    };
    format!(
        "{} (pid {}) already serves this Vendor API for app {} at {}\n\
         In another shell:\n\n{exports}\n{token_note}\
         This command waits, and serves the API itself when that process ends. Stop with Ctrl-C.\n",
        running.command, running.pid, running.app, running.origin
    )
}

fn origin_addr(origin: &str) -> Option<SocketAddr> {
    let addr: SocketAddr = origin.strip_prefix("http://")?.parse().ok()?;
    addr.ip().is_loopback().then_some(addr)
}

fn say(text: &str) {
    let mut stdout = std::io::stdout();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}
