//! The Vendor API's endpoints as the `replicated` CLI calls them: the same
//! paths, query strings, bodies and expected status codes (vendor-api.md
//! §1.4), and the CLI's way of finding an app or a channel by name or ID.

use reqwest::Method;

use super::config::ENV_APP;
use super::{Client, ClientError};
use crate::vendor_api::types::{
    App, Channel, ChannelResponse, CreateReleaseRequest, ListAppsResponse, ListChannelsResponse,
    ListReleasesResponse, PromoteRequest, PromoteResponse, Release, ReleaseResponse,
};

/// Pages of releases read at most by [`Client::releases`] (20 releases each).
pub const MAX_RELEASE_PAGES: i64 = 1000;
/// Releases per page, as the CLI asks for.
const PAGE_SIZE: usize = 20;

impl Client {
    /// Resolves `config.app` (slug or ID) like the CLI: `GET /v1/apps` first
    /// (legacy apps; any HTTP error or no match falls through), then
    /// `GET /v3/apps?excludeChannels=true`, matching `id` or `slug`. The
    /// result is remembered for the life of the client. If the API cannot be
    /// reached at all, the first call's error is returned at once.
    pub fn app(&self) -> Result<App, ClientError> {
        if let Some(app) = self.app.lock().unwrap_or_else(|e| e.into_inner()).clone() {
            return Ok(app);
        }
        let wanted = self.config.app.as_str();
        if wanted.is_empty() {
            return Err(ClientError::MissingConfig {
                var: ENV_APP,
                hint: "set it to your application's slug or ID".into(),
            });
        }
        match self.get_json::<serde_json::Value>("/v1/apps", "the list of legacy apps") {
            Ok(legacy) if legacy_app_matches(&legacy, wanted) => {
                return Err(ClientError::Unsupported(format!(
                    "app {wanted:?} is a legacy (platform) app; labrun works with KOTS and Helm \
                     apps only, use the real replicated CLI for it"
                )));
            }
            Err(e @ (ClientError::Unreachable { .. } | ClientError::Timeout { .. })) => {
                return Err(e);
            }
            _ => {}
        }
        let path = "/v3/apps?excludeChannels=true";
        let apps = self
            .get_json::<ListAppsResponse>(path, "the list of apps")?
            .apps;
        match apps.iter().find(|a| a.id == wanted || a.slug == wanted) {
            Some(app) => {
                *self.app.lock().unwrap_or_else(|e| e.into_inner()) = Some(app.clone());
                Ok(app.clone())
            }
            None => Err(self.scrub(ClientError::NotFound {
                what: format!(
                    "no app {wanted:?} for this token ({ENV_APP} is the app's slug or ID); {}",
                    listing("the token's apps are", apps.iter().map(|a| a.slug.as_str()))
                ),
                method: "GET".into(),
                url: self.url(path),
                status: None,
            })),
        }
    }

    /// Every app with its channels: `GET /v3/apps` (one call).
    pub fn apps_with_channels(&self) -> Result<Vec<App>, ClientError> {
        Ok(self
            .get_json::<ListAppsResponse>("/v3/apps", "the list of apps")?
            .apps)
    }

    /// Every app without channels: `GET /v3/apps?excludeChannels=true`.
    pub fn apps(&self) -> Result<Vec<App>, ClientError> {
        Ok(self
            .get_json::<ListAppsResponse>("/v3/apps?excludeChannels=true", "the list of apps")?
            .apps)
    }

    /// A channel by ID or exact (case-sensitive) name, like the CLI:
    /// `GET …/channel/{name_or_id}`; on 404 or 403 the channels named so are
    /// listed and the one whose `id` or `name` equals `name_or_id` is taken.
    pub fn channel_by_name_or_id(
        &self,
        app_id: &str,
        name_or_id: &str,
    ) -> Result<Channel, ClientError> {
        let path = format!(
            "/v3/app/{}/channel/{}",
            query_escape(app_id),
            query_escape(name_or_id)
        );
        let what = format!("channel {name_or_id:?}");
        match self.get_json::<ChannelResponse>(&path, &what) {
            Ok(found) => return Ok(found.channel),
            Err(e) if matches!(e.status(), Some(403 | 404)) => {}
            Err(e) => return Err(e),
        }
        let path = format!(
            "/v3/app/{}/channels?channelName={}&excludeDetail=true",
            query_escape(app_id),
            query_escape(name_or_id)
        );
        let channels = self
            .get_json::<ListChannelsResponse>(&path, "the list of channels")?
            .channels;
        let mut matches = channels
            .iter()
            .filter(|c| c.id == name_or_id || c.name == name_or_id);
        match (matches.next(), matches.next()) {
            (Some(channel), None) => Ok(channel.clone()),
            (None, _) => {
                // The listing was filtered by name; list all to help the learner.
                let hint = match self.list_channels(app_id) {
                    Ok(all) if !all.is_empty() => format!(
                        " (names are case-sensitive; {})",
                        listing(
                            "the app's channels are",
                            all.iter().map(|c| c.name.as_str())
                        )
                    ),
                    _ => String::new(),
                };
                Err(self.scrub(ClientError::NotFound {
                    what: format!("no channel {name_or_id:?}{hint}"),
                    method: "GET".into(),
                    url: self.url(&path),
                    status: None,
                }))
            }
            (Some(_), Some(_)) => Err(self.scrub(ClientError::Ambiguous {
                what: format!(
                    "channel {name_or_id:?} is ambiguous: several channels have that name or \
                     ID; use the channel's ID"
                ),
                method: "GET".into(),
                url: self.url(&path),
            })),
        }
    }

