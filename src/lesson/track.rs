//! An Instruqt track directory (config version 3) read as a course:
//! `track.yml` (title, timer, skipping), `config.yml` (hosts), the `NN-slug/`
//! challenge directories in name order, `track_scripts/`, and an optional
//! `lesson.toml` at the root with labrun's course-level additions
//! (variables, files, `[timeouts]`, `[[challenges]]` blocks by slug).

use super::challenge::{self, Setting};
use super::course::Course;
use super::hosts;
use super::manifest::{self, Additions, ChallengeBlock, Scope};
use super::script_files::Lifecycle;
use super::source::{ASSIGNMENT, SourceKind, TRACK_FILE, TRACK_SCRIPTS};
use super::{CourseError, Lesson, LessonError, MANIFEST, instruqt};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// `track.yml` as far as labrun needs it; the rest (icon, tags, owner,
/// checksum, lab_config, fields Instruqt adds later) is ignored.
#[derive(Debug, Deserialize)]
struct TrackYml {
    slug: String,
    title: String,
    teaser: Option<String>,
    description: Option<String>,
    /// Seconds for the whole track.
    timelimit: Option<u64>,
    show_timer: Option<bool>,
    skipping_enabled: Option<bool>,
    /// Present only in the legacy layout (config version 2).
    challenges: Option<serde::de::IgnoredAny>,
}

pub(super) fn load(dir: &Path) -> Result<Course, LessonError> {
    let track_path = dir.join(TRACK_FILE);
    let track_text = crate::fsutil::read_text(&track_path)?;
    let track: TrackYml = instruqt::parse_yaml(&track_path, &track_text, 1, "")?;
    let config = hosts::read_config(dir)?;
    let root_path = dir.join(MANIFEST);
    let root = root_path
        .is_file()
        .then(|| manifest::read(&root_path, Scope::TrackRoot))
        .transpose()?;
    let dirs = challenge_dirs(dir)?;
    if dirs.is_empty() {
        let (line, source) = match track.challenges {
            Some(_) => (
                key_line(&track_text, "challenges"),
                CourseError::InlineChallenges,
            ),
            None => (1, CourseError::NoChallenges),
        };
        return Err(LessonError::Course {
            file: track_path,
            line,
            source,
        });
    }
    let (timeouts, variables, files_dir, blocks) = match root {
        Some(root) => (
            root.timeouts.unwrap_or_default(),
            root.additions.variables,
            root.additions.files,
            root.challenges,
        ),
        None => Default::default(),
    };
    let mut blocks = Blocks::new(blocks, &root_path)?;
    let setting = Setting {
        variables: &variables,
        timeouts: &timeouts,
        require_steps: false,
    };
    let mut challenges: Vec<Lesson> = Vec::with_capacity(dirs.len());
    for challenge_dir in dirs {
        let text_path = challenge_dir.join(ASSIGNMENT);
        let text = challenge::read_text(&text_path)?;
        let slug = &text.front.slug;
        if let Some(first) = challenges.iter().find(|c| &c.slug == slug) {
            return Err(LessonError::Course {
                file: text_path.clone(),
                line: text.key_line("slug"),
                source: CourseError::SlugTwice {
                    slug: slug.clone(),
                    first: first.text_path.clone(),
                },
            });
        }
        let own_path = challenge_dir.join(MANIFEST);
        let additions = match (own_path.is_file(), blocks.take(slug)) {
            (true, Some(block)) => {
                return Err(LessonError::Course {
                    file: root_path,
                    line: block.line,
                    source: CourseError::ConfiguredTwice {
                        slug: slug.clone(),
                        own: own_path,
                    },
                });
            }
            (true, None) => manifest::read(&own_path, Scope::TrackChallenge)?.additions,
            (false, Some(block)) => block.additions,
            (false, None) => Additions {
                files: manifest::default_files(&challenge_dir),
                ..Additions::default()
            },
        };
        challenges.push(challenge::build(
            &challenge_dir,
            text_path,
            text,
            additions,
            &setting,
        )?);
    }
    blocks.all_taken(&challenges)?;
    let track_scripts = Lifecycle::find(&dir.join(TRACK_SCRIPTS))?;
    let hosts = hosts::resolve(config.as_ref(), &track_scripts, &challenges);
    Ok(Course {
        dir: dir.to_path_buf(),
        slug: track.slug,
        title: track.title,
        teaser: track.teaser.unwrap_or_default(),
        description: track.description.unwrap_or_default(),
        source: SourceKind::Track,
        hosts,
        track_scripts,
        challenges,
        variables,
        files_dir,
        manifest_path: root_path.is_file().then_some(root_path),
        skipping_enabled: track.skipping_enabled.unwrap_or(false),
        show_timer: track.show_timer.unwrap_or(false),
        timelimit: track.timelimit,
        timeouts,
    })
}

