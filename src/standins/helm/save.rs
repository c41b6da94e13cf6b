//! Writing the `.tgz` as Helm's `chartutil.Save` does: entries `<name>/…` in
//! Helm's order, regular files with mode 0644 and uid/gid 0, Chart.yaml
//! re-serialised with sorted keys, subcharts expanded, and Helm's gzip header.

use std::io::{self, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use flate2::{Compression, GzBuilder};

use super::error::{HelmError, invalid, io_error};
use super::load::Chart;

/// Helm writes these bytes into the gzip header's Extra field (`save.go` `headerBytes`).
pub(super) const GZIP_EXTRA: &[u8] = b"+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=";
/// Helm's gzip header comment.
const GZIP_COMMENT: &str = "Helm";

/// Builds the whole `.tgz` in memory, so a failure never leaves a partial file behind.
pub(super) fn write_archive(chart: &Chart, target: &Path) -> Result<Vec<u8>, HelmError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standins::helm::test_support::*;

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
}
