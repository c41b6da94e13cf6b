//! A quiz on screen: the question is the challenge's text; its answers are
//! listed under it to choose from (arrow keys or digits, Enter submits).
//! One answer is chosen, or several marked when the solution has several.
//! Submitting records the answer and asks for the quiz step's check, whose
//! result shows under the answers: right, or not right — never which
//! answer is (the check's own words).

use super::*;
use crate::lesson::QUIZ_STEP;

/// The quiz's answers and the learner's choice.
#[derive(Debug, Clone, PartialEq)]
pub struct QuizView {
    /// The challenge's slug: the answer is recorded under it.
    pub challenge: String,
    pub answers: Vec<String>,
    /// More than one answer is right: answers are marked, then submitted.
    pub several: bool,
    /// The answer the arrows are on (with one right answer: the choice).
    pub highlighted: usize,
    /// The answers marked (with several right answers), in order.
    pub marked: Vec<usize>,
    /// The quiz's step (its check reads the recorded answer).
    pub step: usize,
    /// The learner submitted an answer since the quiz was shown.
    pub submitted: bool,
}

/// Where the quiz stands, under its answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuizStatus {
    Checking,
    /// The check's words: right, not right (or not answered), or an error.
    Result(Status, String),
}

/// One row of the answers pane, wrapped to its width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuizLine {
    /// A row of answer `index`; `first` when it holds the mark and number.
    Answer {
        index: usize,
        first: bool,
        text: String,
    },
    /// The check's result (or that it runs).
    Status(QuizStatus, String),
    /// Which keys choose and submit.
    Keys(String),
}

impl QuizView {
    /// The quiz of `lesson`, whose step is among `steps`.
    pub(super) fn new(
        lesson: &Lesson,
        steps: &[StepView],
        answers: &[String],
        several: bool,
    ) -> Option<QuizView> {
        let step = steps.iter().position(|s| s.id == QUIZ_STEP)?;
        let challenge = lesson
            .step(QUIZ_STEP)
            .and_then(|s| {
                s.checks.iter().find_map(|c| match &c.kind {
                    CheckKind::Quiz { challenge, .. } => Some(challenge.clone()),
                    _ => None,
                })
            })
            .unwrap_or_else(|| lesson.slug.clone());
        Some(QuizView {
            challenge,
            answers: answers.to_vec(),
            several,
            highlighted: 0,
            marked: Vec::new(),
            step,
            submitted: false,
        })
    }

    /// The answers as submitted: the marked ones, or the one chosen.
    pub fn chosen(&self) -> Vec<usize> {
        if self.several {
            self.marked.clone()
        } else {
            vec![self.highlighted]
        }
    }

    /// Whether answer `index` shows as chosen (a filled mark).
    pub fn is_chosen(&self, index: usize) -> bool {
        if self.several {
            self.marked.contains(&index)
        } else {
            self.highlighted == index
        }
    }

    /// The mark before an answer: a radio button or a check box.
    pub fn mark(&self, index: usize) -> &'static str {
        match (self.several, self.is_chosen(index)) {
            (false, true) => "(•)",
            (false, false) => "( )",
            (true, true) => "[x]",
            (true, false) => "[ ]",
        }
    }

    fn toggle(&mut self, index: usize) {
        match self.marked.iter().position(|&m| m == index) {
            Some(at) => {
                self.marked.remove(at);
            }
            None => {
                self.marked.push(index);
                self.marked.sort_unstable();
            }
        }
    }
}

/// Columns before an answer's text: the highlight, its mark and number.
const ANSWER_INDENT: usize = 8;

impl App {
    /// A quiz key: move the highlight, choose or mark an answer.
    pub(super) fn quiz_command(&mut self, command: Command) {
        let Some(quiz) = self.quiz.as_mut() else {
            return;
        };
        let last = quiz.answers.len().saturating_sub(1);
        match command {
            Command::PrevAnswer => quiz.highlighted = quiz.highlighted.saturating_sub(1),
            Command::NextAnswer => quiz.highlighted = (quiz.highlighted + 1).min(last),
            Command::Answer(n) if usize::from(n) <= last => {
                quiz.highlighted = usize::from(n);
                if quiz.several {
                    quiz.toggle(usize::from(n));
                }
            }
            Command::Answer(n) => {
                self.message = Some(format!(
                    "the question has {} answers: there is no answer {}",
                    last + 1,
                    n + 1
                ));
            }
            Command::MarkAnswer if quiz.several => {
                let index = quiz.highlighted;
                quiz.toggle(index);
            }
            _ => {}
        }
    }

