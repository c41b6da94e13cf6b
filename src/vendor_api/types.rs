//! The Replicated Vendor API v3 as JSON: one set of types for the client and
//! the local server, so the two cannot drift apart. Field names, types and
//! status codes follow `shared/docs/vendor-api.md` (the `replicated` CLI's
//! own types and its Pact contract). Times are RFC 3339 strings, never "".

use base64::Engine;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

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
/// [`KotsSingleSpec`])); the API also takes a plain `spec` JSON string.
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

/// One file of a release spec. Binary content (a chart `.tgz`) is base64.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KotsSingleSpec {
    pub name: String,
    pub path: String,
    pub content: String,
    #[serde(default)]
    pub children: Vec<KotsSingleSpec>,
}

/// Spec files larger than this (after inflating) are refused.
pub const MAX_SPEC_BYTES: u64 = 64 * 1024 * 1024;

/// `spec_gzip` for a release made of one chart package, as the CLI sends it.
pub fn encode_chart_spec(file_name: &str, tgz: &[u8]) -> String {
    let engine = base64::engine::general_purpose::STANDARD;
    let spec = vec![KotsSingleSpec {
        name: file_name.to_string(),
        path: file_name.to_string(),
        content: engine.encode(tgz),
        children: vec![],
    }];
    let json = serde_json::to_vec(&spec).expect("spec serializes");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&json).expect("writing to memory");
    engine.encode(gz.finish().expect("writing to memory"))
}

/// The files of a `spec_gzip`, or why it is not one (bounded inflation).
pub fn decode_spec_gzip(spec_gzip: &str) -> Result<Vec<KotsSingleSpec>, String> {
    let gz = base64::engine::general_purpose::STANDARD
        .decode(spec_gzip.trim())
        .map_err(|e| format!("spec_gzip is not base64: {e}"))?;
    if !gz.starts_with(&[0x1f, 0x8b]) {
        return Err("spec_gzip is not gzip data".into());
    }
    let mut json = Vec::new();
    // Every member, each checked against its CRC-32 at its end.
    flate2::read::MultiGzDecoder::new(gz.as_slice())
        .take(MAX_SPEC_BYTES + 1)
        .read_to_end(&mut json)
        .map_err(|e| format!("spec_gzip is not valid gzip: {e}"))?;
    if json.len() as u64 > MAX_SPEC_BYTES {
        return Err(format!(
            "the spec inflates to more than {} MiB",
            MAX_SPEC_BYTES >> 20
        ));
    }
    decode_spec(&json)
}

/// The files of a plain JSON spec.
pub fn decode_spec(json: &[u8]) -> Result<Vec<KotsSingleSpec>, String> {
    serde_json::from_slice(json).map_err(|e| format!("the spec is not a JSON list of files: {e}"))
}

/// The bytes of a spec file whose content is base64 (a `.tgz`).
pub fn decode_content(file: &KotsSingleSpec) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::STANDARD
        .decode(file.content.trim())
        .map_err(|e| format!("{}: content is not base64: {e}", file.path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_spec_round_trips() {
        let spec = encode_chart_spec("slackernews-0.5.0.tgz", b"\x1f\x8bchart");
        let files = decode_spec_gzip(&spec).unwrap();
        assert_eq!(files[0].path, "slackernews-0.5.0.tgz");
        assert_eq!(decode_content(&files[0]).unwrap(), b"\x1f\x8bchart");
    }

    #[test]
    fn bad_specs_are_explained() {
        assert!(decode_spec_gzip("!!!").unwrap_err().contains("not base64"));
        assert!(
            decode_spec_gzip("aGVsbG8=")
                .unwrap_err()
                .contains("not gzip")
        );
    }

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
