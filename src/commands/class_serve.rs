//! `labrun class serve`: the class server, started from the command line —
//! what it prints for the instructor (the join URL learners use, the
//! dashboard), and the instructor token: printed once, when the class is
//! created, inside the dashboard URL (the page takes it once and keeps it
//! in a cookie), and remembered on this machine for `class watch` and
//! `report URL`. Nothing else the server does is printed: no token, no
//! learner's text.

use super::CommandError;
use crate::class::credentials::Credentials;
use crate::class::protocol::{ClassUrl, INSTRUCTOR_TOKEN_ENV};
use crate::class::server::{Config, Server, Started};
use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;

pub fn serve(
    listen: SocketAddr,
    db: &str,
    name: &str,
    tls_cert: Option<&Path>,
    tls_key: Option<&Path>,
) -> Result<u8, CommandError> {
    let server = Server::start(Config {
        listen,
        db: db.to_string(),
        name: name.to_string(),
        tls_cert: tls_cert.map(Path::to_path_buf),
        tls_key: tls_key.map(Path::to_path_buf),
    })?;
    let credentials = Credentials::default_location(&|var| std::env::var(var).ok());
    let remembered = remember(server.started(), credentials);
    let text = announcement(server.started(), &remembered);
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    drop(out);
    server.run()?;
    println!("The class server stopped; everything it acknowledged is stored.");
    Ok(0)
}

/// Where the instructor token is kept on this machine, or why it is not.
enum Remembered {
    /// The file, and the token (on a resume, found there by its hash).
    In {
        path: String,
        token: String,
    },
    NotHere(String),
}

fn remember(
    started: &Started,
    credentials: Result<Credentials, crate::class::credentials::CredentialsError>,
) -> Remembered {
    let credentials = match credentials {
        Ok(c) => c,
        Err(e) => return Remembered::NotHere(e.to_string()),
    };
    let path = credentials.path().display().to_string();
    if let Some(token) = &started.instructor_token {
        return match credentials.remember(&started.bases, token) {
            Ok(()) => Remembered::In {
                path,
                token: token.clone(),
            },
            Err(e) => Remembered::NotHere(format!("could not remember the token: {e}")),
        };
    }
    // Resumed: the token is known here if it was remembered under any URL
    // (the database keeps only its hash); then under these URLs too.
    let known = credentials.known_tokens().ok().and_then(|tokens| {
        tokens
            .into_iter()
            .find(|t| crate::class::server::token_matches(t, &started.instructor_token_hash))
    });
    match known {
        Some(token) => match credentials.remember(&started.bases, &token) {
            Ok(()) => Remembered::In { path, token },
            Err(e) => Remembered::NotHere(format!("could not remember the token: {e}")),
        },
        None => Remembered::NotHere(format!("it is not remembered in {path}")),
    }
}

fn announcement(started: &Started, remembered: &Remembered) -> String {
    let mut text = String::new();
    let state = if started.instructor_token.is_some() {
        "created".to_string()
    } else {
        let n = started.learners;
        format!("resumed, {n} learner{}", if n == 1 { "" } else { "s" })
    };
    text.push_str(&format!(
        "Class {:?} ({state}), class code {}, stored in {}\n\n",
        started.class, started.join_code, started.db
    ));
    // Learners on the LAN use its addresses; loopback only on this machine.
    let learner_bases: Vec<&String> = if started.bases.len() > 1 {
        started.bases[1..].iter().collect()
    } else {
        started.bases.iter().collect()
    };
    text.push_str(
        "Learners join with (`labrun class join URL` in a workspace they already have):\n",
    );
    for base in &learner_bases {
        text.push_str(&format!(
            "  labrun start --class {}\n",
            ClassUrl::join_url(base, &started.join_code)
        ));
    }
    if let Some(note) = &started.lan_note {
        text.push_str(&format!(
            "  ({note}: learners on other machines cannot join yet)\n"
        ));
    }
    let base = &started.bases[0];
    text.push_str("\nInstructor:\n");
    // The dashboard URL carries the token the first time, and on a resume
    // when this machine remembers it (its owner could read it there anyway).
    let token = match remembered {
        Remembered::In { token, .. } => Some(token),
        Remembered::NotHere(_) => started.instructor_token.as_ref(),
    };
    match token {
        Some(token) => {
            text.push_str(&format!("  dashboard  {base}/?token={token}\n"));
            text.push_str(
                "  (keep this URL to yourself: the page moves the token into a cookie)\n",
            );
        }
        None => text.push_str(&format!(
            "  dashboard  {base}/  (the first time add ?token= and the token printed when the class was created)\n"
        )),
    }
    match remembered {
        Remembered::In { path, .. } => text.push_str(&format!(
            "  labrun class watch {base} and labrun report {base} use the token remembered in {path}\n"
        )),
        Remembered::NotHere(why) => text.push_str(&format!(
            "  the instructor token was printed when the class was created; {why}: set {INSTRUCTOR_TOKEN_ENV} for labrun class watch and labrun report\n"
        )),
    }
    text.push_str(&format!(
        "  on another machine: {INSTRUCTOR_TOKEN_ENV}=<the token> labrun class watch URL\n\n"
    ));
    let scope = if started.listening.ip().is_loopback() {
        format!(
            " (this machine only: --listen 0.0.0.0:{} serves the LAN)",
            started.listening.port()
        )
    } else {
        String::new()
    };
    text.push_str(&format!(
        "Serving on {}{scope}. Ctrl-C stops.\n",
        started.listening
    ));
    text
}
