//! A track that does not load stops at its first broken file; an author
//! fixing front matter wants every broken challenge at once. This reads
//! each challenge's `assignment.md` of a track on its own, so lint can name
//! all of them before it gives up (exit 2, as a lesson error).

use super::{Finding, Severity};
use crate::lesson::source::{ASSIGNMENT, SourceKind};
use crate::lesson::{LessonError, instruqt, source};
use std::path::Path;

/// Each challenge text of the track in `dir` that does not parse, as an
/// error at its file and line; nothing for a lesson or a challenge (their
/// one load error says it all).
pub fn challenge_texts(dir: &Path) -> Vec<Finding> {
    if !matches!(source::detect(dir), Ok(SourceKind::Track)) {
        return Vec::new();
    }
    // Absolute, as the course's own load error names files.
    let Ok(dir) = std::path::absolute(dir) else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut texts: Vec<_> = entries
        .flatten()
        .map(|e| e.path().join(ASSIGNMENT))
        .filter(|p| p.is_file())
        .collect();
    texts.sort();
    texts
        .into_iter()
        .filter_map(|path| {
            let parsed = crate::fsutil::read_text(&path)
                .map_err(LessonError::from)
                .and_then(|text| instruqt::parse(&path, &text));
            match parsed {
                Err(LessonError::Syntax {
                    file,
                    line,
                    message,
                }) => Some(Finding {
                    severity: Severity::Error,
                    rule: "front-matter",
                    file,
                    line,
                    message,
                }),
                _ => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn every_broken_challenge_text_of_a_track() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("track.yml"), "slug: t\ntitle: T\n").unwrap();
        for (name, front) in [
            ("01-a", "slug: a\ntitle: A\n"),
            ("02-b", "slug: b\n"),
            ("03-c", "slug: c\ntitle: C\ntimelimit: soon\n"),
        ] {
            fs::create_dir(dir.path().join(name)).unwrap();
            fs::write(
                dir.path().join(name).join("assignment.md"),
                format!("---\n{front}---\nBody\n"),
            )
            .unwrap();
        }
        let found: Vec<String> = challenge_texts(dir.path())
            .iter()
            .map(|f| {
                let file = f.file.strip_prefix(dir.path()).unwrap().display();
                assert!(f.file.is_absolute());
                format!("{file}:{}: {}", f.line, f.message)
            })
            .collect();
        assert_eq!(
            found,
            [
                "02-b/assignment.md:2: front matter: missing field `title`",
                "03-c/assignment.md:4: front matter: invalid u64",
            ]
        );
        // A challenge directory on its own has one error, its load error.
        assert!(challenge_texts(&dir.path().join("02-b")).is_empty());
    }
}
