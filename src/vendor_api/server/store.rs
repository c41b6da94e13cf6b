//! The sandbox's state: one app, its channels and releases, and the
//! mutations the Vendor API allows, with their limits. No HTTP and no files
//! here (see `persist.rs`).

use super::seed;
use crate::vendor_api::types::{
    App, Channel, ChannelRef, ChartRef, CreateChannelRequest, ListReleasesResponse, PromoteRequest,
    PromoteResponse, PromotedRelease, Release,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// The state file's format. 2 keeps large specs in files beside the state;
/// format 1 (every spec inline) is still read, and written back as 2.
pub const FORMAT: u32 = 2;
/// The formats this version reads.
pub const READABLE_FORMATS: [u32; 2] = [1, 2];
/// The longest channel name accepted.
const MAX_CHANNEL_NAME: usize = 255;
/// Releases one sandbox app holds at most: far more than any lesson makes,
/// and it keeps the state file small.
pub const MAX_RELEASES: usize = 10_000;
/// All stored specs together (each distinct spec counted once): a loop of
/// large uploads must not fill the learner's disk.
pub const MAX_SPEC_STORAGE: u64 = 1024 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub format: u32,
    /// Stored without `channels`; responses add them.
    pub app: App,
    /// In creation order, archived ones included (ids stay unique).
    pub channels: Vec<Channel>,
    /// In sequence order; `channels` is empty here and computed for responses.
    /// A release whose spec is in a file (see `spec_files`) has an empty `spec`.
    pub releases: Vec<Release>,
    /// Specs kept in content-addressed files beside the state, by release
    /// sequence, so that a change never rewrites megabytes of charts.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub spec_files: BTreeMap<i64, SpecFile>,
}

/// A spec stored in its own file, named by its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SpecFile {
    pub sha256: String,
    pub bytes: u64,
}

/// Where a new release's spec is kept.
#[derive(Debug, Clone, PartialEq)]
pub enum NewSpec {
    /// In the state itself (small specs, or no state file).
    Inline(String),
    /// Already written to its file.
    File(SpecFile),
}

/// Why a request could not be served; the routes map these to status codes.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    /// The request body names something that does not exist (a 400, not a 404:
    /// the URL itself was fine).
    #[error("{0}")]
    UnknownReference(String),
    /// A limit of the sandbox (the number of releases, stored bytes, the
    /// largest sequence) would be passed.
    #[error("{0}")]
    Limit(String),
    #[error("could not save the sandbox state: {0}")]
    Persist(String),
    /// The state could not be read (a damaged or missing file).
    #[error("{0}")]
    Load(String),
}

impl State {
    /// Whether `id_or_slug` names this app (the API accepts either).
    pub fn is_app(&self, id_or_slug: &str) -> bool {
        id_or_slug == self.app.id || id_or_slug == self.app.slug
    }

    /// The app, with its live channels unless they are excluded.
    pub fn app_view(&self, with_channels: bool) -> App {
        let mut app = self.app.clone();
        app.channels = with_channels.then(|| self.channels(None));
        app
    }

    /// Live (non-archived) channels, optionally only the one named exactly `name`.
    pub fn channels(&self, name: Option<&str>) -> Vec<Channel> {
        self.live_channels()
            .filter(|c| name.is_none_or(|n| c.name == n))
            .cloned()
            .collect()
    }

    /// A live channel by id. Names are not resolved: the CLI expects a 404
    /// and then lists channels (vendor-api.md §1.3).
    pub fn channel(&self, id: &str) -> Option<Channel> {
        self.live_channels().find(|c| c.id == id).cloned()
    }

    fn live_channels(&self) -> impl Iterator<Item = &Channel> {
        self.channels.iter().filter(|c| !c.is_archived)
    }

    pub fn create_channel(
        &mut self,
        request: &CreateChannelRequest,
        now: &str,
    ) -> Result<Channel, StoreError> {
        let name = request.name.trim();
        if name.is_empty() || name.len() > MAX_CHANNEL_NAME {
            return Err(StoreError::Invalid(format!(
                "a channel name of 1 to {MAX_CHANNEL_NAME} characters is required"
            )));
        }
        // Case-insensitive so `lts` cannot sit beside `LTS` and confuse lookups.
        if self
            .live_channels()
            .any(|c| c.name.eq_ignore_ascii_case(name))
        {
            return Err(StoreError::Invalid(format!(
                "a channel named {name:?} already exists"
            )));
        }
        let index = self.unused_channel_index();
        let channel = seed::new_channel(&self.app, index, name, &request.description, now);
        self.channels.push(channel.clone());
        Ok(channel)
    }

