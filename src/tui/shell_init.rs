//! The shell pane's shell integration: rc files that keep the learner's own
//! shell configuration (their `~/.bashrc` or zsh files, prompt included) and
//! add two things at every prompt — the history written to its file, so
//! checks that read `~/.bash_history` see the commands as they run, and the
//! prompt marks of OSC 133 (`prompt_marks`), so the lab knows when a
//! command finished and checks again then.
//!
//! bash starts with `--rcfile <workspace>/.labrun/shell/bashrc`; zsh with
//! `ZDOTDIR=<workspace>/.labrun/shell/zsh`, whose files hand over to the
//! learner's own. Other shells start as before: no marks (the file watcher
//! still re-checks on saves). The files are written afresh, atomically, at
//! every start of the lab: they hold no state.
//!
//! Where the shell's home and history are is the caller's choice
//! ([`ShellHome`]): the learner's own by default; a track maps HOME into its
//! workspace, as Instruqt's `/root`.

use super::shell::ShellSpec;
use std::path::{Path, PathBuf};

/// The home and the history file of the shell pane. The default is the
/// learner's: their `$HOME`, and the history file their rc files choose
/// (bash's default `$HOME/.bash_history`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShellHome {
    /// `HOME` for the shell (a track: the workspace, or the directory its
    /// host's home is mapped to). Its `.bashrc` is then the one sourced.
    pub home: Option<PathBuf>,
    /// The history file, set after the rc files ran so that it holds
    /// whatever they say (a track: where its check scripts read
    /// `~/.bash_history`).
    pub history: Option<PathBuf>,
}

/// Why the rc files could not be written; the shell then starts without
/// them (no prompt marks), and the learner is told.
#[derive(Debug, thiserror::Error)]
pub enum ShellInitError {
    #[error("could not write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The shells the pane knows how to integrate with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShellKind {
    Bash,
    Zsh,
    Other,
}

impl ShellKind {
    /// By the program's file name: `/bin/bash`, `bash-5.2`, `/usr/bin/zsh`.
    pub fn of(program: &str) -> ShellKind {
        let name = Path::new(program)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(program);
        if name == "bash" || name.starts_with("bash-") {
            ShellKind::Bash
        } else if name == "zsh" || name.starts_with("zsh-") {
            ShellKind::Zsh
        } else {
            ShellKind::Other
        }
    }
}

/// `spec` with `home` applied and, for bash and zsh, the rc files (written
/// under `dir`) that record history and print prompt marks. When they
/// cannot be written, the spec without them and the reason.
pub fn integrate(
    mut spec: ShellSpec,
    dir: &Path,
    home: &ShellHome,
) -> (ShellSpec, Option<ShellInitError>) {
    if let Some(path) = &home.home {
        spec.env.push(("HOME".into(), path.display().to_string()));
    }
    let written = match ShellKind::of(&spec.program) {
        ShellKind::Bash => {
            let rc = dir.join("bashrc");
            write(&rc, &bashrc(home)).map(|()| {
                spec.args = vec!["--rcfile".into(), rc.display().to_string()];
            })
        }
        ShellKind::Zsh => {
            let zdotdir = dir.join("zsh");
            // The learner's own ZDOTDIR, unless the home is mapped away from theirs.
            let own = std::env::var("ZDOTDIR")
                .ok()
                .filter(|d| !d.is_empty() && home.home.is_none());
            write(&zdotdir.join(".zshenv"), &zshenv(own.as_deref()))
                .and_then(|()| write(&zdotdir.join(".zshrc"), &zshrc(home)))
                .map(|()| {
                    spec.env
                        .push(("ZDOTDIR".into(), zdotdir.display().to_string()));
                })
        }
        ShellKind::Other => {
            // ksh and mksh read HISTFILE from the environment; sh and dash keep none.
            if let Some(history) = &home.history {
                spec.env
                    .push(("HISTFILE".into(), history.display().to_string()));
            }
            Ok(())
        }
    };
    (spec, written.err())
}

fn write(path: &Path, text: &str) -> Result<(), ShellInitError> {
    let error = |source| ShellInitError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(error)?;
    }
    crate::fsutil::write_atomic(path, text.as_bytes()).map_err(error)
}

/// `text` as one word for sh, bash and zsh: single-quoted.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

const HEADER: &str = "\
# Written by labrun for the lab's shell pane, afresh at every start: edit your
# own rc files instead. It runs them, then writes the history at every prompt
# and prints prompt marks (OSC 133) so the lab knows when a command finished.
";

