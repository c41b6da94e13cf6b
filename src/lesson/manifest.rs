//! `lesson.toml`, labrun's own file beside a challenge text or at the root of
//! a track: read, checked for where it stands (a key a place does not take is
//! an error naming its line), its steps put together (`manifest/steps.rs`,
//! each check table through `check_table.rs`). Its format is documented for
//! authors in `docs/lesson-format.md`.

mod check_table;
mod steps;

pub use check_table::{CheckError, Outer};
pub use steps::StepsError;
pub(crate) use steps::validate as validate_steps;

use super::course::Timeouts;
use super::lesson_dir::LessonDir;
use super::{
    CheckKind, CheckSpec, CourseError, ExpectedText, Lesson, LessonError, LineIndex, Step, Variable,
};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

const DEFAULT_FILES: &str = "files";

/// Where a `lesson.toml` stands, which decides the keys it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Beside the text of a lesson or challenge that is a course of its own.
    Standalone,
    /// At the root of a track, beside `track.yml`.
    TrackRoot,
    /// Beside the `assignment.md` of one of a track's challenges.
    TrackChallenge,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    text: Option<Spanned<String>>,
    files: Option<Spanned<String>>,
    #[serde(default)]
    variables: Vec<Variable>,
    #[serde(default)]
    steps: Vec<Spanned<steps::RawStep>>,
    timeouts: Option<Spanned<RawTimeouts>>,
    #[serde(default)]
    challenges: Vec<Spanned<RawBlock>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTimeouts {
    check: Option<u64>,
    setup: Option<u64>,
    solve: Option<u64>,
    cleanup: Option<u64>,
}

/// A `[[challenges]]` block: a challenge's additions, kept at the track root.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBlock {
    slug: String,
    files: Option<Spanned<String>>,
    #[serde(default)]
    variables: Vec<Variable>,
    #[serde(default)]
    steps: Vec<Spanned<steps::RawStep>>,
}

/// What a `lesson.toml` (or a `[[challenges]]` block) adds to a challenge.
#[derive(Debug, Default)]
pub(crate) struct Additions {
    /// The file they come from.
    pub manifest_path: Option<PathBuf>,
    /// Starting files copied into the workspace.
    pub files: Option<PathBuf>,
    pub variables: Vec<Variable>,
    /// Declared steps, each valid on its own (the challenge checks them together).
    pub steps: Vec<Step>,
}

/// A `[[challenges]]` block of a track's `lesson.toml`.
#[derive(Debug)]
pub(crate) struct ChallengeBlock {
    pub slug: String,
    pub line: usize,
    pub additions: Additions,
}

/// A `lesson.toml`, read.
#[derive(Debug)]
pub(crate) struct Manifest {
    /// The challenge text it names (`text = …`), resolved in its directory.
    pub text: Option<PathBuf>,
    pub additions: Additions,
    pub timeouts: Option<Timeouts>,
    pub challenges: Vec<ChallengeBlock>,
}

