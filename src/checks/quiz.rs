//! The quiz check: the answer the learner chose for an Instruqt quiz,
//! recorded in the workspace's `.labrun/answers.json` as
//! `{"<challenge slug>": [answer indexes, from 0]}`, must be exactly the
//! quiz's solution. A wrong answer says which was chosen, never which is
//! right.

use super::Outcome;
use crate::fsutil::ReadError;
use std::path::{Path, PathBuf};

/// The file, in a workspace's `.labrun/`.
pub const ANSWERS_FILE: &str = "answers.json";
/// Answers are a few numbers per quiz.
const READ_LIMIT: u64 = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum AnswersError {
    #[error(transparent)]
    Unreadable(#[from] ReadError),
    #[error("{}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{}: not the quiz answers labrun records ({{\"challenge\": [0, 2]}}): {message}",
        path.display()
    )]
    Malformed { path: PathBuf, message: String },
}

/// The answer recorded for `challenge` in the workspace (indexes, from 0),
/// or None when it has not been answered (no file, no entry, or an empty
/// choice).
pub fn recorded(workspace: &Path, challenge: &str) -> Result<Option<Vec<usize>>, AnswersError> {
    let path = workspace
        .join(crate::workspace::STATE_DIR)
        .join(ANSWERS_FILE);
    let bytes = match crate::fsutil::read_limited(&path, READ_LIMIT) {
        Ok(bytes) => bytes,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let malformed = |message: String| AnswersError::Malformed {
        path: path.clone(),
        message,
    };
    let all: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&bytes).map_err(|e| malformed(e.to_string()))?;
    let Some(entry) = all.get(challenge) else {
        return Ok(None);
    };
    let chosen: Vec<usize> = serde_json::from_value(entry.clone()).map_err(|_| {
        malformed(format!(
            "the answer to {challenge:?} is not a list of answer indexes"
        ))
    })?;
    Ok((!chosen.is_empty()).then_some(chosen))
}

/// Records `chosen` (indexes, from 0) as the answer to `challenge` in the
/// workspace, keeping the other quizzes' answers: read, changed and
/// written atomically under the answers' lock, so two writers never lose
/// one another's answer. A damaged file is left as it is (an error).
pub fn record(workspace: &Path, challenge: &str, chosen: &[usize]) -> Result<(), AnswersError> {
    let dir = workspace.join(crate::workspace::STATE_DIR);
    let path = dir.join(ANSWERS_FILE);
    let write_error = |source| AnswersError::Write {
        path: path.clone(),
        source,
    };
    let _held = crate::fsutil::lock_exclusive(&path.with_extension("lock")).map_err(write_error)?;
    let mut all = match crate::fsutil::read_limited(&path, READ_LIMIT) {
        Ok(bytes) => serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&bytes)
            .map_err(|e| AnswersError::Malformed {
            path: path.clone(),
            message: e.to_string(),
        })?,
        Err(e) if e.is_not_found() => serde_json::Map::new(),
        Err(e) => return Err(e.into()),
    };
    all.insert(challenge.to_string(), serde_json::json!(chosen));
    let bytes = serde_json::to_vec_pretty(&all).expect("answers serialize");
    crate::fsutil::write_atomic(&path, &bytes).map_err(write_error)
}

pub(super) fn check(
    name: &str,
    workspace: &Path,
    challenge: &str,
    answers: &[String],
    solution: &[usize],
) -> Outcome {
    let chosen = match recorded(workspace, challenge) {
        Ok(Some(chosen)) => chosen,
        Ok(None) => return Outcome::fail(name, "not answered yet: choose an answer"),
        Err(e) => return Outcome::error(name, e.to_string()),
    };
    if let Some(&index) = chosen.iter().find(|&&i| i >= answers.len()) {
        return Outcome::fail(
            name,
            format!(
                "the recorded answer (index {index}) is not one of the quiz's {} answers: choose again",
                answers.len()
            ),
        );
    }
    let quoted = chosen
        .iter()
        .map(|&i| format!("{:?}", answers[i]))
        .collect::<Vec<_>>()
        .join(" and ");
    if as_set(&chosen) == as_set(solution) {
        Outcome::pass(name, format!("you chose {quoted}: that is right"))
    } else if solution.len() > 1 {
        Outcome::fail(
            name,
            format!(
                "you chose {quoted}: that is not the right choice (this question has more than one right answer)"
            ),
        )
    } else {
        Outcome::fail(
            name,
            format!("you chose {quoted}: that is not the right answer"),
        )
    }
}

