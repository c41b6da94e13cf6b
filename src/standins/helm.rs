//! A stand-in for `helm package` (Helm v3), so lessons can package charts without Helm installed.
//!
//! The archive layout follows Helm's `pkg/chart/loader` (reading a chart directory),
//! `pkg/ignore` (`.helmignore`) and `pkg/chartutil/save.go` (writing the `.tgz`):
//! entries `<chart name>/…` in Helm's order, regular files only with mode 0644 and uid/gid 0,
//! `Chart.yaml` re-serialised with sorted keys, and Helm's gzip header.
//! Everything else Helm can do is out of scope: [`run`] says so and points to <https://helm.sh>.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use flate2::{Compression, GzBuilder};
use serde::{Deserialize, Deserializer};

use crate::chart::metadata::{is_semver2, sanitize};
use crate::chart::{self, Metadata, MetadataError};

/// Helm writes these bytes into the gzip header's Extra field (`save.go` `headerBytes`).
const GZIP_EXTRA: &[u8] = b"+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=";
/// Helm's gzip header comment.
const GZIP_COMMENT: &str = "Helm";
/// Helm's per-file limit (`loader.MaxDecompressedFileSize`); also bounds what we read into memory.
const MAX_FILE_SIZE: u64 = chart::MAX_FILE_BYTES;
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
/// The version `helm version` reports; the build metadata says it is not the real Helm.
const STAND_IN_VERSION: &str = "v3.21.4+labrun";

/// Options for [`package`], mirroring `helm package --destination/--version/--app-version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageOptions {
    /// Directory the `.tgz` is written to; created with its parents. Helm's default is `.`.
    pub destination: PathBuf,
    /// Overrides `version` from Chart.yaml (and so the file name); must be SemVer 2.
    pub version: Option<String>,
    /// Overrides `appVersion` from Chart.yaml.
    pub app_version: Option<String>,
}

impl Default for PackageOptions {
    fn default() -> Self {
        Self {
            destination: PathBuf::from("."),
            version: None,
            app_version: None,
        }
    }
}

/// Why a chart could not be packaged. Every message names the file (or directory) at fault.
#[derive(Debug, thiserror::Error)]
pub enum HelmError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A YAML file that does not parse; `message` carries the line and column.
    #[error("{}: cannot load {}: {message}", path.display(), file_name(path))]
    Yaml {
        path: PathBuf,
        line: Option<u64>,
        message: String,
    },
    /// Chart.yaml parses but breaks Helm's rules (Helm prints these as `validation: …`).
    #[error("{}: validation: {message}", path.display())]
    Validation { path: PathBuf, message: String },
    /// The chart version (after `--version`) is not SemVer 2.
    #[error("{}: invalid version {version:?}: Invalid Semantic Version (expected SemVer 2 such as 0.5.0)", path.display())]
    InvalidVersion { path: PathBuf, version: String },
    /// A `.helmignore` line Helm rejects.
    #[error("{}: line {line}: {message}", path.display())]
    Ignore {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// Chart.yaml lists dependencies that are not under `charts/` (Helm's `CheckDependencies`).
    #[error("{}: found in Chart.yaml, but missing in charts/ directory: {}", path.display(), names.join(", "))]
    MissingDependencies { path: PathBuf, names: Vec<String> },
    /// Anything else about a file that Helm refuses (irregular file, symlink loop, size, bad JSON, …).
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> HelmError + '_ {
    move |source| HelmError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn invalid(path: &Path, message: impl Into<String>) -> HelmError {
    HelmError::Invalid {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Package the chart at `chart_dir` as `<name>-<version>.tgz` in opts.destination (created with parents). Returns the path written.
pub fn package(chart_dir: &Path, opts: &PackageOptions) -> Result<PathBuf, HelmError> {
    let mut chart = load_dir(chart_dir)?;
    apply_overrides(&mut chart.metadata, opts, chart_dir)?;
    check_dependencies(&chart, chart_dir)?;
    let target = clean_path(&opts.destination).join(format!(
        "{}-{}.tgz",
        chart.metadata.name, chart.metadata.version
    ));
    let archive = write_archive(&chart, &target)?;
    ensure_directory(&opts.destination)?;
    // Atomic: a watcher (the lab re-checks on every save) never sees half a package.
    crate::fsutil::write_atomic(&target, &archive).map_err(io_error(&target))?;
    Ok(target)
}

/// `helm package` applies `--version` before its strict SemVer check and `--app-version` after.
fn apply_overrides(
    metadata: &mut Metadata,
    opts: &PackageOptions,
    chart_dir: &Path,
) -> Result<(), HelmError> {
    // Like Helm, an empty override means "no override".
    if let Some(version) = opts.version.as_deref().filter(|v| !v.is_empty()) {
        metadata.version = version.to_owned();
    }
    if !is_semver2(&metadata.version) {
        return Err(HelmError::InvalidVersion {
            path: chart_dir.join("Chart.yaml"),
            version: metadata.version.clone(),
        });
    }
    if let Some(app_version) = opts.app_version.as_deref().filter(|v| !v.is_empty()) {
        metadata.app_version = sanitize(app_version);
    }
    Ok(())
}

fn check_dependencies(chart: &Chart, chart_dir: &Path) -> Result<(), HelmError> {
    let missing: Vec<String> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|wanted| {
            !chart
                .dependencies
                .iter()
                .any(|d| d.metadata.name == wanted.name)
        })
        .map(|wanted| wanted.name.clone())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(HelmError::MissingDependencies {
        path: chart_dir.join("Chart.yaml"),
        names: missing,
    })
}

fn ensure_directory(dir: &Path) -> Result<(), HelmError> {
    match fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(invalid(dir, "is not a directory")),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(dir).map_err(io_error(dir))
        }
        Err(e) => Err(io_error(dir)(e)),
    }
}