/// Reads the `lesson.toml` at `path` as one standing at `scope`.
pub(crate) fn read(path: &Path, scope: Scope) -> Result<Manifest, LessonError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let source = crate::fsutil::read_text(path)?;
    let lines = LineIndex::new(&source);
    let raw: RawManifest = toml::from_str(&source).map_err(|e| LessonError::Syntax {
        file: path.to_path_buf(),
        line: e.span().map_or(1, |s| lines.line(s.start)),
        message: e.message().to_string(),
    })?;
    let at = |line: usize, source: CourseError| LessonError::Course {
        file: path.to_path_buf(),
        line,
        source,
    };
    let line_of = |span: std::ops::Range<usize>| lines.line(span.start);
    misplaced(&raw, scope, &line_of).map_err(|(line, e)| at(line, e))?;
    let inside = LessonDir::new(dir);
    // A path the manifest names, checked to stay in its directory.
    let named = |value: &Spanned<String>, key: &'static str| {
        inside
            .resolve(value.get_ref())
            .map_err(|source| LessonError::Outside {
                file: path.to_path_buf(),
                line: line_of(value.span()),
                key,
                source,
            })
    };
    let text = raw.text.as_ref().map(|t| named(t, "text")).transpose()?;
    let files = match &raw.files {
        Some(files) => Some(named(files, "files")?),
        None => default_files(dir),
    };
    let timeouts = raw
        .timeouts
        .map(|t| timeouts(t.get_ref()).map_err(|e| at(line_of(t.span()), e)))
        .transpose()?;
    let mut challenges = Vec::with_capacity(raw.challenges.len());
    for block in raw.challenges {
        let line = line_of(block.span());
        let block = block.into_inner();
        challenges.push(ChallengeBlock {
            slug: block.slug,
            line,
            additions: Additions {
                manifest_path: Some(path.to_path_buf()),
                files: block
                    .files
                    .as_ref()
                    .map(|f| named(f, "files"))
                    .transpose()?,
                variables: block.variables,
                steps: steps::build(block.steps, &lines, &inside, path)?,
            },
        });
    }
    Ok(Manifest {
        text,
        additions: Additions {
            manifest_path: Some(path.to_path_buf()),
            files,
            variables: raw.variables,
            steps: steps::build(raw.steps, &lines, &inside, path)?,
        },
        timeouts,
        challenges,
    })
}

/// `files/` beside a challenge or a track, when it is a directory inside it.
pub(crate) fn default_files(dir: &Path) -> Option<PathBuf> {
    let files = dir.join(DEFAULT_FILES);
    (files.is_dir() && LessonDir::new(dir).resolve(DEFAULT_FILES).is_ok()).then_some(files)
}

/// The first key `scope` does not take, with its line.
fn misplaced(
    raw: &RawManifest,
    scope: Scope,
    line_of: &dyn Fn(std::ops::Range<usize>) -> usize,
) -> Result<(), (usize, CourseError)> {
    let wrong = |line, key, hint| Err((line, CourseError::Misplaced { key, hint }));
    match scope {
        Scope::Standalone => {}
        Scope::TrackRoot => {
            if let Some(text) = &raw.text {
                return wrong(
                    line_of(text.span()),
                    "text",
                    "a track's challenge texts are the assignment.md of its NN-slug/ directories",
                );
            }
            if let Some(step) = raw.steps.first() {
                return wrong(
                    line_of(step.span()),
                    "steps",
                    "steps belong to a challenge: put them in a [[challenges]] block with its slug, or in a lesson.toml beside its assignment.md",
                );
            }
        }
        Scope::TrackChallenge => {
            if let Some(text) = &raw.text {
                return wrong(
                    line_of(text.span()),
                    "text",
                    "a track's challenge text is its assignment.md",
                );
            }
            if let Some(timeouts) = &raw.timeouts {
                return wrong(
                    line_of(timeouts.span()),
                    "timeouts",
                    "script timeouts apply to the whole track: put [timeouts] in the lesson.toml beside track.yml",
                );
            }
        }
    }
    if scope != Scope::TrackRoot
        && let Some(block) = raw.challenges.first()
    {
        return wrong(
            line_of(block.span()),
            "challenges",
            "[[challenges]] blocks belong in the lesson.toml beside a track's track.yml",
        );
    }
    Ok(())
}

fn timeouts(raw: &RawTimeouts) -> Result<Timeouts, CourseError> {
    let default = Timeouts::default();
    let pick = |value: Option<u64>, default: u64, name| match value {
        Some(0) => Err(CourseError::ZeroTimeout(name)),
        Some(secs) => Ok(secs),
        None => Ok(default),
    };
    Ok(Timeouts {
        check: pick(raw.check, default.check, "check")?,
        setup: pick(raw.setup, default.setup, "setup")?,
        solve: pick(raw.solve, default.solve, "solve")?,
        cleanup: pick(raw.cleanup, default.cleanup, "cleanup")?,
    })
}