    /// The next index whose derived id is free (a hand-edited file may hold any ids).
    fn unused_channel_index(&self) -> usize {
        (self.channels.len()..)
            .find(|&i| {
                let id = seed::channel_id(&self.app.slug, i);
                self.channels.iter().all(|c| c.id != id)
            })
            .unwrap_or_default()
    }

    /// Archives a live channel: it disappears from lists and lookups.
    pub fn archive_channel(&mut self, id: &str, now: &str) -> Result<Channel, StoreError> {
        let channel = self
            .channels
            .iter_mut()
            .find(|c| c.id == id && !c.is_archived)
            .ok_or_else(|| StoreError::NotFound(format!("channel {id} not found")))?;
        channel.is_archived = true;
        channel.updated = Some(now.to_string());
        Ok(channel.clone())
    }

    /// Stores a checked upload's charts and spec as the next release. The
    /// answer's `spec` is empty when the spec is in a file.
    pub fn create_release(
        &mut self,
        charts: Vec<ChartRef>,
        spec: NewSpec,
        now: &str,
    ) -> Result<Release, StoreError> {
        if self.releases.len() >= MAX_RELEASES {
            return Err(StoreError::Limit(format!(
                "this sandbox holds at most {MAX_RELEASES} releases; remove its state file to start afresh"
            )));
        }
        let sequence = self.next_sequence()?;
        let added = match &spec {
            NewSpec::Inline(text) => text.len() as u64,
            NewSpec::File(file) if self.spec_files.values().any(|f| f == file) => 0,
            NewSpec::File(file) => file.bytes,
        };
        if self.stored_spec_bytes().saturating_add(added) > MAX_SPEC_STORAGE {
            return Err(StoreError::Limit(format!(
                "this sandbox stores at most {} MiB of release specs; remove its state file to start afresh",
                MAX_SPEC_STORAGE >> 20
            )));
        }
        let inline = match spec {
            NewSpec::Inline(text) => text,
            NewSpec::File(file) => {
                self.spec_files.insert(sequence, file);
                String::new()
            }
        };
        self.releases.push(Release {
            app_id: self.app.id.clone(),
            sequence,
            created: Some(now.to_string()),
            is_archived: false,
            spec: inline,
            release_notes: String::new(),
            is_release_not_editable: true,
            is_helm_only: true,
            channels: vec![],
            charts,
        });
        Ok(self.release_view(self.releases.len() - 1, true))
    }

    /// The next sequence, or a clear error when a (hand-edited) state is at
    /// the largest one: never a wrap to a negative number.
    fn next_sequence(&self) -> Result<i64, StoreError> {
        let last = self.releases.iter().map(|r| r.sequence).max().unwrap_or(0);
        last.checked_add(1).ok_or_else(|| {
            StoreError::Limit(format!(
                "release sequence {last} is the largest possible; no release can follow it \
                 (the state file was edited by hand?)"
            ))
        })
    }

    /// Bytes of every spec held: inline ones, and each spec file once.
    fn stored_spec_bytes(&self) -> u64 {
        let inline: u64 = self.releases.iter().map(|r| r.spec.len() as u64).sum();
        let files: HashSet<&SpecFile> = self.spec_files.values().collect();
        inline.saturating_add(files.iter().map(|f| f.bytes).sum())
    }

    /// The file holding release `sequence`'s spec, if it is in one.
    pub fn spec_file(&self, sequence: i64) -> Option<&SpecFile> {
        self.spec_files.get(&sequence)
    }

    /// One release with its spec, or None.
    pub fn release(&self, sequence: i64) -> Option<Release> {
        let index = self.release_index(sequence)?;
        Some(self.release_view(index, true))
    }

    fn release_index(&self, sequence: i64) -> Option<usize> {
        self.releases.iter().position(|r| r.sequence == sequence)
    }

    /// The stored release plus the live channels pointing at it.
    fn release_view(&self, index: usize, with_spec: bool) -> Release {
        let mut release = self.releases[index].clone();
        release.channels = self
            .live_channels()
            .filter(|c| c.release_sequence == release.sequence)
            .map(|c| ChannelRef {
                id: c.id.clone(),
                name: c.name.clone(),
                is_archived: false,
            })
            .collect();
        if !with_spec {
            release.spec.clear();
        }
        release
    }

    /// Page `page` (from 0) of `page_size` releases, newest first. A page past
    /// the end is empty: that is how the CLI's paging loop stops.
    pub fn list_releases(&self, page: usize, page_size: usize) -> ListReleasesResponse {
        let mut order: Vec<usize> = (0..self.releases.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(self.releases[i].sequence));
        let skip = page.saturating_mul(page_size);
        ListReleasesResponse {
            releases: order
                .into_iter()
                .skip(skip)
                .take(page_size)
                .map(|i| self.release_view(i, false))
                .collect(),
            approximate_total_count: self.releases.len(),
        }
    }

