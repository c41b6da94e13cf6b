//! The course on screen: its challenges (done, current, locked, skipped),
//! entering one (its text, steps and quiz; its notes first), the next one
//! unlocked when the current one passes, skipping where the course allows
//! it, and the summary at the end. A lesson is a course of one: it shows
//! no list, no notes window and no summary, and looks as it always did.

use super::*;
use crate::lesson::ChallengeKind;
use crate::progress::ChallengeState;

/// The course as the lab shows it.
pub struct CourseView {
    pub title: String,
    pub challenges: Vec<ChallengeView>,
    /// The challenge on screen (from 0).
    pub current: usize,
    pub skipping_enabled: bool,
    /// The challenge being skipped (its solve scripts run), if any.
    pub skipping: Option<usize>,
}

/// One challenge of the course.
pub struct ChallengeView {
    pub slug: String,
    pub title: String,
    pub state: ChallengeState,
    /// How long it took, once passed or skipped (as progress records it).
    pub seconds: Option<u64>,
    /// Its notes (each markdown), shown before its text on entering it.
    pub notes: Vec<String>,
    /// Its notes were shown: on entering it, now or in an earlier session.
    pub notes_seen: bool,
    pub(super) lesson: Lesson,
    /// What each of its code blocks is (see `App::with_programs`).
    pub(super) code_kinds: Vec<CodeKind>,
}

/// A challenge as the workspace's progress records it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recorded {
    pub state: ChallengeState,
    pub seconds: Option<u64>,
    /// The learner entered it before (its notes were shown then).
    pub entered: bool,
}

impl CourseView {
    /// A lesson: a course of one.
    pub fn of_one(lesson: &Lesson) -> CourseView {
        CourseView {
            title: lesson.title().to_string(),
            challenges: vec![ChallengeView::of(lesson)],
            current: 0,
            skipping_enabled: false,
            skipping: None,
        }
        .unlocked()
    }

    pub fn of(course: &Course) -> CourseView {
        CourseView {
            title: course.title.clone(),
            challenges: course.challenges.iter().map(ChallengeView::of).collect(),
            current: 0,
            skipping_enabled: course.skipping_enabled,
            skipping: None,
        }
        .unlocked()
    }

    /// More than one challenge: the lab shows the list, notes, the summary.
    pub fn is_course(&self) -> bool {
        self.challenges.len() > 1
    }

    pub fn all_done(&self) -> bool {
        self.challenges.iter().all(|c| c.state.is_done())
    }

    /// The first challenge is open, and each one after a challenge done.
    fn unlock(&mut self) {
        let mut previous_done = true;
        for challenge in &mut self.challenges {
            if challenge.state == ChallengeState::Locked && previous_done {
                challenge.state = ChallengeState::Open;
            }
            previous_done = challenge.state.is_done();
        }
    }

    fn unlocked(mut self) -> CourseView {
        self.unlock();
        self
    }

    /// Where the lab opens: the challenge the learner was on (`resume`)
    /// if it is open to them, else the first one not done yet (the last
    /// when every one is).
    pub fn resume_at(&self, resume: Option<usize>) -> usize {
        let last = self.challenges.len().saturating_sub(1);
        resume
            .filter(|&i| {
                self.challenges
                    .get(i)
                    .is_some_and(|c| c.state != ChallengeState::Locked)
            })
            .or_else(|| self.challenges.iter().position(|c| !c.state.is_done()))
            .unwrap_or(last)
    }

    /// "Challenge 2 of 5".
    fn name(&self, index: usize) -> String {
        format!("Challenge {} of {}", index + 1, self.challenges.len())
    }
}

impl ChallengeView {
    pub fn has_notes(&self) -> bool {
        self.notes.iter().any(|n| !n.trim().is_empty())
    }

