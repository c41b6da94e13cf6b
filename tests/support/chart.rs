//! Chart packages (`.tgz`) built for tests: plain ones, and the hostile ones
//! only hand-written tar headers make (`..` and absolute paths, links, FIFOs,
//! bombs, several gzip members, a broken CRC). The one archive builder of the
//! test suite; the library's unit tests include this file too.
#![allow(dead_code)]

use std::io::{Read, Write};

use flate2::Compression;
use flate2::write::GzEncoder;

/// A tar archive written header by header, so that it can hold what
/// `tar::Builder` refuses to write.
#[derive(Default)]
pub struct Tar {
    bytes: Vec<u8>,
}

impl Tar {
    pub fn new() -> Tar {
        Tar::default()
    }

    /// A regular file.
    pub fn file(self, path: &str, data: &[u8]) -> Tar {
        self.file_raw_name(path.as_bytes(), data)
    }

    /// A regular file whose name is any bytes (not UTF-8, say).
    pub fn file_raw_name(self, name: &[u8], data: &[u8]) -> Tar {
        self.entry(name, tar::EntryType::Regular, b"", data)
    }

    pub fn dir(self, path: &str) -> Tar {
        self.entry(path.as_bytes(), tar::EntryType::Directory, b"", b"")
    }

    pub fn symlink(self, path: &str, target: &str) -> Tar {
        self.entry(
            path.as_bytes(),
            tar::EntryType::Symlink,
            target.as_bytes(),
            b"",
        )
    }

    pub fn hard_link(self, path: &str, target: &str) -> Tar {
        self.entry(
            path.as_bytes(),
            tar::EntryType::Link,
            target.as_bytes(),
            b"",
        )
    }

    /// A FIFO or a device.
    pub fn special(self, path: &str, kind: tar::EntryType) -> Tar {
        self.entry(path.as_bytes(), kind, b"", b"")
    }

    fn entry(mut self, name: &[u8], kind: tar::EntryType, link: &[u8], data: &[u8]) -> Tar {
        let mut header = tar::Header::new_gnu();
        let gnu = header.as_gnu_mut().unwrap();
        assert!(
            name.len() <= gnu.name.len(),
            "name too long for a test header"
        );
        gnu.name[..name.len()].copy_from_slice(name);
        gnu.linkname[..link.len()].copy_from_slice(link);
        header.set_entry_type(kind);
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        self.bytes.extend_from_slice(header.as_bytes());
        self.bytes.extend_from_slice(data);
        self.bytes.resize(self.bytes.len().next_multiple_of(512), 0);
        self
    }

    /// The tar stream, with its two end-of-archive blocks.
    pub fn into_tar(mut self) -> Vec<u8> {
        self.bytes.resize(self.bytes.len() + 1024, 0);
        self.bytes
    }

    /// The tar stream gzip'd: a `.tgz`.
    pub fn tgz(self) -> Vec<u8> {
        gzip(&[&self.into_tar()])
    }
}

/// A `.tgz` of regular files given as (path, text).
pub fn tgz(files: &[(&str, &str)]) -> Vec<u8> {
    files
        .iter()
        .fold(Tar::new(), |tar, (path, text)| {
            tar.file(path, text.as_bytes())
        })
        .tgz()
}

/// The parts gzip'd as one member.
pub fn gzip(parts: &[&[u8]]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    for part in parts {
        gz.write_all(part).unwrap();
    }
    gz.finish().unwrap()
}

/// The same bytes as `count` gzip members, as `cat a.gz b.gz` makes.
pub fn gzip_members(raw: &[u8], count: usize) -> Vec<u8> {
    raw.chunks(raw.len().div_ceil(count).max(1))
        .flat_map(|part| gzip(&[part]))
        .collect()
}

/// The uncompressed bytes of every member.
pub fn inflate(tgz: &[u8]) -> Vec<u8> {
    let mut raw = Vec::new();
    flate2::read::MultiGzDecoder::new(tgz)
        .read_to_end(&mut raw)
        .unwrap();
    raw
}

/// `tgz` with a byte of its last member's CRC-32 (the trailer's first four
/// bytes) flipped.
pub fn with_bad_crc(mut tgz: Vec<u8>) -> Vec<u8> {
    let at = tgz.len() - 8;
    tgz[at] ^= 0xff;
    tgz
}

/// A small gzip that inflates to at least `inflated` bytes: files of zeros
/// under `top`, each within Helm's 5 MiB limit for one file.
pub fn bomb(top: &str, inflated: u64) -> Vec<u8> {
    const FILE: usize = 4 << 20;
    let zeros = vec![0u8; FILE];
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    for i in 0..inflated.div_ceil(FILE as u64) {
        let mut header = tar::Header::new_gnu();
        header.set_path(format!("{top}/zeros-{i}")).unwrap();
        header.set_size(FILE as u64);
        header.set_mode(0o644);
        header.set_cksum();
        gz.write_all(header.as_bytes()).unwrap();
        gz.write_all(&zeros).unwrap();
    }
    gz.write_all(&[0; 1024]).unwrap();
    gz.finish().unwrap()
}
