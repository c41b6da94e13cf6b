//! A course: an ordered list of challenges with what they share — hosts,
//! the track's own scripts, course-level variables and starting files,
//! timer, skipping and script timeouts. An Instruqt track is a course of
//! its challenges; a labrun lesson or a bare Instruqt challenge is a course
//! of one.

use super::challenge::{self, Setting};
use super::hosts::{self, Host};
use super::manifest::{self, Additions, Scope};
use super::script_files::{Lifecycle, Phase, Script};
use super::source::{self, ASSIGNMENT, SourceKind};
use super::{Lesson, LessonError, MANIFEST, Variable};
use std::path::{Path, PathBuf};

/// How long each phase's scripts may run, in seconds (Instruqt's limits:
/// a check 1 minute, the others 30 minutes); a track's `lesson.toml` may
/// change them under `[timeouts]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub check: u64,
    pub setup: u64,
    pub solve: u64,
    pub cleanup: u64,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            check: 60,
            setup: 1800,
            solve: 1800,
            cleanup: 1800,
        }
    }
}

impl Timeouts {
    pub fn for_phase(&self, phase: Phase) -> u64 {
        match phase {
            Phase::Setup => self.setup,
            Phase::Check => self.check,
            Phase::Solve => self.solve,
            Phase::Cleanup => self.cleanup,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Course {
    /// The directory named (absolute): the track, or the one lesson.
    pub dir: PathBuf,
    pub slug: String,
    pub title: String,
    pub teaser: String,
    /// Markdown (a track's `description`; empty for a course of one).
    pub description: String,
    pub source: SourceKind,
    /// Every host the course names; exactly one (at most) is local.
    pub hosts: Vec<Host>,
    /// `track_scripts/`: setup once per workspace, cleanup at the end.
    pub track_scripts: Lifecycle,
    /// The challenges, in order (a track's `NN-slug/` directories by name).
    pub challenges: Vec<Lesson>,
    /// Course-level variables (each challenge's `variables` include them).
    pub variables: Vec<Variable>,
    /// Course-level starting files, copied into a new workspace.
    pub files_dir: Option<PathBuf>,
    /// The course's own `lesson.toml`, if it has one.
    pub manifest_path: Option<PathBuf>,
    pub skipping_enabled: bool,
    pub show_timer: bool,
    /// Seconds for the whole course.
    pub timelimit: Option<u64>,
    pub timeouts: Timeouts,
}

impl Course {
    /// Loads the course in `dir`, whichever kind of lesson source it is.
    pub fn load(dir: &Path) -> Result<Course, LessonError> {
        let dir = std::path::absolute(dir).map_err(|source| LessonError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        match source::detect(&dir)? {
            SourceKind::Track => super::track::load(&dir),
            kind => load_single(&dir, kind),
        }
    }

    /// Whether a workspace or record of `slug` is of this course: its own
    /// slug, or, for a course of one challenge, that challenge's (what a
    /// workspace of a one-challenge track records).
    pub fn has_slug(&self, slug: &str) -> bool {
        self.slug == slug || matches!(self.challenges.as_slice(), [only] if only.slug == slug)
    }

    /// The host named `name`.
    pub fn host(&self, name: &str) -> Option<&Host> {
        self.hosts.iter().find(|h| h.name == name)
    }

    /// The host labrun provides on this machine, if any is a container.
    pub fn local_host(&self) -> Option<&Host> {
        self.hosts.iter().find(|h| h.local)
    }

    /// Why `host`'s scripts cannot run here, or None when they can.
    pub fn unavailable(&self, host: &str) -> Option<String> {
        match self.host(host) {
            Some(h) => h.unavailable(),
            None => Some(format!(
                "needs host `{host}`, which the course does not have"
            )),
        }
    }

    /// A challenge by its number in the course (from 1) or its slug, with
    /// its index (from 0): what `--challenge N|slug` selects.
    pub fn challenge(&self, selector: &str) -> Option<(usize, &Lesson)> {
        let selector = selector.trim();
        if let Some(found) = self.challenges.iter().position(|c| c.slug == selector) {
            return Some((found, &self.challenges[found]));
        }
        let number: usize = selector.parse().ok()?;
        let index = number.checked_sub(1)?;
        self.challenges.get(index).map(|c| (index, c))
    }

    /// Every script of the course: the track's, then each challenge's.
    pub fn scripts(&self) -> impl Iterator<Item = &Script> {
        self.track_scripts
            .scripts
            .iter()
            .chain(self.challenges.iter().flat_map(|c| &c.scripts.scripts))
    }
}

/// A labrun lesson or a bare Instruqt challenge: a course of one, its
/// `lesson.toml` (if any) both the course's and the challenge's.
fn load_single(dir: &Path, kind: SourceKind) -> Result<Course, LessonError> {
    let manifest_path = dir.join(MANIFEST);
    let manifest = match kind {
        SourceKind::Lesson => Some(manifest::read(&manifest_path, Scope::Standalone)?),
        _ => None,
    };
    let text_path = manifest
        .as_ref()
        .and_then(|m| m.text.clone())
        .unwrap_or_else(|| dir.join(ASSIGNMENT));
    let timeouts = manifest
        .as_ref()
        .and_then(|m| m.timeouts)
        .unwrap_or_default();
    let additions = match manifest {
        Some(m) => m.additions,
        None => Additions {
            files: manifest::default_files(dir),
            ..Additions::default()
        },
    };
    let text = challenge::read_text(&text_path)?;
    let setting = Setting {
        variables: &[],
        timeouts: &timeouts,
        require_steps: kind == SourceKind::Lesson,
    };
    let lesson = challenge::build(dir, text_path, text, additions, &setting)?;
    let front = &lesson.challenge.front;
    Ok(Course {
        dir: dir.to_path_buf(),
        slug: lesson.slug.clone(),
        title: front.title.clone(),
        teaser: front.teaser.clone().unwrap_or_default(),
        description: String::new(),
        source: kind,
        hosts: hosts::resolve(None, &Lifecycle::default(), std::slice::from_ref(&lesson)),
        track_scripts: Lifecycle::default(),
        variables: lesson.variables.clone(),
        files_dir: lesson.files_dir.clone(),
        manifest_path: (kind == SourceKind::Lesson).then_some(manifest_path),
        skipping_enabled: false,
        show_timer: false,
        timelimit: front.timelimit,
        timeouts,
        challenges: vec![lesson],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_phase_has_its_timeout() {
        let timeouts = Timeouts {
            check: 1,
            setup: 2,
            solve: 3,
            cleanup: 4,
        };
        let each: Vec<u64> = Phase::ALL.iter().map(|p| timeouts.for_phase(*p)).collect();
        assert_eq!(each, [2, 1, 3, 4]);
        assert_eq!(Timeouts::default().for_phase(Phase::Check), 60);
        assert_eq!(Timeouts::default().for_phase(Phase::Solve), 1800);
    }
}
