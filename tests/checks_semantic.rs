//! The bundled lesson's checks read what the learner's files mean, through
//! the real binary in a fresh workspace made by `labrun init`: the pull
//! secret template is rendered as Helm would render it, not compared as text.

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};

const TEMPLATE: &str = "slackernews/templates/imagepullsecret.yaml";

fn labrun() -> Command {
    let mut cmd = Command::cargo_bin("labrun").unwrap();
    // Always the local Vendor API, whatever the developer's shell points at.
    cmd.env_remove("REPLICATED_API_ORIGIN");
    cmd
}

/// `labrun init lab` in a fresh directory; returns (tempdir, workspace).
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    labrun()
        .current_dir(dir.path())
        .args(["init", "lab"])
        .assert()
        .success();
    let ws = dir.path().join("lab");
    (dir, ws)
}

fn solve(ws: &Path, step: &str) {
    labrun()
        .current_dir(ws)
        .args(["solve", "--step", step])
        .assert()
        .success();
}

/// `labrun check --step STEP` in the workspace: (exit code, stdout).
fn check(ws: &Path, step: &str) -> (i32, String) {
    let out = labrun()
        .current_dir(ws)
        .args(["check", "--step", step])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn with_template(text: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, ws) = workspace();
    fs::write(ws.join(TEMPLATE), text).unwrap();
    (dir, ws)
}

const LESSON_TEMPLATE: &str = "{{ if hasKey ((.Values.global).replicated) \"dockerconfigjson\" }}
apiVersion: v1
kind: Secret
metadata:
  name: replicated-pull-secret
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: {{ .Values.global.replicated.dockerconfigjson }}
{{ end }}
";

/// The template pasted into vim without `:set paste`: `type:` and `data:`
/// slid under `metadata:`. Whitespace-insensitive text matching passed it.
const PASTED_INTO_VIM: &str = "{{ if hasKey ((.Values.global).replicated) \"dockerconfigjson\" }}
apiVersion: v1
kind: Secret
metadata:
  name: replicated-pull-secret
  type: kubernetes.io/dockerconfigjson
  data:
    .dockerconfigjson: {{ .Values.global.replicated.dockerconfigjson }}
{{ end }}
";

#[test]
fn a_template_indented_under_the_wrong_key_fails_naming_the_fields() {
    let (_dir, ws) = with_template(PASTED_INTO_VIM);
    let (code, out) = check(&ws, "pull-secret");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("✗ imagepullsecret.yaml renders the pull secret"),
        "{out}"
    );
    assert!(
        out.contains("`type` is missing: the top level has no key `type`; `type` is under `metadata` at line 6 — check its indentation"),
        "{out}"
    );
    assert!(
        out.contains("`data[\".dockerconfigjson\"]` is missing: the top level has no key `data`; `data` is under `metadata` at line 7"),
        "{out}"
    );
}

#[test]
fn the_broken_template_fails_inside_the_package_too() {
    let (_dir, ws) = workspace();
    for step in ["proxy-image", "bump-version", "pull-secret"] {
        solve(&ws, step);
    }
    fs::write(ws.join(TEMPLATE), PASTED_INTO_VIM).unwrap();
    labrun()
        .current_dir(&ws)
        .args([
            "helm",
            "package",
            "slackernews",
            "--destination",
            "./release",
        ])
        .assert()
        .success();
    let (code, out) = check(&ws, "package");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("✗ slackernews-0.5.0.tgz: the pull secret template renders the pull secret"),
        "{out}"
    );
    assert!(out.contains("`type` is under `metadata`"), "{out}");
}

#[test]
fn spellings_a_helm_author_would_write_pass() {
    let variants = [
        ("the lesson's own", LESSON_TEMPLATE.to_string()),
        (
            "trimmed actions",
            LESSON_TEMPLATE
                .replace("{{ if", "{{- if")
                .replace("{{ end }}", "{{- end }}"),
        ),
        (
            "a quoted value",
            LESSON_TEMPLATE.replace(
                "{{ .Values.global.replicated.dockerconfigjson }}",
                "{{ .Values.global.replicated.dockerconfigjson | quote }}",
            ),
        ),
        (
            "keys reordered, comments, a document marker",
            "{{- if hasKey ((.Values.global).replicated) \"dockerconfigjson\" }}
---
# the pull secret the Replicated SDK hands over
kind: Secret
apiVersion: v1
type: \"kubernetes.io/dockerconfigjson\"
data:
  .dockerconfigjson: {{ .Values.global.replicated.dockerconfigjson | quote }}
metadata:
    name: replicated-pull-secret   # the name the deployment refers to
{{- end }}
"
            .to_string(),
        ),
        (
            "a variable and with",
            "{{- with (.Values.global).replicated }}{{ $config := .dockerconfigjson }}{{ if $config }}
apiVersion: v1
kind: Secret
metadata: {name: replicated-pull-secret}
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: {{ $config }}
{{- end }}{{ end }}
"
            .to_string(),
        ),
    ];
    let (_dir, ws) = workspace();
    for (what, text) in variants {
        fs::write(ws.join(TEMPLATE), &text).unwrap();
        let (code, out) = check(&ws, "pull-secret");
        assert_eq!(code, 0, "{what}:\n{out}");
    }
}

