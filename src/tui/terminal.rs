//! The terminal labrun runs in: whether the lab can draw on it, taking it
//! over (raw mode, the alternate screen, bracketed paste, the mouse) and
//! giving it back on every way out, panics included; and its clipboard
//! (OSC 52).

use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::execute;
use std::io::Write;

/// Why the full-screen lab cannot run here; checked before the terminal is touched.
#[derive(Debug, thiserror::Error)]
pub enum TerminalError {
    #[error("labrun start needs a terminal; use `labrun check` in scripts")]
    NotATerminal,
    #[error(
        "labrun start needs a full-screen terminal, and TERM is {0:?}; \
         read the lesson with `labrun show` and check your steps with `labrun check`"
    )]
    Dumb(String),
}

/// Refuses a terminal the lab cannot draw on: no terminal at all, or one
/// that says it cannot move the cursor (`TERM=dumb`, or no TERM).
pub fn check_terminal() -> Result<(), TerminalError> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(TerminalError::NotATerminal);
    }
    let term = std::env::var("TERM").unwrap_or_default();
    if term.is_empty() || term == "dumb" {
        return Err(TerminalError::Dumb(term));
    }
    Ok(())
}

pub(crate) fn init() -> std::io::Result<DefaultTerminal> {
    let terminal = ratatui::try_init().inspect_err(|_| restore())?;
    // ratatui's hook restores raw mode and the alternate screen; ours first
    // turns off what ratatui does not know we turned on.
    let ratatui_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(
            std::io::stdout(),
            DisableMouseCapture,
            DisableBracketedPaste
        );
        ratatui_hook(info);
    }));
    execute!(std::io::stdout(), EnableBracketedPaste, EnableMouseCapture)
        .inspect_err(|_| restore())?;
    Ok(terminal)
}

pub(crate) fn restore() {
    let _ = execute!(
        std::io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste
    );
    ratatui::restore();
}

/// OSC 52: the terminal puts the text on the system clipboard, also over SSH.
pub(super) fn copy_to_clipboard(text: &str) {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut stdout = std::io::stdout();
    let _ = write!(stdout, "\x1b]52;c;{encoded}\x07").and_then(|()| stdout.flush());
}
