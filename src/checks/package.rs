//! `kind = "package"`: a chart package (`.tgz`) is a gzip'd tar with one top
//! directory, and the files inside it pass the package's inner checks.
//!
//! The archive is learner input: it is read by the one chart reader
//! ([`crate::chart`]), in memory and never extracted, with paths that leave
//! the archive refused and inflation bounded.

use super::files::{ArchiveFiles, FileRead, Files};
use super::{Context, Outcome, evaluate_inside};
use crate::chart;
use crate::lesson::CheckKind;
use std::collections::BTreeMap;

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
    let archive = match read_package(files, file, top.as_deref()) {
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

fn read_package(files: &dyn Files, file: &str, top: Option<&str>) -> Result<ArchiveFiles, String> {
    let bytes = match files.read(file) {
        FileRead::Found(bytes) => bytes,
        FileRead::Missing => return Err(format!("{file} does not exist")),
        FileRead::Unreadable(why) => return Err(why),
    };
    let archive = chart::Archive::read(&bytes).map_err(|why| format!("{file} {why}"))?;
    check_top(archive, file, top)
}

/// The one top directory a chart package has (the chart reader's layout
/// rule), and the one the lesson expects when it names it.
fn check_top(
    archive: chart::Archive,
    name: &str,
    want: Option<&str>,
) -> Result<ArchiveFiles, String> {
    let top = archive.top().map_err(|why| format!("{name} {why}"))?;
    if let Some(want) = want.filter(|want| *want != top) {
        return Err(format!("{name} has top directory {top}/, expected {want}/"));
    }
    Ok(ArchiveFiles {
        archive: name.to_string(),
        entries: archive.into_map(),
    })
}

/// The regular files of a chart package, by normalized path, as the one
/// chart reader ([`chart::Archive::read`]) finds them; or why it is not one.
/// The error reads after the archive's name ("… is not a gzip file").
pub fn read_archive(bytes: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, String> {
    chart::Archive::read(bytes)
        .map(chart::Archive::into_map)
        .map_err(|why| why.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::{Status, evaluate};
    use super::*;
    use crate::chart::test_archives::{Tar, bomb, gzip_members, inflate, tgz, with_bad_crc};
    use crate::lesson::{CheckSpec, Expect};

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
            scripts: None,
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
        let whole = tgz(&[("chart/Chart.yaml", "name: chart\nversion: 0.5.0\n")]);
        let msg = first_failure(&with_bad_crc(whole.clone()));
        assert!(msg.contains("is truncated or corrupt"), "{msg}");
        // Two gzip members, as `cat a.gz b.gz` makes: gzip -d reads both.
        let two = gzip_members(&inflate(&whole), 2);
        let outcomes = run(&two, vec![version_is("0.5.0")]);
        assert!(
            outcomes.iter().all(|o| o.status == Status::Pass),
            "{outcomes:#?}"
        );
        assert!(first_failure(&with_bad_crc(two)).contains("is truncated or corrupt"));
    }

    #[test]
    fn not_gzip_and_missing_fail_clearly() {
        assert!(first_failure(b"PK\x03\x04zip").contains("is not a gzip file"));
        let outcomes = run(b"", vec![]);
        assert!(outcomes[0].message.contains("is not a gzip file"));
    }

    #[test]
    fn traversal_paths_are_refused() {
        let msg = first_failure(&Tar::new().file("../x", b"x").tgz());
        assert!(msg.contains("holds an unsafe path \"../x\""), "{msg}");
        let msg = first_failure(&Tar::new().file("/etc/passwd", b"x").tgz());
        assert!(
            msg.contains("holds an unsafe path \"/etc/passwd\""),
            "{msg}"
        );
    }

    #[test]
    fn a_decompression_bomb_stops_at_the_limit() {
        let bytes = bomb("chart", chart::MAX_INFLATED_BYTES + (8 << 20));
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
