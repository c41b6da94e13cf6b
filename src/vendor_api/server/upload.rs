//! Release uploads: the spec decoded and each chart `.tgz` inside it checked
//! by the one chart reader ([`crate::chart`]), as Helm's loader would, in
//! memory and with bounds, before anything is stored. Every problem is a message for a 400 response, never a panic.

use crate::chart;
use crate::vendor_api::spec::{
    KotsSingleSpec, SpecError, decode_content, decode_spec, decode_spec_gzip,
};
use crate::vendor_api::types::{ChartRef, CreateReleaseRequest};

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
    #[error("spec file path {path:?} is unsafe ({why})")]
    UnsafePath {
        path: String,
        why: chart::archive::UnsafePath,
    },
    /// A chart package in the spec is not a chart Helm would load.
    #[error("{path} {reason}")]
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
            let chart = read_chart(&bytes).map_err(|reason| UploadError::Chart {
                path: file.path.clone(),
                reason,
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

/// Spec paths are relative to the release: the chart reader's path rule.
fn check_spec_path(path: &str) -> Result<(), UploadError> {
    chart::archive::unsafe_path(path).map_or(Ok(()), |why| {
        Err(UploadError::UnsafePath {
            path: path.to_string(),
            why,
        })
    })
}

/// The name and version of a Helm chart package, or why it is not one (the
/// message follows the package's name: "… is not a gzip file").
pub fn read_chart(tgz: &[u8]) -> Result<ChartRef, String> {
    let package = chart::read_package(tgz).map_err(|e| e.to_string())?;
    Ok(ChartRef {
        name: package.metadata.name,
        version: package.metadata.version,
        status: "pushed".to_string(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::chart::test_archives::{tgz, with_bad_crc};
    use crate::vendor_api::spec::encode_chart_spec;

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
        assert!(err.to_string().contains("spec file path"), "{err}");
    }

    #[test]
    fn non_charts_are_explained() {
        let no_chart = read_chart(&tgz(&[("slackernews/values.yaml", "a: 1\n")])).unwrap_err();
        assert!(no_chart.contains("no Chart.yaml"), "{no_chart}");
        let root = read_chart(&tgz(&[("Chart.yaml", CHART_YAML)])).unwrap_err();
        assert!(root.contains("files at its root"), "{root}");
        // Helm's rules for Chart.yaml, as `helm package` and `replicated` apply them.
        let no_version =
            read_chart(&tgz(&[("c/Chart.yaml", "apiVersion: v2\nname: c\n")])).unwrap_err();
        assert!(
            no_version.contains("validation: chart.metadata.version is required"),
            "{no_version}"
        );
        let not_semver = read_chart(&tgz(&[(
            "c/Chart.yaml",
            "apiVersion: v2\nname: c\nversion: \"1.0\"\n",
        )]))
        .unwrap_err();
        assert!(not_semver.contains("\"1.0\" is invalid"), "{not_semver}");
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
        assert!(parse_upload(&neither).is_err());
    }
}
