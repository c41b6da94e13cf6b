//! The page rendered from classes built here: empty, a lesson, a course,
//! hostile names, idle learners, and the policy that lets only the page's
//! own script run.

use super::*;
use crate::checks::Status;
use crate::class::protocol::LearnerState;
use crate::progress::{ChallengeProgress, ChallengeState, Condition, Progress, StepProgress};
use crate::report::{RECORD_KIND, RECORD_SCHEMA, Record};
use std::time::Duration;

/// 2026-11-30T10:00:00Z: the server's "now" in these tests.
fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_796_032_800)
}

/// RFC 3339 of `minutes` before [`now`].
fn ago(minutes: u64) -> String {
    humantime::format_rfc3339_seconds(now() - Duration::from_secs(minutes * 60)).to_string()
}

fn step(id: &str, title: &str, status: Option<Status>, attempts: u32) -> StepProgress {
    let passed = status == Some(Status::Pass);
    StepProgress {
        id: id.into(),
        title: title.into(),
        status,
        attempts,
        first_checked_at: status.map(|_| ago(30)),
        first_passed_at: passed.then(|| ago(20)),
        seconds_to_pass: passed.then_some(600),
        seconds_spent: if passed {
            600
        } else {
            60 * u64::from(attempts)
        },
        last_checked_at: status.map(|_| ago(2)),
        conditions: match status {
            Some(Status::Fail) => vec![
                condition("hello.txt exists", Status::Fail),
                condition("it says hello", Status::Fail),
            ],
            Some(s) => vec![condition("ok", s)],
            None => Vec::new(),
        },
        ..StepProgress::default()
    }
}

fn condition(name: &str, status: Status) -> Condition {
    Condition {
        name: name.into(),
        status,
    }
}

fn record(lesson: &str, progress: Progress) -> Record {
    Record {
        schema: RECORD_SCHEMA,
        kind: RECORD_KIND.into(),
        learner: "laptop-user".into(),
        lesson: lesson.into(),
        exported_at: ago(1),
        workspace_id: None,
        progress,
    }
}

fn lesson(steps: Vec<StepProgress>) -> Record {
    let mut progress = Progress::new("first-steps");
    progress.steps = steps;
    record("first-steps", progress)
}

/// A learner last heard from `seen` minutes ago.
fn learner(name: &str, seen: u64, record: Option<Record>) -> LearnerState {
    LearnerState {
        learner_id: format!("id-{name}"),
        name: name.into(),
        joined_at: ago(if record.is_some() { 60 } else { seen }),
        last_event_at: record.as_ref().map(|_| ago(seen)),
        last_seen_at: record.as_ref().map(|_| ago(seen)),
        events: u64::from(record.is_some()),
        record,
    }
}

fn class(learners: Vec<LearnerState>) -> ClassState {
    ClassState {
        class: "Helm workshop".into(),
        generated_at: ago(0),
        version: 7,
        learners,
    }
}

fn lesson_class() -> ClassState {
    use Status::{Fail, Pass};
    let title = |n: &str| format!("Write {n}");
    class(vec![
        learner(
            "Ada",
            1,
            Some(lesson(vec![
                step("one", &title("one"), Some(Pass), 1),
                step("two", &title("two"), Some(Pass), 2),
            ])),
        ),
        learner(
            "Grace",
            2,
            Some(lesson(vec![
                step("one", &title("one"), Some(Pass), 1),
                step("two", &title("two"), Some(Fail), 4),
            ])),
        ),
        learner(
            "Linus",
            3,
            Some(lesson(vec![
                step("one", &title("one"), Some(Fail), 2),
                step("two", &title("two"), None, 0),
            ])),
        ),
        learner("Ken", 0, None),
    ])
}

