//! An Instruqt challenge file (`assignment.md`): YAML front matter between
//! `---` lines, then markdown with `[[ Instruqt-Var key="K" ... ]]` placeholders.
//! The text is kept exactly as written; labrun only reads it. Fields Instruqt
//! adds over time are ignored, not refused.

use super::LessonError;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::path::Path;

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct FrontMatter {
    pub slug: String,
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub title: String,
    pub teaser: Option<String>,
    #[serde(default)]
    pub notes: Vec<Note>,
    #[serde(default)]
    pub tabs: Vec<Tab>,
    pub difficulty: Option<String>,
    /// Seconds.
    pub timelimit: Option<u64>,
    /// A quiz's choices (`type: quiz`).
    #[serde(default)]
    pub answers: Vec<String>,
    /// A quiz's right answers: indexes into `answers`, from 0.
    #[serde(default)]
    pub solution: Vec<usize>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Note {
    #[serde(rename = "type")]
    pub kind: String,
    pub contents: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Tab {
    #[serde(default)]
    pub title: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub hostname: Option<String>,
    pub path: Option<String>,
    pub workdir: Option<String>,
    pub url: Option<String>,
}

/// A parsed challenge: front matter plus the markdown body, verbatim.
#[derive(Debug, Clone)]
pub struct Challenge {
    pub front: FrontMatter,
    pub body: String,
    /// 1-based line of the challenge file on which `body` starts.
    pub body_line: usize,
    /// The front matter's top-level keys, each with its line in the file.
    pub key_lines: Vec<(String, usize)>,
}

impl Challenge {
    /// Line of a top-level front matter key (`solution`, `answers`), else
    /// the front matter's first line.
    pub fn key_line(&self, key: &str) -> usize {
        self.key_lines
            .iter()
            .find(|(k, _)| k == key)
            .map_or(2, |(_, line)| *line)
    }
}

/// Parses a whole YAML file (track.yml, config.yml) into `T`; an error
/// names the file and line. `first_line` is the file line of the YAML's
/// first line (front matter starts on line 2).
pub(super) fn parse_yaml<T: DeserializeOwned>(
    path: &Path,
    yaml: &str,
    first_line: usize,
    what: &str,
) -> Result<T, LessonError> {
    serde_saphyr::from_str(yaml).map_err(|e| {
        let line = e
            .location()
            .map_or(first_line, |l| l.line() as usize + first_line - 1);
        LessonError::Syntax {
            file: path.to_path_buf(),
            line,
            message: format!("{what}{}", first_line_of(&e.to_string())),
        }
    })
}

pub fn parse(path: &Path, text: &str) -> Result<Challenge, LessonError> {
    let at = |line: usize, message: String| LessonError::Syntax {
        file: path.to_path_buf(),
        line,
        message,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    if lines.next().map(str::trim_end) != Some("---") {
        return Err(at(
            1,
            "expected front matter: the file must start with a `---` line".into(),
        ));
    }
    let mut yaml_len = 0;
    let mut closing_line = None;
    for (index, line) in lines.enumerate() {
        if line.trim_end() == "---" {
            closing_line = Some(index + 2);
            break;
        }
        yaml_len += line.len();
    }
    let Some(closing_line) = closing_line else {
        return Err(at(
            1,
            "front matter is not closed: no second `---` line".into(),
        ));
    };
    let yaml_start = text.find('\n').map_or(text.len(), |i| i + 1);
    let yaml = &text[yaml_start..yaml_start + yaml_len];
    let front: FrontMatter = parse_yaml(path, yaml, 2, "front matter: ")?;
    let key_lines = yaml
        .lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let (key, _) = line.split_once(':')?;
            let top_level = !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            top_level.then(|| (key.to_string(), index + 2))
        })
        .collect();
    let body_start = yaml_start
        + yaml_len
        + text[yaml_start + yaml_len..]
            .find('\n')
            .map_or(0, |i| i + 1);
    Ok(Challenge {
        front,
        body: text[body_start.min(text.len())..].to_string(),
        body_line: closing_line + 1,
        key_lines,
    })
}

/// serde-saphyr errors carry a source snippet after the first line, and
/// its own "error: line N column M: " (counted within the YAML, not the
/// file) before the message; the message with our own file and line is
/// clearer on its own.
fn first_line_of(s: &str) -> &str {
    static PREFIX: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^(?:error: )?(?:line \d+ column \d+: )?").expect("static regex")
    });
    let first = s.lines().next().unwrap_or(s);
    let rest = &first[PREFIX.find(first).map_or(0, |m| m.end())..];
    if rest.trim().is_empty() { first } else { rest }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Challenge, LessonError> {
        parse(Path::new("assignment.md"), text)
    }

    #[test]
    fn reads_front_matter_and_keeps_body_verbatim() {
        let c = parse_str("---\nslug: s\ntitle: T\ntimelimit: 600\nnotes:\n- type: text\n  contents: hi\n---\n\nBody [[ Instruqt-Var key=\"A\" ]]\n").unwrap();
        assert_eq!(c.front.slug, "s");
        assert_eq!(c.front.timelimit, Some(600));
        assert_eq!(c.front.notes[0].contents.as_deref(), Some("hi"));
        assert_eq!(c.body, "\nBody [[ Instruqt-Var key=\"A\" ]]\n");
        assert_eq!(c.body_line, 9);
    }

    #[test]
    fn missing_or_unclosed_front_matter_is_an_error_at_line_1() {
        for text in ["# Title\n", "---\nslug: s\n"] {
            let err = parse_str(text).unwrap_err().to_string();
            assert!(err.starts_with("assignment.md:1:"), "{err}");
        }
    }

    #[test]
    fn front_matter_errors_name_the_file_line() {
        let err = parse_str("---\nslug: s\ntitle: [oops\n---\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("assignment.md:"), "{err}");
        assert!(err.contains("front matter"), "{err}");
        let err = parse_str("---\nslug: s\n---\n").unwrap_err().to_string();
        assert!(err.contains("title"), "{err}");
    }

    #[test]
    fn reads_a_quiz_and_tolerates_fields_instruqt_adds() {
        let c = parse_str("---\nslug: q\ntitle: Q\ntype: quiz\nanswers:\n- yes\n- no\nsolution:\n- 0\nenhanced_loading: null\nlab_config:\n  x: 1\ntabs:\n- type: terminal\n  hostname: shell\n  cmd: bash\n---\nWhy?\n").unwrap();
        assert_eq!(c.front.answers, ["yes", "no"]);
        assert_eq!(c.front.solution, [0]);
        assert_eq!(c.front.tabs[0].title, "");
        assert_eq!(c.key_line("solution"), 8);
        assert_eq!(c.key_line("answers"), 5);
        assert_eq!(c.key_line("absent"), 2);
    }

    #[test]
    fn yaml_errors_carry_the_file_line_not_the_parser_line() {
        let err = parse_str("---\nslug: s\ntitle: T\ntimelimit: soon\n---\n")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "assignment.md:4: front matter: invalid u64");
        let err = parse_yaml::<FrontMatter>(Path::new("track.yml"), "slug: s\n", 1, "")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "track.yml:1: missing field `title`");
    }
}
