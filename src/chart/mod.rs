//! Helm chart packages (`.tgz`) and their `Chart.yaml`: the one reader of
//! chart archives and chart metadata in labrun. The package and release
//! checks, the local Vendor API and the `helm` and `replicated` stand-ins all
//! read charts through it, so they can never disagree about one file.
//!
//! [`archive`] reads the `.tgz` in memory (one gzip decoder, one size limit,
//! one path-safety rule); [`metadata`] reads and writes Chart.yaml by Helm's
//! rules; [`read_package`] puts the two together for a whole chart package.

pub mod archive;
pub mod metadata;

pub use archive::{Archive, ArchiveError, ArchiveFile, MAX_FILE_BYTES, MAX_INFLATED_BYTES};
pub use metadata::{Metadata, MetadataError};

/// Why bytes are not a chart package. Each message completes a sentence
/// whose subject is the package: "release/x.tgz has no Chart.yaml …".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChartError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(
        "has no Chart.yaml in its top directory {top}/ (Chart.yaml file is missing), so it is not a Helm chart"
    )]
    NoChartYaml { top: String },
    #[error("has an invalid {path}: {source}")]
    Metadata {
        path: String,
        #[source]
        source: MetadataError,
    },
}

/// A chart package read whole: its files, its top directory and its metadata.
#[derive(Debug, Clone)]
pub struct Package {
    pub archive: Archive,
    pub top: String,
    pub metadata: Metadata,
}

/// Reads a chart package as Helm's `loader.LoadArchive` would accept it: a
/// readable archive ([`Archive::read`]), everything under one top directory,
/// and a valid `<top>/Chart.yaml`.
pub fn read_package(bytes: &[u8]) -> Result<Package, ChartError> {
    let archive = Archive::read(bytes)?;
    let top = archive.top()?.to_owned();
    let path = format!("{top}/Chart.yaml");
    let chart_yaml = archive
        .files
        .iter()
        .rev()
        .find(|f| f.path == path)
        .ok_or_else(|| ChartError::NoChartYaml { top: top.clone() })?;
    let metadata =
        Metadata::read(&chart_yaml.data).map_err(|source| ChartError::Metadata { path, source })?;
    Ok(Package {
        archive,
        top,
        metadata,
    })
}

/// Chart archives built for tests, shared with the integration tests.
#[cfg(test)]
#[path = "../../tests/support/chart.rs"]
pub(crate) mod test_archives;

#[cfg(test)]
mod tests {
    use super::*;
    use test_archives::tgz;

    const CHART_YAML: &str = "apiVersion: v2\nname: slackernews\nversion: 0.5.0\n";

    #[test]
    fn a_chart_package_is_read_whole() {
        let package = read_package(&tgz(&[
            ("slackernews/Chart.yaml", CHART_YAML),
            ("slackernews/values.yaml", "a: 1\n"),
        ]))
        .unwrap();
        assert_eq!(package.top, "slackernews");
        assert_eq!(package.metadata.name, "slackernews");
        assert_eq!(package.metadata.version, "0.5.0");
        assert_eq!(package.archive.files.len(), 2);
    }

    #[test]
    fn chart_yaml_must_be_there_and_valid() {
        let message = |files: &[(&str, &str)]| read_package(&tgz(files)).unwrap_err().to_string();
        assert_eq!(
            message(&[("c/values.yaml", "a: 1\n")]),
            "has no Chart.yaml in its top directory c/ (Chart.yaml file is missing), so it is not a Helm chart"
        );
        assert_eq!(
            message(&[("c/Chart.yaml", "apiVersion: v2\nname: c\n")]),
            "has an invalid c/Chart.yaml: validation: chart.metadata.version is required"
        );
        assert_eq!(
            message(&[("c/Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0\n")]),
            "has an invalid c/Chart.yaml: validation: chart.metadata.version \"1.0\" is invalid"
        );
        assert!(message(&[("c/Chart.yaml", "name: [c\n")]).contains("line"));
        assert_eq!(
            message(&[("Chart.yaml", CHART_YAML)]),
            "has files at its root (Chart.yaml); a chart package has everything under one directory named after the chart"
        );
    }

    #[test]
    fn a_leading_bom_and_a_missing_api_version_are_helms() {
        let package = read_package(&tgz(&[(
            "c/Chart.yaml",
            "\u{feff}name: c\nversion: 0.1.0\n",
        )]))
        .unwrap();
        assert_eq!(package.metadata.api_version, "v1");
    }
}