/// Drops `.` components, as Go's `filepath.Join` does, so `./release` prints as `release/…`.
fn clean_path(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// YAML parsing

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

// ---------------------------------------------------------------------------------------------
// .helmignore

/// One `.helmignore` line, compiled.
#[derive(Debug)]
struct IgnoreRule {
    pattern: glob::Pattern,
    negate: bool,
    directories_only: bool,
    /// Rules with a `/` match the whole relative path, the others only the base name.
    whole_path: bool,
}

/// Helm's `pkg/ignore` rules: the chart's `.helmignore` followed by the built-in defaults.
#[derive(Debug, Default)]
struct IgnoreRules(Vec<IgnoreRule>);

const MATCH_OPTIONS: glob::MatchOptions = glob::MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

impl IgnoreRules {
    /// Parses `.helmignore` text; on error returns the 1-based line and Helm's message.
    fn parse(text: &str) -> Result<Self, (usize, String)> {
        let mut rules = IgnoreRules::default();
        for (index, line) in text.lines().enumerate() {
            rules.add(line).map_err(|message| (index + 1, message))?;
        }
        Ok(rules)
    }

    /// Helm's built-in rule: hidden files directly in templates/ are never packaged.
    fn add_defaults(&mut self) {
        self.add("templates/.?*")
            .expect("the built-in rule is a valid pattern");
    }

    fn add(&mut self, line: &str) -> Result<(), String> {
        let rule = line.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err("double-star (**) syntax is not supported".into());
        }
        let (negate, rule) = match rule.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, rule),
        };
        let (directories_only, rule) = match rule.strip_suffix('/') {
            Some(rest) => (true, rest),
            None => (false, rule),
        };
        let whole_path = rule.contains('/');
        let rule = rule.strip_prefix('/').unwrap_or(rule);
        let pattern = go_pattern_to_glob(rule)
            .and_then(|p| glob::Pattern::new(&p).ok())
            .ok_or_else(|| format!("syntax error in pattern {line:?}"))?;
        self.0.push(IgnoreRule {
            pattern,
            negate,
            directories_only,
            whole_path,
        });
        Ok(())
    }

    /// Helm's `Rules.Ignore`. The first rule that decides wins. Note Helm's reading of `!`:
    /// a negated rule that does *not* match a path ignores it, and one that matches only
    /// passes the path on to the next rule, so `!pattern` never rescues an ignored file.
    fn ignores(&self, relative: &str, is_dir: bool) -> bool {
        let base = relative.rsplit('/').next().unwrap_or(relative);
        for rule in &self.0 {
            let subject = if rule.whole_path { relative } else { base };
            let matched = rule.pattern.matches_with(subject, MATCH_OPTIONS);
            if rule.negate {
                if (rule.directories_only && !is_dir) || !matched {
                    return true;
                }
            } else if matched && (is_dir || !rule.directories_only) {
                return true;
            }
        }
        false
    }
}

/// Rewrites Go `filepath.Match` syntax into the `glob` crate's: Go escapes with `\` and negates
/// a class with `[^…]`, glob escapes with `[…]` and negates with `[!…]`. `None` for a trailing `\`,
/// which Go rejects as a bad pattern.
fn go_pattern_to_glob(go: &str) -> Option<String> {
    let mut out = String::with_capacity(go.len() + 4);
    let mut chars = go.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let escaped = chars.next()?;
                if !in_class && "*?[]".contains(escaped) {
                    out.extend(['[', escaped, ']']);
                } else {
                    out.push(escaped);
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                if chars.next_if_eq(&'^').is_some() {
                    out.push('!');
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            c => out.push(c),
        }
    }
    Some(out)
}

fn load_ignore_rules(chart_dir: &Path) -> Result<IgnoreRules, HelmError> {
    let path = chart_dir.join(".helmignore");
    let mut rules = match crate::fsutil::read_limited(&path, MAX_FILE_SIZE) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(strip_bom(&bytes)).into_owned();
            IgnoreRules::parse(&text).map_err(|(line, message)| HelmError::Ignore {
                path: path.clone(),
                line,
                message,
            })?
        }
        Err(e) if e.is_not_found() => IgnoreRules::default(),
        Err(e) => return Err(read_error(&path, e)),
    };
    rules.add_defaults();
    Ok(rules)
}

// ---------------------------------------------------------------------------------------------
// Reading a chart directory

/// A chart file: its path relative to the chart root (with `/`) and its bytes, BOM removed.
#[derive(Debug, Clone)]
struct ChartFile {
    name: String,
    data: Vec<u8>,
}

fn strip_bom(data: &[u8]) -> &[u8] {
    data.strip_prefix(UTF8_BOM).unwrap_or(data)
}

/// Walks a chart directory like Helm's `sympath.Walk`: entries in byte order, depth first,
/// symlinks followed, `.helmignore` applied to files and directories.
struct Walker<'a> {
    rules: &'a IgnoreRules,
    /// Canonical paths of the directories being walked, to stop at symlink loops.
    open_dirs: Vec<PathBuf>,
    files: Vec<ChartFile>,
}

fn load_dir(chart_dir: &Path) -> Result<Chart, HelmError> {
    let meta = fs::metadata(chart_dir).map_err(io_error(chart_dir))?;
    if !meta.is_dir() {
        return Err(invalid(chart_dir, "is not a chart directory"));
    }
    let rules = load_ignore_rules(chart_dir)?;
    let mut walker = Walker {
        rules: &rules,
        open_dirs: Vec::new(),
        files: Vec::new(),
    };
    walker.enter(chart_dir, "")?;
    load_chart(walker.files, chart_dir)
}

impl Walker<'_> {
    fn enter(&mut self, dir: &Path, relative: &str) -> Result<(), HelmError> {
        let canonical = fs::canonicalize(dir).map_err(io_error(dir))?;
        if self.open_dirs.contains(&canonical) {
            return Err(invalid(
                dir,
                "symbolic link loop: this directory contains itself",
            ));
        }
        self.open_dirs.push(canonical);
        let result = self.walk(dir, relative);
        self.open_dirs.pop();
        result
    }

    fn walk(&mut self, dir: &Path, relative: &str) -> Result<(), HelmError> {
        for name in sorted_entries(dir)? {
            let path = dir.join(&name);
            let name = name
                .to_str()
                .ok_or_else(|| invalid(&path, "file name is not valid UTF-8"))?;
            let child = match relative {
                "" => name.to_owned(),
                _ => format!("{relative}/{name}"),
            };
            let meta = follow_metadata(&path)?;
            if meta.is_dir() {
                if !self.rules.ignores(&child, true) {
                    self.enter(&path, &child)?;
                }
            } else if !self.rules.ignores(&child, false) {
                self.read(&path, child, &meta)?;
            }
        }
        Ok(())
    }

    fn read(&mut self, path: &Path, name: String, meta: &fs::Metadata) -> Result<(), HelmError> {
        if !meta.is_file() {
            return Err(invalid(
                path,
                "cannot load irregular file as it has file mode type bits set",
            ));
        }
        let data = read_limited(path)?;
        self.files.push(ChartFile {
            name,
            data: strip_bom(&data).to_vec(),
        });
        Ok(())
    }
}

