//! One challenge of a course, put together: its text (`assignment.md`), its
//! lifecycle scripts, what a `lesson.toml` adds to it, and the steps that
//! follow from all three — declared steps first, then one step per host
//! check script, or the one step of a quiz.

use super::course::Timeouts;
use super::manifest::{self, Additions};
use super::script_files::{Lifecycle, Phase};
use super::{
    CheckKind, CheckSpec, CourseError, Lesson, LessonError, Step, StepsError, Variable, instruqt,
};
use std::path::{Path, PathBuf};

/// What kind of challenge it is (the front matter's `type`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChallengeKind {
    /// Work in the shell, checked by scripts and declared steps.
    Challenge,
    /// A question: the body asks it, `answers` are the choices, `solution`
    /// the indexes (from 0) of the right ones.
    Quiz {
        answers: Vec<String>,
        solution: Vec<usize>,
    },
}

/// The id of a quiz's one step.
pub const QUIZ_STEP: &str = "quiz";

/// The id of the step a check script stands for: `check-<host>`.
pub fn script_step_id(host: &str) -> String {
    format!("{}-{host}", Phase::Check)
}

/// Reads and parses a challenge text.
pub(super) fn read_text(path: &Path) -> Result<instruqt::Challenge, LessonError> {
    instruqt::parse(path, &crate::fsutil::read_text(path)?)
}

/// What the course gives each of its challenges.
pub(super) struct Setting<'a> {
    /// The course's own variables: the challenge's come after, and win.
    pub variables: &'a [Variable],
    pub timeouts: &'a Timeouts,
    /// A challenge without steps is an error (a labrun lesson with its own
    /// `lesson.toml`); an Instruqt challenge may have nothing to check.
    pub require_steps: bool,
}

/// The challenge in `dir`, from its parsed text and what a `lesson.toml`
/// adds to it.
pub(super) fn build(
    dir: &Path,
    text_path: PathBuf,
    challenge: instruqt::Challenge,
    additions: Additions,
    setting: &Setting,
) -> Result<Lesson, LessonError> {
    let kind = kind_of(&challenge).map_err(|(line, source)| LessonError::Course {
        file: text_path.clone(),
        line,
        source,
    })?;
    let scripts = Lifecycle::find(dir)?;
    let manifest_path = additions
        .manifest_path
        .clone()
        .unwrap_or_else(|| dir.join(super::MANIFEST));
    let steps_error = |line, source| LessonError::Steps {
        file: manifest_path.clone(),
        line,
        source,
    };
    let script_steps = script_steps(&scripts, setting.timeouts);
    let reserved: Vec<String> = script_steps.iter().map(|s| s.id.clone()).collect();
    manifest::validate_steps(&additions.steps, &reserved)
        .map_err(|(line, source)| steps_error(line, source))?;
    let mut steps = additions.steps;
    match &kind {
        ChallengeKind::Challenge => steps.extend(script_steps),
        ChallengeKind::Quiz { answers, solution } => {
            steps.push(quiz_step(&challenge.front.slug, answers, solution))
        }
    }
    if steps.is_empty() && setting.require_steps {
        return Err(steps_error(1, StepsError::NoSteps));
    }
    Ok(Lesson {
        dir: dir.to_path_buf(),
        slug: challenge.front.slug.clone(),
        challenge,
        text_path,
        manifest_path,
        files_dir: additions.files,
        variables: merge_variables(setting.variables, additions.variables),
        steps,
        kind,
        scripts,
    })
}

/// The kind the front matter declares; a quiz must be answerable.
fn kind_of(challenge: &instruqt::Challenge) -> Result<ChallengeKind, (usize, CourseError)> {
    let front = &challenge.front;
    if front.kind.as_deref() != Some("quiz") {
        return Ok(ChallengeKind::Challenge);
    }
    if front.answers.is_empty() {
        return Err((challenge.key_line("type"), CourseError::QuizWithoutAnswers));
    }
    if front.solution.is_empty() {
        return Err((challenge.key_line("type"), CourseError::QuizWithoutSolution));
    }
    if let Some(&index) = front.solution.iter().find(|&&i| i >= front.answers.len()) {
        return Err((
            challenge.key_line("solution"),
            CourseError::QuizSolutionOutOfRange {
                index,
                count: front.answers.len(),
            },
        ));
    }
    Ok(ChallengeKind::Quiz {
        answers: front.answers.clone(),
        solution: front.solution.clone(),
    })
}

/// One step per check script, in host name order.
fn script_steps(scripts: &Lifecycle, timeouts: &Timeouts) -> Vec<Step> {
    scripts
        .phase(Phase::Check)
        .map(|script| {
            let check = CheckSpec {
                name: None,
                kind: CheckKind::Script {
                    host: script.host.clone(),
                    path: script.path.clone(),
                    timeout_secs: timeouts.check,
                },
                line: 0,
            };
            Step {
                id: script_step_id(&script.host),
                title: check.label(),
                section: None,
                hint: String::new(),
                solution: String::new(),
                needs: Vec::new(),
                checks: vec![check],
                line: 0,
            }
        })
        .collect()
}

fn quiz_step(slug: &str, answers: &[String], solution: &[usize]) -> Step {
    let check = CheckSpec {
        name: None,
        kind: CheckKind::Quiz {
            challenge: slug.to_string(),
            answers: answers.to_vec(),
            solution: solution.to_vec(),
        },
        line: 0,
    };
    Step {
        id: QUIZ_STEP.to_string(),
        title: "Answer the question".to_string(),
        section: None,
        hint: String::new(),
        solution: String::new(),
        needs: Vec::new(),
        checks: vec![check],
        line: 0,
    }
}

