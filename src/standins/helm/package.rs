//! `helm package` itself: a chart directory loaded, `--version` and
//! `--app-version` applied, its dependencies checked, and the archive written
//! atomically as `<name>-<version>.tgz`.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use super::error::{HelmError, invalid, io_error};
use super::load::Chart;
use super::save::write_archive;
use super::walk::load_dir;
use crate::chart::Metadata;
use crate::chart::metadata::{is_semver2, sanitize};

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
pub(super) fn clean_path(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standins::helm::test_support::*;
    use std::path::Path;
    use tempfile::TempDir;

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
}