fn sorted_entries(dir: &Path) -> Result<Vec<OsString>, HelmError> {
    let mut names = fs::read_dir(dir)
        .and_then(|entries| {
            entries
                .map(|e| e.map(|e| e.file_name()))
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(io_error(dir))?;
    // Go sorts names as byte strings; OsString orders the same way on Unix.
    names.sort();
    Ok(names)
}

/// Metadata of what a path points to, with a clear message for a dangling symlink.
fn follow_metadata(path: &Path) -> Result<fs::Metadata, HelmError> {
    fs::metadata(path).map_err(|e| {
        let dangling = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        if dangling {
            invalid(path, format!("error evaluating symlink: {e}"))
        } else {
            io_error(path)(e)
        }
    })
}

/// A chart file: regular, opened without blocking (a FIFO saved as
/// values.yaml must not hang `helm package`), at most Helm's file size.
fn read_limited(path: &Path) -> Result<Vec<u8>, HelmError> {
    crate::fsutil::read_limited(path, MAX_FILE_SIZE).map_err(|e| read_error(path, e))
}

fn read_error(path: &Path, e: crate::fsutil::ReadError) -> HelmError {
    use crate::fsutil::ReadError;
    match e {
        ReadError::Io { source, .. } => io_error(path)(source),
        ReadError::NotFound { .. } => io_error(path)(io::ErrorKind::NotFound.into()),
        ReadError::NotRegular { kind, .. } => invalid(
            path,
            format!(
                "cannot load irregular file as it has file mode type bits set: not a regular file ({kind})"
            ),
        ),
        ReadError::TooLarge { .. } => invalid(
            path,
            format!("chart file is larger than the maximum file size {MAX_FILE_SIZE}"),
        ),
        ReadError::NotText { .. } => invalid(path, "is not UTF-8 text"),
    }
}

// ---------------------------------------------------------------------------------------------
// The chart model (Helm's `loader.LoadFiles`)

#[derive(Debug)]
struct Chart {
    metadata: Metadata,
    lock: Option<Vec<u8>>,
    values: Option<Vec<u8>>,
    schema: Option<Vec<u8>>,
    templates: Vec<ChartFile>,
    /// Every other file, in walk order (README, NOTES.txt, .helmignore, charts/*.prov, …).
    files: Vec<ChartFile>,
    /// Subcharts from charts/, sorted by directory or archive name.
    dependencies: Vec<Chart>,
}

/// Sorts a chart's files into Helm's buckets; `origin` is where they came from, for messages.
fn load_chart(files: Vec<ChartFile>, origin: &Path) -> Result<Chart, HelmError> {
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

// ---------------------------------------------------------------------------------------------
// Writing the archive (Helm's `chartutil.Save`)

/// Builds the whole `.tgz` in memory, so a failure never leaves a partial file behind.
fn write_archive(chart: &Chart, target: &Path) -> Result<Vec<u8>, HelmError> {
    let gzip = GzBuilder::new()
        .extra(GZIP_EXTRA)
        .comment(GZIP_COMMENT)
        .mtime(0)
        // Go's gzip writer records "unknown" as the operating system.
        .operating_system(255)
        .write(Vec::new(), Compression::default());
    let mut tar = tar::Builder::new(gzip);
    append_chart(&mut tar, chart, "", now_seconds(), target)?;
    tar.into_inner()
        .and_then(|gzip| gzip.finish())
        .map_err(io_error(target))
}

fn append_chart<W: Write>(
    tar: &mut tar::Builder<W>,
    chart: &Chart,
    prefix: &str,
    mtime: u64,
    target: &Path,
) -> Result<(), HelmError> {
    let base = format!("{prefix}{}", chart.metadata.name);
    let chart_yaml = chart
        .metadata
        .to_yaml()
        .map_err(|e| invalid(target, format!("cannot write {base}/Chart.yaml: {e}")))?;
    let mut entries: Vec<(String, &[u8])> = vec![("Chart.yaml".into(), chart_yaml.as_bytes())];
    // Helm stores Chart.lock only for v2 charts (v1 charts have requirements.lock instead).
    if let Some(lock) = chart
        .lock
        .as_deref()
        .filter(|_| chart.metadata.api_version == "v2")
    {
        entries.push(("Chart.lock".into(), lock));
    }
    entries.extend(chart.values.as_deref().map(|v| ("values.yaml".into(), v)));
    entries.extend(
        chart
            .schema
            .as_deref()
            .map(|s| ("values.schema.json".into(), s)),
    );
    for file in chart.templates.iter().chain(&chart.files) {
        entries.push((file.name.clone(), &file.data));
    }
    for (name, data) in entries {
        append_file(tar, &format!("{base}/{name}"), data, mtime).map_err(io_error(target))?;
    }
    // Subcharts are stored expanded under charts/, named by their own Chart.yaml.
    for dependency in &chart.dependencies {
        append_chart(tar, dependency, &format!("{base}/charts/"), mtime, target)?;
    }
    Ok(())
}

/// A regular-file entry with Helm's header: USTAR, mode 0644, uid/gid 0, no owner names.
fn append_file<W: Write>(
    tar: &mut tar::Builder<W>,
    name: &str,
    data: &[u8],
    mtime: u64,
) -> io::Result<()> {
    let mut header = tar::Header::new_ustar();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_mode(0o644);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(mtime);
    header.set_size(data.len() as u64);
    header.set_device_major(0)?;
    header.set_device_minor(0)?;
    // append_data sets the path (falling back to a long-name entry past USTAR's 255 bytes)
    // and the checksum.
    tar.append_data(&mut header, name, data)
}

/// Go's tar writer rounds ModTime to the second.
fn now_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() + u64::from(d.subsec_millis() >= 500))
}

// ---------------------------------------------------------------------------------------------
// Command line

/// What the command line asked for.
#[derive(Debug, PartialEq)]
enum Command {
    Help(HelpTopic),
    Version {
        short: bool,
    },
    Package {
        charts: Vec<PathBuf>,
        options: PackageOptions,
    },
    Unsupported(String),
}

#[derive(Debug, PartialEq)]
enum HelpTopic {
    Root,
    Package,
}

/// Entry point when the binary runs as `helm ARGS` or `labrun helm ARGS`; `args` excludes the program name.
/// Supports `package CHART... [--destination|-d DIR] [--version V] [--app-version V]`, `--help`, `version`.
/// Prints `Successfully packaged chart and saved it to: <path>` on success (stdout); errors as `Error: …` on stderr, exit 1.
/// Any other subcommand: a clear message that labrun only stands in for `helm package` and to install helm from https://helm.sh, exit 1.
pub fn run(args: &[OsString]) -> i32 {
    match parse_command(args) {
        Ok(Command::Help(HelpTopic::Root)) => print!("{ROOT_HELP}"),
        Ok(Command::Help(HelpTopic::Package)) => print!("{PACKAGE_HELP}"),
        Ok(Command::Version { short: true }) => println!("{STAND_IN_VERSION}"),
        Ok(Command::Version { short: false }) => println!(
            "version.BuildInfo{{Version:\"{STAND_IN_VERSION}\", GitCommit:\"\", GitTreeState:\"\", GoVersion:\"labrun stand-in: helm package only\"}}"
        ),
        Ok(Command::Package { charts, options }) => return package_all(&charts, &options),
        Ok(Command::Unsupported(sub)) => {
            eprintln!(
                "Error: labrun only stands in for `helm package`; `helm {sub}` needs the real Helm.\n\
                 Install Helm from https://helm.sh (https://helm.sh/docs/intro/install/)."
            );
            return 1;
        }
        Err(message) => {
            eprintln!("Error: {message}");
            return 1;
        }
    }
    0
}

/// Packages each chart in turn and, like Helm, stops at the first failure.
fn package_all(charts: &[PathBuf], options: &PackageOptions) -> i32 {
    for chart in charts {
        match package(chart, options) {
            Ok(written) => println!(
                "Successfully packaged chart and saved it to: {}",
                shown_path(&written, options).display()
            ),
            Err(e) => {
                eprintln!("Error: {e}");
                return 1;
            }
        }
    }
    0
}

/// Helm saves to the working directory's absolute path when the destination is the default `.`.
fn shown_path(written: &Path, options: &PackageOptions) -> PathBuf {
    match std::env::current_dir() {
        Ok(cwd) if clean_path(&options.destination).as_os_str().is_empty() => cwd.join(written),
        _ => written.to_path_buf(),
    }
}

fn parse_command(args: &[OsString]) -> Result<Command, String> {
    let mut rest = args.iter().skip_while(|a| *a == "--debug");
    let Some(sub) = rest.next() else {
        return Ok(Command::Help(HelpTopic::Root));
    };
    let rest: Vec<&OsString> = rest.collect();
    match sub.to_str() {
        Some("-h" | "--help") => Ok(Command::Help(HelpTopic::Root)),
        Some("help") => Ok(help_for(rest.first().and_then(|a| a.to_str()))),
        Some("version") => parse_version_args(&rest),
        Some("package") => parse_package_args(&rest),
        Some(other) if other.starts_with('-') => Err(format!(
            "unknown flag: {other}\nRun 'helm --help' for usage."
        )),
        other => Ok(Command::Unsupported(
            other.map_or_else(|| sub.to_string_lossy().into_owned(), str::to_owned),
        )),
    }
}

fn help_for(topic: Option<&str>) -> Command {
    match topic {
        Some("package") => Command::Help(HelpTopic::Package),
        None => Command::Help(HelpTopic::Root),
        Some(other) => Command::Unsupported(format!("help {other}")),
    }
}

fn parse_version_args(args: &[&OsString]) -> Result<Command, String> {
    let mut short = false;
    for arg in args {
        match arg.to_str() {
            Some("--short") => short = true,
            Some("--debug") => {}
            Some("-h" | "--help") => return Ok(Command::Help(HelpTopic::Root)),
            _ => return Err(format!("unknown flag: {}", arg.to_string_lossy())),
        }
    }
    Ok(Command::Version { short })
}

/// Flags as pflag accepts them: `--flag value`, `--flag=value`, `-d value`, `-dvalue`, `-d=value`;
/// flags and chart paths may be mixed, and `--` ends the flags.
fn parse_package_args(args: &[&OsString]) -> Result<Command, String> {
    let mut charts = Vec::new();
    let mut options = PackageOptions::default();
    let mut args = args.iter().copied();
    while let Some(arg) = args.next() {
        let Some(text) = arg.to_str().filter(|t| t.starts_with('-') && *t != "-") else {
            charts.push(PathBuf::from(arg));
            continue;
        };
        match split_flag(text) {
            ("--", _) => {
                charts.extend(args.by_ref().map(PathBuf::from));
            }
            ("-h" | "--help", _) => return Ok(Command::Help(HelpTopic::Package)),
            ("--debug", _) => {}
            (flag @ ("-d" | "--destination"), inline) => {
                options.destination = PathBuf::from(flag_value(flag, inline, &mut args)?);
            }
            (flag @ "--version", inline) => {
                options.version = Some(utf8_value(flag, flag_value(flag, inline, &mut args)?)?);
            }
            (flag @ "--app-version", inline) => {
                options.app_version = Some(utf8_value(flag, flag_value(flag, inline, &mut args)?)?);
            }
            (flag, _) => return Err(unsupported_flag(flag)),
        }
    }
    if charts.is_empty() {
        return Err(
            "\"helm package\" requires at least 1 argument\n\nUsage:  helm package [CHART_PATH] [...] [flags]"
                .into(),
        );
    }
    Ok(Command::Package { charts, options })
}

/// Splits `--flag=value`, `-d=value` and `-dvalue` into the flag and its inline value.
fn split_flag(text: &str) -> (&str, Option<&str>) {
    if text.starts_with("--") {
        return match text.split_once('=') {
            Some((flag, value)) => (flag, Some(value)),
            None => (text, None),
        };
    }
    match (text.get(..2), text.get(2..)) {
        (Some(flag), Some(value)) if !value.is_empty() => {
            (flag, Some(value.strip_prefix('=').unwrap_or(value)))
        }
        _ => (text, None),
    }
}

fn flag_value<'a, I: Iterator<Item = &'a OsString>>(
    flag: &str,
    inline: Option<&str>,
    args: &mut I,
) -> Result<OsString, String> {
    match inline {
        Some(value) => Ok(OsString::from(value)),
        None => args
            .next()
            .cloned()
            .ok_or_else(|| format!("flag needs an argument: {flag}")),
    }
}

fn utf8_value(flag: &str, value: OsString) -> Result<String, String> {
    value
        .into_string()
        .map_err(|_| format!("invalid argument for {flag}: not valid UTF-8"))
}

fn unsupported_flag(flag: &str) -> String {
    const REAL_HELM_FLAGS: [&str; 8] = [
        "-u",
        "--dependency-update",
        "--sign",
        "--key",
        "--keyring",
        "--passphrase-file",
        "--username",
        "--password",
    ];
    if REAL_HELM_FLAGS.contains(&flag) {
        format!(
            "{flag} is not supported by labrun's helm stand-in, which only packages charts.\n\
             Install Helm from https://helm.sh to use it."
        )
    } else {
        format!("unknown flag: {flag}\nRun 'helm package --help' for usage.")
    }
}

const ROOT_HELP: &str = "\
labrun's stand-in for Helm, the Kubernetes package manager.

It implements `helm package` only, writing the same archive layout as Helm v3.
For anything else, install Helm from https://helm.sh.

Usage:
  helm [command]

Available Commands:
  help        Help about any command
  package     package a chart directory into a chart archive
  version     print the client version information

Flags:
  -h, --help   help for helm

Use \"helm [command] --help\" for more information about a command.
";

const PACKAGE_HELP: &str = "\
This command packages a chart into a versioned chart archive file. If a path
is given, this will look at that path for a chart (which must contain a
Chart.yaml file) and then package that directory.

The archive is named <name>-<version>.tgz after the chart's Chart.yaml.
(labrun's stand-in: dependency updates and signing need the real Helm, https://helm.sh.)

Usage:
  helm package [CHART_PATH] [...] [flags]

Flags:
      --app-version string   set the appVersion on the chart to this version
  -d, --destination string   location to write the chart. (default \".\")
  -h, --help                 help for package
      --version string       set the version on the chart to this semver version
";

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::GzDecoder;
    use std::io::Read;
    use tempfile::TempDir;

    /// One archive entry as read back: name, mode, uid, gid, owner names, data.
    struct Entry {
        name: String,
        mode: u32,
        uid: u64,
        gid: u64,
        owners: (Vec<u8>, Vec<u8>),
        ustar: bool,
        data: Vec<u8>,
    }

    fn write(root: &Path, name: &str, text: &str) {
        let path = root.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    const CHART_YAML: &str = "\
# a comment helm drops
name: demo
version: 0.1.0
apiVersion: v2
description: ''
appVersion: \"1.16\"
type: application
unknownKey: dropped
maintainers:
  - url: https://example.com
    name: Ann
";

    /// A small chart in a temporary directory named differently from the chart.
    fn small_chart() -> TempDir {
        let dir = TempDir::new().unwrap();
        let root = dir.path().join("src-dir");
        write(&root, "Chart.yaml", CHART_YAML);
        write(&root, "values.yaml", "\u{feff}replicas: 1\n");
        write(&root, "values.schema.json", "{\"type\": \"object\"}");
        write(&root, "README.md", "# demo\n");
        write(&root, "templates/b.yaml", "kind: B\n");
        write(&root, "templates/a.yaml", "kind: A\n");
        write(&root, "templates/sub/c.yaml", "kind: C\n");
        write(&root, "templates/.hidden", "x");
        write(&root, "templates/NOTES.txt", "hi\n");
        write(&root, ".helmignore", "# comment\n\n*.bak   \n");
        write(&root, "old.bak", "x");
        dir
    }

    fn package_into(chart: &Path, dest: &Path) -> PathBuf {
        let opts = PackageOptions {
            destination: dest.to_path_buf(),
            ..PackageOptions::default()
        };
        package(chart, &opts).unwrap()
    }

    fn read_tgz(path: &Path) -> (flate2::GzHeader, Vec<Entry>) {
        let bytes = fs::read(path).unwrap();
        let mut gz = GzDecoder::new(bytes.as_slice());
        let mut tar_bytes = Vec::new();
        gz.read_to_end(&mut tar_bytes).unwrap();
        let header = gz.header().unwrap().clone();
        let mut archive = tar::Archive::new(tar_bytes.as_slice());
        let entries = archive
            .entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let h = e.header().clone();
                let mut data = Vec::new();
                e.read_to_end(&mut data).unwrap();
                Entry {
                    name: String::from_utf8(e.path_bytes().into_owned()).unwrap(),
                    mode: h.mode().unwrap(),
                    uid: h.uid().unwrap(),
                    gid: h.gid().unwrap(),
                    owners: (
                        h.username_bytes().unwrap_or_default().to_vec(),
                        h.groupname_bytes().unwrap_or_default().to_vec(),
                    ),
                    ustar: h.as_ustar().is_some(),
                    data,
                }
            })
            .collect();
        (header, entries)
    }

    fn names(entries: &[Entry]) -> Vec<&str> {
        entries.iter().map(|e| e.name.as_str()).collect()
    }

    fn entry<'a>(entries: &'a [Entry], name: &str) -> &'a Entry {
        entries.iter().find(|e| e.name == name).unwrap()
    }

    #[test]
    fn packages_a_small_chart_in_helm_order() {
        let dir = small_chart();
        let out = package_into(&dir.path().join("src-dir"), &dir.path().join("out/nested"));
        assert_eq!(out, dir.path().join("out/nested/demo-0.1.0.tgz"));
        let (_, entries) = read_tgz(&out);
        assert_eq!(
            names(&entries),
            [
                "demo/Chart.yaml",
                "demo/values.yaml",
                "demo/values.schema.json",
                "demo/templates/NOTES.txt",
                "demo/templates/a.yaml",
                "demo/templates/b.yaml",
                "demo/templates/sub/c.yaml",
                "demo/.helmignore",
                "demo/README.md",
            ]
        );
        for e in &entries {
            assert_eq!((e.mode, e.uid, e.gid), (0o644, 0, 0), "{}", e.name);
            assert_eq!(e.owners, (vec![], vec![]), "{}", e.name);
            assert!(e.ustar, "{} should have a USTAR header", e.name);
        }
        assert_eq!(entry(&entries, "demo/values.yaml").data, b"replicas: 1\n");
    }

    #[test]
    fn chart_yaml_is_reserialised_with_sorted_keys() {
        let dir = small_chart();
        let out = package_into(&dir.path().join("src-dir"), dir.path());
        let (_, entries) = read_tgz(&out);
        let text = String::from_utf8(entry(&entries, "demo/Chart.yaml").data.clone()).unwrap();
        assert!(
            !text.contains("comment") && !text.contains("unknownKey"),
            "{text}"
        );
        assert!(
            !text.contains("description"),
            "empty values are omitted: {text}"
        );
        let keys: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with([' ', '-']))
            .map(|l| l.split(':').next().unwrap())
            .collect();
        assert_eq!(
            keys,
            [
                "apiVersion",
                "appVersion",
                "maintainers",
                "name",
                "type",
                "version"
            ]
        );
        assert!(
            text.contains("appVersion: \"1.16\""),
            "stays a string: {text}"
        );
        let url = text.find("url:").unwrap();
        assert!(
            text.find("name: Ann").unwrap() < url,
            "nested keys sorted: {text}"
        );
    }

    #[test]
    fn gzip_header_matches_helm() {
        let dir = small_chart();
        let out = package_into(&dir.path().join("src-dir"), dir.path());
        let (header, _) = read_tgz(&out);
        assert_eq!(header.comment(), Some(&b"Helm"[..]));
        assert_eq!(header.extra(), Some(GZIP_EXTRA));
        assert_eq!(header.filename(), None);
        assert_eq!(header.mtime(), 0);
    }

    #[test]
    fn version_overrides_change_the_file_name() {
        let dir = small_chart();
        let opts = PackageOptions {
            destination: dir.path().to_path_buf(),
            version: Some("0.5.0".into()),
            app_version: Some("2.0.0".into()),
        };
        let out = package(&dir.path().join("src-dir"), &opts).unwrap();
        assert_eq!(out.file_name().unwrap(), "demo-0.5.0.tgz");
        let (_, entries) = read_tgz(&out);
        let text = String::from_utf8(entry(&entries, "demo/Chart.yaml").data.clone()).unwrap();
        assert!(
            text.contains("version: ") && text.contains("0.5.0"),
            "{text}"
        );
        assert!(text.contains("2.0.0"), "{text}");

        let bad = PackageOptions {
            version: Some("0.5".into()),
            ..opts
        };
        let err = package(&dir.path().join("src-dir"), &bad).unwrap_err();
        assert!(matches!(err, HelmError::InvalidVersion { .. }), "{err}");
    }

    fn chart_with_yaml(chart_yaml: &str) -> TempDir {
        let dir = TempDir::new().unwrap();
        write(dir.path(), "Chart.yaml", chart_yaml);
        dir
    }

    fn package_error(chart: &Path) -> HelmError {
        let dest = TempDir::new().unwrap();
        package(
            chart,
            &PackageOptions {
                destination: dest.path().to_path_buf(),
                ..PackageOptions::default()
            },
        )
        .unwrap_err()
    }

    #[test]
    fn missing_version_is_a_validation_error_naming_the_file() {
        let dir = chart_with_yaml("apiVersion: v2\nname: demo\n");
        let message = package_error(dir.path()).to_string();
        assert!(
            message.contains("chart.metadata.version is required"),
            "{message}"
        );
        assert!(message.contains("Chart.yaml"), "{message}");
    }

    #[test]
    fn invalid_semver_is_rejected() {
        let dir = chart_with_yaml("apiVersion: v2\nname: demo\nversion: 1.0\n");
        let message = package_error(dir.path()).to_string();
        assert!(
            message.contains(r#"chart.metadata.version "1.0" is invalid"#),
            "{message}"
        );
    }

    #[test]
    fn yaml_syntax_error_names_file_and_line() {
        let dir = chart_with_yaml("apiVersion: v2\nname: demo\n  version: 0.1.0\n");
        let err = package_error(dir.path());
        let message = err.to_string();
        assert!(
            matches!(err, HelmError::Yaml { line: Some(3), .. }),
            "{message}"
        );
        assert!(
            message.contains("Chart.yaml") && message.contains("line 3"),
            "{message}"
        );
    }

    #[test]
    fn bad_values_and_schema_are_errors() {
        let dir = chart_with_yaml("apiVersion: v2\nname: demo\nversion: 0.1.0\n");
        write(dir.path(), "values.yaml", "a: [1\n");
        let message = package_error(dir.path()).to_string();
        assert!(
            message.contains("values.yaml") && message.contains("line 1"),
            "{message}"
        );

        write(dir.path(), "values.yaml", "a: 1\n");
        write(dir.path(), "values.schema.json", "{nope");
        let message = package_error(dir.path()).to_string();
        assert!(
            message.contains("Invalid JSON in values.schema.json"),
            "{message}"
        );
    }

    #[test]
    fn name_and_type_rules() {
        for (yaml, expected) in [
            (
                "apiVersion: v2\nversion: 0.1.0\n",
                "chart.metadata.name is required",
            ),
            (
                "apiVersion: v2\nname: a/b\nversion: 0.1.0\n",
                r#"name "a/b" is invalid"#,
            ),
            (
                "apiVersion: v2\nname: ..\nversion: 0.1.0\n",
                r#"name ".." is invalid"#,
            ),
            (
                "apiVersion: v3\nname: a\nversion: 0.1.0\n",
                "apiVersion \"v3\" is invalid",
            ),
            (
                "apiVersion: v2\nname: a\nversion: 0.1.0\ntype: x\n",
                "must be application or library",
            ),
        ] {
            let dir = chart_with_yaml(yaml);
            let message = package_error(dir.path()).to_string();
            assert!(message.contains(expected), "{yaml:?}: {message}");
        }
    }

    #[test]
    fn semver_validator() {
        for good in [
            "0.4.1",
            "1.0.0-alpha.1",
            "1.0.0-0.3.7",
            "1.0.0+build.5",
            "1.2.3-rc-1+x",
        ] {
            assert!(is_semver2(good), "{good}");
        }
        for bad in [
            "1.0", "v1.0.0", "01.0.0", "1.0.0-01", "1.0.0-", "1.0.0+", "1.0.0.0", "",
        ] {
            assert!(!is_semver2(bad), "{bad}");
        }
    }

    fn ignore_rules(text: &str) -> IgnoreRules {
        let mut rules = IgnoreRules::parse(text).unwrap();
        rules.add_defaults();
        rules
    }

    #[test]
    fn helmignore_basename_and_path_rules() {
        let rules = ignore_rules("*.swp\ndocs/*.md\n/top.txt\n");
        assert!(rules.ignores("a.swp", false));
        assert!(
            rules.ignores("templates/deep/a.swp", false),
            "basename rule at any depth"
        );
        assert!(rules.ignores("docs/x.md", false));
        assert!(!rules.ignores("docs/sub/x.md", false), "* does not cross /");
        assert!(!rules.ignores("x.md", false));
        assert!(rules.ignores("top.txt", false));
        assert!(
            !rules.ignores("sub/top.txt", false),
            "leading / anchors at the root"
        );
        assert!(rules.ignores("templates/.hidden", false), "built-in rule");
        assert!(!rules.ignores("templates/sub/.hidden", false));
    }

    #[test]
    fn helmignore_directory_only_rules() {
        let rules = ignore_rules(".git/\nbuild/\n");
        assert!(rules.ignores(".git", true));
        assert!(!rules.ignores(".git", false), "a file named .git stays");
        assert!(rules.ignores("sub/build", true));
    }

    #[test]
    fn helmignore_negation_follows_helm() {
        // Helm: a negated rule ignores whatever it does not match.
        let rules = ignore_rules("!*.yaml\n");
        assert!(!rules.ignores("Chart.yaml", false));
        assert!(rules.ignores("README.md", false));
        assert!(rules.ignores("templates", true));
        // …and cannot bring back a file an earlier rule ignored.
        let rules = ignore_rules("*.txt\n!keep.txt\n");
        assert!(rules.ignores("keep.txt", false));
    }

    #[test]
    fn helmignore_go_pattern_syntax() {
        let rules = ignore_rules("[^a]x.txt\n\\*.md\n");
        assert!(rules.ignores("bx.txt", false));
        assert!(!rules.ignores("ax.txt", false));
        assert!(rules.ignores("*.md", false));
        assert!(!rules.ignores("README.md", false));
    }

    #[test]
    fn helmignore_errors_name_file_and_line() {
        assert_eq!(
            IgnoreRules::parse("ok\n**/x\n").unwrap_err(),
            (2, "double-star (**) syntax is not supported".to_string())
        );
        assert!(IgnoreRules::parse("[abc\n").is_err());
        assert!(IgnoreRules::parse("trailing\\\n").is_err());

        let dir = chart_with_yaml("apiVersion: v2\nname: demo\nversion: 0.1.0\n");
        write(dir.path(), ".helmignore", "# c\nfoo/**\n");
        let message = package_error(dir.path()).to_string();
        assert!(
            message.contains(".helmignore: line 2: double-star"),
            "{message}"
        );
    }

    #[test]
    fn ignored_directories_are_skipped_and_helmignore_is_packaged() {
        let dir = chart_with_yaml("apiVersion: v2\nname: demo\nversion: 0.1.0\n");
        write(dir.path(), ".helmignore", "ci/\n");
        write(dir.path(), "ci/values.yaml", "x: 1\n");
        write(dir.path(), "templates/ci/cm.yaml", "kind: ConfigMap\n");
        let out = package_into(dir.path(), &dir.path().join("out"));
        let (_, entries) = read_tgz(&out);
        assert_eq!(names(&entries), ["demo/Chart.yaml", "demo/.helmignore"]);
    }

    #[test]
    fn missing_dependencies_are_reported() {
        let dir = chart_with_yaml(
            "apiVersion: v2\nname: demo\nversion: 0.1.0\ndependencies:\n- name: replicated\n  repository: oci://registry.replicated.com/library\n  version: 1.0.0\n",
        );
        let err = package_error(dir.path());
        assert!(matches!(err, HelmError::MissingDependencies { .. }));
        assert!(
            err.to_string()
                .contains("missing in charts/ directory: replicated")
        );
    }

    #[test]
    fn subcharts_are_expanded_from_directories_and_archives() {
        let dir = chart_with_yaml(
            "apiVersion: v2\nname: demo\nversion: 0.1.0\ndependencies:\n- name: inner\n  repository: ''\n  version: 0.2.0\n- name: packed\n  repository: ''\n  version: 0.3.0\n",
        );
        write(
            dir.path(),
            "Chart.lock",
            "dependencies: []\ndigest: sha256:0\ngenerated: \"2024-01-01T00:00:00Z\"\n",
        );
        write(
            dir.path(),
            "charts/inner-dir/Chart.yaml",
            "apiVersion: v2\nname: inner\nversion: 0.2.0\n",
        );
        write(dir.path(), "charts/inner-dir/templates/x.yaml", "kind: X\n");
        // An archive built by ourselves stands in for one `helm dependency update` fetched.
        let packed = chart_with_yaml("apiVersion: v2\nname: packed\nversion: 0.3.0\n");
        write(packed.path(), "values.yaml", "p: 1\n");
        let archive = package_into(packed.path(), &dir.path().join("charts"));
        assert_eq!(archive.file_name().unwrap(), "packed-0.3.0.tgz");

        let out = package_into(dir.path(), &dir.path().join("out"));
        let (_, entries) = read_tgz(&out);
        assert_eq!(
            names(&entries),
            [
                "demo/Chart.yaml",
                "demo/Chart.lock",
                "demo/charts/inner/Chart.yaml",
                "demo/charts/inner/templates/x.yaml",
                "demo/charts/packed/Chart.yaml",
                "demo/charts/packed/values.yaml",
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_followed_and_loops_stop() {
        use std::os::unix::fs::symlink;
        let dir = chart_with_yaml("apiVersion: v2\nname: demo\nversion: 0.1.0\n");
        let shared = TempDir::new().unwrap();
        write(shared.path(), "cm.yaml", "kind: ConfigMap\n");
        fs::create_dir(dir.path().join("templates")).unwrap();
        symlink(
            shared.path().join("cm.yaml"),
            dir.path().join("templates/cm.yaml"),
        )
        .unwrap();
        let out = package_into(dir.path(), &dir.path().join("out"));
        let (_, entries) = read_tgz(&out);
        assert_eq!(
            entry(&entries, "demo/templates/cm.yaml").data,
            b"kind: ConfigMap\n"
        );

        symlink(dir.path(), dir.path().join("templates/loop")).unwrap();
        let message = package_error(dir.path()).to_string();
        assert!(
            message.contains("loop") && message.contains("templates/loop"),
            "{message}"
        );

        fs::remove_file(dir.path().join("templates/loop")).unwrap();
        symlink(dir.path().join("nowhere"), dir.path().join("dangling")).unwrap();
        let message = package_error(dir.path()).to_string();
        assert!(
            message.contains("dangling") && message.contains("symlink"),
            "{message}"
        );
    }

    #[test]
    fn packages_the_lesson_chart() {
        let chart = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("lessons/proxying-private-images/files/slackernews");
        let dest = TempDir::new().unwrap();
        let out = package_into(&chart, dest.path());
        assert_eq!(out.file_name().unwrap(), "slackernews-0.4.1.tgz");
        let (_, entries) = read_tgz(&out);
        let names = names(&entries);
        assert_eq!(
            names[..2],
            ["slackernews/Chart.yaml", "slackernews/values.yaml"]
        );
        assert!(names.contains(&"slackernews/templates/slackernews-deployment.yaml"));
        assert!(names.contains(&"slackernews/templates/troubleshoot/preflights.yaml"));
        assert!(names.contains(&"slackernews/.helmignore"));
        assert!(!names.contains(&"slackernews/templates/imagepullsecret.yaml"));
        assert!(names.iter().all(|n| n.starts_with("slackernews/")));
    }

    #[test]
    fn lesson_chart_helmignore_is_honoured() {
        let dir = TempDir::new().unwrap();
        let chart = dir.path().join("slackernews");
        let source = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("lessons/proxying-private-images/files/slackernews");
        copy_tree(&source, &chart);
        write(&chart, "values.yaml.bak", "old: true\n");
        write(&chart, ".vscode/settings.json", "{}");
        write(&chart, ".git/HEAD", "ref: refs/heads/main\n");
        let out = package_into(&chart, &dir.path().join("release"));
        let (_, entries) = read_tgz(&out);
        let names = names(&entries);
        assert!(
            !names
                .iter()
                .any(|n| n.contains(".bak") || n.contains(".vscode") || n.contains(".git/")),
            "{names:?}"
        );
    }

    fn copy_tree(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_tree(&entry.path(), &target);
            } else {
                fs::copy(entry.path(), target).unwrap();
            }
        }
    }

    fn os_args(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    fn parsed(args: &[&str]) -> Result<Command, String> {
        parse_command(&os_args(args))
    }

    #[test]
    fn parses_package_flags_like_pflag() {
        let Ok(Command::Package { charts, options }) = parsed(&[
            "package",
            "slackernews",
            "--destination",
            "./release",
            "--version=0.5.0",
        ]) else {
            panic!("expected a package command");
        };
        assert_eq!(charts, [PathBuf::from("slackernews")]);
        assert_eq!(options.destination, PathBuf::from("./release"));
        assert_eq!(options.version.as_deref(), Some("0.5.0"));

        let Ok(Command::Package { options, charts }) = parsed(&[
            "package",
            "-drelease",
            "a",
            "--app-version",
            "2",
            "--",
            "-b",
        ]) else {
            panic!("expected a package command");
        };
        assert_eq!(options.destination, PathBuf::from("release"));
        assert_eq!(options.app_version.as_deref(), Some("2"));
        assert_eq!(charts, [PathBuf::from("a"), PathBuf::from("-b")]);
    }

    #[test]
    fn other_commands_and_bad_flags() {
        assert_eq!(parsed(&[]), Ok(Command::Help(HelpTopic::Root)));
        assert_eq!(
            parsed(&["package", "--help"]),
            Ok(Command::Help(HelpTopic::Package))
        );
        assert_eq!(
            parsed(&["version", "--short"]),
            Ok(Command::Version { short: true })
        );
        assert_eq!(
            parsed(&["install", "x"]),
            Ok(Command::Unsupported("install".into()))
        );
        assert!(
            parsed(&["package"])
                .unwrap_err()
                .contains("requires at least 1 argument")
        );
        assert!(
            parsed(&["package", "x", "--sign"])
                .unwrap_err()
                .contains("https://helm.sh")
        );
        assert!(
            parsed(&["package", "x", "--bogus"])
                .unwrap_err()
                .contains("unknown flag: --bogus")
        );
        assert!(
            parsed(&["package", "x", "-d"])
                .unwrap_err()
                .contains("needs an argument")
        );
        assert_eq!(run(&os_args(&["install"])), 1);
    }

    #[test]
    fn run_packages_and_reports_errors() {
        let dir = small_chart();
        let chart = dir.path().join("src-dir");
        let dest = dir.path().join("release");
        let args = [
            OsString::from("package"),
            chart.clone().into_os_string(),
            OsString::from("-d"),
            dest.clone().into_os_string(),
        ];
        assert_eq!(run(&args), 0);
        assert!(dest.join("demo-0.1.0.tgz").is_file());
        let missing = [
            OsString::from("package"),
            dir.path().join("nope").into_os_string(),
        ];
        assert_eq!(run(&missing), 1);
    }
}
