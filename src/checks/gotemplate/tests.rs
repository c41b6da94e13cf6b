//! The evaluator against templates a Helm author writes, and against the
//! broken ones a learner may save: never a panic, never a hang.

use super::*;

const LESSON: &str = "{{ if hasKey ((.Values.global).replicated) \"dockerconfigjson\" }}\napiVersion: v1\nkind: Secret\nmetadata:\n  name: replicated-pull-secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {{ .Values.global.replicated.dockerconfigjson }}\n{{ end }}\n";

fn data(pairs: &[(&str, Value)]) -> Value {
    let values = Value::from_paths(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())));
    Value::from_paths([("Values".to_string(), values)])
}

fn with_secret() -> Value {
    data(&[(
        "global.replicated.dockerconfigjson",
        Value::Str("eyJhIjoxfQ==".into()),
    )])
}

fn render(source: &str, data: &Value) -> Result<String, TemplateError> {
    Ok(Template::parse(source)?.render(data)?.text)
}

#[test]
fn the_lessons_template_renders_with_and_without_the_value() {
    let out = render(LESSON, &with_secret()).unwrap();
    assert_eq!(
        out,
        "\napiVersion: v1\nkind: Secret\nmetadata:\n  name: replicated-pull-secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: eyJhIjoxfQ==\n\n"
    );
    // No `global`, an empty one, and a `replicated` without the key: nothing.
    for values in [
        data(&[]),
        data(&[("global.other", Value::Int(1))]),
        data(&[("global.replicated.other", Value::Int(1))]),
    ] {
        assert_eq!(render(LESSON, &values).unwrap().trim(), "", "{values}");
    }
}

#[test]
fn output_lines_map_back_to_template_lines() {
    let rendered = Template::parse(LESSON)
        .unwrap()
        .render(&with_secret())
        .unwrap();
    let type_line = rendered
        .text
        .lines()
        .position(|l| l.starts_with("type:"))
        .unwrap()
        + 1;
    assert_eq!(rendered.source_line(type_line), 6);
    let trimmed = "{{- if .Values.on }}\n  a: 1\n{{- end }}\n{{- if .Values.on }}\nb: {{ .Values.on\n  }}\n{{- end }}\n";
    let rendered = Template::parse(trimmed)
        .unwrap()
        .render(&data(&[("on", Value::Bool(true))]))
        .unwrap();
    assert_eq!(rendered.text, "\n  a: 1\nb: true\n");
    assert_eq!(rendered.lines, [1, 2, 5]);
}

#[test]
fn control_structures_variables_and_named_templates() {
    let d = data(&[
        (
            "items",
            Value::List(vec![Value::Str("x".into()), Value::Str("y".into())]),
        ),
        ("m.k", Value::Str("v".into())),
        ("n", Value::Int(2)),
    ]);
    let cases = [
        (
            "{{ range $i, $v := .Values.items }}{{ $i }}={{ $v }};{{ end }}",
            "0=x;1=y;",
        ),
        ("{{ range .Values.none }}x{{ else }}empty{{ end }}", "empty"),
        (
            "{{ range .Values.items }}{{ if eq . \"y\" }}{{ break }}{{ end }}{{ . }}{{ end }}",
            "x",
        ),
        ("{{ with .Values.m }}{{ .k }}{{ end }}", "v"),
        (
            "{{ if gt .Values.n 3 }}big{{ else if eq .Values.n 2 }}two{{ else }}small{{ end }}",
            "two",
        ),
        (
            "{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}",
            "2",
        ),
        (
            "{{ define \"t\" }}[{{ . }}]{{ end }}{{ include \"t\" .Values.n | quote }}",
            "\"[2]\"",
        ),
        ("{{ block \"b\" .Values.m.k }}<{{ . }}>{{ end }}", "<v>"),
        ("{{ (.Values.missing).deeper }}|{{ $.Values.n }}", "|2"),
        ("{{ .Values.missing | default \"d\" | upper }}", "D"),
        (
            "{{ and .Values.n .Values.missing }}|{{ or .Values.missing \"z\" }}",
            "|z",
        ),
        ("{{ printf \"%s:%d\" .Values.m.k .Values.n }}", "v:2"),
        ("{{ toYaml .Values.m | nindent 2 }}", "\n  k: v"),
        ("{{/* a comment */}}{{- \"x\" -}}  ", "x"),
        ("{{ len .Values.items }}{{ index .Values.items 1 }}", "2y"),
        ("{{ (.Values.m).k }}{{ (.Values.nothing).k }}", "v"),
    ];
    for (source, want) in cases {
        assert_eq!(render(source, &d).as_deref(), Ok(want), "{source}");
    }
}