    /// Its notes as one markdown text, for the notes window.
    pub fn notes_text(&self) -> String {
        let notes: Vec<&str> = self
            .notes
            .iter()
            .map(|n| n.trim())
            .filter(|n| !n.is_empty())
            .collect();
        notes.join("\n\n")
    }

    fn of(lesson: &Lesson) -> ChallengeView {
        let notes = lesson
            .challenge
            .front
            .notes
            .iter()
            .filter_map(|n| n.contents.clone())
            .collect();
        ChallengeView {
            slug: lesson.slug.clone(),
            title: lesson.title().to_string(),
            state: ChallengeState::Locked,
            seconds: None,
            notes,
            notes_seen: false,
            lesson: lesson.clone(),
            code_kinds: Vec::new(),
        }
    }
}

impl App {
    /// Shows challenge `index` — its title, text, steps and quiz — where
    /// the learner starts it: the top, the first step. No effect: the loop
    /// opens the lab on it (see `open_challenge`), or `enter` follows.
    pub(super) fn show_challenge(&mut self, index: usize) {
        let index = index.min(self.course.challenges.len() - 1);
        self.course.current = index;
        let is_course = self.course.is_course();
        let challenge = &self.course.challenges[index];
        let lesson = &challenge.lesson;
        let front = &lesson.challenge.front;
        self.title = front.title.clone();
        self.subtitle = front.teaser.clone().unwrap_or_default();
        if let Some(difficulty) = &front.difficulty {
            self.subtitle.push_str(&format!(" · {difficulty}"));
        }
        if let Some(limit) = front.timelimit {
            self.subtitle
                .push_str(&format!(" · {} min", limit.div_ceil(60)));
        }
        let vars = &self.vars;
        self.steps = lesson.steps.iter().map(|s| step_view(s, vars)).collect();
        // A lesson of one shows its notes above its text, as block quotes;
        // a course shows them in a window on entering the challenge.
        self.notes = if is_course {
            String::new()
        } else {
            quoted_notes(&challenge.notes)
        };
        self.body = lesson.challenge.body.clone();
        self.tabs = front.tabs.clone();
        let images = crate::lesson::markdown::outline(&lesson.challenge.body).images;
        self.asset_exists = images
            .into_iter()
            .filter(|i| lesson.asset(&i.url).is_some())
            .map(|i| i.url)
            .collect();
        self.code_kinds = challenge.code_kinds.clone();
        self.quiz = match &lesson.kind {
            ChallengeKind::Quiz { answers, solution } => {
                QuizView::new(lesson, &self.steps, answers, solution.len() > 1)
            }
            ChallengeKind::Challenge => None,
        };
        self.current = 0;
        self.scroll = 0;
        self.code_block = None;
        self.recheck_waiting = false;
        self.reparse();
    }

    /// Opens the lab on challenge `index` (where the learner left off):
    /// shown, not entered yet — `Seen::Started` enters it.
    pub fn open_challenge(&mut self, index: usize) {
        if index != self.course.current {
            self.show_challenge(index);
        }
    }

    /// Enters challenge `index`: shown, its notes first (once), the keys
    /// to the lab for a quiz, and its setup asked of the loop.
    pub(super) fn enter(&mut self, index: usize) -> Vec<Effect> {
        if index != self.course.current {
            self.show_challenge(index);
            self.overlay = None;
        }
        let is_course = self.course.is_course();
        let challenge = &mut self.course.challenges[self.course.current];
        if challenge.state == ChallengeState::Locked {
            challenge.state = ChallengeState::Open;
        }
        let notes_due = is_course && !challenge.notes_seen && challenge.has_notes();
        challenge.notes_seen = true;
        if notes_due {
            self.open_window(Overlay::Notes);
        }
        if self.quiz.is_some() {
            self.focus = Focus::Lesson;
        }
        vec![Effect::EnterChallenge(self.course.current)]
    }