/// The track's challenge directories, `NN-slug/` (a number, a dash, a
/// name), in name order; other directories (`assets/`, `track_scripts/`)
/// are not challenges.
fn challenge_dirs(dir: &Path) -> Result<Vec<PathBuf>, LessonError> {
    let io = |source| LessonError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let numbered = name.split_once('-').is_some_and(|(number, rest)| {
            !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) && !rest.is_empty()
        });
        if numbered && entry.path().is_dir() {
            dirs.push((name.to_string(), entry.path()));
        }
    }
    dirs.sort();
    Ok(dirs.into_iter().map(|(_, path)| path).collect())
}

/// Line of a top-level key in a YAML file (1 when it is not found).
fn key_line(yaml: &str, key: &str) -> usize {
    yaml.lines()
        .position(|line| {
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map_or(1, |index| index + 1)
}

/// The root `lesson.toml`'s `[[challenges]]` blocks, each taken by the
/// challenge with its slug; one left over names no challenge.
struct Blocks<'a> {
    blocks: Vec<Option<ChallengeBlock>>,
    path: &'a Path,
}

impl<'a> Blocks<'a> {
    fn new(blocks: Vec<ChallengeBlock>, path: &'a Path) -> Result<Blocks<'a>, LessonError> {
        for (index, block) in blocks.iter().enumerate() {
            if blocks[..index].iter().any(|b| b.slug == block.slug) {
                return Err(LessonError::Course {
                    file: path.to_path_buf(),
                    line: block.line,
                    source: CourseError::SlugTwice {
                        slug: block.slug.clone(),
                        first: path.to_path_buf(),
                    },
                });
            }
        }
        Ok(Blocks {
            blocks: blocks.into_iter().map(Some).collect(),
            path,
        })
    }

    fn take(&mut self, slug: &str) -> Option<ChallengeBlock> {
        self.blocks
            .iter_mut()
            .find(|b| b.as_ref().is_some_and(|b| b.slug == slug))?
            .take()
    }

    fn all_taken(self, challenges: &[Lesson]) -> Result<(), LessonError> {
        match self.blocks.into_iter().flatten().next() {
            None => Ok(()),
            Some(left) => Err(LessonError::Course {
                file: self.path.to_path_buf(),
                line: left.line,
                source: CourseError::UnknownChallenge {
                    slug: left.slug,
                    known: challenges.iter().map(|c| c.slug.clone()).collect(),
                },
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_directories_are_numbered_and_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "02-b",
            "01-a",
            "10-j",
            "assets",
            "track_scripts",
            "03-",
            "x-1",
        ] {
            std::fs::create_dir(dir.path().join(name)).unwrap();
        }
        std::fs::write(dir.path().join("04-file"), "").unwrap();
        let names: Vec<String> = challenge_dirs(dir.path())
            .unwrap()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["01-a", "02-b", "10-j"]);
    }

    #[test]
    fn key_line_finds_top_level_keys() {
        let yaml = "slug: s\ndescription: |-\n  challenges: not this\nchallenges :\n- x\n";
        assert_eq!(key_line(yaml, "challenges"), 4);
        assert_eq!(key_line(yaml, "nope"), 1);
    }
}
