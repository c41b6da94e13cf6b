//! Reading a chart package (`.tgz`) in memory: the one gzip decoder, size
//! limits and path-safety rule every reader of chart archives in labrun uses.
//!
//! The bytes are learner input or an upload: the archive is never extracted,
//! inflation is bounded so a decompression bomb cannot exhaust memory, and
//! entries whose paths (or link targets) could leave the archive are refused.
//! Every gzip member is read to its end, as `gzip -d` and Go's gzip reader
//! read them, so each member's CRC-32 and length are verified.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read};
use std::rc::Rc;

use flate2::read::MultiGzDecoder;

/// What a whole archive may inflate to (its tar stream, headers included):
/// far more than any chart, far less than a bomb would inflate to.
pub const MAX_INFLATED_BYTES: u64 = 64 * 1024 * 1024;
/// Helm's limit for one file of a chart (`loader.MaxDecompressedFileSize`).
pub const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;
/// Bounds the work a hostile archive of many empty entries can cause.
pub const MAX_ENTRIES: usize = 10_000;

/// Why bytes are not a readable chart package. Each message completes a
/// sentence whose subject is the archive: "release/x.tgz is not a gzip file".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveError {
    #[error("is not a gzip file (a chart package is a .tgz, as `helm package` makes)")]
    NotGzip,
    /// The gzip layer failed: truncated, a bad CRC-32 or length, bad deflate data.
    #[error("is truncated or corrupt (damaged gzip data: {0})")]
    DamagedGzip(String),
    /// The gzip layer is whole but what it holds is not a tar archive.
    #[error("is truncated or corrupt (not a valid tar archive: {0})")]
    DamagedTar(String),
    #[error("inflates to more than {} MiB; not read further", MAX_INFLATED_BYTES >> 20)]
    TooLarge,
    #[error("holds {path}, which inflates to more than {} MiB (Helm's limit for one file)", MAX_FILE_BYTES >> 20)]
    FileTooLarge { path: String },
    #[error("holds more than {MAX_ENTRIES} entries")]
    TooManyEntries,
    #[error("holds an unsafe path {path:?} ({why})")]
    UnsafePath { path: String, why: UnsafePath },
    #[error("holds {path}, a link to {target:?}, which leads out of the archive")]
    LinkOut { path: String, target: String },
    #[error("holds {path}, which is not a regular file ({kind})")]
    NotRegular { path: String, kind: &'static str },
    #[error("holds no files")]
    Empty,
    #[error(
        "has files at its root ({path}); a chart package has everything under one directory named after the chart"
    )]
    FileAtRoot { path: String },
    #[error("has {count} top-level entries ({names}); a chart package has one directory")]
    ManyTops { count: usize, names: String },
}

/// Why a path could escape the directory an archive is unpacked into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UnsafePath {
    #[error("it is absolute")]
    Absolute,
    #[error("it contains \"..\"")]
    ParentDir,
    #[error("it is not UTF-8")]
    NotUtf8,
}

/// The path-safety rule, for archive entries and anything else unpacked
/// relative to a directory (release spec paths): no absolute paths (`/`, `\`,
/// a drive letter) and no `..` component, with `\` read as a separator too,
/// as Helm reads archives made on Windows.
pub fn unsafe_path(path: &str) -> Option<UnsafePath> {
    let bytes = path.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if path.starts_with(['/', '\\']) || drive {
        return Some(UnsafePath::Absolute);
    }
    if path.split(['/', '\\']).any(|part| part == "..") {
        return Some(UnsafePath::ParentDir);
    }
    None
}

/// `./a//b\c` → `a/b/c`: the components that name something, joined by `/`.
fn normalize(path: &str) -> String {
    path.split(['/', '\\'])
        .filter(|part| !part.is_empty() && *part != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// One regular file of an archive: its normalized path (top directory
/// included) and its bytes as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveFile {
    pub path: String,
    pub data: Vec<u8>,
}

/// The regular files of a chart package, in archive order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Archive {
    pub files: Vec<ArchiveFile>,
}