fn course_class() -> ClassState {
    let challenge = |slug: &str, state: ChallengeState, seconds: Option<u64>| ChallengeProgress {
        slug: slug.into(),
        title: format!("The {slug} challenge"),
        state,
        setup_done: true,
        cleanup_done: state == ChallengeState::Passed,
        started_at: Some(ago(40)),
        finished_at: seconds.map(|_| ago(30)),
        seconds,
    };
    let in_challenge = |slug: &str, status: Status, attempts: u32| StepProgress {
        challenge: Some(slug.into()),
        ..step("check", "Check", Some(status), attempts)
    };
    let mut done = Progress::new("shell-basics");
    done.challenges = vec![
        challenge("look-around", ChallengeState::Passed, Some(240)),
        challenge("tidy-up", ChallengeState::Skipped, Some(5)),
    ];
    done.steps = vec![in_challenge("look-around", Status::Pass, 1)];
    let mut stuck = Progress::new("shell-basics");
    stuck.challenges = vec![
        challenge("look-around", ChallengeState::Open, None),
        challenge("tidy-up", ChallengeState::Locked, None),
    ];
    stuck.steps = vec![in_challenge("look-around", Status::Fail, 6)];
    class(vec![
        learner("Barbara", 1, Some(record("shell-basics", done))),
        learner("Dennis", 9, Some(record("shell-basics", stuck))),
    ])
}

/// The row of `name` in `html`: from its header to the end of the row.
fn row<'h>(html: &'h str, name: &str) -> &'h str {
    let start = html
        .find(&format!(">{name} <span class=\"tag\">"))
        .unwrap_or_else(|| panic!("no row of {name} in {html}"));
    let end = start + html[start..].find("</tr>").unwrap();
    &html[start..end]
}

#[test]
fn an_empty_class_says_nobody_joined_and_the_page_is_live_without_external_assets() {
    let page = render_page(&class(Vec::new()), now());
    assert!(
        page.contains("<title>Helm workshop — labrun class</title>"),
        "{page}"
    );
    assert!(page.contains("No learner has joined yet."), "{page}");
    assert!(page.contains("<b>0</b> joined"), "{page}");
    assert!(
        page.contains("<main id=\"board\" aria-live=\"polite\">"),
        "{page}"
    );
    assert!(page.contains("new EventSource(\"/page/stream\")"), "{page}");
    assert!(
        page.contains("<noscript><meta http-equiv=\"refresh\""),
        "{page}"
    );
    assert!(page.contains("prefers-color-scheme: dark"), "{page}");
    assert!(page.contains(&format!(
        "<body data-now=\"{}\" data-idle-after=\"300\">",
        unix_seconds(now())
    )));
    for external in ["src=", "href=", "@import", "url("] {
        assert!(!page.contains(external), "{external} in {page}");
    }
    let handler = regex::Regex::new(r"\son[a-z]+=").unwrap();
    assert!(
        !handler.is_match(&page),
        "an inline event handler in {page}"
    );
    // The board alone is what the stream sends: no document around it.
    let board = render_board(&class(Vec::new()), now());
    assert!(
        board.starts_with("<div class=\"board\" data-version=\"7\">"),
        "{board}"
    );
    assert!(
        !board.contains("<html") && !board.contains("<script"),
        "{board}"
    );
}

