//! `kind = "package"`: a chart package (`.tgz`) is a gzip'd tar with one top
//! directory, and the files inside it pass the package's inner checks.
//!
//! The archive is learner input: it is read in memory and never extracted,
//! paths that leave the archive are refused, and inflation is bounded so a
//! decompression bomb cannot exhaust memory.

use super::files::{ArchiveFiles, FileRead, Files};
use super::{Context, Outcome, evaluate_inside};
use crate::lesson::CheckKind;
use flate2::read::MultiGzDecoder;
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read};
use std::path::{Component, Path};
use std::rc::Rc;

/// Far more than any chart; far less than a bomb would inflate to.
pub const MAX_INFLATED_BYTES: u64 = 64 * 1024 * 1024;
const MAX_ENTRIES: usize = 10_000;

pub(super) fn check(
    name: &str,
    kind: &CheckKind,
    files: &dyn Files,
    ctx: &Context,
) -> Vec<Outcome> {
    let CheckKind::Package {
        file,
        top,
        rebuild,
        checks,
    } = kind
    else {
        unreachable!("package::check is only called for package checks")
    };
    let (package, again) = match rebuild {
        Some(cmd) => (
            format!("package the chart: `{cmd}`"),
            format!("package the chart again: `{cmd}`"),
        ),
        None => (
            "package the chart".to_string(),
            "package the chart again".to_string(),
        ),
    };
    let inner_name = |label: String| format!("{}: {label}", base_name(file));
    let archive = match read_package(files, file).and_then(|a| check_top(a, top.as_deref())) {
        Ok(archive) => archive,
        Err(why) => {
            let message = match other_versions(files, file, top.as_deref()) {
                Some(others) => format!("{why}; {others}, then {again}"),
                None => format!("{why}; {package}"),
            };
            let mut outcomes = vec![Outcome::fail(name, message)];
            outcomes.extend(checks.iter().map(|c| {
                Outcome::fail(
                    &inner_name(c.label()),
                    format!("not checked: {file} could not be read"),
                )
            }));
            return outcomes;
        }
    };
    let top_dir = archive
        .entries
        .keys()
        .next()
        .map(|k| first_component(k).to_string())
        .unwrap_or_default();
    let mut outcomes = vec![Outcome::pass(
        name,
        format!(
            "{file}: a gzip'd tar of {} files under {top_dir}/",
            archive.entries.len()
        ),
    )];
    let stale = format!("{file} was packaged without this change; {again}");
    let advice = super::Advice {
        stale: &stale,
        again: &again,
    };
    outcomes.extend(evaluate_inside(
        checks,
        &archive,
        ctx,
        |c| inner_name(c.label()),
        &advice,
    ));
    outcomes
}

/// When the package is missing but one of another version lies beside it:
/// what that file is and why it was made ("packaged too early").
fn other_versions(files: &dyn Files, file: &str, top: Option<&str>) -> Option<String> {
    if files.exists(file) {
        return None;
    }
    let wanted = base_name(file);
    let chart = top.map(str::to_string).or_else(|| {
        let stem = wanted.strip_suffix(".tgz")?;
        // `name-1.2.3`: the name ends where the version (a digit) starts.
        let split = stem
            .match_indices('-')
            .find(|(i, _)| stem[i + 1..].starts_with(|c: char| c.is_ascii_digit()))?;
        Some(stem[..split.0].to_string())
    })?;
    let version_of = |name: &str| {
        name.strip_prefix(&format!("{chart}-"))?
            .strip_suffix(".tgz")
            .map(str::to_string)
    };
    let wanted_version = version_of(wanted)?;
    let others: Vec<String> = files
        .siblings(file)
        .into_iter()
        .filter(|n| version_of(n).is_some())
        .collect();
    let newest = others.last()?;
    let found_version = version_of(newest)?;
    let dir = file
        .rsplit_once('/')
        .map_or("its directory".to_string(), |(d, _)| format!("{d}/"));
    Some(format!(
        "{dir} holds {}: `helm package` names the file after the chart's version, which was {found_version} when it was packaged; set `version: {wanted_version}` in {chart}/Chart.yaml",
        others.join(", ")
    ))
}