/// The course's variables, then the challenge's own: a name declared in
/// both is the challenge's.
fn merge_variables(course: &[Variable], own: Vec<Variable>) -> Vec<Variable> {
    let mut merged: Vec<Variable> = course
        .iter()
        .filter(|v| !own.iter().any(|o| o.name == v.name))
        .cloned()
        .collect();
    merged.extend(own);
    merged
}

impl Lesson {
    /// Whether this challenge is a quiz.
    pub fn is_quiz(&self) -> bool {
        matches!(self.kind, ChallengeKind::Quiz { .. })
    }

    /// The hosts the challenge's terminal tabs open a shell on, in tab order.
    pub fn terminal_hosts(&self) -> Vec<&str> {
        let mut hosts = Vec::new();
        for tab in &self.challenge.front.tabs {
            if let Some(host) = tab.hostname.as_deref().filter(|_| tab.kind == "terminal")
                && !hosts.contains(&host)
            {
                hosts.push(host);
            }
        }
        hosts
    }

    /// Where the challenge's terminal tab on `host` starts (its `workdir`).
    pub fn tab_workdir(&self, host: &str) -> Option<&str> {
        self.challenge
            .front
            .tabs
            .iter()
            .filter(|tab| tab.kind == "terminal" && tab.hostname.as_deref() == Some(host))
            .find_map(|tab| tab.workdir.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn variable(name: &str, default: &str) -> Variable {
        Variable {
            name: name.into(),
            description: String::new(),
            default: Some(default.into()),
            generate: None,
            secret: false,
        }
    }

    /// The challenge in a temp dir with `front` as its front matter and
    /// these script files.
    fn build_with(
        front: &str,
        scripts: &[&str],
        timeouts: &Timeouts,
    ) -> Result<Lesson, LessonError> {
        let dir = tempfile::tempdir().unwrap();
        let text_path = dir.path().join("assignment.md");
        fs::write(
            &text_path,
            format!("---\nslug: c\ntitle: C\n{front}---\nBody\n"),
        )
        .unwrap();
        for script in scripts {
            fs::write(dir.path().join(script), "#!/bin/bash\n").unwrap();
        }
        let setting = Setting {
            variables: &[],
            timeouts,
            require_steps: false,
        };
        let text = read_text(&text_path)?;
        build(dir.path(), text_path, text, Additions::default(), &setting)
    }

    #[test]
    fn check_scripts_become_steps_with_the_course_check_timeout() {
        let timeouts = Timeouts {
            check: 7,
            ..Timeouts::default()
        };
        let lesson = build_with("", &["check-web", "check-api", "setup-web"], &timeouts).unwrap();
        let ids: Vec<&str> = lesson.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["check-api", "check-web"]);
        assert!(matches!(
            &lesson.steps[1].checks[0].kind,
            CheckKind::Script { host, timeout_secs: 7, path } if host == "web" && path.ends_with("check-web")
        ));
        assert_eq!(lesson.steps[1].title, "the challenge's check (check-web)");
        assert_eq!(script_step_id("web"), "check-web");
    }

    #[test]
    fn a_quiz_ignores_scripts_and_needs_answers_and_a_solution_in_range() {
        let quiz = "type: quiz\nanswers:\n- a\n- b\nsolution:\n- 1\n";
        let lesson = build_with(quiz, &["check-shell"], &Timeouts::default()).unwrap();
        assert_eq!(lesson.steps.len(), 1);
        assert_eq!(lesson.steps[0].id, QUIZ_STEP);
        assert!(lesson.is_quiz());
        let err = |front: &str| {
            build_with(front, &[], &Timeouts::default())
                .unwrap_err()
                .to_string()
        };
        assert!(
            err("type: quiz\nsolution: [0]\n").contains("assignment.md:4: a quiz needs `answers`")
        );
        assert!(err("type: quiz\nanswers: [a]\n").contains("a quiz needs `solution`"));
        assert!(
            err("type: quiz\nanswers: [a, b]\nsolution: [0, 2]\n")
                .contains("assignment.md:6: `solution` names answer 2, but the quiz has 2 answers")
        );
    }

    #[test]
    fn terminal_tabs_give_the_hosts_and_their_workdirs() {
        let tabs = "tabs:\n- title: Web\n  type: service\n  hostname: web\n  port: 80\n- title: T\n  type: terminal\n  hostname: shell\n- title: T2\n  type: terminal\n  hostname: shell\n  workdir: /home/replicant\n- title: T3\n  type: terminal\n  hostname: db\n";
        let lesson = build_with(tabs, &[], &Timeouts::default()).unwrap();
        assert_eq!(lesson.terminal_hosts(), ["shell", "db"]);
        assert_eq!(lesson.tab_workdir("shell"), Some("/home/replicant"));
        assert_eq!(lesson.tab_workdir("db"), None);
        assert_eq!(lesson.tab_workdir("web"), None);
        assert!(
            lesson.steps.is_empty(),
            "an Instruqt challenge may check nothing"
        );
    }

    #[test]
    fn a_challenge_variable_wins_over_the_course_one_of_its_name() {
        let merged = merge_variables(
            &[variable("A", "course"), variable("B", "course")],
            vec![variable("B", "own"), variable("C", "own")],
        );
        let pairs: Vec<_> = merged
            .iter()
            .map(|v| (v.name.as_str(), v.default.as_deref().unwrap()))
            .collect();
        assert_eq!(pairs, [("A", "course"), ("B", "own"), ("C", "own")]);
    }
}
