//! Release uploads: the spec decoded and each chart `.tgz` inside it checked
//! the way Helm's loader would, in memory and with bounds, before anything is
//! stored. Every problem is a message for a 400 response, never a panic.

use crate::vendor_api::spec::{
    KotsSingleSpec, SpecError, decode_content, decode_spec, decode_spec_gzip,
};
use crate::vendor_api::types::{ChartRef, CreateReleaseRequest};
use std::io::Read;

/// A chart may inflate to this much; Helm's own limit is 100 MiB per archive.
const MAX_CHART_BYTES: u64 = 64 * 1024 * 1024;
/// Chart.yaml is small; a huge one is not a chart.
const MAX_CHART_YAML_BYTES: u64 = 1024 * 1024;
/// Bounds the work a hostile archive of empty entries can cause.
const MAX_ENTRIES: usize = 20_000;
/// Each chart is inflated and read; this bounds the work one upload can cause.
const MAX_CHARTS: usize = 16;
/// Bounds recursion through `children`.
const MAX_SPEC_DEPTH: usize = 32;

/// Why an upload is refused: the message of a 400 answer.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("the request needs spec_gzip or spec")]
    NoSpec,
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// The decoded spec could not be written back as JSON (kept for reading).
    #[error("{0}")]
    Encode(serde_json::Error),
    #[error("the release holds no Helm chart (.tgz); this sandbox stores Helm-only releases")]
    NoChart,
    #[error("the spec nests files too deeply")]
    TooDeep,
    #[error("a release holds at most {MAX_CHARTS} charts")]
    TooManyCharts,
    /// A spec file's `path` or `name` could escape the release's directory.
    #[error("spec file path {path:?} {why}")]
    UnsafePath { path: String, why: &'static str },
    /// A chart package in the spec is not a chart Helm would load.
    #[error("{path}: {reason}")]
    Chart { path: String, reason: String },
}

/// A checked upload: the spec to store and the charts it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Upload {
    /// The spec as a JSON string, kept so clients can read the charts back.
    pub spec: String,
    pub charts: Vec<ChartRef>,
}

/// Decodes and checks a create-release body.
pub fn parse_upload(request: &CreateReleaseRequest) -> Result<Upload, UploadError> {
    let (files, spec) = match (&request.spec_gzip, &request.spec) {
        (Some(gzip), _) => {
            let files = decode_spec_gzip(gzip)?;
            let spec = serde_json::to_string(&files).map_err(UploadError::Encode)?;
            (files, spec)
        }
        (None, Some(spec)) => (decode_spec(spec.as_bytes())?, spec.clone()),
        (None, None) => return Err(UploadError::NoSpec),
    };
    let mut charts = Vec::new();
    collect_charts(&files, 0, &mut charts)?;
    if charts.is_empty() {
        return Err(UploadError::NoChart);
    }
    Ok(Upload { spec, charts })
}

/// Checks every file's path and every chart package, depth first.
fn collect_charts(
    files: &[KotsSingleSpec],
    depth: usize,
    charts: &mut Vec<ChartRef>,
) -> Result<(), UploadError> {
    if depth > MAX_SPEC_DEPTH {
        return Err(UploadError::TooDeep);
    }
    for file in files {
        check_spec_path(&file.path)?;
        check_spec_path(&file.name)?;
        if is_chart_package(&file.path) {
            let bytes = decode_content(file)?;
            if charts.len() == MAX_CHARTS {
                return Err(UploadError::TooManyCharts);
            }
            let chart = read_chart(&bytes).map_err(|e| UploadError::Chart {
                path: file.path.clone(),
                reason: e.to_string(),
            })?;
            charts.push(chart);
        }
        collect_charts(&file.children, depth + 1, charts)?;
    }
    Ok(())
}

fn is_chart_package(path: &str) -> bool {
    path.ends_with(".tgz") || path.ends_with(".tar.gz")
}

/// Spec paths are relative to the release: no absolute paths, no `..`.
fn check_spec_path(path: &str) -> Result<(), UploadError> {
    unsafe_path(path).map_or(Ok(()), |why| {
        Err(UploadError::UnsafePath {
            path: path.to_string(),
            why,
        })
    })
}

/// Why `path` could escape the directory it is unpacked into, if it could.
fn unsafe_path(path: &str) -> Option<&'static str> {
    let bytes = path.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if path.starts_with('/') || path.starts_with('\\') || drive {
        return Some("is absolute");
    }
    if path.split(['/', '\\']).any(|part| part == "..") {
        return Some("contains \"..\"");
    }
    None
}