fn base_name(file: &str) -> &str {
    file.rsplit('/').next().unwrap_or(file)
}

fn first_component(path: &str) -> &str {
    path.split('/').next().unwrap_or(path)
}

fn read_package(files: &dyn Files, file: &str) -> Result<ArchiveFiles, String> {
    let bytes = match files.read(file) {
        FileRead::Found(bytes) => bytes,
        FileRead::Missing => return Err(format!("{file} does not exist")),
        FileRead::Unreadable(why) => return Err(why),
    };
    read_archive(&bytes)
        .map(|entries| ArchiveFiles {
            archive: file.to_string(),
            entries,
        })
        .map_err(|why| format!("{file} {why}"))
}

fn check_top(archive: ArchiveFiles, want: Option<&str>) -> Result<ArchiveFiles, String> {
    let tops: BTreeSet<&str> = archive.entries.keys().map(|k| first_component(k)).collect();
    let name = &archive.archive;
    match (tops.len(), want) {
        (0, _) => Err(format!("{name} holds no files")),
        (1, _) if archive.entries.keys().any(|k| !k.contains('/')) => Err(format!(
            "{name} has files at its root; a chart package has everything under one directory"
        )),
        (1, Some(want)) if !tops.contains(want) => Err(format!(
            "{name} has top directory {}/, expected {want}/",
            tops.first().expect("one top")
        )),
        (1, _) => Ok(archive),
        _ => Err(format!(
            "{name} has {} top-level entries ({}); a chart package has one directory",
            tops.len(),
            tops.into_iter().take(5).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// The regular files of a .tar.gz, by normalized path; or why it is not one.
/// The error reads after the archive's name ("… is not a gzip file").
pub fn read_archive(bytes: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, String> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Err(
            "is not a gzip file (a chart package is a .tgz, as `helm package` makes)".into(),
        );
    }
    let exceeded = Rc::new(Cell::new(false));
    let reader = Limited {
        inner: MultiGzDecoder::new(bytes),
        remaining: MAX_INFLATED_BYTES,
        exceeded: exceeded.clone(),
    };
    let mut archive = tar::Archive::new(reader);
    let broken = |e: io::Error| {
        if exceeded.get() {
            format!(
                "inflates to more than {} MiB; not read further",
                MAX_INFLATED_BYTES >> 20
            )
        } else {
            format!("is truncated or corrupt: {e}")
        }
    };
    let mut files = BTreeMap::new();
    for entry in archive.entries().map_err(broken)? {
        let mut entry = entry.map_err(broken)?;
        let path = entry.path().map_err(broken)?.into_owned();
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions()
            || kind.is_pax_local_extensions()
            || kind.is_gnu_longname()
        {
            continue;
        }
        let normalized = safe_path(&path)
            .ok_or_else(|| format!("holds an unsafe path {:?}", path.display().to_string()))?;
        if kind.is_dir() {
            continue;
        }
        if !kind.is_file() {
            return Err(format!(
                "holds {normalized}, which is not a regular file (links are not allowed)"
            ));
        }
        let mut content = Vec::new();
        entry.read_to_end(&mut content).map_err(broken)?;
        files.insert(normalized, content);
        if files.len() > MAX_ENTRIES {
            return Err(format!("holds more than {MAX_ENTRIES} files"));
        }
    }
    // tar stops at its end-of-archive blocks; the gzip stream goes on to its
    // trailer, whose CRC is checked only when read (as `tar tzf` does), and
    // possibly to more gzip members. Read it all.
    io::copy(&mut archive.into_inner(), &mut io::sink()).map_err(broken)?;
    Ok(files)
}

/// `./a/b` → `a/b`; absolute paths and `..` → None.
fn safe_path(path: &Path) -> Option<String> {
    let mut parts = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_str()?),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// A reader that fails once more than `remaining` bytes come through.
struct Limited<R> {
    inner: R,
    remaining: u64,
    exceeded: Rc<Cell<bool>>,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.remaining {
            self.exceeded.set(true);
            return Err(io::Error::other("archive inflates beyond the limit"));
        }
        self.remaining -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::{Status, evaluate};
    use super::*;
    use crate::lesson::{CheckSpec, Expect};
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    /// A .tgz with the given (path, content) regular files.
    pub fn tgz(files: &[(&str, &str)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
        for (path, content) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(content.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder
                .append_data(&mut header, path, content.as_bytes())
                .unwrap();
        }
        builder.into_inner().unwrap().finish().unwrap()
    }

    fn package_kind(checks: Vec<CheckSpec>) -> CheckKind {
        CheckKind::Package {
            file: "release/chart-0.5.0.tgz".into(),
            top: Some("chart".into()),
            rebuild: Some("helm package chart --destination ./release".into()),
            checks,
        }
    }

    fn version_is(v: &str) -> CheckSpec {
        CheckSpec {
            name: Some("version is 0.5.0".into()),
            kind: CheckKind::Yaml {
                file: "chart/Chart.yaml".into(),
                key: "version".into(),
                expect: Expect::Equals(v.into()),
            },
            line: 1,
        }
    }

    fn run(bytes: &[u8], checks: Vec<CheckSpec>) -> Vec<Outcome> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("release")).unwrap();
        std::fs::write(dir.path().join("release/chart-0.5.0.tgz"), bytes).unwrap();
        let vars = vars(&[]);
        let ctx = Context {
            workspace: dir.path(),
            lesson_dir: dir.path(),
            vars: &vars,
            extra_path: None,
            api: None,
        };
        let files = super::super::files::WorkspaceFiles { root: dir.path() };
        evaluate(&spec(package_kind(checks)), &files, &ctx)
    }

    #[test]
    fn inner_checks_read_files_inside_the_package() {
        let bytes = tgz(&[
            ("chart/Chart.yaml", "name: chart\nversion: 0.5.0\n"),
            ("chart/values.yaml", "a: 1\n"),
        ]);
        let outcomes = run(&bytes, vec![version_is("0.5.0")]);
        assert!(
            outcomes.iter().all(|o| o.status == Status::Pass),
            "{outcomes:#?}"
        );
        assert_eq!(outcomes[1].name, "chart-0.5.0.tgz: version is 0.5.0");
        assert_eq!(outcomes[1].location.as_deref(), Some("chart/Chart.yaml:2"));
    }

    #[test]
    fn a_stale_package_says_to_package_again() {
        let bytes = tgz(&[("chart/Chart.yaml", "name: chart\nversion: 0.4.1\n")]);
        let outcomes = run(&bytes, vec![version_is("0.5.0")]);
        assert_eq!(outcomes[1].status, Status::Fail);
        assert!(
            outcomes[1].message.ends_with(
                "release/chart-0.5.0.tgz was packaged without this change; package the chart again: `helm package chart --destination ./release`"
            ),
            "{}",
            outcomes[1].message
        );
    }

    fn first_failure(bytes: &[u8]) -> String {
        let outcomes = run(bytes, vec![version_is("0.5.0")]);
        assert_eq!(outcomes[0].status, Status::Fail, "{outcomes:#?}");
        assert_eq!(outcomes[1].status, Status::Fail);
        outcomes[0].message.clone()
    }

    #[test]
    fn truncated_archive_fails_clearly() {
        let bytes = tgz(&[("chart/Chart.yaml", &"x".repeat(5000))]);
        let msg = first_failure(&bytes[..bytes.len() / 2]);
        assert!(
            msg.starts_with("release/chart-0.5.0.tgz is truncated or corrupt"),
            "{msg}"
        );
    }

    #[test]
    fn a_corrupt_gzip_trailer_fails_and_every_member_is_read() {
        let mut bytes = tgz(&[("chart/Chart.yaml", "name: chart\nversion: 0.5.0\n")]);
        let crc = bytes.len() - 8;
        bytes[crc] ^= 0xff;
        let msg = first_failure(&bytes);
        assert!(msg.contains("is truncated or corrupt"), "{msg}");
        // Two gzip members, as `cat a.gz b.gz` makes: gzip -d reads both.
        let whole = tgz(&[("chart/Chart.yaml", "name: chart\nversion: 0.5.0\n")]);
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(&whole[..])
            .read_to_end(&mut raw)
            .unwrap();
        let (first, second) = raw.split_at(700);
        let mut two = Vec::new();
        for part in [first, second] {
            let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
            gz.write_all(part).unwrap();
            two.extend(gz.finish().unwrap());
        }
        let outcomes = run(&two, vec![version_is("0.5.0")]);
        assert!(
            outcomes.iter().all(|o| o.status == Status::Pass),
            "{outcomes:#?}"
        );
        let mut bad_second = two.clone();
        let last_crc = bad_second.len() - 8;
        bad_second[last_crc] ^= 0xff;
        assert!(first_failure(&bad_second).contains("is truncated or corrupt"));
    }

    #[test]
    fn not_gzip_and_missing_fail_clearly() {
        assert!(first_failure(b"PK\x03\x04zip").contains("is not a gzip file"));
        let outcomes = run(b"", vec![]);
        assert!(outcomes[0].message.contains("is not a gzip file"));
    }

    #[test]
    fn traversal_paths_are_refused() {
        // tar::Builder refuses to write `..`, so forge the header bytes.
        let mut header = tar::Header::new_gnu();
        header.as_gnu_mut().unwrap().name[..4].copy_from_slice(b"../x");
        header.set_size(1);
        header.set_mode(0o644);
        header.set_cksum();
        let mut raw = header.as_bytes().to_vec();
        raw.extend_from_slice(&[b'x'; 512]);
        raw.extend_from_slice(&[0; 1024]);
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        gz.write_all(&raw).unwrap();
        let msg = first_failure(&gz.finish().unwrap());
        assert!(msg.contains("holds an unsafe path \"../x\""), "{msg}");
        assert_eq!(safe_path(Path::new("/etc/passwd")), None);
        assert_eq!(safe_path(Path::new("./a/./b")), Some("a/b".into()));
    }

    #[test]
    fn a_decompression_bomb_stops_at_the_limit() {
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        let zeros = vec![0u8; 1 << 20];
        let mut header = tar::Header::new_gnu();
        header.set_path("chart/big").unwrap();
        header.set_size(1 << 32);
        header.set_mode(0o644);
        header.set_cksum();
        gz.write_all(header.as_bytes()).unwrap();
        for _ in 0..(MAX_INFLATED_BYTES >> 20) + 8 {
            gz.write_all(&zeros).unwrap();
        }
        let bytes = gz.finish().unwrap();
        assert!(bytes.len() < 1 << 20, "the bomb is small: {}", bytes.len());
        assert!(first_failure(&bytes).contains("inflates to more than 64 MiB"));
    }

    #[test]
    fn top_directory_rules() {
        let two = tgz(&[("chart/Chart.yaml", "v: 1"), ("other/x", "y")]);
        assert!(first_failure(&two).contains("2 top-level entries"));
        let wrong = tgz(&[("charty/Chart.yaml", "v: 1")]);
        assert!(first_failure(&wrong).contains("top directory charty/, expected chart/"));
        let flat = tgz(&[("Chart.yaml", "v: 1")]);
        assert!(first_failure(&flat).contains("files at its root"));
    }
}
