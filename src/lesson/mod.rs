//! What a lesson is, read from disk: a course (an Instruqt track, or a
//! single lesson or challenge) of challenges, each with its text (kept as
//! written), its lifecycle scripts and labrun's manifest beside it (steps,
//! checks, hints, solutions, variables). Plain data; nothing here evaluates
//! a check, runs a script or draws anything.

pub mod agent_vars;
pub mod bundled;
mod challenge;
mod course;
mod error;
pub mod hosts;
pub mod instruqt;
mod lesson_dir;
pub mod lint;
pub mod manifest;
pub mod markdown;
pub mod script_files;
pub mod source;
mod track;
pub mod vars;

use std::path::{Path, PathBuf};

pub use agent_vars::AgentVars;
pub use challenge::{ChallengeKind, QUIZ_STEP, script_step_id};
pub use course::{Course, Timeouts};
pub use error::{CourseError, LessonError};
pub use hosts::{Host, HostKind};
pub use instruqt::{Challenge, FrontMatter};
pub use lesson_dir::OutsideLesson;
pub use manifest::StepsError;
pub use script_files::{Lifecycle, Phase, Script};
pub use source::SourceKind;
pub use vars::{Variable, Vars};

/// The manifest's file name in a lesson directory.
pub const MANIFEST: &str = "lesson.toml";

/// One challenge: a labrun lesson, or one challenge of an Instruqt track.
#[derive(Debug, Clone)]
pub struct Lesson {
    /// The lesson (challenge) directory.
    pub dir: PathBuf,
    pub slug: String,
    pub challenge: Challenge,
    /// The challenge file (`assignment.md` unless the manifest says otherwise).
    pub text_path: PathBuf,
    /// The `lesson.toml` that adds to this challenge: beside it, or the
    /// track's with a `[[challenges]]` block for it; where one beside it
    /// would be when there is none.
    pub manifest_path: PathBuf,
    /// The starting files copied into a new workspace, if the lesson has any.
    pub files_dir: Option<PathBuf>,
    /// Its variables, the course's included.
    pub variables: Vec<Variable>,
    /// Declared steps first, then one per host check script (or a quiz's one).
    pub steps: Vec<Step>,
    pub kind: ChallengeKind,
    /// Its lifecycle scripts (`setup-<host>`, `check-<host>`, …).
    pub scripts: Lifecycle,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub id: String,
    pub title: String,
    /// The heading of the lesson text this step belongs to.
    pub section: Option<String>,
    pub hint: String,
    /// Shell commands that solve this step (the reference solution).
    pub solution: String,
    /// Steps whose work this step builds on.
    pub needs: Vec<String>,
    pub checks: Vec<CheckSpec>,
    /// Line of the step in the manifest.
    pub line: usize,
}

impl Step {
    /// Whether the step stands for the challenge's own check (a check
    /// script or a quiz) rather than one `lesson.toml` declares.
    pub fn is_instruqt(&self) -> bool {
        !self.checks.is_empty()
            && self
                .checks
                .iter()
                .all(|c| matches!(c.kind, CheckKind::Script { .. } | CheckKind::Quiz { .. }))
    }
}

