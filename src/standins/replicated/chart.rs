//! `release create --chart FILE`: the package read from disk (a regular file,
//! without blocking) and checked by the one chart reader before anything is
//! sent, so the stand-in refuses what the Vendor API would.

use std::io;
use std::path::Path;

use super::ui::Failure;

/// Chart packages larger than this are not read; the chart reader refuses
/// more than 64 MiB inflated anyway.
pub(super) const MAX_CHART_BYTES: u64 = 100 * 1024 * 1024;

/// Reads and checks a chart package like the CLI's `loader.LoadArchive`
/// before anything is sent ([`crate::chart::read_package`]: a gzip'd tar,
/// every file under one top-level directory, a valid `<top>/Chart.yaml`).
/// Returns the file name (the spec's `name`/`path`) and the bytes.
pub(super) fn read_chart(chart: &str) -> Result<(String, Vec<u8>), Failure> {
    let path = Path::new(chart);
    let fail = |why: String| Failure::Message(format!("{chart}: {why}"));
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => fail(
            "no such file (package the chart first, e.g. `helm package ~/slackernews \
             --destination ~/release`)"
                .into(),
        ),
        _ => fail(format!("cannot read: {e}")),
    })?;
    if meta.is_dir() {
        return Err(fail(
            "is a directory; --chart takes the packaged chart (.tgz) that `helm package` writes"
                .into(),
        ));
    }
    if meta.len() > MAX_CHART_BYTES {
        return Err(fail(format!(
            "is larger than {} MiB; not a chart package",
            MAX_CHART_BYTES >> 20
        )));
    }
    // Regular files only, opened without blocking: a FIFO named as the
    // chart must not hang the command.
    let bytes = crate::fsutil::read_limited(path, MAX_CHART_BYTES).map_err(|e| match e {
        crate::fsutil::ReadError::NotRegular { kind, .. } => fail(format!(
            "is not a regular file ({kind}); not a chart package"
        )),
        crate::fsutil::ReadError::TooLarge { .. } => fail(format!(
            "is larger than {} MiB; not a chart package",
            MAX_CHART_BYTES >> 20
        )),
        other => fail(format!("cannot read: {other}")),
    })?;
    // The one chart reader, as the local Vendor API reads the upload.
    crate::chart::read_package(&bytes).map_err(|why| fail(why.to_string()))?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| chart.to_string());
    Ok((file_name, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::test_archives::tgz;

    /// `release create`'s local check of a package, on a file holding `bytes`.
    fn checked(bytes: &[u8]) -> Result<(String, Vec<u8>), String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("slackernews-0.5.0.tgz");
        std::fs::write(&path, bytes).unwrap();
        read_chart(path.to_str().unwrap()).map_err(|failure| match failure {
            Failure::Message(message) => message,
            Failure::Api(e) => panic!("no API call expected: {e}"),
        })
    }

    #[test]
    fn chart_packages_are_checked_locally() {
        let chart = "apiVersion: v2\nname: slackernews\nversion: 0.5.0\n";
        let good = tgz(&[
            ("slackernews/Chart.yaml", chart),
            ("slackernews/values.yaml", "a: 1\n"),
        ]);
        let (name, bytes) = checked(&good).unwrap();
        assert_eq!((name.as_str(), bytes), ("slackernews-0.5.0.tgz", good));
        let fails = |bytes: &[u8]| checked(bytes).unwrap_err();
        assert!(fails(b"plain text").contains("is not a gzip file"));
        assert!(
            fails(&tgz(&[("slackernews/values.yaml", "a: 1")]))
                .contains("Chart.yaml file is missing")
        );
        assert!(fails(&tgz(&[("Chart.yaml", chart)])).contains("files at its root"));
        assert!(
            fails(&tgz(&[("a/Chart.yaml", chart), ("b/values.yaml", "")]))
                .contains("2 top-level entries")
        );
        assert!(fails(&tgz(&[("a/Chart.yaml", "name: a\n")])).contains("version is required"));
        assert!(fails(&tgz(&[])).contains("holds no files"));
        let truncated = tgz(&[("slackernews/Chart.yaml", chart)]);
        assert!(fails(&truncated[..truncated.len() / 2]).contains("is truncated or corrupt"));
    }
}
