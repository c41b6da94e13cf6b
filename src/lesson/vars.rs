//! Lesson variables: where their values come from, how placeholders are
//! filled in, and how secret values are kept out of every output.
//!
//! Two placeholder forms exist. The lesson text uses Instruqt's
//! `[[ Instruqt-Var key="NAME" hostname="shell" ]]`, kept as written and
//! filled from the lesson's variables, else from the values scripts set with
//! `agent variable set` ([`AgentVars`]); labrun's own manifest uses `${NAME}`
//! (`$${` for a literal `${`).

use super::agent_vars::AgentVars;
use crate::redact::{self, Redactor};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::sync::{LazyLock, OnceLock};

pub use crate::redact::REDACTED;

static INSTRUQT_VAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\[\[\s*Instruqt-Var\s+((?:[A-Za-z_-]+\s*=\s*"[^"]*"\s*)+)\]\]"#)
        .expect("static regex")
});
static ATTRIBUTE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"([A-Za-z_-]+)\s*=\s*"([^"]*)""#).expect("static regex"));

/// A declared variable of a lesson (from its manifest).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variable {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub default: Option<String>,
    /// A pattern to make a value when a workspace is created, e.g.
    /// `slackernews-{word}` or `{token}` (see `workspace::generate_value`).
    pub generate: Option<String>,
    #[serde(default)]
    pub secret: bool,
}

impl Variable {
    /// A secret variable known only by name: what a saved value counts as
    /// when the lesson that declared it cannot be read (moved, deleted), so
    /// it is redacted rather than shown.
    pub fn secret(name: &str) -> Variable {
        Variable {
            name: name.to_string(),
            description: String::new(),
            default: None,
            generate: None,
            secret: true,
        }
    }
}

/// A placeholder found in a text, with its byte range.
#[derive(Debug, Clone, PartialEq)]
pub struct Placeholder {
    pub name: String,
    pub range: Range<usize>,
}

/// `[[ Instruqt-Var key="…" ]]` placeholders in lesson text.
pub fn instruqt_placeholders(text: &str) -> Vec<Placeholder> {
    instruqt_vars(text)
        .into_iter()
        .map(|v| Placeholder {
            name: v.key,
            range: v.range,
        })
        .collect()
}

/// An `[[ Instruqt-Var key="K" hostname="H" ]]` in lesson text.
#[derive(Debug, Clone, PartialEq)]
pub struct InstruqtVar {
    pub key: String,
    /// The host whose `agent variable` it shows, when it names one.
    pub hostname: Option<String>,
    pub range: Range<usize>,
}

/// Every Instruqt-Var placeholder of `text` with a `key` (attributes in
/// any order; one without a key is not a placeholder and stays as written).
pub fn instruqt_vars(text: &str) -> Vec<InstruqtVar> {
    INSTRUQT_VAR
        .captures_iter(text)
        .filter_map(|c| {
            let attribute = |name: &str| {
                ATTRIBUTE
                    .captures_iter(&c[1])
                    .find(|a| &a[1] == name)
                    .map(|a| a[2].to_string())
            };
            Some(InstruqtVar {
                key: attribute("key")?,
                hostname: attribute("hostname"),
                range: c.get(0)?.range(),
            })
        })
        .collect()
}

/// `${NAME}` references in a manifest string.
pub fn manifest_refs(text: &str) -> Vec<Placeholder> {
    let mut refs = Vec::new();
    let mut rest = 0;
    while let Some(found) = text[rest..].find("${") {
        let start = rest + found;
        if start > 0 && text.as_bytes()[start - 1] == b'$' {
            rest = start + 2;
            continue;
        }
        let Some(len) = text[start + 2..].find('}') else {
            break;
        };
        refs.push(Placeholder {
            name: text[start + 2..start + 2 + len].trim().to_string(),
            range: start..start + 3 + len,
        });
        rest = start + 3 + len;
    }
    refs
}

/// Where a value came from, highest precedence first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    CommandLine,
    Environment,
    Workspace,
    LessonDefault,
}

/// A `${NAME}` whose variable has no value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("variable {0} has no value: pass --var {0}=… or set it in the environment")]
pub struct MissingVar(pub String);

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::CommandLine => "given with --var",
            Source::Environment => "from the environment",
            Source::Workspace => "saved in the workspace",
            Source::LessonDefault => "the lesson's default",
        })
    }
}

