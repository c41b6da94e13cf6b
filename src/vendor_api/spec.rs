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

/// Why a spec cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("spec_gzip is not base64: {0}")]
    NotBase64(base64::DecodeError),
    #[error("spec_gzip is not gzip data")]
    NotGzip,
    #[error("spec_gzip is not valid gzip: {0}")]
    BadGzip(std::io::Error),
    #[error("the spec inflates to more than {} MiB", MAX_SPEC_BYTES >> 20)]
    TooLarge,
    #[error("the spec is not a JSON list of files: {0}")]
    NotJson(serde_json::Error),
    /// A file's `content` (a chart package) is not base64; `path` is the file's.
    #[error("{path}: content is not base64: {error}")]
    ContentNotBase64 {
        path: String,
        error: base64::DecodeError,
    },
}

/// The files of a `spec_gzip`, or why it is not one (bounded inflation).
pub fn decode_spec_gzip(spec_gzip: &str) -> Result<Vec<KotsSingleSpec>, SpecError> {
    let gz = base64::engine::general_purpose::STANDARD
        .decode(spec_gzip.trim())
        .map_err(SpecError::NotBase64)?;
    if !gz.starts_with(&[0x1f, 0x8b]) {
        return Err(SpecError::NotGzip);
    }
    let mut json = Vec::new();
    // Every member, each checked against its CRC-32 at its end.
    flate2::read::MultiGzDecoder::new(gz.as_slice())
        .take(MAX_SPEC_BYTES + 1)
        .read_to_end(&mut json)
        .map_err(SpecError::BadGzip)?;
    if json.len() as u64 > MAX_SPEC_BYTES {
        return Err(SpecError::TooLarge);
    }
    decode_spec(&json)
}

/// The files of a plain JSON spec.
pub fn decode_spec(json: &[u8]) -> Result<Vec<KotsSingleSpec>, SpecError> {
    serde_json::from_slice(json).map_err(SpecError::NotJson)
}

/// The bytes of a spec file whose content is base64 (a `.tgz`).
pub fn decode_content(file: &KotsSingleSpec) -> Result<Vec<u8>, SpecError> {
    base64::engine::general_purpose::STANDARD
        .decode(file.content.trim())
        .map_err(|error| SpecError::ContentNotBase64 {
            path: file.path.clone(),
            error,
        })
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
        let e = decode_spec_gzip("!!!").unwrap_err();
        assert!(matches!(e, SpecError::NotBase64(_)), "{e:?}");
        assert!(
            e.to_string().starts_with("spec_gzip is not base64: "),
            "{e}"
        );
        let e = decode_spec_gzip("aGVsbG8=").unwrap_err();
        assert!(matches!(e, SpecError::NotGzip), "{e:?}");
        assert_eq!(e.to_string(), "spec_gzip is not gzip data");
        let e = decode_spec(b"{}").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("the spec is not a JSON list of files: "),
            "{e}"
        );
        let file = KotsSingleSpec {
            name: "c.tgz".into(),
            path: "charts/c.tgz".into(),
            content: "not base64!".into(),
            children: vec![],
        };
        let e = decode_content(&file).unwrap_err();
        assert!(matches!(&e, SpecError::ContentNotBase64 { path, .. } if path == "charts/c.tgz"));
        assert!(
            e.to_string()
                .starts_with("charts/c.tgz: content is not base64: "),
            "{e}"
        );
    }

    #[test]
    fn a_spec_that_inflates_past_the_limit_is_refused() {
        let json = vec![b' '; MAX_SPEC_BYTES as usize + 1];
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&json).unwrap();
        let spec_gzip = base64::engine::general_purpose::STANDARD.encode(gz.finish().unwrap());
        let e = decode_spec_gzip(&spec_gzip).unwrap_err();
        assert!(matches!(e, SpecError::TooLarge), "{e:?}");
        assert_eq!(e.to_string(), "the spec inflates to more than 64 MiB");
    }
}
