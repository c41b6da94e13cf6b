//! The Replicated Vendor API v3 as JSON: one set of types for the client and
//! the local server, so the two cannot drift apart. Field names, types and
//! status codes follow `shared/docs/vendor-api.md` (the `replicated` CLI's
//! own types and its Pact contract). Times are RFC 3339 strings, never "".

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct App {
    pub id: String,
    pub name: String,
    pub slug: String,
    #[serde(default)]
    pub is_kots_app: bool,
    #[serde(default)]
    pub is_archived: bool,
    #[serde(default)]
    pub team_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Absent with `excludeChannels=true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<Vec<Channel>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Channel {
    pub id: String,
    #[serde(default)]
    pub app_id: String,
    pub name: String,
    #[serde(default)]
    pub channel_slug: String,
    #[serde(default)]
    pub description: String,
    /// The release the channel points at; 0 when none.
    #[serde(default)]
    pub release_sequence: i64,
    #[serde(default)]
    pub channel_sequence: i64,
    #[serde(default)]
    pub current_version: String,
    #[serde(default)]
    pub release_notes: String,
    #[serde(default)]
    pub is_archived: bool,
    #[serde(default)]
    pub is_helm_only: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Release {
    pub app_id: String,
    pub sequence: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default)]
    pub is_archived: bool,
    #[serde(default)]
    pub spec: String,
    #[serde(default)]
    pub release_notes: String,
    #[serde(default)]
    pub is_release_not_editable: bool,
    #[serde(default)]
    pub is_helm_only: bool,
    /// The channels that point at this release now.
    #[serde(default)]
    pub channels: Vec<ChannelRef>,
    #[serde(default)]
    pub charts: Vec<ChartRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelRef {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub is_archived: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartRef {
    pub name: String,
    pub version: String,
    /// `unknown`, `pushing`, `pushed` or `error`.
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListAppsResponse {
    pub apps: Vec<App>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListChannelsResponse {
    pub channels: Vec<Channel>,
    pub total_count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelResponse {
    pub channel: Channel,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateChannelRequest {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// `POST /v3/app/{app}/release`: `spec_gzip` is base64(gzip(JSON array of
/// [`KotsSingleSpec`](super::spec::KotsSingleSpec))); the API also takes a
/// plain `spec` JSON string (see [`super::spec`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateReleaseRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_gzip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReleaseResponse {
    pub release: Release,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListReleasesResponse {
    pub releases: Vec<Release>,
    #[serde(default)]
    pub approximate_total_count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromoteRequest {
    #[serde(default)]
    pub release_notes: String,
    #[serde(default)]
    pub version_label: String,
    #[serde(default)]
    pub is_required: bool,
    pub channel_ids: Vec<String>,
    #[serde(default)]
    pub ignore_warnings: bool,
    #[serde(default)]
    pub omit_details_in_response: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromoteResponse {
    pub release: PromotedRelease,
    #[serde(default)]
    pub airgap_builds: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromotedRelease {
    pub app_id: String,
    pub sequence: i64,
}

/// Error bodies: the CLI prints `message`, and reads `error.message` on 403.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}

impl ErrorBody {
    pub fn new(code: &str, message: impl Into<String>) -> ErrorBody {
        let message = message.into();
        ErrorBody {
            error: ErrorDetail {
                code: code.to_string(),
                message: message.clone(),
            },
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_field_names_match_the_api() {
        let promote: PromoteRequest = serde_json::from_str(
            r#"{"releaseNotes":"n","versionLabel":"0.5.0","isRequired":false,"channelIds":["c"],"ignoreWarnings":false,"omitDetailsInResponse":true}"#,
        )
        .unwrap();
        assert_eq!(promote.channel_ids, ["c"]);
        let body = serde_json::to_value(ErrorBody::new("not_found", "no such channel")).unwrap();
        assert_eq!(body["error"]["message"], "no such channel");
        assert_eq!(body["message"], "no such channel");
    }
}
