//! `kind = "release"`: asks the Vendor API whether the named channels all
//! point at one release with the expected version label, and whether that
//! release carries the expected chart (read back and checked inside).
//!
//! One `GET /v3/apps` answers every channel condition; the chart conditions
//! add one `GET /v3/app/{app}/release/{sequence}`. The client is the
//! session's ([`Context::api`]), made once: the lab checks again and again,
//! and one client keeps its connection open between checks.

use super::files::ArchiveFiles;
use super::package::read_archive;
use super::{Context, Outcome, evaluate_inside};
use crate::lesson::{CheckKind, CheckSpec};
use crate::vendor_api::client::{Client, ClientError};
use crate::vendor_api::spec::{SpecError, decode_content, decode_spec};
use crate::vendor_api::types::{App, Channel, Release};

/// Why the app or a release's chart could not be read: each condition's error
/// (or, for the chart, why its inner checks were not run).
#[derive(Debug, thiserror::Error)]
enum ReleaseError {
    #[error(transparent)]
    Api(#[from] ClientError),
    #[error("the Vendor API at {origin} has no app {app:?}: check REPLICATED_APP")]
    NoApp { origin: String, app: String },
    #[error("the API did not hand back release {0}'s files")]
    NoFiles(i64),
    #[error(transparent)]
    Spec(#[from] SpecError),
    #[error("release {0} holds no chart package")]
    NoPackage(i64),
    /// The chart package in the release is not a readable archive.
    #[error("{path} in release {sequence} {why}")]
    Archive {
        path: String,
        sequence: i64,
        why: String,
    },
}

pub(super) fn check(name: &str, kind: &CheckKind, ctx: &Context) -> Vec<Outcome> {
    let CheckKind::Release {
        channels,
        version,
        chart,
        checks,
    } = kind
    else {
        unreachable!("release::check is only called for release checks")
    };
    let names = condition_names(name, channels, chart.is_some(), checks);
    let all_error = |message: String| {
        names
            .iter()
            .map(|n| Outcome::error(n, message.clone()))
            .collect()
    };
    let client = match ctx.api {
        Some(Ok(client)) => client,
        Some(Err(e)) => return all_error(e.to_string()),
        None => {
            return all_error(
                "no Vendor API to ask: set REPLICATED_API_ORIGIN, or run offline (the default)"
                    .into(),
            );
        }
    };
    let app = match find_app(client, &client.config().app) {
        Ok(app) => app,
        Err(e) => return all_error(e.to_string()),
    };
    let app_channels = app.channels.clone().unwrap_or_default();
    let target = target_sequence(&app_channels, channels, version);
    // Only when there is no release yet: the sequence `release create` will
    // print, so the promote commands suggested are the ones to type.
    let next = match target {
        None => client
            .releases(&app.id)
            .ok()
            .map(|r| r.iter().map(|r| r.sequence).max().unwrap_or(0) + 1),
        Some(_) => None,
    };
    let mut outcomes: Vec<Outcome> = channels
        .iter()
        .zip(&names)
        .map(|(channel, n)| {
            let wanted = Wanted {
                channels,
                version,
                target,
                next,
            };
            channel_outcome(n, channel, &app_channels, &wanted)
        })
        .collect();
    let chart_names = &names[channels.len()..];
    if chart_names.is_empty() {
        return outcomes;
    }
    match target {
        None => outcomes.extend(chart_names.iter().map(|n| {
            Outcome::fail(
                n,
                format!("not checked: no channel has a release {version} yet"),
            )
        })),
        Some(sequence) => outcomes.extend(chart_outcomes(
            client,
            &app,
            sequence,
            chart,
            checks,
            chart_names,
            ctx,
        )),
    }
    outcomes
}

fn inner_name(check: &CheckSpec) -> String {
    format!("released chart: {}", check.label())
}

/// One name per condition: each channel, the chart, each inner check.
fn condition_names(
    name: &str,
    channels: &[String],
    has_chart: bool,
    checks: &[CheckSpec],
) -> Vec<String> {
    let mut names: Vec<String> = channels
        .iter()
        .map(|c| format!("{name} is on {c}"))
        .collect();
    if has_chart {
        names.push(format!("{name} carries the chart"));
    }
    names.extend(checks.iter().map(inner_name));
    names
}

fn find_app(client: &Client, wanted: &str) -> Result<App, ReleaseError> {
    let apps = client.apps_with_channels()?;
    apps.into_iter()
        .find(|a| a.slug == wanted || a.id == wanted)
        .ok_or_else(|| ReleaseError::NoApp {
            origin: client.origin().to_string(),
            app: wanted.to_string(),
        })
}

/// The release the channels should share: the newest one carrying `version`
/// on any of them.
fn target_sequence(app_channels: &[Channel], wanted: &[String], version: &str) -> Option<i64> {
    app_channels
        .iter()
        .filter(|c| !c.is_archived && wanted.contains(&c.name) && c.current_version == version)
        .map(|c| c.release_sequence)
        .max()
}

/// What the channel conditions ask for, and what the API holds of it.
struct Wanted<'a> {
    channels: &'a [String],
    version: &'a str,
    /// The release the channels should share, once one is on any of them.
    target: Option<i64>,
    /// The sequence the next `release create` makes, when there is no target.
    next: Option<i64>,
}

fn channel_outcome(
    name: &str,
    channel: &str,
    app_channels: &[Channel],
    wanted: &Wanted,
) -> Outcome {
    let Wanted {
        channels: wanted_channels,
        version,
        target,
        next,
    } = *wanted;
    let wanted = wanted_channels;
    let Some(found) = app_channels
        .iter()
        .find(|c| c.name == channel && !c.is_archived)
    else {
        return Outcome::fail(name, format!("the app has no channel {channel:?}"));
    };
    let at = describe(found);
    let Some(sequence) = target else {
        // One release is created (on the first channel) and promoted to the others.
        let first = wanted.first().map_or(channel, String::as_str);
        let create =
            format!("`replicated release create --promote {first} --chart … --version {version}`");
        let message = if channel == first {
            format!("{channel} is at {at}; no release {version} has been created yet — {create}")
        } else {
            let sequence = next.map_or("SEQUENCE".to_string(), |n| n.to_string());
            format!(
                "{channel} is at {at}; no release {version} has been created yet — create it on {first} ({create}), then promote that release: `replicated release promote {sequence} {channel} --version {version}`"
            )
        };
        return Outcome::fail(name, message);
    };
    if found.release_sequence == sequence {
        return Outcome::pass(
            name,
            format!("{channel} is at release {sequence} ({version})"),
        );
    }
    let on: Vec<&str> = wanted
        .iter()
        .filter(|w| {
            app_channels
                .iter()
                .any(|c| &c.name == *w && c.release_sequence == sequence)
        })
        .map(String::as_str)
        .collect();
    Outcome::fail(
        name,
        format!(
            "release {sequence} ({version}) is on {}; not on {channel}, which is at {at} — run `replicated release promote {sequence} {channel} --version {version}`",
            join_and(&on)
        ),
    )
}

fn describe(channel: &Channel) -> String {
    match channel.release_sequence {
        n if n < 1 => "no release".to_string(),
        n if channel.current_version.is_empty() => format!("release {n}"),
        n => format!("release {n} ({})", channel.current_version),
    }
}

fn join_and(items: &[&str]) -> String {
    match items {
        [] => "no channel".into(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn chart_outcomes(
    client: &Client,
    app: &App,
    sequence: i64,
    chart: &Option<(String, String)>,
    checks: &[CheckSpec],
    names: &[String],
    ctx: &Context,
) -> Vec<Outcome> {
    let release = match client.release(&app.id, sequence) {
        Ok(release) => release,
        Err(e) => {
            return names
                .iter()
                .map(|n| Outcome::error(n, e.to_string()))
                .collect();
        }
    };
    let mut outcomes = Vec::new();
    let mut names = names.iter();
    if let Some((chart_name, chart_version)) = chart {
        let name = names.next().expect("a name per condition");
        outcomes.push(chart_ref_outcome(name, &release, chart_name, chart_version));
    }
    let inner_names: Vec<&String> = names.collect();
    if inner_names.is_empty() {
        return outcomes;
    }
    match released_chart(&release) {
        Err(why) => outcomes.extend(
            inner_names
                .iter()
                .map(|n| Outcome::fail(n, format!("not checked: {why}"))),
        ),
        Ok(files) => {
            let again = "package the chart again and create a new release";
            let stale =
                format!("release {sequence} was made from a chart without this change; {again}");
            let advice = super::Advice {
                stale: &stale,
                again,
            };
            outcomes.extend(evaluate_inside(checks, &files, ctx, inner_name, &advice));
        }
    }
    outcomes
}

fn chart_ref_outcome(name: &str, release: &Release, chart: &str, version: &str) -> Outcome {
    let sequence = release.sequence;
    if release
        .charts
        .iter()
        .any(|c| c.name == chart && c.version == version)
    {
        return Outcome::pass(
            name,
            format!("release {sequence} carries chart {chart} {version}"),
        );
    }
    let found: Vec<String> = release
        .charts
        .iter()
        .map(|c| format!("{} {}", c.name, c.version))
        .collect();
    let found = if found.is_empty() {
        "no chart".to_string()
    } else {
        found.join(", ")
    };
    Outcome::fail(
        name,
        format!("release {sequence} carries {found}, expected chart {chart} {version}"),
    )
}

/// The files of the chart package inside a release's spec.
fn released_chart(release: &Release) -> Result<ArchiveFiles, ReleaseError> {
    let sequence = release.sequence;
    if release.spec.trim().is_empty() {
        return Err(ReleaseError::NoFiles(sequence));
    }
    let files = decode_spec(release.spec.as_bytes())?;
    let package = files
        .iter()
        .find(|f| f.path.ends_with(".tgz"))
        .ok_or(ReleaseError::NoPackage(sequence))?;
    let bytes = decode_content(package)?;
    let entries = read_archive(&bytes).map_err(|why| ReleaseError::Archive {
        path: package.path.clone(),
        sequence,
        why: why.to_string(),
    })?;
    Ok(ArchiveFiles {
        archive: format!("{} (release {sequence})", package.path),
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::lesson::Vars;
    use crate::vendor_api::client::ClientError;
    use std::path::Path;

    fn release_kind() -> CheckKind {
        CheckKind::Release {
            channels: vec!["Unstable".into(), "Stable".into()],
            version: "0.5.0".into(),
            chart: Some(("slackernews".into(), "0.5.0".into())),
            checks: vec![],
        }
    }

    fn context<'a>(
        vars: &'a Vars,
        api: Option<Result<&'a Client, &'a ClientError>>,
    ) -> Context<'a> {
        Context {
            workspace: Path::new("."),
            lesson_dir: Path::new("."),
            vars,
            extra_path: None,
            api,
            scripts: None,
        }
    }

    fn release(spec: &str) -> Release {
        serde_json::from_value(serde_json::json!({"appId": "a", "sequence": 7, "spec": spec}))
            .unwrap()
    }

    fn chart_error(release: &Release) -> ReleaseError {
        match released_chart(release) {
            Ok(files) => panic!("{} read", files.archive),
            Err(e) => e,
        }
    }

    #[test]
    fn a_release_without_a_readable_chart_says_why() {
        let e = chart_error(&release(" "));
        assert!(matches!(e, ReleaseError::NoFiles(7)), "{e:?}");
        assert_eq!(e.to_string(), "the API did not hand back release 7's files");
        let e = chart_error(&release("[]"));
        assert_eq!(e.to_string(), "release 7 holds no chart package");
        let e = chart_error(&release("{"));
        assert!(
            matches!(e, ReleaseError::Spec(SpecError::NotJson(_))),
            "{e:?}"
        );
        let bad = r#"[{"name":"c.tgz","path":"c.tgz","content":"!!","children":[]}]"#;
        let e = chart_error(&release(bad));
        assert!(matches!(
            e,
            ReleaseError::Spec(SpecError::ContentNotBase64 { .. })
        ));
        let not_tgz = r#"[{"name":"c.tgz","path":"c.tgz","content":"aGVsbG8=","children":[]}]"#;
        let e = chart_error(&release(not_tgz));
        assert!(
            matches!(&e, ReleaseError::Archive { path, sequence: 7, .. } if path == "c.tgz"),
            "{e:?}"
        );
        assert!(e.to_string().starts_with("c.tgz in release 7 "), "{e}");
    }

    /// A client the session could not make is every condition's error, so
    /// the learner reads why and the other steps still run.
    #[test]
    fn a_session_without_a_usable_client_errs_each_condition() {
        let vars = Vars::default();
        let unusable = ClientError::InvalidConfig {
            what: "the HTTP client".into(),
            reason: "no TLS backend".into(),
        };
        let outcomes = check(
            "release",
            &release_kind(),
            &context(&vars, Some(Err(&unusable))),
        );
        assert_eq!(outcomes.len(), 3, "{outcomes:#?}");
        for outcome in &outcomes {
            assert_eq!(outcome.status, Status::Error);
            assert_eq!(
                outcome.message,
                "the HTTP client is not usable: no TLS backend"
            );
        }
        let outcomes = check("release", &release_kind(), &context(&vars, None));
        assert!(outcomes.iter().all(|o| o.status == Status::Error
            && o.message.starts_with("no Vendor API to ask")));
    }
}