#[test]
fn spellings_that_render_otherwise_fail() {
    let cases = [
        (
            "no guard: a Secret even without the value",
            LESSON_TEMPLATE
                .lines()
                .skip(1)
                .take(7)
                .collect::<Vec<_>>()
                .join("\n")
                .replace(
                    ".Values.global.replicated.",
                    "((.Values.global).replicated).",
                ),
            "renders a Secret named replicated-pull-secret without values; expected nothing",
        ),
        (
            "a guard Helm cannot evaluate without global",
            LESSON_TEMPLATE.replace(
                "hasKey ((.Values.global).replicated) \"dockerconfigjson\"",
                ".Values.global.replicated.dockerconfigjson",
            ),
            "does not render without values: nil pointer evaluating interface {}.replicated",
        ),
        (
            "the value encoded twice",
            LESSON_TEMPLATE.replace("dockerconfigjson }}", "dockerconfigjson | b64enc }}"),
            "`data[\".dockerconfigjson\"]` is \"ZXlKaGRYUm9jeUk2ZTMxOQ==\", expected \"eyJhdXRocyI6e319\"",
        ),
        (
            "another name",
            LESSON_TEMPLATE.replace("name: replicated-pull-secret", "name: pull-secret"),
            "`metadata.name` is \"pull-secret\", expected \"replicated-pull-secret\" (line 5)",
        ),
        (
            "an unclosed action",
            LESSON_TEMPLATE.replace("dockerconfigjson }}\n{{ end", "dockerconfigjson \n{{ end"),
            "not a valid template",
        ),
    ];
    let (_dir, ws) = workspace();
    for (what, text, phrase) in cases {
        fs::write(ws.join(TEMPLATE), &text).unwrap();
        let (code, out) = check(&ws, "pull-secret");
        assert_eq!(code, 1, "{what}:\n{out}");
        assert!(out.contains(phrase), "{what}: {phrase:?} not in\n{out}");
    }
}

#[test]
fn a_function_labrun_cannot_render_is_an_error_never_a_pass() {
    let text = LESSON_TEMPLATE.replace(
        "{{ .Values.global.replicated.dockerconfigjson }}",
        "{{ tpl .Values.global.replicated.dockerconfigjson . }}",
    );
    let (_dir, ws) = with_template(&text);
    let out = labrun()
        .current_dir(&ws)
        .args(["check", "--step", "pull-secret", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let checks = &json["steps"][0]["checks"];
    assert_eq!(checks[1]["status"], "error", "{json:#}");
    assert_eq!(
        checks[1]["message"],
        "slackernews/templates/imagepullsecret.yaml:8: template uses function tpl, which labrun cannot render"
    );
}

#[test]
fn malformed_templates_are_failures_not_crashes() {
    let mut broken: Vec<String> = (1..LESSON_TEMPLATE.len())
        .step_by(7)
        .filter(|&i| LESSON_TEMPLATE.is_char_boundary(i))
        .map(|i| LESSON_TEMPLATE[..i].to_string())
        .collect();
    broken.extend([
        "{{".to_string(),
        "{{ define \"x\" }}{{ template \"x\" }}{{ end }}{{ template \"x\" }}".to_string(),
        format!("{{{{ {}1{} }}}}", "(".repeat(5000), ")".repeat(5000)),
        "{{ range $i := 100000000 }}{{ end }}".to_string(),
    ]);
    let (_dir, ws) = workspace();
    for text in broken {
        fs::write(ws.join(TEMPLATE), &text).unwrap();
        let (code, out) = check(&ws, "pull-secret");
        assert_eq!(code, 1, "{text:?}:\n{out}");
    }
}

/// Checks read the first of two equal keys, Helm packages the last: both
/// refuse the file instead, naming both lines, in the same words.
#[test]
fn a_repeated_key_fails_the_check_and_the_helm_stand_in_naming_both_lines() {
    let (_dir, ws) = workspace();
    solve(&ws, "proxy-image");
    let chart = ws.join("slackernews/Chart.yaml");
    let text = fs::read_to_string(&chart).unwrap();
    let first = text
        .lines()
        .position(|l| l.starts_with("version:"))
        .unwrap()
        + 1;
    let second = text.lines().count() + 1;
    fs::write(&chart, format!("{text}version: 0.5.0\n")).unwrap();
    let words = format!("key `version` appears twice, at line {first} and line {second}");

    let (code, out) = check(&ws, "bump-version");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&words), "{out}");
    assert!(
        out.contains(&format!("at slackernews/Chart.yaml:{second}")),
        "{out}"
    );

    let packaged = labrun()
        .current_dir(&ws)
        .args([
            "helm",
            "package",
            "slackernews",
            "--destination",
            "./release",
        ])
        .output()
        .unwrap();
    assert_eq!(packaged.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&packaged.stderr);
    assert!(stderr.contains(&words), "{stderr}");
    assert!(!ws.join("release/slackernews-0.5.0.tgz").exists());

    let values = ws.join("slackernews/values.yaml");
    let text = fs::read_to_string(&values).unwrap();
    let first = text
        .lines()
        .position(|l| l.starts_with("slackernews:"))
        .unwrap()
        + 1;
    let second = text.lines().count() + 1;
    fs::write(
        &values,
        format!("{text}slackernews:\n  domain: example.com\n"),
    )
    .unwrap();
    let (code, out) = check(&ws, "proxy-image");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "key `slackernews` appears twice, at line {first} and line {second}"
        )),
        "{out}"
    );
}