/// A secret variable whose value labrun could not keep out of its output.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "the value of secret variable {name} ({origin}) {why}; use a value of at least {min} characters",
    min = redact::MIN_SECRET_CHARS
)]
pub struct WeakSecret {
    pub name: String,
    /// Where the value came from.
    pub origin: Source,
    pub why: String,
}

/// The resolved values of a lesson's variables.
#[derive(Clone, Default)]
pub struct Vars {
    values: BTreeMap<String, (String, Source)>,
    secrets: BTreeSet<String>,
    /// Built on first use from the secret values; reset when a value changes.
    redactor: OnceLock<Redactor>,
}

/// Secret values never appear, even in debug output.
impl fmt::Debug for Vars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, (value, source)) in &self.values {
            let shown = if self.is_secret(name) {
                REDACTED
            } else {
                value.as_str()
            };
            map.entry(name, &(shown, source));
        }
        map.finish()
    }
}

impl Vars {
    /// Resolves each declared variable from, in order: `--var`, the
    /// environment, the workspace's saved values, the lesson default.
    /// `--var` names the lesson does not declare are kept too.
    pub fn resolve(
        declared: &[Variable],
        command_line: &[(String, String)],
        env: impl Fn(&str) -> Option<String>,
        saved: &BTreeMap<String, String>,
    ) -> Vars {
        let mut vars = Vars::default();
        for var in declared {
            if var.secret {
                vars.secrets.insert(var.name.clone());
            }
            let found = env(&var.name)
                .filter(|v| !v.is_empty())
                .map(|v| (v, Source::Environment))
                .or_else(|| saved.get(&var.name).map(|v| (v.clone(), Source::Workspace)))
                .or_else(|| var.default.clone().map(|v| (v, Source::LessonDefault)));
            if let Some(found) = found {
                vars.values.insert(var.name.clone(), found);
            }
        }
        for (name, value) in command_line {
            vars.values
                .insert(name.clone(), (value.clone(), Source::CommandLine));
        }
        vars
    }

    pub fn set(&mut self, name: &str, value: &str, source: Source) {
        self.values.insert(name.into(), (value.into(), source));
        self.redactor = OnceLock::new();
    }