/// The name and version of a Helm chart package, or why it is not one.
pub fn read_chart(tgz: &[u8]) -> Result<ChartRef, String> {
    if !tgz.starts_with(&[0x1f, 0x8b]) {
        return Err("not a gzip-compressed chart package".to_string());
    }
    // Every gzip member, as Go's gzip reader (Helm's) reads them.
    let mut inflated = flate2::read::MultiGzDecoder::new(tgz).take(MAX_CHART_BYTES + 1);
    let mut chart_yaml = None;
    {
        let mut archive = tar::Archive::new(&mut inflated);
        let entries = archive
            .entries()
            .map_err(|e| format!("not a tar archive: {e}"))?;
        for (count, entry) in entries.enumerate() {
            if count >= MAX_ENTRIES {
                return Err(format!("more than {MAX_ENTRIES} entries"));
            }
            let mut entry = entry.map_err(|e| format!("damaged or oversized archive: {e}"))?;
            let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            check_entry(&entry, &path)?;
            if chart_yaml.is_none() && is_top_chart_yaml(&path)? {
                chart_yaml = Some(read_small(&mut entry, &path)?);
            }
        }
    }
    // The tar reader stops at its end marker; reading on to the end of the
    // gzip data is what checks each member's CRC-32 and length.
    std::io::copy(&mut inflated, &mut std::io::sink())
        .map_err(|e| format!("damaged gzip data: {e}"))?;
    if inflated.limit() == 0 {
        return Err(format!(
            "the chart inflates to more than {} MiB",
            MAX_CHART_BYTES >> 20
        ));
    }
    let text = chart_yaml.ok_or("no Chart.yaml in the chart's top directory; not a Helm chart")?;
    chart_metadata(&text)
}

/// Rejects entries Helm's loader rejects, and links, which a chart never needs.
fn check_entry<R: Read>(entry: &tar::Entry<'_, R>, path: &str) -> Result<(), String> {
    if let Some(why) = unsafe_path(path) {
        return Err(format!("archive entry {path:?} {why}"));
    }
    let kind = entry.header().entry_type();
    if kind.is_symlink() || kind.is_hard_link() {
        return Err(format!("archive entry {path:?} is a link"));
    }
    Ok(())
}

/// `<top>/Chart.yaml`; a Chart.yaml at the archive root is Helm's
/// "chart yaml not in base directory".
fn is_top_chart_yaml(path: &str) -> Result<bool, String> {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    match parts.as_slice() {
        ["Chart.yaml"] => {
            Err("Chart.yaml is at the archive root, not in the chart's top directory".to_string())
        }
        [_, "Chart.yaml"] => Ok(true),
        _ => Ok(false),
    }
}