#[test]
fn a_lesson_class_shows_learners_by_step_with_stuck_and_totals() {
    let board = render_board(&lesson_class(), now());
    // A real table: a header per step (numbered, titled) and per learner.
    assert!(
        board.contains(
            "<th scope=\"col\" title=\"one\"><span class=\"num\">1</span> Write one</th>"
        ),
        "{board}"
    );
    assert!(
        board.contains("first-steps <small>3 learners, 1 finished</small>"),
        "{board}"
    );
    let ada = row(&board, "Ada");
    assert_eq!(ada.matches("class=\"pass\"").count(), 2, "{ada}");
    assert!(
        ada.contains("<span role=\"img\" aria-label=\"passed\">✓</span> 10m"),
        "{ada}"
    );
    assert!(ada.contains("2/2"), "{ada}");
    let grace = row(&board, "Grace");
    assert!(grace.contains("<td class=\"fail\">"), "{grace}");
    assert!(grace.contains("checks:\">✗</span> 4"), "{grace}");
    assert!(
        grace.contains("hello.txt exists <small>+1</small>"),
        "{grace}"
    );
    let linus = row(&board, "Linus");
    assert!(linus.contains("<td class=\"todo\">"), "{linus}");
    // Totals per step: passed / started.
    assert!(
        board.contains("<td>2/3 <small>~10m</small></td><td>1/2 <small>~10m</small></td>"),
        "{board}"
    );
    assert!(
        board.contains("<b>4</b> joined</li><li><b>1</b> finished</li><li><b>1</b> stuck"),
        "{board}"
    );
    // Grace: 4 checks, 4 minutes spent on “Write two”: stuck. Linus: 2 checks
    // on “Write one”, under both thresholds: still working on it.
    assert!(board.contains("<dt>Longest, most attempts</dt><dd><b>Grace</b> on “Write two”: 4m, 4 checks, failing “hello.txt exists”</dd>"), "{board}");
    assert!(
        board.contains("<li><b>Write two</b>: Grace <span class=\"n\">✗ 4</span>"),
        "{board}"
    );
    assert!(!board.contains("<b>Write one</b>: Linus"), "{board}");
    assert!(
        board.contains("Joined, nothing checked yet</h2><ul><li data-seen="),
        "{board}"
    );
    assert!(board.contains(">Ken</li>"), "{board}");
    insta::assert_snapshot!("lesson_board", board);
}

#[test]
fn a_course_class_shows_learners_by_challenge() {
    let board = render_board(&course_class(), now());
    assert!(
        board.contains("shell-basics <small>course, 2 learners, 1 finished</small>"),
        "{board}"
    );
    assert!(
        board.contains("<span class=\"num\">2</span> The tidy-up challenge</th>"),
        "{board}"
    );
    let barbara = row(&board, "Barbara");
    assert!(barbara.contains("✓</span> 4m"), "{barbara}");
    assert!(barbara.contains("– skipped"), "{barbara}");
    assert!(barbara.contains("2/2"), "{barbara}");
    let dennis = row(&board, "Dennis");
    assert!(dennis.contains("<td class=\"fail\">"), "{dennis}");
    assert!(dennis.contains("checks:\">✗</span> 6"), "{dennis}");
    assert!(
        board.contains(
            "<dt>Longest, most attempts</dt><dd><b>Dennis</b> on “The look-around challenge”"
        ),
        "{board}"
    );
    insta::assert_snapshot!("course_board", board);
}

#[test]
fn learner_text_is_escaped_everywhere() {
    let xss = "<script>alert(1)</script>";
    let mut hostile = lesson(vec![step(
        "s\"><img src=x onerror=alert(2)>",
        "<img src=x onerror=alert(3)>",
        Some(Status::Fail),
        1,
    )]);
    hostile.progress.steps[0].conditions = vec![condition("</td><b>condition</b>", Status::Fail)];
    let mut state = class(vec![
        learner(xss, 1, Some(hostile)),
        learner("'&\"", 9, None),
    ]);
    state.class = "</title><script>alert(4)</script>".into();
    let page = render_page(&state, now());
    assert_eq!(
        page.matches("<script>").count(),
        1,
        "only the page's own script: {page}"
    );
    for raw in ["<img", "<b>condition", "</td><b>", "'&\""] {
        assert!(!page.contains(raw), "{raw} unescaped in {page}");
    }
    for escaped in [
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "title=\"s&quot;&gt;&lt;img src=x onerror=alert(2)&gt;\"",
        "&lt;img src=x onerror=alert(3)&gt;",
        "&lt;/td&gt;&lt;b&gt;condition&lt;/b&gt;",
        "&#39;&amp;&quot;",
        "<title>&lt;/title&gt;&lt;script&gt;alert(4)",
    ] {
        assert!(page.contains(escaped), "{escaped} not in {page}");
    }
}

