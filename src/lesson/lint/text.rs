//! Rules on what a challenge shows the learner: every `[[ Instruqt-Var ]]`
//! placeholder has a value from somewhere (a lesson variable, or an `agent
//! variable set` in a setup script that runs before it), and every image the
//! text or a note references is there.

use super::located::{Located, scalar};
use super::{Findings, Lint};
use crate::lesson::{LineIndex, Phase, Script, markdown, vars};
use regex::Regex;
use std::sync::LazyLock;

static AGENT_SET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\bagent\s+variable\s+set\s+("[^"]*"|'[^']*'|[^\s;&|)]+)"#).expect("static regex")
});
static HTML_IMG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)<img\b[^>]*?\bsrc\s*=\s*["']([^"']+)["']"#).expect("static regex")
});

/// Each placeholder of the text has a value: a lesson variable of its name,
/// or an agent variable a setup script sets on its host (keys in any case).
pub(super) fn placeholders(lint: &Lint, lesson: &crate::lesson::Lesson, out: &mut Findings) {
    let body = &lesson.challenge.body;
    let lines = LineIndex::new(body);
    let sets = AgentSets::before(lint, lint.index_of(lesson));
    let mut reported: Vec<String> = Vec::new();
    for placeholder in vars::instruqt_vars(body) {
        let key = &placeholder.key;
        let declared = lesson
            .variables
            .iter()
            .any(|v| v.name.eq_ignore_ascii_case(key));
        if declared || reported.iter().any(|r| r.eq_ignore_ascii_case(key)) {
            continue;
        }
        let host = placeholder.hostname.as_deref();
        let setters = sets.setters(key);
        let on_host = |s: &&AgentSet| host.is_none_or(|h| s.host == h);
        if setters.iter().any(on_host) || sets.dynamic(host) {
            continue;
        }
        reported.push(key.clone());
        let line = lesson.challenge.body_line + lines.line(placeholder.range.start) - 1;
        let file = &lesson.text_path;
        if let (Some(host), Some(other)) = (host, setters.first()) {
            out.warn(
                file,
                line,
                format!(
                    "placeholder {key} reads host `{host}`, but {} sets it on host `{}`: the text shows ⟨{key} not set⟩",
                    other.script, other.host
                ),
            );
            continue;
        }
        let message = format!(
            "placeholder {key}: no setup script sets it (`agent variable set {key} …`) and no lesson.toml declares it; the text shows ⟨{key} not set⟩"
        );
        // A labrun lesson's variables are all in its lesson.toml; an Instruqt
        // challenge's may come from where labrun cannot see (a VM's own setup).
        if lint.is_labrun_lesson()
            && lint.course.track_scripts.is_empty()
            && lesson.scripts.is_empty()
        {
            out.error(file, line, message);
        } else {
            out.warn(file, line, message);
        }
    }
}

/// One `agent variable set KEY …` in a setup script.
struct AgentSet {
    host: String,
    /// The key, lower-cased (keys are case-insensitive).
    key: String,
    /// The script's name, as the learner would look for it.
    script: String,
}

/// The agent variables set by the setup scripts that run before a
/// challenge: the track's, then each challenge's up to and including it.
struct AgentSets {
    sets: Vec<AgentSet>,
    /// Hosts where a script sets a key labrun cannot read (`set "$KEY" …`).
    dynamic_hosts: Vec<String>,
}

impl AgentSets {
    fn before(lint: &Lint, challenge: usize) -> AgentSets {
        let course = lint.course;
        let setups = course
            .track_scripts
            .phase(Phase::Setup)
            .map(|s| (s, true))
            .chain(
                course.challenges[..=challenge.min(course.challenges.len().saturating_sub(1))]
                    .iter()
                    .flat_map(|c| c.scripts.phase(Phase::Setup).map(|s| (s, false))),
            );
        let mut found = AgentSets {
            sets: Vec::new(),
            dynamic_hosts: Vec::new(),
        };
        for (script, of_track) in setups {
            if let Some(file) = lint.scripts.get(script) {
                found.read(script, of_track, &file.text());
            }
        }
        found
    }