/// One condition of a step, as the lesson declares it.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckSpec {
    /// What the learner sees; a name is derived from the kind when absent.
    pub name: Option<String>,
    pub kind: CheckKind,
    /// Line of the check in the manifest.
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CheckKind {
    /// A file (or directory) exists.
    FileExists { file: String },
    /// A YAML value at a dotted key path.
    Yaml {
        file: String,
        key: String,
        expect: Expect,
    },
    /// A text file matches an expected text, ignoring whitespace layout.
    Text {
        file: String,
        expected: ExpectedText,
    },
    /// A Helm template renders, with `values` as `.Values`, to YAML holding
    /// the expected fields, or to nothing.
    Template {
        file: String,
        values: Vec<(String, TemplateValue)>,
        expect: Rendering,
    },
    /// A chart package (`.tgz`) and checks on the files inside it.
    Package {
        file: String,
        /// The single top directory the archive must have.
        top: Option<String>,
        /// The command that rebuilds the package, suggested when it is stale.
        rebuild: Option<String>,
        checks: Vec<CheckSpec>,
    },
    /// A shell command run in the workspace; exit status 0 passes.
    Command { run: String, timeout_secs: u64 },
    /// The Vendor API: these channels all point at one release with this
    /// version label, whose chart passes the inner checks.
    Release {
        channels: Vec<String>,
        version: String,
        /// The chart the release must carry: name and version.
        chart: Option<(String, String)>,
        checks: Vec<CheckSpec>,
    },
    /// An Instruqt lifecycle script (`check-<host>`) run on `host`: exit 0
    /// passes; each `FAIL: ` line it prints is a condition it found unmet.
    Script {
        host: String,
        /// The script in the lesson directory, run as it is on disk.
        path: PathBuf,
        timeout_secs: u64,
    },
    /// An Instruqt quiz: the learner's recorded answer (indexes into
    /// `answers`) must be exactly `solution`.
    Quiz {
        /// The challenge's slug: its answer is recorded under it.
        challenge: String,
        answers: Vec<String>,
        solution: Vec<usize>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    Equals(String),
    StartsWith(String),
    Matches(String),
}

/// A value a template check passes in `.Values`. Keys with dots nest, as
/// with `helm --set`.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplateValue {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    List(Vec<TemplateValue>),
    Map(Vec<(String, TemplateValue)>),
}

impl TemplateValue {
    /// Every string in it (where `${NAME}` is filled in).
    pub fn strings(&self) -> Vec<&str> {
        match self {
            TemplateValue::Str(s) => vec![s],
            TemplateValue::List(items) => items.iter().flat_map(TemplateValue::strings).collect(),
            TemplateValue::Map(entries) => entries.iter().flat_map(|(_, v)| v.strings()).collect(),
            _ => Vec::new(),
        }
    }
}

/// What a template check expects the template to render.
#[derive(Debug, Clone, PartialEq)]
pub enum Rendering {
    /// One YAML document with these (key path, value) pairs.
    Fields(Vec<(String, String)>),
    /// Nothing but whitespace and comments.
    Nothing,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExpectedText {
    Inline(String),
    /// A file in the lesson directory.
    File(PathBuf),
}

impl CheckSpec {
    /// The condition's label: its declared name, or one derived from the kind.
    pub fn label(&self) -> String {
        if let Some(name) = &self.name {
            return name.clone();
        }
        match &self.kind {
            CheckKind::FileExists { file } => format!("{file} exists"),
            CheckKind::Yaml { file, key, .. } => format!("{file}: {key}"),
            CheckKind::Text { file, .. } => format!("{file} matches the lesson's text"),
            CheckKind::Template {
                file,
                expect: Rendering::Fields(_),
                ..
            } => format!("{file} renders as expected"),
            CheckKind::Template {
                file,
                expect: Rendering::Nothing,
                ..
            } => format!("{file} renders nothing"),
            CheckKind::Package { file, .. } => format!("{file} is a chart package"),
            CheckKind::Command { run, .. } => {
                format!(
                    "`{}` succeeds",
                    run.lines().next().unwrap_or_default().trim()
                )
            }
            CheckKind::Release { version, .. } => format!("release {version}"),
            CheckKind::Script { path, .. } => format!(
                "the challenge's check ({})",
                path.file_name().unwrap_or_default().to_string_lossy()
            ),
            CheckKind::Quiz { .. } => "the quiz is answered correctly".to_string(),
        }
    }
}

impl CheckSpec {
    /// The strings of this check in which `${NAME}` is filled in (not those
    /// of the checks inside a package, which are checks of their own).
    pub fn templated_strings(&self) -> Vec<&str> {
        match &self.kind {
            CheckKind::FileExists { file } => vec![file],
            CheckKind::Yaml { file, key, expect } => {
                let (Expect::Equals(v) | Expect::StartsWith(v) | Expect::Matches(v)) = expect;
                vec![file, key, v]
            }
            CheckKind::Text { file, expected } => match expected {
                ExpectedText::Inline(text) => vec![file, text],
                ExpectedText::File(_) => vec![file],
            },
            CheckKind::Template {
                file,
                values,
                expect,
            } => {
                let mut strings = vec![file.as_str()];
                strings.extend(values.iter().flat_map(|(_, v)| v.strings()));
                if let Rendering::Fields(fields) = expect {
                    strings.extend(fields.iter().map(|(_, v)| v.as_str()));
                }
                strings
            }
            CheckKind::Package { file, top, .. } => [Some(file), top.as_ref()]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect(),
            CheckKind::Command { run, .. } => vec![run],
            CheckKind::Release {
                channels,
                version,
                chart,
                ..
            } => {
                let mut strings: Vec<&str> = channels.iter().map(String::as_str).collect();
                strings.push(version);
                if let Some((name, chart_version)) = chart {
                    strings.extend([name.as_str(), chart_version.as_str()]);
                }
                strings
            }
            CheckKind::Script { .. } | CheckKind::Quiz { .. } => Vec::new(),
        }
    }

