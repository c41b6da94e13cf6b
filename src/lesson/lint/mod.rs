//! `labrun lint`: what is wrong with a course — a labrun lesson, a bare
//! Instruqt challenge or a whole track — by file and line, before a learner
//! (or `instruqt track push`) ever meets it. What `instruqt track validate`
//! checks, and more.
//!
//! The rules are data: [`RULES`] lists each with its id (shown in JSON and
//! docs) and the one function that applies it to the course or to each
//! challenge. Adding a rule is writing that function and one line there.
//! Each finding has a severity: an error fails `labrun lint` (exit 1), a
//! warning and an info do not.

mod declared;
mod front_matter;
mod hosts;
mod located;
mod scripts;
mod text;
pub mod unloadable;

pub use scripts::{CannotFail, ScriptNote, cannot_fail};

use super::hosts as course_hosts;
use super::script_files::Lifecycle;
use super::{Course, Lesson, SourceKind};
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The course is broken here: lint exits 1.
    Error,
    /// Likely a mistake, or something Instruqt would refuse; lint passes.
    Warning,
    /// Worth knowing (a host this machine does not provide); lint passes.
    Info,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub severity: Severity,
    /// The rule that found it (an id of [`RULES`]).
    pub rule: &'static str,
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file.display(),
            self.line,
            self.severity.name(),
            self.message
        )
    }
}

/// How many findings of each severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub info: usize,
}

impl Counts {
    pub fn of(findings: &[Finding]) -> Counts {
        let count = |s| findings.iter().filter(|f| f.severity == s).count();
        Counts {
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            info: count(Severity::Info),
        }
    }
}

/// One rule of lint.
pub struct Rule {
    /// Its name in JSON output and the docs.
    pub id: &'static str,
    run: Run,
}

/// What a rule reads: the course as a whole, or one challenge at a time.
enum Run {
    Course(fn(&Lint, &mut Findings)),
    Challenge(fn(&Lint, &Lesson, &mut Findings)),
}

/// Every rule, in the order they run (findings are then sorted by file and line).
pub const RULES: &[Rule] = &[
    Rule {
        id: "track-files",
        run: Run::Course(hosts::track_files),
    },
    Rule {
        id: "front-matter",
        run: Run::Challenge(front_matter::front_matter),
    },
    Rule {
        id: "quiz",
        run: Run::Challenge(front_matter::quiz),
    },
    Rule {
        id: "tabs",
        run: Run::Challenge(front_matter::tabs),
    },
    Rule {
        id: "tab-hosts",
        run: Run::Challenge(hosts::tab_hosts),
    },
    Rule {
        id: "script-hosts",
        run: Run::Course(hosts::script_hosts),
    },
    Rule {
        id: "unavailable-hosts",
        run: Run::Course(hosts::unavailable_hosts),
    },
    Rule {
        id: "script-files",
        run: Run::Course(scripts::script_files),
    },
    Rule {
        id: "script-names",
        run: Run::Course(scripts::script_names),
    },
    Rule {
        id: "check-without-solve",
        run: Run::Challenge(scripts::check_without_solve),
    },
    Rule {
        id: "check-cannot-fail",
        run: Run::Challenge(scripts::check_cannot_fail),
    },
    Rule {
        id: "nothing-to-check",
        run: Run::Challenge(declared::nothing_to_check),
    },
    Rule {
        id: "placeholders",
        run: Run::Challenge(text::placeholders),
    },
    Rule {
        id: "assets",
        run: Run::Challenge(text::assets),
    },
    Rule {
        id: "declared-steps",
        run: Run::Challenge(declared::declared_steps),
    },
];

/// What every rule reads: the course, its scripts read once, and the
/// reader of check scripts.
pub struct Lint<'a> {
    pub course: &'a Course,
    scripts: scripts::ScriptTexts,
    cannot_fail: CannotFail,
}

