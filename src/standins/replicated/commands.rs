//! The covered commands: the same Vendor API calls in the same order as the
//! real CLI, and the same lines, tables and JSON
//! (`shared/docs/vendor-api.md` §1.3 and §1.5).

use serde::Serialize;

use super::args::Flags;
use super::chart::read_chart;
use super::table::tabwrite;
use super::ui::{Failure, Ui};
use crate::vendor_api::client::Client;
use crate::vendor_api::spec::encode_chart_spec;
use crate::vendor_api::types::{ChartRef, PromoteRequest, PromoteResponse, Release};

/// Go's zero `time.Time` in RFC 3339: the CLI's EDITED column for KOTS apps.
pub(super) const ZERO_TIME: &str = "0001-01-01T00:00:00Z";
/// The CLI's tables: `tabwriter.NewWriter(w, 0, 8, 4, ' ', 0)`.
pub(super) const TABLE_PADDING: usize = 4;
pub(super) const HELM_HEADER: &str = "You are creating a release that will only be installable with the helm CLI.\n\
For more information, see \n\
https://docs.replicated.com/vendor/helm-install#about-helm-installations-with-replicated\n\n";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CreateOutput<'a> {
    sequence: i64,
    app_id: &'a str,
    charts: &'a [ChartRef],
}

#[derive(Serialize)]
pub(super) struct PromoteOutput<'a> {
    channel: &'a str,
    release_sequence: i64,
    version_label: &'a str,
}

pub(super) fn release_create(
    client: &Client,
    flags: &Flags,
    chart: &str,
    json: bool,
    ui: &mut Ui,
) -> Result<(), Failure> {
    let app = client.app()?;
    ui.text(HELM_HEADER);
    let (file_name, bytes) =
        ui.action(&format!("Reading chart from {chart}"), || read_chart(chart))?;
    // The channel is resolved first, so a bad name creates nothing.
    let channel = match &flags.promote {
        Some(name) => Some(client.channel_by_name_or_id(&app.id, name)?),
        None => None,
    };
    let spec_gzip = encode_chart_spec(&file_name, &bytes);
    let release = ui.action("Creating Release", || {
        client.create_release(&app.id, spec_gzip)
    })?;
    ui.child(&format!("SEQUENCE: {}", release.sequence));
    if let Some(channel) = channel {
        let request = promote_request(flags, &channel.id);
        let response = ui.action("Promoting", || {
            client.promote_request(&app.id, release.sequence, &request)
        })?;
        match warnings(&response) {
            Some(lines) => ui.text(&lines),
            None => ui.child(&format!(
                "Channel {} successfully set to release {}",
                channel.id, release.sequence
            )),
        }
    }
    if json {
        ui.json(&CreateOutput {
            sequence: release.sequence,
            app_id: &release.app_id,
            charts: &release.charts,
        })?;
    }
    Ok(())
}

pub(super) fn release_promote(
    client: &Client,
    flags: &Flags,
    sequence: i64,
    channel_arg: &str,
    json: bool,
    ui: &mut Ui,
) -> Result<(), Failure> {
    let app = client.app()?;
    let channel = client.channel_by_name_or_id(&app.id, channel_arg)?;
    let request = promote_request(flags, &channel.id);
    let response = client.promote_request(&app.id, sequence, &request)?;
    if json {
        return ui.json(&PromoteOutput {
            channel: &channel.id,
            release_sequence: sequence,
            version_label: &request.version_label,
        });
    }
    match warnings(&response) {
        Some(lines) => ui.text(&lines),
        None => ui.text(&format!(
            "Channel {channel_arg} successfully set to release {sequence}\n"
        )),
    }
    Ok(())
}

pub(super) fn promote_request(flags: &Flags, channel_id: &str) -> PromoteRequest {
    PromoteRequest {
        release_notes: flags.release_notes.clone().unwrap_or_default(),
        version_label: flags.version.clone().unwrap_or_default(),
        is_required: flags.required,
        channel_ids: vec![channel_id.to_string()],
        ignore_warnings: false,
        omit_details_in_response: true,
    }
}