#[test]
fn errors_say_what_and_where() {
    let d = with_secret();
    for (source, kind, line, phrase) in [
        (
            "a\n{{ tpl \"x\" . }}",
            ErrorKind::Unsupported,
            2,
            "function tpl, which labrun cannot render",
        ),
        (
            "{{ include \"other.labels\" . }}",
            ErrorKind::Unsupported,
            1,
            "not defined in this file",
        ),
        (
            "\n{{ required \"set it\" .Values.x }}",
            ErrorKind::Render,
            2,
            "set it",
        ),
        (
            "{{ .Values.global.replicated.dockerconfigjson.x }}",
            ErrorKind::Render,
            1,
            "can't evaluate field x in type string",
        ),
        (
            "{{ define \"x\" }}{{ template \"x\" }}{{ end }}{{ template \"x\" }}",
            ErrorKind::Render,
            1,
            "calls itself",
        ),
        (
            "{{ range $i := 100000000 }}{{ end }}",
            ErrorKind::Render,
            1,
            "too long",
        ),
        ("{{ if }}{{ end }}", ErrorKind::Syntax, 1, "missing value"),
        (
            "{{ $undefined }}",
            ErrorKind::Render,
            1,
            "undefined variable",
        ),
        (
            "{{ .Files.Get \"x\" }}",
            ErrorKind::Unsupported,
            1,
            "template reads .Files",
        ),
        (
            "{{ with .Values }}{{ $.Chart.Name }}{{ end }}",
            ErrorKind::Unsupported,
            1,
            "template reads .Chart, which labrun cannot render",
        ),
        // Helm refuses a field of a missing key, and a missing key where a map must go.
        (
            "{{ if .Values.nope.replicated.dockerconfigjson }}x{{ end }}",
            ErrorKind::Render,
            1,
            "nil pointer evaluating interface {}.replicated",
        ),
        (
            "{{ hasKey .Values.global.nope \"x\" }}",
            ErrorKind::Render,
            1,
            "expected map[string]interface {}; got interface {}",
        ),
        (
            "{{ .Values.nope | upper }}",
            ErrorKind::Render,
            1,
            "invalid value; expected string",
        ),
    ] {
        let err = render(source, &d).unwrap_err();
        assert_eq!((err.kind, err.line), (kind, line), "{source}: {err}");
        assert!(err.message.contains(phrase), "{source}: {err}");
    }
}

/// Every prefix of the lesson's template, every one-character deletion and
/// many one-character insertions: each renders or errors, none panics or hangs.
#[test]
fn malformed_templates_never_panic() {
    let chars: Vec<char> = LESSON.chars().collect();
    let mut cases: Vec<String> = (0..chars.len())
        .map(|i| chars[..i].iter().collect())
        .collect();
    for i in 0..chars.len() {
        let mut c = chars.clone();
        c.remove(i);
        cases.push(c.into_iter().collect());
        for extra in ['{', '}', '(', ')', '"', '`', '\'', '.', '|', '$', '-', '\\'] {
            let mut c = chars.clone();
            c.insert(i, extra);
            cases.push(c.into_iter().collect());
        }
    }
    let d = with_secret();
    for case in &cases {
        let result = std::panic::catch_unwind(|| render(case, &d));
        assert!(result.is_ok(), "panicked on {case:?}");
    }
}
