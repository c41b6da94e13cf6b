//! The chart model (Helm's `loader.LoadFiles`): a chart's files sorted into
//! Helm's buckets, its YAML and JSON checked, Chart.yaml read by the one
//! chart-metadata reader, and subcharts loaded from `charts/` (directories,
//! or archives read by the one chart-archive reader).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Deserializer};

use super::error::{HelmError, invalid};
use super::walk::{ChartFile, strip_bom};
use crate::chart::{self, Metadata, MetadataError};

#[derive(Debug)]
pub(super) struct Chart {
    pub(super) metadata: Metadata,
    pub(super) lock: Option<Vec<u8>>,
    pub(super) values: Option<Vec<u8>>,
    pub(super) schema: Option<Vec<u8>>,
    pub(super) templates: Vec<ChartFile>,
    /// Every other file, in walk order (README, NOTES.txt, .helmignore, charts/*.prov, …).
    pub(super) files: Vec<ChartFile>,
    /// Subcharts from charts/, sorted by directory or archive name.
    pub(super) dependencies: Vec<Chart>,
}

/// Sorts a chart's files into Helm's buckets; `origin` is where they came from, for messages.
pub(super) fn load_chart(files: Vec<ChartFile>, origin: &Path) -> Result<Chart, HelmError> {
    let mut metadata = None;
    let mut chart = Chart {
        metadata: Metadata::default(),
        lock: None,
        values: None,
        schema: None,
        templates: Vec::new(),
        files: Vec::new(),
        dependencies: Vec::new(),
    };
    let mut subcharts: BTreeMap<String, Vec<ChartFile>> = BTreeMap::new();
    for file in files {
        let path = origin.join(&file.name);
        match file.name.as_str() {
            "Chart.yaml" => metadata = Some(parse_yaml::<Metadata>(&file.data, &path)?),
            "Chart.lock" => {
                parse_yaml::<serde::de::IgnoredAny>(&file.data, &path)?;
                chart.lock = Some(file.data);
            }
            "values.yaml" => {
                parse_yaml::<MappingOrEmpty>(&file.data, &path)?;
                chart.values = Some(file.data);
            }
            "values.schema.json" => chart.schema = Some(checked_json(file.data, &path)?),
            name if name.starts_with("templates/") => chart.templates.push(file),
            name if name.starts_with("charts/") && !name.ends_with(".prov") => {
                add_subchart_file(&mut subcharts, file);
            }
            _ => chart.files.push(file),
        }
    }
    chart.metadata = validated_metadata(metadata, origin)?;
    chart.dependencies = load_subcharts(subcharts, origin, &chart.metadata.name)?;
    Ok(chart)
}

fn validated_metadata(metadata: Option<Metadata>, origin: &Path) -> Result<Metadata, HelmError> {
    let path = origin.join("Chart.yaml");
    let mut metadata = metadata.ok_or_else(|| invalid(&path, "Chart.yaml file is missing"))?;
    metadata.check().map_err(|e| metadata_error(e, &path))?;
    Ok(metadata)
}

fn checked_json(data: Vec<u8>, path: &Path) -> Result<Vec<u8>, HelmError> {
    match serde_json::from_slice::<serde::de::IgnoredAny>(&data) {
        Ok(_) => Ok(data),
        Err(e) => Err(invalid(
            path,
            format!("Invalid JSON in values.schema.json: {e}"),
        )),
    }
}

/// Groups `charts/<sub>/…` files by `<sub>`, with paths relative to the subchart; a file
/// directly in charts/ (such as a `.tgz`) gets the empty name.
fn add_subchart_file(subcharts: &mut BTreeMap<String, Vec<ChartFile>>, file: ChartFile) {
    let inside = &file.name["charts/".len()..];
    let (sub, rest) = inside.split_once('/').unwrap_or((inside, ""));
    subcharts
        .entry(sub.to_owned())
        .or_default()
        .push(ChartFile {
            name: rest.to_owned(),
            data: file.data,
        });
}

fn load_subcharts(
    subcharts: BTreeMap<String, Vec<ChartFile>>,
    origin: &Path,
    parent: &str,
) -> Result<Vec<Chart>, HelmError> {
    let mut charts = Vec::new();
    for (sub, files) in subcharts {
        // Helm skips charts/ entries starting with `_` or `.`.
        if sub.starts_with(['_', '.']) {
            continue;
        }
        let path = origin.join("charts").join(&sub);
        let chart = if sub.ends_with(".tgz") {
            load_subchart_archive(files, &path, parent)?
        } else {
            // A plain file directly in charts/ has no chart in it; Helm then fails on the
            // missing Chart.yaml, so keep only files that sit inside a subdirectory.
            let inside: Vec<ChartFile> = files.into_iter().filter(|f| !f.name.is_empty()).collect();
            load_chart(inside, &path)?
        };
        charts.push(chart);
    }
    Ok(charts)
}

fn load_subchart_archive(
    files: Vec<ChartFile>,
    path: &Path,
    parent: &str,
) -> Result<Chart, HelmError> {
    match files.as_slice() {
        [file] if file.name.is_empty() => {
            let files = read_archive(&file.data, path)?;
            load_chart(files, path)
        }
        _ => Err(invalid(
            path,
            format!(
                "error unpacking subchart tar in {parent}: expected a .tgz file, found a directory"
            ),
        )),
    }
}

/// Unpacks a chart archive in memory with the one chart reader, then like
/// Helm's `loadArchiveFiles`: the top directory dropped, a BOM dropped.
fn read_archive(data: &[u8], path: &Path) -> Result<Vec<ChartFile>, HelmError> {
    let bad =
        |e: chart::ArchiveError| invalid(path, format!("error unpacking chart archive: it {e}"));
    let archive = chart::Archive::read(data).map_err(bad)?;
    let top = archive.top().map_err(bad)?.len();
    Ok(archive
        .files
        .into_iter()
        .map(|file| ChartFile {
            name: file.path[top + 1..].to_owned(),
            data: strip_bom(&file.data).to_vec(),
        })
        .collect())
}

/// A YAML file of the chart, read as [`crate::chart`] reads Chart.yaml.
fn parse_yaml<T: for<'de> Deserialize<'de>>(data: &[u8], path: &Path) -> Result<T, HelmError> {
    chart::metadata::parse_yaml(data).map_err(|e| metadata_error(e, path))
}

fn metadata_error(e: MetadataError, path: &Path) -> HelmError {
    match e {
        MetadataError::Yaml { line, message } => HelmError::Yaml {
            path: path.to_path_buf(),
            line,
            message,
        },
        MetadataError::Validation(message) => HelmError::Validation {
            path: path.to_path_buf(),
            message,
        },
    }
}

/// Accepts a YAML mapping or an empty document, as Helm's values loader does.
struct MappingOrEmpty;

impl<'de> Deserialize<'de> for MappingOrEmpty {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(MappingOrEmptyVisitor)
    }
}

struct MappingOrEmptyVisitor;

impl<'de> serde::de::Visitor<'de> for MappingOrEmptyVisitor {
    type Value = MappingOrEmpty;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a mapping of values")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map
            .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
            .is_some()
        {}
        Ok(MappingOrEmpty)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(MappingOrEmpty)
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(MappingOrEmpty)
    }
}
