//! A learner at the lab, for its end-to-end tests: the real `labrun start`
//! in a [`Terminal`], in a fresh directory as the README says (or on a
//! workspace given with `-w`), and what a learner does there.

use super::terminal::{Spawn, Terminal};
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};

pub use super::terminal::WAIT;

pub struct Lab {
    term: Terminal,
    /// The learner's directory (`labrun start` runs here) and the workspace it makes.
    pub dir: PathBuf,
    pub workspace: PathBuf,
    _tmp: tempfile::TempDir,
}

pub struct Options {
    pub cols: u16,
    pub rows: u16,
    pub shell: &'static str,
    pub env: Vec<(String, String)>,
    /// An existing workspace to open with `-w` instead of `./<slug>`.
    pub workspace: Option<PathBuf>,
}

impl Options {
    pub fn env(mut self, key: &str, value: impl Into<String>) -> Options {
        self.env.push((key.to_string(), value.into()));
        self
    }
}

impl Default for Options {
    fn default() -> Options {
        Options {
            cols: 140,
            rows: 40,
            shell: "/bin/sh",
            env: Vec::new(),
            workspace: None,
        }
    }
}

impl Lab {
    /// `labrun start` in a fresh directory, as the README says.
    pub fn start() -> Lab {
        Lab::start_with(Options::default())
    }

    /// `labrun start -w WORKSPACE` on a workspace made beforehand.
    pub fn start_in(workspace: &Path) -> Lab {
        Lab::start_with(Options {
            workspace: Some(workspace.to_path_buf()),
            ..Options::default()
        })
    }

    pub fn start_with(options: Options) -> Lab {
        let lab = Lab::spawn(options);
        lab.wait_for("the lesson title", |s| {
            s.contains("Proxying Private Images")
        });
        lab
    }

    /// `labrun start` without waiting for anything.
    pub fn spawn(options: Options) -> Lab {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let args: Vec<&str> = match &options.workspace {
            Some(ws) => vec!["start", "-w", ws.to_str().unwrap()],
            None => vec!["start"],
        };
        let mut spawn = Spawn::labrun(&dir, &args)
            .size(options.rows, options.cols)
            .env("SHELL", options.shell)
            .env("HOME", &dir);
        for (key, value) in &options.env {
            spawn = spawn.env(key, value);
        }
        let term = Terminal::spawn(spawn);
        Lab {
            term,
            workspace: options
                .workspace
                .unwrap_or_else(|| dir.join("proxying-private-images")),
            dir,
            _tmp: tmp,
        }
    }

    /// The text of the lesson pane (the left pane), its lines joined and
    /// spaces collapsed, so phrases are found wherever the pane wrapped them.
    pub fn lesson_text(&self) -> String {
        let text: Vec<String> = self
            .rows()
            .iter()
            .filter_map(|row| row.split(['│', '┃']).nth(1).map(|s| s.replace('▌', " ")))
            .collect();
        text.join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Waits until the lesson pane's text ([`Lab::lesson_text`]) meets
    /// `pred`, and returns it: a frame reaches the terminal in pieces, so the
    /// sight of one phrase does not mean the rest of the pane is there yet.
    pub fn wait_for_lesson(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = std::time::Instant::now();
        loop {
            let text = self.lesson_text();
            if pred(&text) {
                return text;
            }
            assert!(
                start.elapsed() < WAIT,
                "timed out waiting for {what}; lesson pane:\n{text}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Runs a command in the shell pane (which must have the keys) and
    /// waits for the marker it prints, so the next keys meet a prompt.
    pub fn run_in_shell(&mut self, command: &str) {
        let marker = format!("done-{}", next_marker());
        let expr = format!("done-$(({}+0))", &marker[5..]);
        self.type_keys(format!("{command}; echo {expr}\r").as_bytes());
        self.wait_for(&marker, |s| s.contains(&marker));
    }

    /// Waits for the shell to create `name` in the workspace.
    pub fn wait_for_file(&self, name: &str) {
        let path = self.workspace.join(name);
        let start = std::time::Instant::now();
        while !path.exists() {
            assert!(
                start.elapsed() < WAIT,
                "no {} within {WAIT:?}",
                path.display()
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    pub fn assert_terminal_restored(&self) {
        let text = self.raw_output();
        let entered = text
            .rfind("\x1b[?1049h")
            .expect("entered the alternate screen");
        let left = text
            .rfind("\x1b[?1049l")
            .expect("left the alternate screen");
        assert!(left > entered);
        assert!(
            text.rfind("\x1b[?1000l").is_some() || text.rfind("\x1b[?1006l").is_some(),
            "mouse capture off"
        );
        assert!(text.rfind("\x1b[?2004l").is_some(), "bracketed paste off");
        assert!(!self.alternate_screen());
    }

    /// The generated app slug of the workspace.
    pub fn app_slug(&self) -> String {
        let state: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(self.workspace.join(".labrun/workspace.json")).unwrap(),
        )
        .unwrap();
        state["vars"]["REPLICATED_APP"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

impl Deref for Lab {
    type Target = Terminal;
    fn deref(&self) -> &Terminal {
        &self.term
    }
}

impl DerefMut for Lab {
    fn deref_mut(&mut self) -> &mut Terminal {
        &mut self.term
    }
}

fn next_marker() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1000);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// SGR mouse report of a left click at (col, row), 0-based, as a terminal sends it.
pub fn click(col: u16, row: u16) -> Vec<u8> {
    let (x, y) = (col + 1, row + 1);
    format!("\x1b[<0;{x};{y}M\x1b[<0;{x};{y}m").into_bytes()
}

/// The (row, col) of the first occurrence of `needle` on the screen.
pub fn find(rows: &[String], needle: &str) -> Option<(u16, u16)> {
    rows.iter().enumerate().find_map(|(r, line)| {
        let byte = line.find(needle)?;
        let col = line[..byte].chars().count();
        Some((r as u16, col as u16))
    })
}
