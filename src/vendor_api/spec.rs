//! A release's spec: the files of a release as the Vendor API carries them,
//! a JSON list of [`KotsSingleSpec`], sent gzipped and base64-encoded as
//! `spec_gzip` (what `replicated release create --chart` sends), with chart
//! packages inside as base64. Encoded by the `replicated` stand-in, decoded
//! (with bounds) by the local server and the release check.

use base64::Engine;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

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
}