    /// Refuses a secret value too short (or multi-line) to be redacted
    /// reliably (see [`redact::weakness`]): checked before anything runs.
    pub fn check_secrets(&self) -> Result<(), WeakSecret> {
        for name in &self.secrets {
            if let Some((value, source)) = self.values.get(name)
                && let Some(why) = redact::weakness(value)
            {
                return Err(WeakSecret {
                    name: name.clone(),
                    origin: *source,
                    why,
                });
            }
        }
        Ok(())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|(v, _)| v.as_str())
    }

    /// The value of `key` in any case (Instruqt's keys are case-insensitive):
    /// the variable named exactly so first.
    fn get_ignoring_case(&self, key: &str) -> Option<&str> {
        self.get(key).or_else(|| {
            self.values
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(key))
                .map(|(_, (value, _))| value.as_str())
        })
    }

    pub fn source(&self, name: &str) -> Option<Source> {
        self.values.get(name).map(|(_, s)| *s)
    }

    pub fn is_secret(&self, name: &str) -> bool {
        self.secrets.contains(name)
    }

    /// Every name with a value, with its value (for a shell's environment).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values
            .iter()
            .map(|(k, (v, _))| (k.as_str(), v.as_str()))
    }

    /// Fills `${NAME}` references; the first one without a value is an error.
    pub fn expand(&self, text: &str) -> Result<String, MissingVar> {
        self.expand_with(text, str::to_string)
    }

    /// Like [`Vars::expand`], for a regular expression: values match literally.
    pub fn expand_regex(&self, pattern: &str) -> Result<String, MissingVar> {
        self.expand_with(pattern, regex::escape)
    }

    fn expand_with(
        &self,
        text: &str,
        escape: impl Fn(&str) -> String,
    ) -> Result<String, MissingVar> {
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for r in manifest_refs(text) {
            let value = self
                .get(&r.name)
                .ok_or_else(|| MissingVar(r.name.clone()))?;
            out.push_str(&text[last..r.range.start]);
            out.push_str(&escape(value));
            last = r.range.end;
        }
        out.push_str(&text[last..]);
        Ok(out.replace("$${", "${"))
    }

    /// Fills Instruqt placeholders for display. A variable without a value
    /// shows a visible marker, never an empty string; secrets are masked
    /// unless `reveal_secrets`.
    pub fn render(&self, text: &str, reveal_secrets: bool) -> String {
        self.render_with(text, reveal_secrets, &AgentVars::default())
    }

    /// Like [`Vars::render`], with the values scripts set with `agent
    /// variable set` as the last source: a lesson variable wins; then the
    /// placeholder's host's value (keys case-insensitive). A value for a
    /// variable the lesson declares secret is masked wherever it came from.
    pub fn render_with(&self, text: &str, reveal_secrets: bool, agent: &AgentVars) -> String {
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for p in instruqt_vars(text) {
            out.push_str(&text[last..p.range.start]);
            let value = self
                .get_ignoring_case(&p.key)
                .or_else(|| agent.get(p.hostname.as_deref(), &p.key));
            let secret = self.secrets.iter().any(|s| s.eq_ignore_ascii_case(&p.key));
            match value {
                Some(_) if secret && !reveal_secrets => out.push_str(REDACTED),
                Some(value) => out.push_str(value),
                None => out.push_str(&format!("⟨{} not set⟩", p.key)),
            }
            last = p.range.end;
        }
        out.push_str(&text[last..]);
        out
    }

    /// Replaces every secret value in `text`, in every shape it takes in
    /// output (see [`crate::redact`]), by [`REDACTED`]: applied to all
    /// output that leaves labrun (reports, JSON, JUnit, logs, errors).
    pub fn redact(&self, text: &str) -> String {
        self.redactor
            .get_or_init(|| Redactor::new(self.secrets.iter().filter_map(|name| self.get(name))))
            .redact(text)
            .into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared() -> Vec<Variable> {
        let var = |name: &str, default: Option<&str>, secret| Variable {
            name: name.into(),
            description: String::new(),
            default: default.map(Into::into),
            generate: None,
            secret,
        };
        vec![
            var("APP", Some("default-app"), false),
            var("TOKEN", None, true),
            var("USER", None, false),
        ]
    }

    #[test]
    fn finds_instruqt_placeholders_with_and_without_hostname() {
        let text =
            r#"a [[ Instruqt-Var key="APP" hostname="shell" ]] b [[Instruqt-Var key="TOKEN"]]"#;
        let names: Vec<_> = instruqt_placeholders(text)
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, ["APP", "TOKEN"]);
    }

    #[test]
    fn placeholders_keep_their_hostname_in_any_attribute_order() {
        let text = r#"[[ Instruqt-Var key="A" hostname="shell" ]] [[Instruqt-Var hostname="vm" key="b"]] [[ Instruqt-Var hostname="x" ]] [[ Instruqt-Var key="C" ]]"#;
        let found: Vec<_> = instruqt_vars(text)
            .into_iter()
            .map(|v| (v.key, v.hostname))
            .collect();
        assert_eq!(
            found,
            [
                ("A".to_string(), Some("shell".to_string())),
                ("b".to_string(), Some("vm".to_string())),
                ("C".to_string(), None),
            ]
        );
    }

    #[test]
    fn agent_values_come_last_and_a_missing_one_stays_visible() {
        let agent = AgentVars::from_json(
            r#"{"shell": {"learner_name": "ada", "app": "agent-app", "token": "agent-secret-1"}, "vm": {"only_vm": "v"}}"#,
        )
        .unwrap();
        let vars = Vars::resolve(&declared(), &[], |_| None, &BTreeMap::new());
        let text = r#"[[ Instruqt-Var key="LEARNER_NAME" hostname="shell" ]] [[ Instruqt-Var key="APP" hostname="shell" ]] [[ Instruqt-Var key="ONLY_VM" hostname="shell" ]] [[ Instruqt-Var key="only_vm" ]] [[ Instruqt-Var key="TOKEN" hostname="shell" ]] [[ Instruqt-Var key="NOPE" hostname="shell" ]]"#;
        assert_eq!(
            vars.render_with(text, false, &agent),
            "ada default-app ⟨ONLY_VM not set⟩ v [hidden] ⟨NOPE not set⟩"
        );
        assert!(
            vars.render_with(text, true, &agent)
                .contains(" agent-secret-1 ")
        );
        // Without agent values, the same text still renders.
        assert!(
            vars.render(text, false)
                .starts_with("⟨LEARNER_NAME not set⟩")
        );
    }

    #[test]
    fn precedence_is_command_line_env_workspace_default() {
        let saved = BTreeMap::from([("APP".to_string(), "saved-app".to_string())]);
        let no_env = |_: &str| None;
        let vars = Vars::resolve(&declared(), &[], no_env, &saved);
        assert_eq!(vars.get("APP"), Some("saved-app"));
        assert_eq!(vars.source("APP"), Some(Source::Workspace));

        let env = |k: &str| (k == "APP").then(|| "env-app".to_string());
        let vars = Vars::resolve(&declared(), &[], env, &saved);
        assert_eq!(vars.get("APP"), Some("env-app"));

        let cli = [("APP".to_string(), "cli-app".to_string())];
        let vars = Vars::resolve(&declared(), &cli, env, &saved);
        assert_eq!(vars.get("APP"), Some("cli-app"));

        let vars = Vars::resolve(&declared(), &[], no_env, &BTreeMap::new());
        assert_eq!(vars.get("APP"), Some("default-app"));
        assert_eq!(vars.source("APP"), Some(Source::LessonDefault));
    }

    #[test]
    fn expand_fills_refs_and_names_the_missing_one() {
        let cli = [("APP".to_string(), "sn-app".to_string())];
        let vars = Vars::resolve(&declared(), &cli, |_| None, &BTreeMap::new());
        assert_eq!(
            vars.expand("proxy/${APP}/x $${APP}").unwrap(),
            "proxy/sn-app/x ${APP}"
        );
        assert_eq!(vars.expand_regex("^${APP}.x$").unwrap(), r"^sn\-app.x$");
        let err = vars.expand("${USER}").unwrap_err();
        assert_eq!(
            err.to_string(),
            "variable USER has no value: pass --var USER=… or set it in the environment"
        );
    }

    #[test]
    fn render_marks_missing_and_masks_secrets() {
        let cli = [("TOKEN".to_string(), "s3cr3t-token".to_string())];
        let vars = Vars::resolve(&declared(), &cli, |_| None, &BTreeMap::new());
        let text = r#"[[ Instruqt-Var key="TOKEN" ]] [[ Instruqt-Var key="USER" ]] [[ Instruqt-Var key="APP" ]]"#;
        assert_eq!(
            vars.render(text, false),
            "[hidden] ⟨USER not set⟩ default-app"
        );
        assert_eq!(
            vars.render(text, true),
            "s3cr3t-token ⟨USER not set⟩ default-app"
        );
    }

    #[test]
    fn debug_output_masks_secrets() {
        let cli = [("TOKEN".to_string(), "s3cr3t-\"token".to_string())];
        let vars = Vars::resolve(&declared(), &cli, |_| None, &BTreeMap::new());
        let shown = format!("{vars:?}");
        assert!(
            !shown.contains("s3cr3t") && shown.contains("default-app"),
            "{shown}"
        );
        // Quoted with {:?} (escaped quote) in a message: still hidden.
        assert_eq!(
            vars.redact(&format!("found {:?}", "s3cr3t-\"token")),
            "found \"[hidden]\""
        );
    }

    #[test]
    fn redact_hides_secret_values_only() {
        let cli = [("TOKEN".to_string(), "s3cr3t-token".to_string())];
        let vars = Vars::resolve(&declared(), &cli, |_| None, &BTreeMap::new());
        assert_eq!(
            vars.redact("Authorization: s3cr3t-token for default-app"),
            "Authorization: [hidden] for default-app"
        );
    }
}