    /// The workspace file this check reads itself (unexpanded), if any: not
    /// the files of the checks inside a package or a release.
    pub fn workspace_file(&self) -> Option<&str> {
        match &self.kind {
            CheckKind::FileExists { file }
            | CheckKind::Yaml { file, .. }
            | CheckKind::Text { file, .. }
            | CheckKind::Template { file, .. }
            | CheckKind::Package { file, .. } => Some(file),
            CheckKind::Command { .. }
            | CheckKind::Release { .. }
            | CheckKind::Script { .. }
            | CheckKind::Quiz { .. } => None,
        }
    }

    /// The checks inside this one (of a package or a release).
    pub fn inner(&self) -> &[CheckSpec] {
        match &self.kind {
            CheckKind::Package { checks, .. } | CheckKind::Release { checks, .. } => checks,
            _ => &[],
        }
    }

    /// This check and the checks inside it.
    pub fn with_inner(&self) -> Vec<&CheckSpec> {
        let mut all = vec![self];
        if let CheckKind::Package { checks, .. } | CheckKind::Release { checks, .. } = &self.kind {
            all.extend(checks.iter().flat_map(CheckSpec::with_inner));
        }
        all
    }
}

impl Lesson {
    /// Loads the one challenge in `dir`: a labrun lesson (its manifest and
    /// the text it names), a bare Instruqt challenge, or a track of one
    /// challenge. A track of several is a [`Course`].
    pub fn load(dir: &Path) -> Result<Lesson, LessonError> {
        let course = Course::load(dir)?;
        let count = course.challenges.len();
        let mut challenges = course.challenges.into_iter();
        match (challenges.next(), count) {
            (Some(lesson), 1) => Ok(lesson),
            _ => Err(LessonError::Course {
                file: course.dir.join(source::TRACK_FILE),
                line: 1,
                source: CourseError::SeveralChallenges { count },
            }),
        }
    }

    pub fn title(&self) -> &str {
        &self.challenge.front.title
    }

    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    pub fn variable(&self, name: &str) -> Option<&Variable> {
        self.variables.iter().find(|v| v.name == name)
    }

    /// Where an image the text references is on disk: beside the lesson, or
    /// in the repository's top-level `assets/` (Instruqt tracks keep images
    /// in `../assets/` of the challenge).
    pub fn asset(&self, url: &str) -> Option<PathBuf> {
        let direct = self.dir.join(url);
        if direct.is_file() {
            return Some(direct);
        }
        let (_, name) = url.rsplit_once("assets/")?;
        let shared = self.dir.parent()?.parent()?.join("assets").join(name);
        shared.is_file().then_some(shared)
    }
}

/// 1-based line of byte `offset` in `text`. For many offsets into one
/// text, [`LineIndex`] answers each in O(log lines) instead of O(offset).
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Where each line of a text starts, found once, so that the line of any
/// byte offset is a binary search (a 10,000-step lesson loads in linear time).
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offsets of the first byte of each line after the first.
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        LineIndex {
            starts: text.match_indices('\n').map(|(i, _)| i + 1).collect(),
        }
    }

    /// 1-based line of byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset) + 1
    }
}

#[cfg(test)]
mod line_tests {
    use super::*;

    #[test]
    fn the_index_agrees_with_counting() {
        let text = "a\nbc\n\nd";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(index.line(offset), line_of(text, offset), "{offset}");
        }
    }
}