    /// Points each channel in the request at release `sequence`. Either every
    /// channel moves or none does.
    pub fn promote(
        &mut self,
        sequence: i64,
        request: &PromoteRequest,
        now: &str,
    ) -> Result<PromoteResponse, StoreError> {
        let index = self
            .release_index(sequence)
            .ok_or_else(|| StoreError::NotFound(format!("release {sequence} not found")))?;
        let targets = self.promote_targets(&request.channel_ids)?;
        // Without a version label the channel shows the chart's version.
        let version = match request.version_label.trim() {
            "" => self.releases[index]
                .charts
                .first()
                .map(|c| c.version.clone())
                .unwrap_or_default(),
            label => label.to_string(),
        };
        let overflow = |name: &str| {
            StoreError::Limit(format!(
                "channel {name} is at the largest channel sequence; it cannot be promoted to again"
            ))
        };
        for &target in &targets {
            let channel = &self.channels[target];
            if channel.channel_sequence.checked_add(1).is_none() {
                return Err(overflow(&channel.name));
            }
        }
        for target in targets {
            let channel = &mut self.channels[target];
            channel.release_sequence = sequence;
            channel.current_version = version.clone();
            channel.channel_sequence += 1;
            channel.release_notes = request.release_notes.clone();
            channel.updated = Some(now.to_string());
        }
        if !request.release_notes.is_empty() {
            self.releases[index].release_notes = request.release_notes.clone();
        }
        Ok(PromoteResponse {
            release: PromotedRelease {
                app_id: self.app.id.clone(),
                sequence,
            },
            airgap_builds: vec![],
            warnings: vec![],
        })
    }