impl Archive {
    /// Reads a `.tgz` in memory: every gzip member to its end, at most
    /// [`MAX_INFLATED_BYTES`] inflated, [`MAX_ENTRIES`] entries and
    /// [`MAX_FILE_BYTES`] a file. Directories and tar's own metadata entries
    /// are skipped; a link is skipped when its target stays inside the
    /// archive and refused when it leads out; devices and FIFOs are refused.
    pub fn read(bytes: &[u8]) -> Result<Archive, ArchiveError> {
        if !bytes.starts_with(&[0x1f, 0x8b]) {
            return Err(ArchiveError::NotGzip);
        }
        let state = Rc::new(Inflation::default());
        let inflated = Inflating {
            inner: MultiGzDecoder::new(bytes),
            remaining: MAX_INFLATED_BYTES,
            state: state.clone(),
        };
        let mut archive = tar::Archive::new(inflated);
        let damaged = |e: io::Error| state.error(e);
        let mut files = Vec::new();
        let entries = archive.entries().map_err(damaged)?;
        for (count, entry) in entries.enumerate() {
            if count >= MAX_ENTRIES {
                return Err(ArchiveError::TooManyEntries);
            }
            let mut entry = entry.map_err(damaged)?;
            if let Some(file) = read_entry(&mut entry).map_err(|e| e.or_damaged(&state))? {
                files.push(file);
            }
        }
        // tar stops at its end-of-archive blocks; the gzip stream goes on to
        // its trailer, whose CRC is checked only when read (as `tar tzf`
        // does), and possibly to more gzip members. Read it all.
        io::copy(&mut archive.into_inner(), &mut io::sink()).map_err(damaged)?;
        Ok(Archive { files })
    }

    /// The one top directory every file is under, or why the layout is not a
    /// chart package's: no files, a file at the root, several top entries.
    pub fn top(&self) -> Result<&str, ArchiveError> {
        if let Some(file) = self.files.iter().find(|f| !f.path.contains('/')) {
            return Err(ArchiveError::FileAtRoot {
                path: file.path.clone(),
            });
        }
        let tops: BTreeSet<&str> = self.files.iter().map(|f| top_of(&f.path)).collect();
        match tops.len() {
            0 => Err(ArchiveError::Empty),
            1 => Ok(tops.into_iter().next().expect("one top")),
            count => Err(ArchiveError::ManyTops {
                count,
                names: tops.into_iter().take(5).collect::<Vec<_>>().join(", "),
            }),
        }
    }

    /// The files by path, as checks read them; a path stored twice keeps the
    /// later copy, as unpacking the archive would.
    pub fn into_map(self) -> BTreeMap<String, Vec<u8>> {
        self.files.into_iter().map(|f| (f.path, f.data)).collect()
    }
}

fn top_of(path: &str) -> &str {
    path.split('/').next().unwrap_or(path)
}

/// A failure while reading one entry: the archive's fault, or the stream's.
enum EntryError {
    Archive(ArchiveError),
    Io(io::Error),
}

impl EntryError {
    fn or_damaged(self, state: &Inflation) -> ArchiveError {
        match self {
            EntryError::Archive(e) => e,
            EntryError::Io(e) => state.error(e),
        }
    }
}

impl From<ArchiveError> for EntryError {
    fn from(e: ArchiveError) -> Self {
        EntryError::Archive(e)
    }
}

