use super::*;
use std::path::Path;

fn fixture(track: &str, script: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tracks")
        .join(track)
        .join(script);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn found(text: &str) -> Vec<(usize, FindingKind)> {
    cannot_fail(text)
        .unwrap()
        .into_iter()
        .map(|f| (f.line, f.kind))
        .collect()
}

#[test]
fn the_broken_tracks_never_failing_check_is_caught_three_ways() {
    assert_eq!(
        found(&fixture("broken-track", "01-never-fails/check-shell")),
        [
            (
                3,
                FindingKind::ReportsWithoutFailing {
                    what: "`fail-message`".into()
                }
            ),
            (
                4,
                FindingKind::ExitCommentedOut {
                    exit: "exit 1".into()
                }
            ),
            (6, FindingKind::EndsInExitZero),
        ]
    );
}

#[test]
fn the_broken_tracks_misspelled_counter_is_caught() {
    assert_eq!(
        found(&fixture("broken-track", "05-counter-typo/check-shell")),
        [(
            9,
            FindingKind::CounterSpelledTwoWays {
                counted: "results".into(),
                read: "result".into(),
                read_line: 11,
            }
        )]
    );
}

#[test]
fn checks_that_can_fail_have_no_findings() {
    for (track, script) in [
        ("broken-track", "02-solve-does-not-solve/check-shell"),
        ("broken-track", "03-needs-a-vm/check-cluster"),
        ("broken-track", "04-hangs/check-shell"),
        ("shell-basics", "01-leave-a-note/check-shell"),
        ("shell-basics", "02-look-around/check-shell"),
        ("shell-basics", "04-shout-it-out/check-shell"),
        ("shell-basics", "05-tidy-up/check-shell"),
    ] {
        assert_eq!(found(&fixture(track, script)), [], "{track}/{script}");
    }
}

#[test]
fn a_diag_line_in_a_check_that_always_ends_in_exit_0() {
    // The shape of a public track's check: the hint printed, `exit 1` left in a comment.
    let check = "#!/bin/bash\n\nif ! grep -q done /tmp/result; then\n  echo \"DIAG: not done yet\"\n  # exit 1\nfi\n\nexit 0\n";
    let kinds: Vec<(usize, FindingKind)> = found(check);
    assert_eq!(
        kinds,
        [
            (
                4,
                FindingKind::ReportsWithoutFailing {
                    what: "`echo` of a FAIL/DIAG line".into()
                }
            ),
            (
                5,
                FindingKind::ExitCommentedOut {
                    exit: "exit 1".into()
                }
            ),
            (8, FindingKind::EndsInExitZero),
        ]
    );
}

#[test]
fn a_counter_set_under_one_name_and_tested_under_another() {
    let check = "FAILED=0\nif ! test -f x; then\n  echo \"FAIL: no x\"\n  FAILED=1\nfi\nif [ $FAIL -ne 0 ]; then exit 1; fi\n";
    assert_eq!(
        found(check),
        [(
            1,
            FindingKind::CounterSpelledTwoWays {
                counted: "FAILED".into(),
                read: "FAIL".into(),
                read_line: 6,
            }
        )]
    );
    let declared = "check() {\n  local total=0\n  local totl=$((totl + 1))\n  VERBOSE=1 return $total\n}\ncheck\n";
    assert_eq!(
        found(declared),
        [(
            3,
            FindingKind::CounterSpelledTwoWays {
                counted: "totl".into(),
                read: "total".into(),
                read_line: 4,
            }
        )]
    );
    let arithmetic =
        "errors=0\n(( errors++ ))\nlet 'error += 1'\n[[ errors -gt 0 ]] && exit 1\nexit 0\n";
    assert_eq!(
        found(arithmetic),
        [(
            3,
            FindingKind::CounterSpelledTwoWays {
                counted: "error".into(),
                read: "errors".into(),
                read_line: 4,
            }
        )]
    );
}

#[test]
fn every_way_out_with_a_failing_status_counts() {
    let can_fail = [
        "set -e\ngrep -q x f\nexit 0\n",
        "#!/bin/bash -ex\ngrep -q x f\nexit 0\n",
        "set -o errexit\nexit 0\n",
        "fail-message nope\nexit $result\n",
        "fail-message nope\nexit\n",
        "check() { fail-message nope; return 1; }\ncheck\n",
        "fail-message nope\ntest -f x\n",
        "fail-message nope\n[ -f x ] && echo ok\n",
        "if [ -f x ]; then echo ok; else false; fi\n",
        "x=$(grep y f)\n",
    ];
    for text in can_fail {
        assert_eq!(found(text), [], "{text}");
    }
    let cannot = [
        ("fail-message nope\n", 1),
        ("fail-message nope\ngrep -q x f || true\n", 1),
        ("out=$(exit 1)\necho \"FAIL: $out\"\n", 2),
        (
            "if grep -q x f; then echo ok; else fail-message no; fi\n",
            1,
        ),
        ("fail-message a &\n", 1),
    ];
    for (text, line) in cannot {
        let findings = found(text);
        assert!(
            matches!(findings.as_slice(), [(l, FindingKind::ReportsWithoutFailing { .. })] if *l == line),
            "{text}: {findings:?}"
        );
    }
}

#[test]
fn names_that_are_simply_different_are_not_one_counter() {
    let check = "count=0\nok=1\ntotal=3\nexit $result\n";
    assert_eq!(found(check), []);
    assert!(spelled_alike("result", "results"));
    assert!(spelled_alike("FAIL", "FAILED"));
    assert!(spelled_alike("errors", "erorrs"));
    assert!(spelled_alike("Result", "result"));
    assert!(!spelled_alike("ok", "oks"));
    assert!(!spelled_alike("count", "counter_total"));
    assert!(!spelled_alike("name", "game_over"));
}

#[test]
fn findings_read_as_messages_with_their_line() {
    let findings = cannot_fail("fail-message nope\n# exit 1\nexit 0\n").unwrap();
    let text: Vec<String> = findings.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "line 1: `fail-message` reports a failure, but the check has no non-zero exit: it passes anyway",
            "line 2: `exit 1` is commented out: the condition it ended no longer fails the check",
            "line 3: the check ends in `exit 0` and has no other way to exit non-zero: it passes whatever the learner did",
        ]
    );
}