    /// `GET /v3/app/{app}/channels?excludeDetail=true`.
    pub fn list_channels(&self, app_id: &str) -> Result<Vec<Channel>, ClientError> {
        let path = format!(
            "/v3/app/{}/channels?excludeDetail=true",
            query_escape(app_id)
        );
        Ok(self
            .get_json::<ListChannelsResponse>(&path, "the list of channels")?
            .channels)
    }

    /// `POST /v3/app/{app}/release` with `{"spec_gzip": …}`; expects 201.
    pub fn create_release(&self, app_id: &str, spec_gzip: String) -> Result<Release, ClientError> {
        let path = format!("/v3/app/{}/release", query_escape(app_id));
        let body = CreateReleaseRequest {
            spec_gzip: Some(spec_gzip),
            spec: None,
        };
        let created: ReleaseResponse =
            self.send_json(Method::POST, &path, Some(&body), 201, "the app")?;
        Ok(created.release)
    }

    /// `POST /v3/app/{app}/release/{sequence}/promote` to one channel; expects 200.
    pub fn promote(
        &self,
        app_id: &str,
        sequence: i64,
        channel_id: &str,
        version: &str,
        notes: &str,
    ) -> Result<PromoteResponse, ClientError> {
        let body = PromoteRequest {
            release_notes: notes.to_string(),
            version_label: version.to_string(),
            is_required: false,
            channel_ids: vec![channel_id.to_string()],
            ignore_warnings: false,
            omit_details_in_response: true,
        };
        self.promote_request(app_id, sequence, &body)
    }

    /// [`Client::promote`] with every field of the request body chosen
    /// (`isRequired` for `--required`, several channels).
    pub fn promote_request(
        &self,
        app_id: &str,
        sequence: i64,
        body: &PromoteRequest,
    ) -> Result<PromoteResponse, ClientError> {
        let path = format!(
            "/v3/app/{}/release/{sequence}/promote",
            query_escape(app_id)
        );
        self.send_json(
            Method::POST,
            &path,
            Some(body),
            200,
            &format!("release {sequence}"),
        )
    }

    /// Every release, newest first: pages `currentPage=0,1,…&pageSize=20`
    /// until an empty page (at most [`MAX_RELEASE_PAGES`]). Unlike the CLI,
    /// an error on any page is returned rather than a partial list.
    pub fn releases(&self, app_id: &str) -> Result<Vec<Release>, ClientError> {
        let mut all: Vec<Release> = Vec::new();
        for page in 0..MAX_RELEASE_PAGES {
            let path = format!(
                "/v3/app/{}/releases?currentPage={page}&pageSize={PAGE_SIZE}",
                query_escape(app_id)
            );
            let releases = self
                .get_json::<ListReleasesResponse>(&path, "the list of releases")?
                .releases;
            if releases.is_empty() {
                return Ok(all);
            }
            if page > 0
                && releases
                    .iter()
                    .all(|r| all.iter().any(|seen| seen.sequence == r.sequence))
            {
                return Err(self.scrub(ClientError::BadResponse {
                    method: "GET".into(),
                    url: self.url(&path),
                    reason: format!(
                        "page {page} repeats releases already listed: the server ignores \
                         currentPage (a page past the end must be {{\"releases\":[]}})"
                    ),
                }));
            }
            all.extend(releases);
        }
        Err(ClientError::BadResponse {
            method: "GET".into(),
            url: self.url(&format!(
                "/v3/app/{}/releases?currentPage={MAX_RELEASE_PAGES}&pageSize={PAGE_SIZE}",
                query_escape(app_id)
            )),
            reason: format!(
                "more than {MAX_RELEASE_PAGES} pages of releases; stopped reading (a page past \
                 the end must be {{\"releases\":[]}})"
            ),
        })
    }

    /// `GET /v3/app/{app}/release/{sequence}`, spec included.
    pub fn release(&self, app_id: &str, sequence: i64) -> Result<Release, ClientError> {
        let path = format!("/v3/app/{}/release/{sequence}", query_escape(app_id));
        Ok(self
            .get_json::<ReleaseResponse>(&path, &format!("release {sequence}"))?
            .release)
    }
}

fn listing<'a>(intro: &str, names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    if names.is_empty() {
        format!("{intro}: none")
    } else {
        format!("{intro}: {}", names.join(", "))
    }
}

/// `GET /v1/apps` answers `[{"App":{"Id","Slug",…},"Channels":[…]}]`.
fn legacy_app_matches(apps: &serde_json::Value, wanted: &str) -> bool {
    apps.as_array().is_some_and(|apps| {
        apps.iter().any(|entry| {
            ["Id", "Slug"].iter().any(|key| {
                entry
                    .pointer(&format!("/App/{key}"))
                    .and_then(|v| v.as_str())
                    == Some(wanted)
            })
        })
    })
}

/// Go's `url.QueryEscape`: unreserved bytes kept, space as `+`, the rest `%XX`.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_escape_matches_go() {
        assert_eq!(query_escape("Unstable"), "Unstable");
        assert_eq!(query_escape("my channel/β"), "my+channel%2F%CE%B2");
        assert_eq!(query_escape("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(query_escape("x&y=z?"), "x%26y%3Dz%3F");
    }

    #[test]
    fn legacy_apps_match_on_id_or_slug() {
        let apps: serde_json::Value =
            serde_json::from_str(r#"[{"App":{"Id":"1","Slug":"old"}},{},{"App":null}]"#).unwrap();
        assert!(legacy_app_matches(&apps, "old"));
        assert!(legacy_app_matches(&apps, "1"));
        assert!(!legacy_app_matches(&apps, "new"));
        assert!(!legacy_app_matches(&serde_json::json!({"x": 1}), "new"));
    }
}
