//! Instruqt's tabs, as labrun has them. A lesson written for Instruqt says
//! "select the 'Slackernews Chart' tab" or "log into the Vendor Portal";
//! its text stays as written, and a note at the top of the lesson says what
//! each tab is here: a `terminal` tab is the shell pane, a `code` tab is the
//! workspace in the learner's editor (opened in the shell by a key), a
//! `website` tab its URL — offline, the local Vendor API stands in for it.
//!
//! Also here: the command that opens a file in the learner's editor.

use crate::lesson::instruqt::Tab;

/// What the lab knows of its surroundings for the tabs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Surroundings {
    /// The learner's editor command (`$VISUAL`, else `$EDITOR`, else `vi`).
    pub editor: String,
    /// Whether labrun's local Vendor API answers instead of the real service.
    pub local_api: bool,
}

impl Default for Surroundings {
    fn default() -> Surroundings {
        Surroundings {
            editor: "vi".into(),
            local_api: true,
        }
    }
}

impl Surroundings {
    /// From the environment labrun runs in (which the shell inherits).
    pub fn from_env(local_api: bool) -> Surroundings {
        let editor = ["VISUAL", "EDITOR"]
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .map(|value| value.trim().to_string())
            .find(|value| !value.is_empty())
            .unwrap_or_else(|| "vi".into());
        Surroundings { editor, local_api }
    }
}

/// The note (markdown, a block quote) on how the lesson's tabs map to the
/// lab; None when the lesson has no tabs worth a word. `edit_keys` names
/// the keys that open the editor ("F4 / e").
pub fn note(tabs: &[Tab], surroundings: &Surroundings, edit_keys: &str) -> Option<String> {
    let items: Vec<String> = tabs
        .iter()
        .filter_map(|tab| {
            let title = tab.title.trim();
            let what = match tab.kind.as_str() {
                "terminal" => "the shell pane".to_string(),
                "code" => format!(
                    "your workspace's files, in your editor: {edit_keys} opens the current \
                     step's file with `{}` in the shell (at the failing line when a step fails); \
                     labrun checks the file when you save",
                    surroundings.editor
                ),
                "website" | "browser" | "external" => website(tab, surroundings)?,
                "service" => {
                    "a web service of Instruqt's machine, which labrun does not run".into()
                }
                _ => return None,
            };
            Some(format!("> - **{title}**: {what}."))
        })
        .collect();
    if items.is_empty() {
        return None;
    }
    Some(format!(
        "> **labrun** · this lesson was written for Instruqt, whose tabs are here:\n>\n{}\n",
        items.join("\n")
    ))
}

fn website(tab: &Tab, surroundings: &Surroundings) -> Option<String> {
    let url = tab
        .url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())?;
    let portal = url.contains("vendor.replicated.com");
    Some(if portal && surroundings.local_api {
        format!(
            "{url} — offline, labrun's local Vendor API stands in for it and needs no login; \
             run `replicated app ls`, `replicated channel ls` or `replicated release ls` in the \
             shell to see what the portal would show"
        )
    } else {
        format!("{url} — open it in your browser")
    })
}

/// The command line that opens `file` (relative to the shell's directory)
/// at `line` in `editor`, for editors whose way to name a line is known.
pub fn edit_command(editor: &str, file: &str, line: Option<usize>) -> String {
    let program = editor
        .split_whitespace()
        .next()
        .and_then(|p| p.rsplit('/').next())
        .unwrap_or_default();
    let quoted = shell_quote(file);
    match line {
        Some(line) if PLUS_LINE.contains(&program) => format!("{editor} +{line} {quoted}"),
        Some(line) if matches!(program, "hx" | "helix" | "subl") => {
            format!("{editor} {}", shell_quote(&format!("{file}:{line}")))
        }
        Some(line) if matches!(program, "code" | "codium") => {
            format!("{editor} -g {}", shell_quote(&format!("{file}:{line}")))
        }
        _ => format!("{editor} {quoted}"),
    }
}

/// Editors that take `+LINE` before the file.
const PLUS_LINE: &[&str] = &[
    "vi",
    "vim",
    "nvim",
    "view",
    "gvim",
    "nano",
    "pico",
    "emacs",
    "emacsclient",
    "micro",
    "kak",
    "joe",
    "mg",
    "ne",
    "jed",
    "mcedit",
];

/// `text` as one shell word (single quotes; a quote inside as '\'').
fn shell_quote(text: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "/._-+:@%,".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        return text.to_string();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tab(title: &str, kind: &str, url: Option<&str>) -> Tab {
        Tab {
            title: title.into(),
            kind: kind.into(),
            hostname: Some("shell".into()),
            path: None,
            workdir: None,
            url: url.map(Into::into),
        }
    }

    fn bundled_tabs() -> Vec<Tab> {
        vec![
            tab(
                "Vendor Portal",
                "website",
                Some("https://vendor.replicated.com"),
            ),
            tab("Slackernews Chart", "code", None),
            tab("Shell", "terminal", None),
        ]
    }

    #[test]
    fn each_tab_is_said_for_what_it_is_here() {
        let note = note(&bundled_tabs(), &Surroundings::default(), "F4 / e").unwrap();
        assert!(note.starts_with("> **labrun**"), "{note}");
        assert!(note.contains("**Shell**: the shell pane."), "{note}");
        assert!(
            note.contains("**Slackernews Chart**: your workspace's files"),
            "{note}"
        );
        assert!(
            note.contains("F4 / e opens the current step's file with `vi`"),
            "{note}"
        );
        assert!(
            note.contains("https://vendor.replicated.com — offline, labrun's local Vendor API"),
            "{note}"
        );
        assert!(note.contains("`replicated channel ls`"), "{note}");
        // Every line stays in the quote.
        assert!(note.lines().all(|l| l.starts_with('>')), "{note}");
    }

    #[test]
    fn online_the_portal_is_a_link() {
        let online = Surroundings {
            editor: "nano".into(),
            local_api: false,
        };
        let note = note(&bundled_tabs(), &online, "F4 / e").unwrap();
        assert!(note.contains("https://vendor.replicated.com — open it in your browser"));
        assert!(!note.contains("offline"));
    }

    #[test]
    fn no_tabs_no_note() {
        assert_eq!(note(&[], &Surroundings::default(), "e"), None);
        assert_eq!(
            note(&[tab("X", "unknown", None)], &Surroundings::default(), "e"),
            None
        );
    }

    #[test]
    fn editors_open_files_at_a_line_their_way() {
        assert_eq!(
            edit_command("vim", "chart/values.yaml", Some(12)),
            "vim +12 chart/values.yaml"
        );
        assert_eq!(
            edit_command("/usr/bin/nano", "a b.yaml", Some(3)),
            "/usr/bin/nano +3 'a b.yaml'"
        );
        assert_eq!(
            edit_command("emacs -nw", "x.yaml", Some(1)),
            "emacs -nw +1 x.yaml"
        );
        assert_eq!(edit_command("hx", "x.yaml", Some(4)), "hx x.yaml:4");
        assert_eq!(
            edit_command("code --wait", "x.yaml", Some(4)),
            "code --wait -g x.yaml:4"
        );
        assert_eq!(edit_command("ed", "x.yaml", Some(4)), "ed x.yaml");
        assert_eq!(edit_command("vi", "it's.yaml", None), r"vi 'it'\''s.yaml'");
    }
}