fn as_set(indexes: &[usize]) -> Vec<usize> {
    let mut set = indexes.to_vec();
    set.sort_unstable();
    set.dedup();
    set
}

#[cfg(test)]
mod tests {
    use super::super::Status;
    use super::*;

    fn answers() -> Vec<String> {
        ["prints the directory", "lists the files", "deletes it"]
            .map(String::from)
            .to_vec()
    }

    fn workspace_with(json: Option<&str>) -> tempfile::TempDir {
        let ws = tempfile::tempdir().unwrap();
        if let Some(json) = json {
            std::fs::create_dir(ws.path().join(".labrun")).unwrap();
            std::fs::write(ws.path().join(".labrun").join(ANSWERS_FILE), json).unwrap();
        }
        ws
    }

    fn outcome(json: Option<&str>, solution: &[usize]) -> Outcome {
        let ws = workspace_with(json);
        check("quiz", ws.path(), "understand", &answers(), solution)
    }

    #[test]
    fn the_right_answer_passes() {
        let o = outcome(Some(r#"{"understand": [1], "other": [0]}"#), &[1]);
        assert_eq!(o.status, Status::Pass, "{o:?}");
        assert!(o.message.contains("\"lists the files\""), "{}", o.message);
    }

    #[test]
    fn a_wrong_answer_names_the_choice_and_never_the_solution() {
        let o = outcome(Some(r#"{"understand": [2]}"#), &[1]);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(
            o.message,
            "you chose \"deletes it\": that is not the right answer"
        );
        assert!(!o.message.contains("lists the files"));
    }

    #[test]
    fn several_right_answers_must_all_be_chosen_in_any_order() {
        assert_eq!(
            outcome(Some(r#"{"understand": [2, 0]}"#), &[0, 2]).status,
            Status::Pass
        );
        let o = outcome(Some(r#"{"understand": [0]}"#), &[0, 2]);
        assert_eq!(o.status, Status::Fail);
        assert!(
            o.message.contains("more than one right answer"),
            "{}",
            o.message
        );
        assert!(!o.message.contains("deletes it"), "{}", o.message);
    }

    #[test]
    fn unanswered_is_a_failure_saying_so() {
        for json in [None, Some("{}"), Some(r#"{"understand": []}"#)] {
            let o = outcome(json, &[1]);
            assert_eq!(
                (o.status, o.message.as_str()),
                (Status::Fail, "not answered yet: choose an answer"),
                "{json:?}"
            );
        }
    }

    #[test]
    fn a_recorded_answer_is_read_back_and_keeps_the_others() {
        let ws = workspace_with(Some(r#"{"other": [0]}"#));
        record(ws.path(), "understand", &[2, 0]).unwrap();
        record(ws.path(), "understand", &[1]).unwrap();
        assert_eq!(recorded(ws.path(), "understand").unwrap(), Some(vec![1]));
        assert_eq!(recorded(ws.path(), "other").unwrap(), Some(vec![0]));
        let o = check("quiz", ws.path(), "understand", &answers(), &[1]);
        assert_eq!(o.status, Status::Pass, "{o:?}");
        // A damaged file is reported and left as it was.
        let broken = workspace_with(Some("not json"));
        let err = record(broken.path(), "understand", &[1]).unwrap_err();
        assert!(err.to_string().contains("answers.json"), "{err}");
        let kept = std::fs::read(broken.path().join(".labrun").join(ANSWERS_FILE)).unwrap();
        assert_eq!(kept, b"not json");
        // A fresh workspace gets its state directory.
        let fresh = tempfile::tempdir().unwrap();
        record(fresh.path(), "understand", &[3]).unwrap();
        assert_eq!(recorded(fresh.path(), "understand").unwrap(), Some(vec![3]));
    }

    #[test]
    fn an_answer_out_of_range_or_a_broken_file_is_reported_not_a_crash() {
        let o = outcome(Some(r#"{"understand": [9]}"#), &[1]);
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("index 9"), "{}", o.message);
        for broken in [r#"{"understand": "one"}"#, "[1]", "not json"] {
            let o = outcome(Some(broken), &[1]);
            assert_eq!(o.status, Status::Error, "{broken}");
            assert!(o.message.contains("answers.json"), "{}", o.message);
        }
    }
}
