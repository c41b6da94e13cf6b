//! Charts in temporary directories, packaged and read back entry by entry
//! (header fields included), for the helm stand-in's tests.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use tempfile::TempDir;

use super::{HelmError, PackageOptions, package};

/// One archive entry as read back: name, mode, uid, gid, owner names, data.
pub struct Entry {
    pub name: String,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub owners: (Vec<u8>, Vec<u8>),
    pub ustar: bool,
    pub data: Vec<u8>,
}

pub fn write(root: &Path, name: &str, text: &str) {
    let path = root.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

pub const CHART_YAML: &str = "\
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
pub fn small_chart() -> TempDir {
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

pub fn package_into(chart: &Path, dest: &Path) -> PathBuf {
    let opts = PackageOptions {
        destination: dest.to_path_buf(),
        ..PackageOptions::default()
    };
    package(chart, &opts).unwrap()
}

pub fn read_tgz(path: &Path) -> (flate2::GzHeader, Vec<Entry>) {
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

pub fn names(entries: &[Entry]) -> Vec<&str> {
    entries.iter().map(|e| e.name.as_str()).collect()
}

pub fn entry<'a>(entries: &'a [Entry], name: &str) -> &'a Entry {
    entries.iter().find(|e| e.name == name).unwrap()
}

pub fn chart_with_yaml(chart_yaml: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "Chart.yaml", chart_yaml);
    dir
}

pub fn package_error(chart: &Path) -> HelmError {
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