#[test]
fn learners_not_heard_from_for_five_minutes_are_idle() {
    let mut state = lesson_class();
    state.learners[2].last_seen_at = Some(ago(5)); // Linus: just idle
    state.learners[3].joined_at = ago(7); // Ken: joined, never sent anything
    let board = render_board(&state, now());
    let seen = |m: u64| unix_seconds(now()) - m * 60;
    assert!(row(&board, "Linus").starts_with(">Linus"), "row found");
    assert!(
        board.contains(&format!(
            "<th scope=\"row\" data-seen=\"{}\" class=\"idle\">Linus",
            seen(5)
        )),
        "{board}"
    );
    assert!(
        board.contains(&format!(
            "<th scope=\"row\" data-seen=\"{}\">Grace",
            seen(2)
        )),
        "{board}"
    );
    assert!(
        board.contains(&format!(
            "<li data-seen=\"{}\" data-idle-item>Linus <span class=\"ago\">5m</span></li>",
            seen(5)
        )),
        "{board}"
    );
    assert!(
        board.contains(&format!(
            "<li data-seen=\"{}\" data-idle-item>Ken <span class=\"ago\">7m</span></li>",
            seen(7)
        )),
        "{board}"
    );
    assert!(
        board.contains(&format!(
            "<li data-seen=\"{}\" data-idle-item hidden>Ada",
            seen(1)
        )),
        "{board}"
    );
    assert!(board.contains("<b data-idle-count>2</b> idle"), "{board}");
    assert!(
        board.contains("<p data-nobody-idle hidden>Nobody.</p>"),
        "{board}"
    );
    // Four minutes later nobody new; a minute before, nobody at all.
    let earlier = render_board(&lesson_class(), now());
    assert!(
        earlier.contains("<b data-idle-count>0</b> idle"),
        "{earlier}"
    );
    assert!(
        earlier.contains("<p data-nobody-idle>Nobody.</p>"),
        "{earlier}"
    );
}

#[test]
fn learners_of_one_name_keep_their_own_rows() {
    use Status::Pass;
    let mut state = lesson_class();
    state.learners = vec![
        learner(
            "Sam",
            8,
            Some(lesson(vec![step("one", "One", Some(Pass), 1)])),
        ),
        learner(
            "Sam",
            1,
            Some(lesson(vec![step("one", "One", Some(Pass), 1)])),
        ),
    ];
    let board = render_board(&state, now());
    let seen = |m: u64| unix_seconds(now()) - m * 60;
    let first = board.find(&format!("data-seen=\"{}\" class=\"idle\">Sam", seen(8)));
    let second = board.find(&format!("data-seen=\"{}\">Sam", seen(1)));
    assert!(first.is_some() && second.is_some(), "{board}");
}

#[test]
fn only_the_pages_own_script_and_style_may_run() {
    let page = render_page(&lesson_class(), now());
    let between = |open: &str, close: &str| {
        let start = page.find(open).unwrap() + open.len();
        &page[start..start + page[start..].find(close).unwrap()]
    };
    let script = between("<script>", "</script>");
    let style = between("<style>", "</style>");
    let policy = between("http-equiv=\"Content-Security-Policy\" content=\"", "\"");
    assert!(
        policy.starts_with("default-src 'none'; connect-src 'self';"),
        "{policy}"
    );
    assert!(
        policy.contains(&format!("script-src '{}'", sha256_source(script))),
        "{policy}"
    );
    assert!(
        policy.contains(&format!("style-src '{}'", sha256_source(style))),
        "{policy}"
    );
    assert!(!policy.contains("unsafe"), "{policy}");
}

#[test]
fn stamps_that_are_not_rfc3339_are_never_idle() {
    let mut state = lesson_class();
    state.learners[0].last_seen_at = Some("yesterday".into());
    let board = render_board(&state, now());
    assert!(row(&board, "Ada").starts_with(">Ada"), "{board}");
    assert!(board.contains("<th scope=\"row\">Ada"), "{board}");
}