    /// Records the answer and asks for the quiz's check.
    pub(super) fn submit_answer(&mut self) -> Vec<Effect> {
        let Some(quiz) = self.quiz.as_mut() else {
            return Vec::new();
        };
        let chosen = quiz.chosen();
        if chosen.is_empty() {
            self.message = Some(format!(
                "mark the right answers first ({} or an answer's number), then {}",
                first_key(Command::MarkAnswer, Keys::Quiz),
                first_key(Command::SubmitAnswer, Keys::Quiz)
            ));
            return Vec::new();
        }
        quiz.submitted = true;
        let (challenge, step) = (quiz.challenge.clone(), quiz.step);
        let mut effects = vec![Effect::AnswerQuiz { challenge, chosen }];
        effects.extend(self.check(vec![step], true));
        effects
    }

    /// Where the quiz stands: its check's result (a failure before the
    /// learner submits anything is only "not answered"), or that it runs.
    pub fn quiz_status(&self) -> Option<QuizStatus> {
        let quiz = self.quiz.as_ref()?;
        let step = self.steps.get(quiz.step)?;
        if step.checking {
            return Some(QuizStatus::Checking);
        }
        let report = step.report.as_ref()?;
        let words = report
            .outcomes
            .iter()
            .find(|o| o.status == report.status)
            .or(report.outcomes.first())
            .map(|o| o.message.lines().next().unwrap_or_default().to_string())
            .unwrap_or_default();
        if report.status == Status::Fail && !quiz.submitted {
            return None;
        }
        Some(QuizStatus::Result(report.status, words))
    }

    /// The answers pane's rows at `width` columns: each answer (wrapped
    /// under its text), the result, the keys.
    pub fn quiz_lines(&self, width: u16) -> Vec<QuizLine> {
        let Some(quiz) = self.quiz.as_ref() else {
            return Vec::new();
        };
        let width = usize::from(width).max(ANSWER_INDENT + 8);
        let mut lines = Vec::new();
        for (index, answer) in quiz.answers.iter().enumerate() {
            for (row, text) in wrap_words(answer, width - ANSWER_INDENT)
                .into_iter()
                .enumerate()
            {
                lines.push(QuizLine::Answer {
                    index,
                    first: row == 0,
                    text,
                });
            }
        }
        if let Some(status) = self.quiz_status() {
            let words = match &status {
                QuizStatus::Checking => "checking your answer…".to_string(),
                QuizStatus::Result(Status::Pass, words) => format!("✓ right — {words}"),
                QuizStatus::Result(Status::Fail, words) => format!("✗ not right — {words}"),
                QuizStatus::Result(Status::Error | Status::Skipped, words) => format!("! {words}"),
            };
            for text in wrap_words(&words, width) {
                lines.push(QuizLine::Status(status.clone(), text));
            }
        }
        let key = |command| first_key(command, Keys::Quiz);
        let count = quiz.answers.len().min(9);
        let keys = if quiz.several {
            format!(
                "several answers are right: {}{} move · {} or 1–{count} marks · {} submits",
                key(Command::PrevAnswer),
                key(Command::NextAnswer),
                key(Command::MarkAnswer),
                key(Command::SubmitAnswer)
            )
        } else {
            format!(
                "{}{} or 1–{count} choose · {} submits",
                key(Command::PrevAnswer),
                key(Command::NextAnswer),
                key(Command::SubmitAnswer)
            )
        };
        lines.push(QuizLine::Keys(keys));
        lines
    }

    /// How many rows the answers pane's inside needs at `width` columns.
    pub fn answer_rows(&self, width: u16) -> u16 {
        u16::try_from(self.quiz_lines(width).len()).unwrap_or(u16::MAX)
    }
}

/// `text` in rows of at most `width` columns, broken between words (a word
/// longer than a row is broken inside).
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let width = width.max(1);
    let mut rows: Vec<String> = Vec::new();
    let mut row = String::new();
    for word in text.split_whitespace() {
        let needed = if row.is_empty() { 0 } else { 1 } + word.width();
        if !row.is_empty() && row.width() + needed > width {
            rows.push(std::mem::take(&mut row));
        }
        if !row.is_empty() {
            row.push(' ');
        }
        for c in word.chars() {
            let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if row.width() + w > width && !row.is_empty() {
                rows.push(std::mem::take(&mut row));
            }
            row.push(c);
        }
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::wrap_words;

    #[test]
    fn answers_wrap_between_words_and_inside_long_ones() {
        assert_eq!(
            wrap_words("It lists the files of a directory", 12),
            ["It lists the", "files of a", "directory"]
        );
        assert_eq!(wrap_words("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(wrap_words("", 5), [""]);
        assert_eq!(wrap_words("a  b", 5), ["a b"]);
    }
}