/// The bash rc file: the learner's `~/.bashrc` (as bash reads it for an
/// interactive shell), then the history and the marks, around whatever
/// PROMPT_COMMAND that set (a string or, bash 5.1+, an array).
///
/// `D` is printed only after a command ran: PS0 (bash 4.4+), expanded
/// when a command is read and not for an empty line, sets a flag through an
/// arithmetic subscript, which costs no process. Older bash has no PS0: `D`
/// then follows every prompt but the first.
pub fn bashrc(home: &ShellHome) -> String {
    let history = home.history.as_ref().map_or(String::new(), |path| {
        let path = quoted(&path.display().to_string());
        format!("HISTFILE={path}\n")
    });
    format!(
        r#"{HEADER}
if [ -f "$HOME/.bashrc" ]; then . "$HOME/.bashrc"; fi
{history}shopt -s histappend

__labrun_prompt() {{
    local __labrun_status=$?
    history -a 2>/dev/null
    if [[ -n ${{__labrun_ran-}} ]]; then
        printf '\033]133;D;%s\007' "$__labrun_status"
    fi
    __labrun_ran=$__labrun_every_prompt
    printf '\033]133;A\007'
    return $__labrun_status
}}

if (( BASH_VERSINFO[0] > 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 4) )); then
    __labrun_every_prompt=
    PS0="${{PS0-}}"'${{__labrun_noop[__labrun_ran=1]-}}\e]133;C\a'
else
    __labrun_every_prompt=1
fi
__labrun_ran=

if (( BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 1) )) \
    && eval '[[ ${{PROMPT_COMMAND@a}} == *a* ]]'; then
    PROMPT_COMMAND=(__labrun_prompt "${{PROMPT_COMMAND[@]}}")
elif [[ -n ${{PROMPT_COMMAND-}} ]]; then
    PROMPT_COMMAND="__labrun_prompt"$'\n'"$PROMPT_COMMAND"
else
    PROMPT_COMMAND=__labrun_prompt
fi
"#
    )
}

/// zsh's first file: the learner's `.zshenv` from their own ZDOTDIR (or
/// home), then back to ours so that zsh reads our `.zshrc` next. `own`: the
/// learner's ZDOTDIR, if they set one.
pub fn zshenv(own: Option<&str>) -> String {
    let own = own.map_or("unset ZDOTDIR".to_string(), |dir| {
        format!("ZDOTDIR={}", quoted(dir))
    });
    format!(
        r#"{HEADER}
__labrun_zdotdir=$ZDOTDIR
{own}
[[ -r ${{ZDOTDIR:-$HOME}}/.zshenv ]] && source ${{ZDOTDIR:-$HOME}}/.zshenv
# Where the learner's .zshrc is, as their .zshenv left it.
__labrun_own_zdotdir=${{ZDOTDIR-}}
ZDOTDIR=$__labrun_zdotdir
"#
    )
}

/// zsh's `.zshrc`: the learner's, then the history written as each command
/// is entered (INC_APPEND_HISTORY) and the marks from precmd/preexec.
pub fn zshrc(home: &ShellHome) -> String {
    let history = home.history.as_ref().map_or(
        "[[ -n ${HISTFILE-} ]] || HISTFILE=$HOME/.zsh_history".to_string(),
        |path| format!("HISTFILE={}", quoted(&path.display().to_string())),
    );
    format!(
        r#"{HEADER}
if [[ -n $__labrun_own_zdotdir ]]; then ZDOTDIR=$__labrun_own_zdotdir; else unset ZDOTDIR; fi
[[ -r ${{ZDOTDIR:-$HOME}}/.zshrc ]] && source ${{ZDOTDIR:-$HOME}}/.zshrc

{history}
(( SAVEHIST > 0 )) || SAVEHIST=1000
(( HISTSIZE >= SAVEHIST )) || HISTSIZE=$SAVEHIST
setopt INC_APPEND_HISTORY

__labrun_precmd() {{
    local __labrun_status=$?
    if [[ -n ${{__labrun_ran-}} ]]; then
        printf '\033]133;D;%s\007' "$__labrun_status"
    fi
    __labrun_ran=
    printf '\033]133;A\007'
    return $__labrun_status
}}
__labrun_preexec() {{
    __labrun_ran=1
    printf '\033]133;C\007'
}}
precmd_functions=(__labrun_precmd $precmd_functions)
preexec_functions+=(__labrun_preexec)
"#
    )
}

#[cfg(test)]
mod tests;