/// Paths the manifest names that must exist in the lesson directory.
pub fn expected_files(lesson: &Lesson) -> Vec<(usize, PathBuf)> {
    fn walk(checks: &[CheckSpec], out: &mut Vec<(usize, PathBuf)>) {
        for check in checks {
            match &check.kind {
                CheckKind::Text {
                    expected: ExpectedText::File(path),
                    ..
                } => out.push((check.line, path.clone())),
                CheckKind::Package { checks, .. } | CheckKind::Release { checks, .. } => {
                    walk(checks, out)
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for step in &lesson.steps {
        walk(&step.checks, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::{Expect, MANIFEST};
    use std::fs;

    const TEXT: &str = "---\nslug: demo\ntitle: Demo\n---\n# Intro\n";

    fn lesson_with(manifest: &str) -> Result<Lesson, LessonError> {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("assignment.md"), TEXT).unwrap();
        fs::write(dir.path().join(MANIFEST), manifest).unwrap();
        Lesson::load(dir.path())
    }

    #[test]
    fn loads_steps_and_checks_with_their_lines() {
        let lesson = lesson_with(
            r#"
[[steps]]
id = "one"
title = "First"

[[steps.checks]]
kind = "yaml"
file = "v.yaml"
key = "a.b"
starts_with = "x"

[[steps.checks]]
kind = "package"
file = "p.tgz"
checks = [{ kind = "file_exists", file = "p/Chart.yaml" }]
"#,
        )
        .unwrap();
        assert_eq!(lesson.slug, "demo");
        let step = &lesson.steps[0];
        assert_eq!(step.line, 2);
        assert_eq!(step.checks[0].line, 6);
        assert_eq!(
            step.checks[0].kind,
            CheckKind::Yaml {
                file: "v.yaml".into(),
                key: "a.b".into(),
                expect: Expect::StartsWith("x".into())
            }
        );
        assert!(
            matches!(&step.checks[1].kind, CheckKind::Package { checks, .. } if checks.len() == 1)
        );
    }

    fn error_of(manifest: &str) -> String {
        lesson_with(manifest).unwrap_err().to_string()
    }

    #[test]
    fn unknown_check_kind_names_the_line() {
        let err = error_of(
            "[[steps]]\nid = \"a\"\ntitle = \"A\"\n[[steps.checks]]\nkind = \"telepathy\"\n",
        );
        assert!(err.contains("lesson.toml:4:"), "{err}");
        assert!(err.contains("unknown check kind `telepathy`"), "{err}");
    }

    #[test]
    fn malformed_checks_are_explained() {
        let err = lesson_with(
            "[[steps]]\nid = \"a\"\ntitle = \"A\"\n[[steps.checks]]\nkind = \"yaml\"\nfile = \"f\"\nkey = \"k\"\n",
        )
        .unwrap_err();
        assert!(
            matches!(&err, LessonError::Check { line: 4, step, source: CheckError::YamlExpect, .. } if step == "a"),
            "{err:?}"
        );
        let err = err.to_string();
        assert!(
            err.contains("lesson.toml:4: step \"a\": a yaml check needs exactly one of `equals`"),
            "{err}"
        );
        let err = error_of(
            "[[steps]]\nid = \"a\"\ntitle = \"A\"\n[[steps.checks]]\nkind = \"file_exists\"\nfile = \"f\"\ncolour = 1\n",
        );
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn toml_syntax_errors_and_bad_steps_name_the_line() {
        let err = error_of("[[steps]\n");
        assert!(err.contains("lesson.toml:1:"), "{err}");
        let err = lesson_with(
            "[[steps]]\nid = \"a\"\ntitle = \"A\"\n[[steps]]\nid = \"a\"\ntitle = \"B\"\n",
        )
        .unwrap_err();
        assert!(
            matches!(&err, LessonError::Steps { line: 4, source: StepsError::UsedTwice(id), .. } if id == "a"),
            "{err:?}"
        );
        let err = err.to_string();
        assert!(
            err.contains("lesson.toml:4:") && err.contains("used twice"),
            "{err}"
        );
        let err = error_of("[[steps]]\nid = \"a\"\ntitle = \"A\"\nneeds = [\"b\"]\n");
        assert!(err.contains("not an earlier step"), "{err}");
    }

    #[test]
    fn a_lesson_without_steps_is_refused() {
        let err = error_of("text = \"assignment.md\"\n");
        assert!(
            err.contains("lesson.toml:1:") && err.contains("has no steps"),
            "{err}"
        );
    }

    #[test]
    fn checks_inside_a_package_say_where_they_are() {
        let err = lesson_with(
            "[[steps]]\nid = \"a\"\ntitle = \"A\"\n[[steps.checks]]\nkind = \"package\"\nfile = \"p.tgz\"\nchecks = [{ kind = \"command\", run = \"true\" }]\n",
        )
        .unwrap_err();
        assert!(
            matches!(
                &err,
                LessonError::Check {
                    source: CheckError::NotAFileCheck(Outer::Package),
                    ..
                }
            ),
            "{err:?}"
        );
        let err = err.to_string();
        assert!(
            err.contains(
                "checks inside a package check can be file_exists, yaml, text or template"
            ),
            "{err}"
        );
        let err = lesson_with(
            "[[steps]]\nid = \"a\"\ntitle = \"A\"\n[[steps.checks]]\nkind = \"release\"\nchannels = [\"Unstable\"]\nversion = \"1\"\nchecks = [{ kind = \"yaml\", file = \"f\", key = \"k\" }]\n",
        )
        .unwrap_err();
        let LessonError::Check {
            source: CheckError::Inside { outer, error },
            ..
        } = &err
        else {
            panic!("{err:?}");
        };
        assert_eq!(
            (*outer, &**error),
            (Outer::Release, &CheckError::YamlExpect)
        );
        assert!(
            err.to_string()
                .contains("inside release check: a yaml check needs exactly one of"),
            "{err}"
        );
    }

    #[test]
    fn missing_challenge_text_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(MANIFEST), "").unwrap();
        let err = Lesson::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("assignment.md"), "{err}");
    }

    /// A lesson.toml at `scope`, read from a temp dir.
    fn read_at(scope: Scope, manifest: &str) -> Result<Manifest, LessonError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(MANIFEST);
        fs::write(&path, manifest).unwrap();
        read(&path, scope)
    }

    #[test]
    fn each_place_takes_its_own_keys() {
        let root = "[[variables]]\nname = \"V\"\n\n[timeouts]\nsolve = 9\n\n[[challenges]]\nslug = \"a\"\n[[challenges.steps]]\nid = \"s\"\ntitle = \"S\"\n";
        let manifest = read_at(Scope::TrackRoot, root).unwrap();
        let timeouts = manifest.timeouts.unwrap();
        assert_eq!((timeouts.solve, timeouts.check), (9, 60));
        assert_eq!(manifest.challenges[0].slug, "a");
        assert_eq!(manifest.challenges[0].line, 7);
        assert_eq!(manifest.challenges[0].additions.steps[0].line, 9);
        assert_eq!(manifest.additions.variables[0].name, "V");

        let misplaced = |scope, text: &str| read_at(scope, text).unwrap_err().to_string();
        let err = misplaced(Scope::Standalone, "[[challenges]]\nslug = \"a\"\n");
        assert!(
            err.contains("lesson.toml:1: `challenges` does not belong here"),
            "{err}"
        );
        let err = misplaced(Scope::TrackChallenge, "\ntext = \"other.md\"\n");
        assert!(
            err.contains("lesson.toml:2: `text` does not belong here"),
            "{err}"
        );
        let err = misplaced(Scope::TrackRoot, "text = \"a.md\"\n");
        assert!(err.contains("`text` does not belong here"), "{err}");
        let err = misplaced(Scope::TrackRoot, "[timeouts]\nchek = 3\n");
        assert!(
            err.contains("lesson.toml:2:") && err.contains("chek"),
            "{err}"
        );
        let err = misplaced(
            Scope::TrackRoot,
            "[[challenges]]\nslug = \"a\"\ntext = \"x.md\"\n",
        );
        assert!(err.contains("text"), "{err}");
    }
}