/// The CLI prints the promote warnings instead of the success line.
pub(super) fn warnings(response: &PromoteResponse) -> Option<String> {
    (!response.warnings.is_empty()).then(|| {
        response
            .warnings
            .iter()
            .map(|w| format!("Warning: {w}\n"))
            .collect()
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ReleaseInfo<'a> {
    active_channels: Vec<ChannelInfo<'a>>,
    app_id: &'a str,
    created_at: String,
    edited_at: &'static str,
    editable: bool,
    sequence: i64,
    version: &'a str,
    charts: &'a [ChartRef],
    is_helm_only: bool,
}

#[derive(Serialize)]
pub(super) struct ChannelInfo<'a> {
    id: &'a str,
    name: &'a str,
}

pub(super) fn release_ls(client: &Client, json: bool, ui: &mut Ui) -> Result<(), Failure> {
    let app = client.app()?;
    let releases = client.releases(&app.id)?;
    if json {
        let infos: Vec<ReleaseInfo> = releases
            .iter()
            .map(|r| ReleaseInfo {
                active_channels: r
                    .channels
                    .iter()
                    .filter(|c| !c.is_archived)
                    .map(|c| ChannelInfo {
                        id: &c.id,
                        name: &c.name,
                    })
                    .collect(),
                app_id: &r.app_id,
                created_at: go_time(r.created.as_deref()),
                edited_at: ZERO_TIME,
                editable: !r.is_release_not_editable,
                sequence: r.sequence,
                version: r.charts.first().map_or("", |c| c.version.as_str()),
                charts: &r.charts,
                is_helm_only: r.is_helm_only,
            })
            .collect();
        return ui.json(&infos);
    }
    ui.text(&releases_table(&releases));
    Ok(())
}

/// `release ls` as the CLI prints it (`cli/print/releases.go`).
pub fn releases_table(releases: &[Release]) -> String {
    let mut text = String::from("SEQUENCE\tCREATED\tEDITED\tACTIVE_CHANNELS\n");
    for release in releases {
        let created = go_time(release.created.as_deref());
        // EDITED is blank when it equals CREATED; KOTS releases are never "edited".
        let edited = if created == ZERO_TIME { "" } else { ZERO_TIME };
        let channels: Vec<&str> = release
            .channels
            .iter()
            .filter(|c| !c.is_archived)
            .map(|c| c.name.as_str())
            .collect();
        text.push_str(&format!(
            "{}\t{created}\t{edited}\t{}\n",
            release.sequence,
            channels.join(",")
        ));
    }
    tabwrite(&text, TABLE_PADDING)
}

pub(super) fn channel_ls(client: &Client, json: bool, ui: &mut Ui) -> Result<(), Failure> {
    let app = client.app()?;
    let channels = client.list_channels(&app.id)?;
    if json {
        return ui.json(&channels);
    }
    let mut text = String::from("ID\tNAME\tRELEASE\tVERSION\n");
    for channel in &channels {
        let release = if channel.release_sequence >= 1 {
            channel.release_sequence.to_string()
        } else {
            String::new()
        };
        text.push_str(&format!(
            "{}\t{}\t{release}\t{}\n",
            channel.id, channel.name, channel.current_version
        ));
    }
    ui.text(&tabwrite(&text, TABLE_PADDING));
    Ok(())
}

pub(super) fn app_ls(
    client: &Client,
    filter: Option<&str>,
    json: bool,
    ui: &mut Ui,
) -> Result<(), Failure> {
    let apps: Vec<_> = client
        .apps()?
        .into_iter()
        .filter(|a| filter.is_none_or(|f| a.id == f || a.slug == f || a.name == f))
        .collect();
    if json {
        return ui.json(&apps);
    }
    let mut text = String::from("ID\tNAME\tSLUG\tSCHEDULER\n");
    for app in &apps {
        text.push_str(&format!("{}\t{}\t{}\tkots\n", app.id, app.name, app.slug));
    }
    ui.text(&tabwrite(&text, TABLE_PADDING));
    Ok(())
}

/// An RFC 3339 time as Go prints it with `time.RFC3339`: no fractional
/// seconds; absent is Go's zero time.
pub(super) fn go_time(time: Option<&str>) -> String {
    let Some(time) = time.map(str::trim).filter(|t| !t.is_empty()) else {
        return ZERO_TIME.to_string();
    };
    // "2024-04-22T17:19:17.123456Z" → "2024-04-22T17:19:17Z"
    match time.get(19..20) {
        Some(".") => {
            let rest = &time[20..];
            let zone = rest.trim_start_matches(|c: char| c.is_ascii_digit());
            format!("{}{zone}", &time[..19])
        }
        _ => time.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vendor_api::types::ChannelRef;

    fn release(sequence: i64, created: &str, channels: &[&str]) -> Release {
        Release {
            app_id: "app".into(),
            sequence,
            created: Some(created.into()),
            is_archived: false,
            spec: String::new(),
            release_notes: String::new(),
            is_release_not_editable: false,
            is_helm_only: true,
            channels: channels
                .iter()
                .map(|name| ChannelRef {
                    id: format!("id-{name}"),
                    name: name.to_string(),
                    is_archived: false,
                })
                .collect(),
            charts: vec![],
        }
    }

    /// The lesson's expected `release ls` (assignment.md; vendor-api.md §1.5).
    const LESSON_TABLE: &str = "\
SEQUENCE    CREATED                 EDITED                  ACTIVE_CHANNELS
5           2024-04-22T17:19:17Z    0001-01-01T00:00:00Z    Stable,Beta,Unstable
4           2024-04-22T16:23:39Z    0001-01-01T00:00:00Z
3           2024-04-22T16:23:34Z    0001-01-01T00:00:00Z
2           2024-04-22T16:23:28Z    0001-01-01T00:00:00Z
1           2024-04-22T16:23:22Z    0001-01-01T00:00:00Z
";

    #[test]
    fn release_table_reproduces_the_lesson() {
        let releases = vec![
            release(5, "2024-04-22T17:19:17Z", &["Stable", "Beta", "Unstable"]),
            release(4, "2024-04-22T16:23:39Z", &[]),
            release(3, "2024-04-22T16:23:34Z", &[]),
            release(2, "2024-04-22T16:23:28.5Z", &[]),
            release(1, "2024-04-22T16:23:22Z", &[]),
        ];
        let table = releases_table(&releases);
        // Go's tabwriter pads every cell but the last, so rows with no active
        // channel end in four spaces (the lesson's copy lost them).
        assert!(
            table
                .lines()
                .nth(2)
                .unwrap()
                .ends_with("0001-01-01T00:00:00Z    ")
        );
        let trimmed: String = table
            .lines()
            .map(|l| format!("{}\n", l.trim_end()))
            .collect();
        assert_eq!(trimmed, LESSON_TABLE);
    }

    #[test]
    fn archived_channels_are_hidden() {
        let mut r = release(5, "2024-04-22T17:19:17Z", &["Stable", "Old", "Beta"]);
        r.channels[1].is_archived = true;
        assert!(releases_table(&[r]).contains("    Stable,Beta\n"));
    }

    #[test]
    fn go_time_drops_fractions_and_defaults_to_zero() {
        assert_eq!(
            go_time(Some("2024-04-22T17:19:17Z")),
            "2024-04-22T17:19:17Z"
        );
        assert_eq!(
            go_time(Some("2024-04-22T17:19:17.123456789+02:00")),
            "2024-04-22T17:19:17+02:00"
        );
        assert_eq!(go_time(None), ZERO_TIME);
        assert_eq!(go_time(Some("")), ZERO_TIME);
        // A release without a creation time shows a blank EDITED, like Go.
        let mut r = release(1, "", &[]);
        r.created = None;
        assert_eq!(
            releases_table(&[r]).lines().nth(1).unwrap(),
            format!("1           {ZERO_TIME}    {}", " ".repeat(10))
        );
    }
}
