//! `labrun test` as `.ci/run` and lesson authors' CI call it, in a fresh
//! checkout where the report's directory does not exist yet.

use assert_cmd::Command;

#[test]
fn junit_report_goes_into_a_directory_that_does_not_exist_yet() {
    let dir = tempfile::tempdir().unwrap();
    // What .ci/run does when CARGO_TARGET_DIR points elsewhere: no target/ here.
    Command::cargo_bin("labrun")
        .unwrap()
        .current_dir(dir.path())
        .env_remove("CARGO_TARGET_DIR")
        .args(["test", "--junit", "target/labrun-junit.xml"])
        .assert()
        .success();
    let xml = std::fs::read_to_string(dir.path().join("target/labrun-junit.xml")).unwrap();
    assert!(
        xml.contains("<testsuite") && xml.contains("proxying-private-images"),
        "{xml}"
    );
}