    /// Indexes of the live channels named by `ids`, each once.
    fn promote_targets(&self, ids: &[String]) -> Result<Vec<usize>, StoreError> {
        if ids.is_empty() {
            return Err(StoreError::Invalid(
                "channelIds must name at least one channel".into(),
            ));
        }
        let mut targets = Vec::new();
        for id in ids {
            let index = self
                .channels
                .iter()
                .position(|c| &c.id == id && !c.is_archived)
                .ok_or_else(|| StoreError::UnknownReference(format!("channel {id} not found")))?;
            if !targets.contains(&index) {
                targets.push(index);
            }
        }
        Ok(targets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vendor_api::server::upload::{parse_upload, tests as upload_tests};

    const NOW: &str = "2030-01-01T00:00:00Z";
    const SLUG: &str = "slackernews-mackerel";

    /// Creates a release of the test chart, its spec inline.
    fn create(state: &mut State) -> Result<Release, StoreError> {
        let request =
            upload_tests::chart_request(&[("slackernews/Chart.yaml", upload_tests::CHART_YAML)]);
        let upload = parse_upload(&request).unwrap();
        state.create_release(upload.charts, NewSpec::Inline(upload.spec), NOW)
    }

    fn channel_id(state: &State, name: &str) -> String {
        state.channels(Some(name))[0].id.clone()
    }

    fn promote_request(ids: Vec<String>) -> PromoteRequest {
        PromoteRequest {
            release_notes: "notes".into(),
            version_label: "0.5.0".into(),
            is_required: false,
            channel_ids: ids,
            ignore_warnings: false,
            omit_details_in_response: true,
        }
    }

    #[test]
    fn the_seed_matches_the_track_setup() {
        let state = seed::seed(SLUG);
        assert_eq!(state.app.id.len(), 27);
        let names: Vec<_> = state.channels(None).into_iter().map(|c| c.name).collect();
        assert_eq!(names, ["Stable", "Beta", "Unstable", "LTS"]);
        for name in ["Stable", "Beta", "Unstable"] {
            let channel = &state.channels(Some(name))[0];
            assert_eq!(
                (channel.release_sequence, channel.current_version.as_str()),
                (4, "0.4.1")
            );
        }
        let lts = &state.channels(Some("LTS"))[0];
        assert_eq!(
            (lts.release_sequence, lts.current_version.as_str()),
            (0, "")
        );
        let versions: Vec<_> = state
            .releases
            .iter()
            .map(|r| r.charts[0].version.as_str())
            .collect();
        assert_eq!(versions, ["0.2.0", "0.3.0", "0.4.0", "0.4.1"]);
        let created: Vec<_> = state
            .releases
            .iter()
            .map(|r| r.created.clone().unwrap())
            .collect();
        assert!(created.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(state.release(4).unwrap().channels.len(), 3);
    }

    #[test]
    fn the_first_new_release_is_sequence_5() {
        let mut state = seed::seed(SLUG);
        let release = create(&mut state).unwrap();
        assert_eq!(release.sequence, 5);
        assert_eq!(release.charts[0].version, "0.5.0");
        assert!(release.channels.is_empty());
        assert!(
            state
                .release(5)
                .unwrap()
                .spec
                .contains("slackernews-0.5.0.tgz")
        );
        assert_eq!(create(&mut state).unwrap().sequence, 6);
    }

    #[test]
    fn sequences_never_wrap() {
        let mut state = seed::seed(SLUG);
        state.releases[3].sequence = i64::MAX;
        let err = create(&mut state).unwrap_err();
        assert!(
            matches!(&err, StoreError::Limit(m) if m.contains("9223372036854775807")),
            "{err}"
        );
        assert_eq!(state.releases.len(), 4);
        let unstable = channel_id(&state, "Unstable");
        let index = state
            .channels
            .iter()
            .position(|c| c.id == unstable)
            .unwrap();
        state.channels[index].channel_sequence = i64::MAX;
        let err = state
            .promote(3, &promote_request(vec![unstable]), NOW)
            .unwrap_err();
        assert!(matches!(err, StoreError::Limit(_)));
        assert_eq!(state.channels[index].release_sequence, 4, "nothing moved");
    }

    #[test]
    fn the_number_of_releases_is_capped() {
        let mut state = seed::seed(SLUG);
        let template = state.releases[0].clone();
        state.releases = (1..=MAX_RELEASES as i64)
            .map(|sequence| Release {
                sequence,
                ..template.clone()
            })
            .collect();
        let err = create(&mut state).unwrap_err();
        assert!(
            matches!(&err, StoreError::Limit(m) if m.contains("at most")),
            "{err}"
        );
    }

    #[test]
    fn promote_moves_channels() {
        let mut state = seed::seed(SLUG);
        create(&mut state).unwrap();
        let unstable = channel_id(&state, "Unstable");
        let response = state
            .promote(5, &promote_request(vec![unstable.clone()]), NOW)
            .unwrap();
        assert_eq!(response.release.sequence, 5);
        let channel = state.channel(&unstable).unwrap();
        assert_eq!(channel.release_sequence, 5);
        assert_eq!(channel.current_version, "0.5.0");
        assert_eq!(channel.channel_sequence, 4);
        assert_eq!(channel.release_notes, "notes");
        assert_eq!(channel.updated.as_deref(), Some(NOW));
        let on_5: Vec<_> = state
            .release(5)
            .unwrap()
            .channels
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(on_5, ["Unstable"]);
        assert_eq!(state.release(4).unwrap().channels.len(), 2);
    }

    #[test]
    fn promote_errors_change_nothing() {
        let mut state = seed::seed(SLUG);
        let before = state.clone();
        let beta = channel_id(&state, "Beta");
        let missing = state.promote(9, &promote_request(vec![beta.clone()]), NOW);
        assert!(matches!(missing, Err(StoreError::NotFound(_))));
        let unknown = state.promote(3, &promote_request(vec![beta, "nope".into()]), NOW);
        assert!(matches!(unknown, Err(StoreError::UnknownReference(m)) if m.contains("nope")));
        let none = state.promote(3, &promote_request(vec![]), NOW);
        assert!(matches!(none, Err(StoreError::Invalid(_))));
        assert_eq!(state, before);
    }

    #[test]
    fn releases_are_paged_newest_first() {
        let mut state = seed::seed(SLUG);
        create(&mut state).unwrap();
        let first = state.list_releases(0, 2);
        let sequences: Vec<_> = first.releases.iter().map(|r| r.sequence).collect();
        assert_eq!(sequences, [5, 4]);
        assert_eq!(first.approximate_total_count, 5);
        assert!(first.releases.iter().all(|r| r.spec.is_empty()));
        assert_eq!(first.releases[1].channels.len(), 3);
        assert_eq!(state.list_releases(2, 2).releases.len(), 1);
        assert!(state.list_releases(3, 2).releases.is_empty());
        assert!(state.list_releases(usize::MAX, 20).releases.is_empty());
    }

    #[test]
    fn channels_are_created_and_archived() {
        let mut state = seed::seed(SLUG);
        let request = |name: &str| CreateChannelRequest {
            name: name.into(),
            description: String::new(),
        };
        assert!(matches!(
            state.create_channel(&request("lts"), NOW),
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            state.create_channel(&request(" "), NOW),
            Err(StoreError::Invalid(_))
        ));
        let nightly = state.create_channel(&request("Nightly"), NOW).unwrap();
        assert_eq!(nightly.channel_slug, "nightly");
        assert!(state.channels.iter().filter(|c| c.id == nightly.id).count() == 1);
        state.archive_channel(&nightly.id, NOW).unwrap();
        assert!(state.channel(&nightly.id).is_none());
        assert!(matches!(
            state.archive_channel(&nightly.id, NOW),
            Err(StoreError::NotFound(_))
        ));
        let again = state.create_channel(&request("Nightly"), NOW).unwrap();
        assert_ne!(again.id, nightly.id);
    }
}
