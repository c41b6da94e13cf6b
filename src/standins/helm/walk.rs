//! Reading a chart directory like Helm's `sympath.Walk` and loader: entries
//! in byte order, depth first, symlinks followed (loops stopped), `.helmignore`
//! applied, every file regular, read without blocking and size-limited.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::error::{HelmError, invalid, io_error};
use super::ignore::{IgnoreRules, load_ignore_rules};
use super::load::{Chart, load_chart};
use crate::chart;

/// Helm's per-file limit (`loader.MaxDecompressedFileSize`); also bounds what we read into memory.
pub(super) const MAX_FILE_SIZE: u64 = chart::MAX_FILE_BYTES;
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A chart file: its path relative to the chart root (with `/`) and its bytes, BOM removed.
#[derive(Debug, Clone)]
pub(super) struct ChartFile {
    pub(super) name: String,
    pub(super) data: Vec<u8>,
}

pub(super) fn strip_bom(data: &[u8]) -> &[u8] {
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

pub(super) fn load_dir(chart_dir: &Path) -> Result<Chart, HelmError> {
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

pub(super) fn read_error(path: &Path, e: crate::fsutil::ReadError) -> HelmError {
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