fn read_small<R: Read>(entry: &mut R, path: &str) -> Result<String, String> {
    let mut bytes = Vec::new();
    entry
        .take(MAX_CHART_YAML_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{path}: {e}"))?;
    if bytes.len() as u64 > MAX_CHART_YAML_BYTES {
        return Err(format!("{path} is larger than 1 MiB"));
    }
    String::from_utf8(bytes).map_err(|_| format!("{path} is not UTF-8 text"))
}

/// `name` and `version` from Chart.yaml; both are required by Helm.
fn chart_metadata(text: &str) -> Result<ChartRef, String> {
    let root = crate::yaml::parse(text)
        .map_err(|e| format!("Chart.yaml: {e}"))?
        .ok_or("Chart.yaml is empty")?;
    let field = |key: &str| match root.lookup(key) {
        crate::yaml::Lookup::Found(node) => node
            .as_scalar()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .ok_or(format!("Chart.yaml: {key} must be a non-empty string")),
        _ => Err(format!("Chart.yaml has no {key}")),
    };
    let name = field("name")?;
    if name.contains(['/', '\\']) || name == "." || name == ".." {
        return Err(format!("Chart.yaml: invalid chart name {name:?}"));
    }
    Ok(ChartRef {
        name,
        version: field("version")?,
        status: "pushed".to_string(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::vendor_api::spec::encode_chart_spec;

    /// A gzip tar of `(path, contents)` entries, written raw so that tests can
    /// build the hostile paths the `tar` builder refuses.
    pub(crate) fn tgz(entries: &[(&str, &str)]) -> Vec<u8> {
        let mut tar = Vec::new();
        for (path, contents) in entries {
            let mut header = tar::Header::new_old();
            header.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
            header.set_size(contents.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            header.set_cksum();
            tar.extend_from_slice(header.as_bytes());
            tar.extend_from_slice(contents.as_bytes());
            tar.resize(tar.len().next_multiple_of(512), 0);
        }
        tar.resize(tar.len() + 1024, 0);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        gz.finish().unwrap()
    }

    pub(crate) const CHART_YAML: &str = "apiVersion: v2\nname: slackernews\nversion: 0.5.0\n";

    pub(crate) fn chart_request(entries: &[(&str, &str)]) -> CreateReleaseRequest {
        CreateReleaseRequest {
            spec_gzip: Some(encode_chart_spec("slackernews-0.5.0.tgz", &tgz(entries))),
            spec: None,
        }
    }

    #[test]
    fn a_chart_package_is_read() {
        let upload = parse_upload(&chart_request(&[
            ("slackernews/Chart.yaml", CHART_YAML),
            ("slackernews/values.yaml", "a: 1\n"),
        ]))
        .unwrap();
        assert_eq!(upload.charts[0].name, "slackernews");
        assert_eq!(upload.charts[0].version, "0.5.0");
        assert!(upload.spec.contains("slackernews-0.5.0.tgz"));
    }

    /// `tgz` with one byte of its gzip trailer (the CRC-32) changed.
    pub(crate) fn with_bad_crc(mut tgz: Vec<u8>) -> Vec<u8> {
        let at = tgz.len() - 8;
        tgz[at] ^= 0xff;
        tgz
    }

    #[test]
    fn gzip_checksums_are_verified_in_every_member() {
        let good = tgz(&[("slackernews/Chart.yaml", CHART_YAML)]);
        assert!(read_chart(&good).is_ok());
        let err = read_chart(&with_bad_crc(good.clone())).unwrap_err();
        assert!(err.contains("damaged gzip data"), "{err}");
        // A second member after a whole chart is read and checked too.
        let mut two = good.clone();
        two.extend(with_bad_crc(good.clone()));
        let err = read_chart(&two).unwrap_err();
        assert!(err.contains("damaged gzip data"), "{err}");
        let mut fine = good.clone();
        fine.extend(good);
        assert!(read_chart(&fine).is_ok());
    }

    #[test]
    fn a_plain_spec_is_kept_as_sent() {
        let gzip = chart_request(&[("slackernews/Chart.yaml", CHART_YAML)]).spec_gzip;
        let files = decode_spec_gzip(&gzip.unwrap()).unwrap();
        let spec = serde_json::to_string_pretty(&files).unwrap();
        let request = CreateReleaseRequest {
            spec_gzip: None,
            spec: Some(spec.clone()),
        };
        assert_eq!(parse_upload(&request).unwrap().spec, spec);
    }

    #[test]
    fn traversal_in_the_archive_is_refused() {
        let request = chart_request(&[
            ("slackernews/Chart.yaml", CHART_YAML),
            ("slackernews/../../etc/passwd", "x"),
        ]);
        let err = parse_upload(&request).unwrap_err();
        assert!(matches!(err, UploadError::Chart { .. }), "{err:?}");
        assert!(err.to_string().contains("\"..\""), "{err}");
        let err = read_chart(&tgz(&[("/slackernews/Chart.yaml", CHART_YAML)])).unwrap_err();
        assert!(err.contains("absolute"), "{err}");
    }

    #[test]
    fn traversal_in_spec_paths_is_refused() {
        let spec = r#"[{"name":"x.yaml","path":"../x.yaml","content":"a: 1","children":[]}]"#;
        let request = CreateReleaseRequest {
            spec_gzip: None,
            spec: Some(spec.to_string()),
        };
        let err = parse_upload(&request).unwrap_err();
        assert!(
            matches!(&err, UploadError::UnsafePath { path, .. } if path == "../x.yaml"),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "spec file path \"../x.yaml\" contains \"..\""
        );
    }

    #[test]
    fn non_charts_are_explained() {
        let no_chart = read_chart(&tgz(&[("slackernews/values.yaml", "a: 1\n")])).unwrap_err();
        assert!(no_chart.contains("no Chart.yaml"), "{no_chart}");
        let root = read_chart(&tgz(&[("Chart.yaml", CHART_YAML)])).unwrap_err();
        assert!(root.contains("archive root"), "{root}");
        let no_version =
            read_chart(&tgz(&[("c/Chart.yaml", "apiVersion: v2\nname: c\n")])).unwrap_err();
        assert!(no_version.contains("no version"), "{no_version}");
        assert!(read_chart(b"plain text").unwrap_err().contains("gzip"));
        let empty = CreateReleaseRequest {
            spec_gzip: None,
            spec: Some("[]".to_string()),
        };
        assert!(matches!(
            parse_upload(&empty).unwrap_err(),
            UploadError::NoChart
        ));
        let neither = CreateReleaseRequest {
            spec_gzip: None,
            spec: None,
        };
        assert_eq!(
            parse_upload(&neither).unwrap_err().to_string(),
            "the request needs spec_gzip or spec"
        );
    }
}