/// One entry: a regular file read whole, `None` for what is skipped.
fn read_entry<R: Read>(entry: &mut tar::Entry<R>) -> Result<Option<ArchiveFile>, EntryError> {
    let kind = entry.header().entry_type();
    if kind.is_pax_global_extensions()
        || kind.is_pax_local_extensions()
        || kind.is_gnu_longname()
        || kind.is_gnu_longlink()
    {
        return Ok(None);
    }
    let raw = entry.path_bytes().into_owned();
    let Ok(raw) = String::from_utf8(raw) else {
        let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        return Err(ArchiveError::UnsafePath {
            path,
            why: UnsafePath::NotUtf8,
        }
        .into());
    };
    if let Some(why) = unsafe_path(&raw) {
        return Err(ArchiveError::UnsafePath { path: raw, why }.into());
    }
    let path = normalize(&raw);
    if kind.is_dir() || path.is_empty() {
        return Ok(None);
    }
    if kind.is_symlink() || kind.is_hard_link() {
        let target = entry
            .link_name_bytes()
            .map(|t| String::from_utf8_lossy(&t).into_owned())
            .unwrap_or_default();
        // A hard link names another entry of the archive; a symbolic link is
        // resolved from the directory it is in.
        let base = if kind.is_hard_link() {
            ""
        } else {
            path.rsplit_once('/').map_or("", |(dir, _)| dir)
        };
        if leads_out(base, &target) {
            return Err(ArchiveError::LinkOut { path, target }.into());
        }
        return Ok(None);
    }
    if !(kind.is_file() || kind == tar::EntryType::Continuous) {
        return Err(ArchiveError::NotRegular {
            path,
            kind: entry_kind(kind),
        }
        .into());
    }
    if entry.size() > MAX_FILE_BYTES {
        return Err(ArchiveError::FileTooLarge { path }.into());
    }
    let mut data = Vec::new();
    entry
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut data)
        .map_err(EntryError::Io)?;
    if data.len() as u64 > MAX_FILE_BYTES {
        return Err(ArchiveError::FileTooLarge { path }.into());
    }
    Ok(Some(ArchiveFile { path, data }))
}

/// Whether `target`, resolved from the directory `base` (relative to the
/// archive's root), names something outside the archive.
fn leads_out(base: &str, target: &str) -> bool {
    if target.is_empty() || unsafe_path(target) == Some(UnsafePath::Absolute) {
        return true;
    }
    let mut depth = base.split('/').filter(|p| !p.is_empty()).count();
    for part in target.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." if depth == 0 => return true,
            ".." => depth -= 1,
            _ => depth += 1,
        }
    }
    false
}

fn entry_kind(kind: tar::EntryType) -> &'static str {
    match kind {
        tar::EntryType::Fifo => "a FIFO",
        tar::EntryType::Char => "a character device",
        tar::EntryType::Block => "a block device",
        tar::EntryType::GNUSparse => "a sparse file",
        _ => "an entry of an unknown type",
    }
}

/// What happened below the tar reader: whether the gzip layer failed (and
/// how) or the limit was reached. Shared with [`Inflating`], which the tar
/// reader owns, to tell a damaged gzip stream from a damaged tar inside it.
#[derive(Default)]
struct Inflation {
    exceeded: Cell<bool>,
    gzip_error: Cell<Option<String>>,
}

impl Inflation {
    fn error(&self, e: io::Error) -> ArchiveError {
        if self.exceeded.get() {
            return ArchiveError::TooLarge;
        }
        match self.gzip_error.take() {
            Some(reason) => ArchiveError::DamagedGzip(reason),
            // A tar that ends early reads as "unexpected end of file" here,
            // even though the gzip layer was whole: it was cut before gzip'ing.
            None => ArchiveError::DamagedTar(e.to_string()),
        }
    }
}

/// The inflated stream, failing once more than the limit comes through.
struct Inflating<R> {
    inner: R,
    remaining: u64,
    state: Rc<Inflation>,
}

