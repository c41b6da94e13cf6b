//! The web page's contract with the server: the two functions `/` and
//! `/page/stream` call. These are plain placeholders (a table of learners ×
//! their passed steps) until the page's own module replaces them; the
//! server calls nothing else of the page.

use crate::checks::Status;
use crate::class::protocol::ClassState;
use std::fmt::Write as _;
use std::time::SystemTime;

/// The whole page: the board, kept live by `/page/stream` (`event: board`).
pub fn render_page(state: &ClassState, now: SystemTime) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{title} — labrun class</title></head><body>\
         <h1>{title}</h1><div id=\"board\">{board}</div>\
         <script>new EventSource('/page/stream').addEventListener('board', \
         function (e) {{ document.getElementById('board').innerHTML = e.data; }});</script>\
         </body></html>\n",
        title = escape(&state.class),
        board = render_board(state, now),
    )
}

/// The live part: one row per learner, the steps they passed.
pub fn render_board(state: &ClassState, _now: SystemTime) -> String {
    let mut html = String::from("<table><tr><th>Learner</th><th>Passed steps</th></tr>");
    for learner in &state.learners {
        let passed: Vec<String> = learner
            .record
            .iter()
            .flat_map(|r| &r.progress.steps)
            .filter(|s| s.status == Some(Status::Pass))
            .map(|s| escape(&s.id))
            .collect();
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td></tr>",
            escape(&learner.name),
            passed.join(", ")
        );
    }
    html.push_str("</table>");
    html
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::class::protocol::LearnerState;

    #[test]
    fn names_are_escaped() {
        let state = ClassState {
            class: "<c>".into(),
            generated_at: String::new(),
            version: 1,
            learners: vec![LearnerState {
                learner_id: "1".into(),
                name: "<script>x</script>".into(),
                joined_at: String::new(),
                last_event_at: None,
                last_seen_at: None,
                events: 0,
                record: None,
            }],
        };
        let page = render_page(&state, SystemTime::now());
        assert!(page.contains("&lt;script&gt;x&lt;/script&gt;"), "{page}");
        assert!(page.contains("<title>&lt;c&gt;"), "{page}");
        assert!(!page.contains("<script>x"), "{page}");
    }
}
