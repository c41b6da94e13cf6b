//! The state a fresh sandbox starts from: the app as the lab's track setup
//! leaves it (vendor-api.md §5), so the learner's first release is sequence 5.

use super::store::{FORMAT, State};
use crate::vendor_api::types::{App, Channel, ChartRef, Release};

/// When the track setup created the app and its channels.
const APP_CREATED: &str = "2024-04-22T16:20:00Z";

/// A seed release: (version, notes, created).
type SeedRelease = (&'static str, &'static str, &'static str);
/// A seed channel: (name, description, channelSequence, updated).
type SeedChannel = (&'static str, &'static str, i64, &'static str);

/// Releases 1–4 of the track setup.
const RELEASES: [SeedRelease; 4] = [
    ("0.2.0", "Adds the Replicated SDK", "2024-04-22T16:21:05Z"),
    ("0.3.0", "Adds preflight checks", "2024-04-22T16:21:48Z"),
    ("0.4.0", "Adds a support bundle", "2024-04-22T16:22:31Z"),
    (
        "0.4.1",
        "Fixes the support bundle URI",
        "2024-04-22T16:23:39Z",
    ),
];

/// Channels in the order the CLI lists them.
/// Unstable received all four releases (channel sequences 0–3); Beta and
/// Stable only release 4; LTS was created last and never released to.
const CHANNELS: [SeedChannel; 4] = [
    ("Stable", "", 0, "2024-04-22T16:23:52Z"),
    ("Beta", "", 0, "2024-04-22T16:23:46Z"),
    ("Unstable", "", 3, "2024-04-22T16:23:40Z"),
    (
        "LTS",
        "Releases with long-term support available",
        0,
        "2024-04-22T16:24:10Z",
    ),
];

/// The chart every seed release holds.
const CHART: &str = "slackernews";

/// A fresh state for the app `slug`.
pub fn seed(slug: &str) -> State {
    let app = App {
        id: app_id(slug),
        name: "Slackernews".to_string(),
        slug: slug.to_string(),
        is_kots_app: true,
        is_archived: false,
        team_id: stable_id(&format!("{slug}/team")),
        created: Some(APP_CREATED.to_string()),
        channels: None,
    };
    State {
        format: FORMAT,
        releases: releases(&app.id),
        channels: channels(&app),
        app,
        spec_files: Default::default(),
    }
}

fn releases(app_id: &str) -> Vec<Release> {
    let release = |(&(version, notes, created), sequence): (&SeedRelease, i64)| Release {
        app_id: app_id.to_string(),
        sequence,
        created: Some(created.to_string()),
        is_archived: false,
        // Seed releases need no chart bytes: nothing reads them back.
        spec: "[]".to_string(),
        release_notes: notes.to_string(),
        is_release_not_editable: true,
        is_helm_only: true,
        channels: vec![],
        charts: vec![ChartRef {
            name: CHART.to_string(),
            version: version.to_string(),
            status: "pushed".to_string(),
        }],
    };
    RELEASES.iter().zip(1..).map(release).collect()
}

/// Stable, Beta and Unstable on release 4; LTS, created last, on none.
fn channels(app: &App) -> Vec<Channel> {
    let (version, notes, _) = RELEASES[3];
    let channel =
        |(index, &(name, description, channel_sequence, updated)): (usize, &SeedChannel)| {
            let mut channel = new_channel(app, index, name, description, updated);
            channel.channel_sequence = channel_sequence;
            if name != "LTS" {
                channel.created = Some(APP_CREATED.to_string());
                channel.release_sequence = 4;
                channel.current_version = version.to_string();
                channel.release_notes = notes.to_string();
            }
            channel
        };
    CHANNELS.iter().enumerate().map(channel).collect()
}

/// A channel of `app` with no release yet; `index` makes its id unique.
pub fn new_channel(app: &App, index: usize, name: &str, description: &str, now: &str) -> Channel {
    Channel {
        id: channel_id(&app.slug, index),
        app_id: app.id.clone(),
        name: name.to_string(),
        channel_slug: channel_slug(name),
        description: description.to_string(),
        release_sequence: 0,
        channel_sequence: 0,
        current_version: String::new(),
        release_notes: String::new(),
        is_archived: false,
        is_helm_only: true,
        created: Some(now.to_string()),
        updated: Some(now.to_string()),
    }
}

/// The app's id: derived from the slug so that a reset sandbox keeps it and
/// the `replicated` CLI's app cache stays valid (vendor-api.md §1.1).
pub fn app_id(slug: &str) -> String {
    stable_id(&format!("{slug}/app"))
}

/// The id of the `index`th channel ever created in the app.
pub fn channel_id(slug: &str, index: usize) -> String {
    stable_id(&format!("{slug}/channel/{index}"))
}

/// `Long Term Support` → `long-term-support`.
fn channel_slug(name: &str) -> String {
    let mapped: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    mapped
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A 27-character base62 id (the shape of Replicated's KSUIDs), the same for
/// the same `seed` on every machine and Rust version: FNV-1a, not std's hasher.
pub fn stable_id(seed: &str) -> String {
    let mut id = String::with_capacity(27);
    for round in 0u8..3 {
        let mut hash = fnv1a(seed.as_bytes(), round);
        // 62^9 < 2^64, so nine digits per hash.
        for _ in 0..9 {
            id.push(char::from(BASE62[(hash % 62) as usize]));
            hash /= 62;
        }
    }
    id
}

fn fnv1a(bytes: &[u8], salt: u8) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in std::iter::once(&salt).chain(bytes) {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct() {
        let id = app_id("slackernews-mackerel");
        assert_eq!(id.len(), 27);
        assert_eq!(id, app_id("slackernews-mackerel"));
        assert_ne!(id, app_id("slackernews-herring"));
        assert_ne!(channel_id("a", 0), channel_id("a", 1));
    }

    #[test]
    fn channel_slugs_are_lowercase_words() {
        assert_eq!(channel_slug("Unstable"), "unstable");
        assert_eq!(channel_slug(" Long  Term-Support "), "long-term-support");
    }
}
