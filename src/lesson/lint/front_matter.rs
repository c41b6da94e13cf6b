//! Rules on a challenge's front matter as Instruqt reads it: required
//! fields and their values, notes, a quiz's answers and solution, and each
//! tab's type and the fields that type needs. (Whether a tab's host is
//! declared is `hosts`'s rule.)

use super::located::{Located, entry, scalar};
use super::{Findings, Lint};
use crate::lesson::script_files::Phase;
use crate::lesson::{ChallengeKind, Lesson};
use crate::yaml::Node;

/// The tab types of Instruqt's config version 3.
const TAB_TYPES: &[&str] = &["terminal", "code", "service", "website", "external"];
/// The note types Instruqt shows before a challenge.
const NOTE_TYPES: &[&str] = &["text", "image", "video"];
const DIFFICULTIES: &[&str] = &["basic", "intermediate", "expert"];

/// Required fields, the slug's form, `type`, `timelimit`, `difficulty`, notes.
pub(super) fn front_matter(_: &Lint, lesson: &Lesson, out: &mut Findings) {
    let file = &lesson.text_path;
    let challenge = &lesson.challenge;
    let front = &challenge.front;
    let line = |key| challenge.key_line(key);
    if front.slug.trim().is_empty() {
        out.error(file, line("slug"), "front matter: `slug` is empty");
    } else if !is_slug(&front.slug) {
        out.warn(
            file,
            line("slug"),
            format!(
                "front matter: slug {:?} is not lower-case letters, digits and dashes, as Instruqt requires",
                front.slug
            ),
        );
    }
    if front.title.trim().is_empty() {
        out.error(file, line("title"), "front matter: `title` is empty");
    }
    if let Some(kind) = front
        .kind
        .as_deref()
        .filter(|k| !["challenge", "quiz"].contains(k))
    {
        out.warn(
            file,
            line("type"),
            format!("front matter: type {kind:?}; labrun runs challenges and quizzes"),
        );
    }
    if front.timelimit == Some(0) {
        out.warn(file, line("timelimit"), "front matter: `timelimit` is 0");
    }
    if let Some(difficulty) = front
        .difficulty
        .as_deref()
        .filter(|d| !d.is_empty() && !DIFFICULTIES.contains(d))
    {
        out.warn(
            file,
            line("difficulty"),
            format!(
                "front matter: difficulty {difficulty:?} is not one of {}",
                DIFFICULTIES.join(", ")
            ),
        );
    }
    if let Some(yaml) = Located::front_matter(file) {
        for note in yaml.items("notes") {
            self::note(&yaml, note, out);
        }
    }
}

/// A note: a known type with what that type shows.
fn note(yaml: &Located, note: &Node, out: &mut Findings) {
    let line = yaml.line(note);
    let kind = scalar(note, "type").unwrap_or_default();
    let needs = match kind {
        "text" => "contents",
        "image" | "video" => "url",
        _ => {
            out.warn(
                &yaml.file,
                line,
                format!(
                    "note of type {kind:?}: Instruqt shows notes of type {}",
                    NOTE_TYPES.join(", ")
                ),
            );
            return;
        }
    };
    if scalar(note, needs).is_none_or(|v| v.trim().is_empty()) {
        out.warn(
            &yaml.file,
            line,
            format!("a {kind} note without `{needs}` shows nothing"),
        );
    }
}

/// A quiz's answers and solution consistent; quiz fields on a challenge
/// that is not one; check scripts beside a quiz.
pub(super) fn quiz(_: &Lint, lesson: &Lesson, out: &mut Findings) {
    let file = &lesson.text_path;
    let challenge = &lesson.challenge;
    let front = &challenge.front;
    let ChallengeKind::Quiz { answers, solution } = &lesson.kind else {
        for key in ["answers", "solution"] {
            let present = match key {
                "answers" => !front.answers.is_empty(),
                _ => !front.solution.is_empty(),
            };
            if present {
                out.warn(
                    file,
                    challenge.key_line(key),
                    format!("`{key}` is read only for `type: quiz`; this challenge is not a quiz"),
                );
            }
        }
        return;
    };
    for (index, answer) in answers.iter().enumerate() {
        if let Some(first) = answers[..index]
            .iter()
            .position(|a| a.trim() == answer.trim())
        {
            out.warn(
                file,
                challenge.key_line("answers"),
                format!(
                    "answers {first} and {index} are the same ({answer:?}): the learner cannot tell them apart"
                ),
            );
        }
    }
    for (at, index) in solution.iter().enumerate() {
        if solution[..at].contains(index) {
            out.warn(
                file,
                challenge.key_line("solution"),
                format!("`solution` names answer {index} twice"),
            );
        }
    }
    if solution.len() == answers.len() && answers.len() > 1 {
        out.warn(
            file,
            challenge.key_line("solution"),
            "every answer is right: the quiz cannot be answered wrongly",
        );
    }
    if challenge.body.trim().is_empty() {
        out.warn(
            file,
            challenge.body_line,
            "the quiz has no question: its body (after the front matter) is what it asks",
        );
    }
    for script in lesson.scripts.phase(Phase::Check) {
        out.warn(
            &script.path,
            1,
            format!(
                "{} is never run: a quiz is checked by its answer",
                script.file_name()
            ),
        );
    }
}

/// Each tab: a type Instruqt knows, and the fields that type needs.
pub(super) fn tabs(_: &Lint, lesson: &Lesson, out: &mut Findings) {
    let Some(yaml) = Located::front_matter(&lesson.text_path) else {
        return;
    };
    for tab in yaml.items("tabs") {
        let line = yaml.line(tab);
        let title = scalar(tab, "title").unwrap_or_default();
        let kind = scalar(tab, "type").unwrap_or_default();
        let needs: &[&str] = match kind {
            "terminal" => &["hostname"],
            "code" => &["hostname", "path"],
            "service" => &["hostname", "port"],
            "website" | "external" => &["url"],
            _ => {
                out.warn(
                    &yaml.file,
                    entry(tab, "type").map_or(line, |(key, _)| yaml.line(key)),
                    format!(
                        "tab {title:?} has type {kind:?}; Instruqt's tab types are {}",
                        TAB_TYPES.join(", ")
                    ),
                );
                continue;
            }
        };
        let missing: Vec<&str> = needs
            .iter()
            .copied()
            .filter(|key| {
                entry(tab, key)
                    .and_then(|(_, v)| v.as_scalar())
                    .is_none_or(str::is_empty)
            })
            .collect();
        if !missing.is_empty() {
            let list = missing
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(" and ");
            out.error(
                &yaml.file,
                line,
                format!("{kind} tab {title:?} has no {list}"),
            );
        }
    }
}

/// Instruqt's slugs: lower-case letters and digits, words joined by dashes.
pub(super) fn is_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_case_words_joined_by_dashes() {
        for good in ["run-git", "untitled-challenge-t3wx7s", "a"] {
            assert!(is_slug(good), "{good}");
        }
        for bad in ["", "Run-Git", "run_git", "run--git", "-run", "run git"] {
            assert!(!is_slug(bad), "{bad}");
        }
    }
}
