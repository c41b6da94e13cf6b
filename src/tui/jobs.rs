//! The shell's session: what runs in it besides the shell — the program in
//! the foreground (the PTY's foreground process group, `tcgetpgrp`) and the
//! background jobs — and ending all of it. Quitting the lab ends them all,
//! so the lab asks first; the editor key types a command only at a prompt.

/// A snapshot of the shell's session. Plain data: the app decides with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShellActivity {
    /// The program holding the terminal, when it is not the shell itself.
    pub foreground: Option<String>,
    /// Other programs of the shell's session (background jobs), by name.
    pub background: Vec<String>,
}

impl ShellActivity {
    /// Nothing would be lost by ending the shell now.
    pub fn idle(&self) -> bool {
        self.foreground.is_none() && self.background.is_empty()
    }

    /// "vim is running in the shell", "2 background jobs (sleep, tail) are running in the shell".
    pub fn describe(&self) -> Option<String> {
        if let Some(program) = &self.foreground {
            return Some(format!("{program} is running in the shell"));
        }
        match self.background.as_slice() {
            [] => None,
            [one] => Some(format!("a background job ({one}) is running in the shell")),
            many => Some(format!(
                "{} background jobs ({}) are running in the shell",
                many.len(),
                many.join(", ")
            )),
        }
    }
}

/// What runs in the session of `shell` (its pid, which is its session id)
/// whose terminal's foreground process group is `foreground_group`.
pub fn activity(shell: i32, foreground_group: Option<i32>) -> ShellActivity {
    let foreground = foreground_group
        .filter(|&group| group > 0 && group != shell)
        .map(|group| program_name(group).unwrap_or_else(|| format!("process {group}")));
    #[cfg(unix)]
    let members = session_members(shell);
    #[cfg(not(unix))]
    let members: Vec<i32> = Vec::new();
    let background = members
        .into_iter()
        .filter(|&pid| pid != shell && pid > 0)
        .filter(|&pid| foreground_group.is_none_or(|group| process_group(pid) != Some(group)))
        .filter_map(program_name)
        .collect();
    ShellActivity {
        foreground,
        background,
    }
}

/// A process's command name (`/proc/PID/comm`, Linux); None elsewhere or when it is gone.
fn program_name(pid: i32) -> Option<String> {
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
    Some(comm.trim_end().to_string()).filter(|c| !c.is_empty())
}

/// Field 5 of /proc/PID/stat: the process group.
fn process_group(pid: i32) -> Option<i32> {
    stat_field(pid, 5)
}

/// Field 6 of /proc/PID/stat: the session.
#[cfg(unix)]
fn process_session(pid: i32) -> Option<i32> {
    stat_field(pid, 6)
}

/// Numeric field `n` (1-based, as proc(5) counts, n > 2) of /proc/PID/stat,
/// read after the parenthesised command name, which may hold spaces.
fn stat_field(pid: i32, n: usize) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(n - 3)?.parse().ok()
}

/// Signals every process of session `sid`: SIGHUP, a short grace, SIGKILL.
#[cfg(unix)]
pub fn end_session(sid: i32) {
    let signal_all = |signal| {
        let members = session_members(sid);
        for pid in &members {
            // SAFETY: kill(2) with a pid read from /proc; no memory is involved.
            unsafe {
                libc::kill(*pid, signal);
            }
        }
        !members.is_empty()
    };
    if signal_all(libc::SIGHUP) {
        std::thread::sleep(std::time::Duration::from_millis(100));
        signal_all(libc::SIGKILL);
    }
}

#[cfg(not(unix))]
pub fn end_session(_: i32) {}

/// The processes of session `sid`. Linux reads /proc; elsewhere the shell's
/// own process group stands in for the session.
#[cfg(unix)]
fn session_members(sid: i32) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return vec![-sid];
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| process_session(*pid) == Some(sid))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_name_what_would_be_ended() {
        let idle = ShellActivity::default();
        assert!(idle.idle());
        assert_eq!(idle.describe(), None);
        let vim = ShellActivity {
            foreground: Some("vim".into()),
            background: vec!["sleep".into()],
        };
        assert!(!vim.idle());
        assert_eq!(vim.describe().unwrap(), "vim is running in the shell");
        let jobs = ShellActivity {
            foreground: None,
            background: vec!["sleep".into(), "tail".into()],
        };
        assert_eq!(
            jobs.describe().unwrap(),
            "2 background jobs (sleep, tail) are running in the shell"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_has_a_name_and_a_group() {
        let me = std::process::id() as i32;
        assert!(program_name(me).is_some());
        // SAFETY: getpgrp(2) has no preconditions.
        let group = unsafe { libc::getpgrp() };
        assert_eq!(process_group(me), Some(group));
        // SAFETY: getsid(2) with 0 (this process) has no preconditions.
        let session = unsafe { libc::getsid(0) };
        assert_eq!(process_session(me), Some(session));
    }
}