impl<'a> Lint<'a> {
    pub fn new(course: &'a Course) -> Lint<'a> {
        Lint::with_reader(course, cannot_fail)
    }

    /// With another reader of check scripts than [`cannot_fail`].
    pub fn with_reader(course: &'a Course, cannot_fail: CannotFail) -> Lint<'a> {
        Lint {
            course,
            scripts: scripts::ScriptTexts::read(course),
            cannot_fail,
        }
    }

    /// Every rule applied, findings in course order: the course's own files
    /// first, then each directory's, each file by line.
    pub fn run(&self) -> Vec<Finding> {
        self.apply(true, |_| true)
    }

    /// The challenge rules applied to one challenge (by index, from 0):
    /// what to report for it alone, as `labrun test` does per challenge.
    pub fn challenge(&self, index: usize) -> Vec<Finding> {
        let Some(only) = self.course.challenges.get(index) else {
            return Vec::new();
        };
        self.apply(false, |c| std::ptr::eq(c, only))
    }

    fn apply(&self, course_rules: bool, challenges: impl Fn(&Lesson) -> bool) -> Vec<Finding> {
        let mut findings = Findings::default();
        for rule in RULES {
            findings.rule = rule.id;
            match rule.run {
                Run::Course(check) if course_rules => check(self, &mut findings),
                Run::Course(_) => {}
                Run::Challenge(check) => {
                    for challenge in self.course.challenges.iter().filter(|c| challenges(c)) {
                        check(self, challenge, &mut findings);
                    }
                }
            }
        }
        let mut list = findings.list;
        let dir = &self.course.dir;
        list.sort_by_cached_key(|f| {
            let relative = f.file.strip_prefix(dir).unwrap_or(&f.file).to_path_buf();
            (relative.components().count() > 1, relative, f.line)
        });
        list
    }

    /// The index of a challenge in the course.
    fn index_of(&self, lesson: &Lesson) -> usize {
        self.course
            .challenges
            .iter()
            .position(|c| c.dir == lesson.dir)
            .unwrap_or(0)
    }

    /// Whether the course is a labrun lesson (not written for Instruqt).
    fn is_labrun_lesson(&self) -> bool {
        self.course.source == SourceKind::Lesson
    }
}

/// The findings so far, each stamped with the rule that is running.
#[derive(Default)]
pub struct Findings {
    rule: &'static str,
    list: Vec<Finding>,
}

impl Findings {
    fn add(&mut self, severity: Severity, file: &Path, line: usize, message: String) {
        self.list.push(Finding {
            severity,
            rule: self.rule,
            file: file.to_path_buf(),
            line: line.max(1),
            message,
        });
    }

    fn error(&mut self, file: &Path, line: usize, message: impl Into<String>) {
        self.add(Severity::Error, file, line, message.into());
    }

    fn warn(&mut self, file: &Path, line: usize, message: impl Into<String>) {
        self.add(Severity::Warning, file, line, message.into());
    }

    fn info(&mut self, file: &Path, line: usize, message: impl Into<String>) {
        self.add(Severity::Info, file, line, message.into());
    }
}

/// Every finding of a course.
pub fn lint_course(course: &Course) -> Vec<Finding> {
    Lint::new(course).run()
}

/// Every finding of one lesson (a challenge): what `labrun test` lints
/// before it runs a lesson. A challenge of a track is linted within its
/// track (whose setup scripts set its placeholders), by the challenge rules;
/// anything else as a course of one.
pub fn lint(lesson: &Lesson) -> Vec<Finding> {
    let track = lesson
        .dir
        .parent()
        .filter(|parent| parent.join(super::source::TRACK_FILE).is_file())
        .and_then(|parent| Course::load(parent).ok());
    if let Some(track) = track
        && let Some(index) = track.challenges.iter().position(|c| c.dir == lesson.dir)
    {
        return Lint::new(&track).challenge(index);
    }
    let source = if lesson.manifest_path.is_file() {
        SourceKind::Lesson
    } else {
        SourceKind::Challenge
    };
    let course = Course {
        dir: lesson.dir.clone(),
        slug: lesson.slug.clone(),
        title: lesson.title().to_string(),
        teaser: String::new(),
        description: String::new(),
        source,
        hosts: course_hosts::resolve(None, &Lifecycle::default(), std::slice::from_ref(lesson)),
        track_scripts: Lifecycle::default(),
        challenges: vec![lesson.clone()],
        variables: Vec::new(),
        files_dir: lesson.files_dir.clone(),
        manifest_path: None,
        skipping_enabled: false,
        show_timer: false,
        timelimit: None,
        timeouts: Default::default(),
    };
    lint_course(&course)
}

#[cfg(test)]
mod tests;