impl<R: Read> Read for Inflating<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf).inspect_err(|e| {
            self.state.gzip_error.set(Some(e.to_string()));
        })?;
        if n as u64 > self.remaining {
            self.state.exceeded.set(true);
            return Err(io::Error::other("archive inflates beyond the limit"));
        }
        self.remaining -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::test_archives::{Tar, gzip, gzip_members, inflate, tgz, with_bad_crc};

    fn paths(archive: &Archive) -> Vec<&str> {
        archive.files.iter().map(|f| f.path.as_str()).collect()
    }

    #[test]
    fn regular_files_are_read_in_archive_order_with_paths_normalized() {
        let bytes = Tar::new()
            .dir("chart/")
            .file("./chart/values.yaml", b"a: 1\n")
            .file("chart//Chart.yaml", b"name: chart\n")
            .tgz();
        let archive = Archive::read(&bytes).unwrap();
        assert_eq!(paths(&archive), ["chart/values.yaml", "chart/Chart.yaml"]);
        assert_eq!(archive.files[0].data, b"a: 1\n");
        assert_eq!(archive.top(), Ok("chart"));
    }

    #[test]
    fn every_gzip_member_is_read_and_its_crc_checked() {
        let whole = tgz(&[("chart/Chart.yaml", "name: chart\n")]);
        let two = gzip_members(&inflate(&whole), 2);
        assert_eq!(Archive::read(&two), Archive::read(&whole));

        let damaged = |bytes: &[u8]| match Archive::read(bytes) {
            Err(ArchiveError::DamagedGzip(reason)) => reason,
            other => panic!("expected damaged gzip data, got {other:?}"),
        };
        damaged(&with_bad_crc(whole.clone()));
        // The second member's trailer is read too, after tar's end blocks.
        damaged(&with_bad_crc(two));
        // A member appended after a whole archive is read to its end as well.
        let mut appended = whole.clone();
        appended.extend(with_bad_crc(whole.clone()));
        damaged(&appended);
        damaged(&whole[..whole.len() / 2]);
    }

    #[test]
    fn damage_says_which_layer() {
        assert_eq!(Archive::read(b"PK\x03\x04"), Err(ArchiveError::NotGzip));
        assert_eq!(Archive::read(b""), Err(ArchiveError::NotGzip));
        let mut header = Tar::new().file("chart/a", b"x").into_tar();
        header[148] ^= 0x01; // the header checksum
        let message = Archive::read(&gzip(&[&header])).unwrap_err().to_string();
        assert!(
            message.starts_with("is truncated or corrupt (not a valid tar archive"),
            "{message}"
        );
    }

    #[test]
    fn inflation_stops_at_the_limit() {
        let bomb = crate::chart::test_archives::bomb("chart", MAX_INFLATED_BYTES + (8 << 20));
        assert!(bomb.len() < 1 << 20, "the bomb is small: {}", bomb.len());
        assert_eq!(Archive::read(&bomb), Err(ArchiveError::TooLarge));
        assert_eq!(
            ArchiveError::TooLarge.to_string(),
            "inflates to more than 64 MiB; not read further"
        );
    }

    #[test]
    fn one_file_may_be_at_most_helms_limit() {
        let limit = MAX_FILE_BYTES as usize;
        let fits = Tar::new().file("c/big", &vec![b'x'; limit]).tgz();
        assert!(Archive::read(&fits).is_ok());
        let over = Tar::new().file("c/big", &vec![b'x'; limit + 1]).tgz();
        assert_eq!(
            Archive::read(&over),
            Err(ArchiveError::FileTooLarge {
                path: "c/big".into()
            })
        );
    }

    #[test]
    fn entries_are_counted() {
        let mut many = Tar::new();
        for i in 0..=MAX_ENTRIES {
            many = many.dir(&format!("c/d{i}/"));
        }
        assert_eq!(
            Archive::read(&many.tgz()),
            Err(ArchiveError::TooManyEntries)
        );
    }

    #[test]
    fn paths_that_leave_the_archive_are_refused() {
        for (path, why) in [
            ("../x", UnsafePath::ParentDir),
            ("chart/../../etc/passwd", UnsafePath::ParentDir),
            ("chart\\..\\..\\x", UnsafePath::ParentDir),
            ("/etc/passwd", UnsafePath::Absolute),
            ("\\x", UnsafePath::Absolute),
            ("C:/x", UnsafePath::Absolute),
        ] {
            let bytes = Tar::new().file(path, b"x").tgz();
            assert_eq!(
                Archive::read(&bytes),
                Err(ArchiveError::UnsafePath {
                    path: path.into(),
                    why
                }),
                "{path}"
            );
        }
        let message = Archive::read(&Tar::new().file("../x", b"x").tgz())
            .unwrap_err()
            .to_string();
        assert_eq!(
            message,
            "holds an unsafe path \"../x\" (it contains \"..\")"
        );
        let not_utf8 = Tar::new().file_raw_name(b"c/\xff", b"x").tgz();
        assert!(matches!(
            Archive::read(&not_utf8),
            Err(ArchiveError::UnsafePath {
                why: UnsafePath::NotUtf8,
                ..
            })
        ));
    }

    #[test]
    fn links_may_not_lead_out() {
        let inside = Tar::new()
            .file("c/values.yaml", b"a: 1\n")
            .symlink("c/templates/v.yaml", "../values.yaml")
            .hard_link("c/copy.yaml", "c/values.yaml")
            .tgz();
        let archive = Archive::read(&inside).unwrap();
        assert_eq!(paths(&archive), ["c/values.yaml"], "links are not files");

        for (bytes, path, target) in [
            (
                Tar::new().symlink("c/passwd", "/etc/passwd").tgz(),
                "c/passwd",
                "/etc/passwd",
            ),
            (
                Tar::new().symlink("c/t/x", "../../../x").tgz(),
                "c/t/x",
                "../../../x",
            ),
            (Tar::new().hard_link("c/x", "../x").tgz(), "c/x", "../x"),
        ] {
            assert_eq!(
                Archive::read(&bytes),
                Err(ArchiveError::LinkOut {
                    path: path.into(),
                    target: target.into()
                })
            );
        }
    }

    #[test]
    fn devices_and_fifos_are_refused() {
        let bytes = Tar::new().special("c/pipe", tar::EntryType::Fifo).tgz();
        assert_eq!(
            Archive::read(&bytes).unwrap_err().to_string(),
            "holds c/pipe, which is not a regular file (a FIFO)"
        );
    }

    #[test]
    fn the_layout_of_a_chart_package() {
        let layout =
            |files: &[(&str, &str)]| Archive::read(&tgz(files)).unwrap().top().map(str::to_owned);
        assert_eq!(layout(&[("c/Chart.yaml", "")]), Ok("c".into()));
        assert_eq!(layout(&[]), Err(ArchiveError::Empty));
        assert_eq!(
            layout(&[("c/Chart.yaml", ""), ("Chart.yaml", "")]),
            Err(ArchiveError::FileAtRoot {
                path: "Chart.yaml".into()
            })
        );
        assert_eq!(
            layout(&[("a/x", ""), ("b/y", "")]).unwrap_err().to_string(),
            "has 2 top-level entries (a, b); a chart package has one directory"
        );
    }

    #[test]
    fn a_path_stored_twice_keeps_the_later_copy_in_the_map() {
        let bytes = tgz(&[("c/a", "first"), ("c/a", "second")]);
        let map = Archive::read(&bytes).unwrap().into_map();
        assert_eq!(map["c/a"], b"second");
    }

    #[test]
    fn the_unsafe_path_rule() {
        assert_eq!(unsafe_path("a/b.yaml"), None);
        assert_eq!(unsafe_path("a/..b"), None);
        assert_eq!(unsafe_path("a/../b"), Some(UnsafePath::ParentDir));
        assert_eq!(unsafe_path("/a"), Some(UnsafePath::Absolute));
        assert_eq!(normalize("./a//b\\c/."), "a/b/c");
    }
}