    /// The challenge's setup is done: its steps are checked once.
    pub(super) fn challenge_ready(&mut self, index: usize) -> Vec<Effect> {
        if index != self.course.current {
            return Vec::new();
        }
        if self.steps.is_empty() && self.course.is_course() {
            self.message = Some(format!(
                "this challenge has nothing to check: {} marks it done",
                first_key(Command::CheckCurrent, Keys::Global)
            ));
        }
        self.check((0..self.steps.len()).collect(), false)
    }

    /// After new results: the challenge on screen passes when every step
    /// does (once; a step failing later does not take it back).
    pub(super) fn challenge_progress(&mut self) -> Vec<Effect> {
        let index = self.course.current;
        let all_pass = !self.steps.is_empty()
            && self
                .steps
                .iter()
                .all(|s| !s.checking && s.status() == Some(Status::Pass));
        if !all_pass || !self.may_finish(index) {
            return Vec::new();
        }
        self.pass_challenge(index)
    }

    /// Whether challenge `index` is still to be done (not done, not being skipped).
    fn may_finish(&self, index: usize) -> bool {
        !self.course.challenges[index].state.is_done() && self.course.skipping != Some(index)
    }

    /// A challenge with nothing to check is done when the learner says so.
    pub(super) fn nothing_to_check(&mut self) -> Vec<Effect> {
        let index = self.course.current;
        if !self.may_finish(index) {
            return Vec::new();
        }
        self.pass_challenge(index)
    }

    fn pass_challenge(&mut self, index: usize) -> Vec<Effect> {
        self.course.challenges[index].state = ChallengeState::Passed;
        self.course.unlock();
        if self.course.is_course() {
            self.message = Some(self.passed_message(index));
            if self.course.all_done() {
                self.open_window(Overlay::Summary);
            }
        }
        vec![Effect::ChallengePassed(index)]
    }

    fn passed_message(&self, index: usize) -> String {
        let passed = format!("{} passed", self.course.name(index));
        if self.course.all_done() {
            return format!("{passed} — the course is done: well done!");
        }
        let next = first_key(Command::NextChallenge, Keys::Lab);
        if index + 1 < self.course.challenges.len() {
            return match self.focus {
                Focus::Lesson => format!("{passed} — press {next} for the next"),
                Focus::Shell => format!(
                    "{passed} — press {} then {next} for the next",
                    first_key(Command::FocusLab, Keys::Shell)
                ),
            };
        }
        let open = self
            .course
            .challenges
            .iter()
            .position(|c| !c.state.is_done());
        match open {
            Some(i) => format!("{passed} — challenge {} is not done yet", i + 1),
            None => passed,
        }
    }

    /// The next challenge open to the learner; after the last, the summary.
    pub(super) fn next_challenge(&mut self) -> Vec<Effect> {
        if !self.course.is_course() {
            self.message = Some("this lesson is a single challenge".into());
            return Vec::new();
        }
        let from = self.course.current;
        let count = self.course.challenges.len();
        let next =
            (from + 1..count).find(|&i| self.course.challenges[i].state != ChallengeState::Locked);
        if let Some(next) = next {
            return self.enter(next);
        }
        if from + 1 == count {
            self.open_window(Overlay::Summary);
            return Vec::new();
        }
        let skip = if self.course.skipping_enabled {
            format!(
                " (or {} skips it)",
                first_key(Command::SkipChallenge, Keys::Lab)
            )
        } else {
            String::new()
        };
        self.message = Some(format!(
            "challenge {} is locked: pass this one first{skip}",
            from + 2
        ));
        Vec::new()
    }

    pub(super) fn previous_challenge(&mut self) -> Vec<Effect> {
        let from = self.course.current;
        let previous = (0..from)
            .rev()
            .find(|&i| self.course.challenges[i].state != ChallengeState::Locked);
        match previous {
            Some(previous) => self.enter(previous),
            None => {
                self.message = Some(if self.course.is_course() {
                    "this is the first challenge".into()
                } else {
                    "this lesson is a single challenge".into()
                });
                Vec::new()
            }
        }
    }