    fn read(&mut self, script: &Script, of_track: bool, text: &str) {
        for line in text.lines() {
            for set in AGENT_SET.captures_iter(line) {
                let (whole, key) = (set.get(0).expect("match"), &set[1]);
                if is_comment(&line[..whole.start()]) {
                    break;
                }
                let key = key.trim_matches(['"', '\'']);
                if key.contains(['$', '`']) {
                    self.dynamic_hosts.push(script.host.clone());
                    continue;
                }
                self.sets.push(AgentSet {
                    host: script.host.clone(),
                    key: key.to_lowercase(),
                    script: match of_track {
                        true => format!("track_scripts/{}", script.file_name()),
                        false => script.file_name(),
                    },
                });
            }
        }
    }

    fn setters(&self, key: &str) -> Vec<&AgentSet> {
        let key = key.to_lowercase();
        self.sets.iter().filter(|s| s.key == key).collect()
    }

    /// Whether a script on `host` (on any, for None) sets a key labrun cannot read.
    fn dynamic(&self, host: Option<&str>) -> bool {
        self.dynamic_hosts
            .iter()
            .any(|h| host.is_none_or(|host| h == host))
    }
}

/// Whether what precedes a match on its line opens a shell comment.
fn is_comment(before: &str) -> bool {
    let mut previous = ' ';
    for c in before.chars() {
        if c == '#' && previous.is_whitespace() {
            return true;
        }
        previous = c;
    }
    false
}

/// Every image the text (markdown or HTML) or a note references exists,
/// beside the challenge or in the track's `assets/`.
pub(super) fn assets(_: &Lint, lesson: &crate::lesson::Lesson, out: &mut Findings) {
    let challenge = &lesson.challenge;
    let file = &lesson.text_path;
    let body_lines = LineIndex::new(&challenge.body);
    let mut images: Vec<(usize, String)> = markdown::outline(&challenge.body)
        .images
        .into_iter()
        .map(|image| (challenge.body_line + image.line - 1, image.url))
        .collect();
    for img in HTML_IMG.captures_iter(&challenge.body) {
        let at = img.get(0).expect("match").start();
        images.push((
            challenge.body_line + body_lines.line(at) - 1,
            img[1].to_string(),
        ));
    }
    if let Some(front) = Located::front_matter(file) {
        for note in front.items("notes") {
            let line = front.line(note);
            if let Some(contents) = scalar(note, "contents") {
                images.extend(
                    markdown::outline(contents)
                        .images
                        .into_iter()
                        .map(|image| (line, image.url)),
                );
                images.extend(
                    HTML_IMG
                        .captures_iter(contents)
                        .map(|img| (line, img[1].to_string())),
                );
            }
            if scalar(note, "type") == Some("image")
                && let Some(url) = scalar(note, "url")
            {
                images.push((line, url.to_string()));
            }
        }
    }
    images.sort();
    images.dedup();
    for (line, url) in images {
        let local = url.split(['?', '#']).next().unwrap_or_default();
        let remote = url.contains("://") || url.starts_with("//") || url.starts_with("data:");
        if remote || local.is_empty() || local.starts_with('/') || lesson.asset(local).is_some() {
            continue;
        }
        out.warn(
            file,
            line,
            format!("image {url} not found; it will show as its alt text"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_told_from_hashes_in_words() {
        assert!(is_comment("# "));
        assert!(is_comment("echo x # "));
        assert!(!is_comment("echo a#b "));
        assert!(!is_comment(""));
    }

    #[test]
    fn agent_sets_read_keys_and_know_dynamic_ones() {
        let script = Script {
            phase: Phase::Setup,
            host: "shell".into(),
            path: "setup-shell".into(),
        };
        let mut sets = AgentSets {
            sets: Vec::new(),
            dynamic_hosts: Vec::new(),
        };
        sets.read(
            &script,
            false,
            "agent variable set App_Slug x\n# agent variable set HIDDEN y\necho; agent variable set 'Q' \"z\" # x\nagent variable set \"$K\" v\n",
        );
        let keys: Vec<&str> = sets.sets.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(keys, ["app_slug", "q"]);
        assert!(sets.dynamic(Some("shell")));
        assert!(sets.dynamic(None));
        assert!(!sets.dynamic(Some("db")));
        assert_eq!(sets.setters("APP_SLUG").len(), 1);
    }
}