    /// Skipping asks first, where the course allows it.
    pub(super) fn ask_skip(&mut self) {
        let index = self.course.current;
        let challenge = &self.course.challenges[index];
        let refusal = if !self.course.skipping_enabled {
            Some("this course does not allow skipping challenges".to_string())
        } else if challenge.state.is_done() {
            let done = match challenge.state {
                ChallengeState::Skipped => "skipped",
                _ => "passed",
            };
            Some(format!("challenge {} is {done} already", index + 1))
        } else {
            (self.course.skipping)
                .map(|skipping| format!("challenge {} is being skipped", skipping + 1))
        };
        match refusal {
            Some(why) => self.message = Some(why),
            None => self.open_window(Overlay::ConfirmSkip(index)),
        }
    }

    /// The learner answered the question before skipping `index`.
    pub(super) fn confirm_skip(&mut self, index: usize, yes: bool) -> Vec<Effect> {
        if !yes {
            self.message = Some("not skipping".into());
            return Vec::new();
        }
        self.course.skipping = Some(index);
        self.message = Some(format!(
            "skipping challenge {}: its solve scripts run…",
            index + 1
        ));
        vec![Effect::Skip(index)]
    }

    /// Challenge `index` was skipped: the next one is entered (after the
    /// last, the summary shows).
    pub(super) fn challenge_skipped(&mut self, index: usize) -> Vec<Effect> {
        let Some(challenge) = self.course.challenges.get_mut(index) else {
            return Vec::new();
        };
        if self.course.skipping == Some(index) {
            self.course.skipping = None;
        }
        if !challenge.state.is_done() {
            challenge.state = ChallengeState::Skipped;
        }
        self.course.unlock();
        self.message = Some(format!("{} skipped", self.course.name(index)));
        if index != self.course.current {
            return Vec::new();
        }
        if index + 1 < self.course.challenges.len() {
            return self.enter(index + 1);
        }
        if self.course.all_done() {
            self.open_window(Overlay::Summary);
        }
        Vec::new()
    }

    /// What progress records: states the lab has not seen yet (a challenge
    /// done in an earlier session), times, notes already shown. A challenge
    /// done here stays done.
    pub(super) fn apply_records(&mut self, records: Vec<Recorded>) {
        for (challenge, record) in self.course.challenges.iter_mut().zip(records) {
            if !challenge.state.is_done() && record.state != ChallengeState::Locked {
                challenge.state = record.state;
            }
            if record.seconds.is_some() {
                challenge.seconds = record.seconds;
            }
            challenge.notes_seen |= record.entered;
        }
        self.course.unlock();
    }

    /// The text (markdown, variables filled in) of challenge `index` as
    /// the lesson pane would show it, for telling its code blocks apart.
    pub(super) fn challenge_document(&self, index: usize) -> Document {
        let challenge = &self.course.challenges[index];
        let lesson = &challenge.lesson;
        let notes = if self.course.is_course() {
            String::new()
        } else {
            quoted_notes(&challenge.notes)
        };
        let text = self.lesson_text(&notes, &lesson.challenge.front.tabs, &lesson.challenge.body);
        Document::parse(&text, |_| true)
    }
}

/// How the steps pane shows a step of the challenge.
fn step_view(step: &crate::lesson::Step, vars: &Vars) -> StepView {
    StepView {
        id: step.id.clone(),
        title: step.title.clone(),
        section: step.section.clone(),
        hint: vars.redact(
            &vars
                .expand(step.hint.trim())
                .unwrap_or_else(|_| step.hint.trim().to_string()),
        ),
        uses_api: step
            .checks
            .iter()
            .any(|c| matches!(c.kind, CheckKind::Release { .. })),
        report: None,
        checking: false,
        files: step_files(&step.checks, vars),
        after_commands: after_command::read_beyond_files(&step.checks),
    }
}
