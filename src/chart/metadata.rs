//! `Chart.yaml`: Helm's chart metadata, read and validated by Helm's rules
//! (`pkg/chart/metadata.go`) and written back as `helm package` saves it.
//! The one reader of Chart.yaml for the stand-ins and the local Vendor API.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why a Chart.yaml (or another YAML file of a chart) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    /// The YAML does not parse; `message` carries the line and column.
    #[error("{message}")]
    Yaml { line: Option<u64>, message: String },
    /// It parses but breaks Helm's rules (Helm prints these as `validation: …`).
    #[error("validation: {0}")]
    Validation(String),
}

fn yaml_options() -> serde_saphyr::Options {
    // The snippet rendering is multi-line, and our errors are one line that names the file.
    serde_saphyr::options! {
        with_snippet: false,
        duplicate_keys: serde_saphyr::options::DuplicateKeyPolicy::LastWins,
    }
}

/// A chart's YAML file as Helm's loader reads it (a leading BOM dropped),
/// except that a repeated key is refused: Helm lets it overwrite the earlier
/// one, while labrun's checks read the first, so a package would then hold
/// what no check saw.
pub fn parse_yaml<T: for<'de> Deserialize<'de>>(data: &[u8]) -> Result<T, MetadataError> {
    let data = data.strip_prefix(UTF8_BOM).unwrap_or(data);
    if let Some(e) = std::str::from_utf8(data)
        .ok()
        .and_then(crate::yaml::find_duplicate_key)
    {
        return Err(MetadataError::Yaml {
            line: Some(e.line as u64),
            message: format!("line {}: {}", e.line, e.message),
        });
    }
    serde_saphyr::from_slice_with_options(data, yaml_options()).map_err(|e| MetadataError::Yaml {
        line: e.location().map(|l| l.line()),
        message: e.to_string(),
    })
}

/// Helm's `chart.Metadata`. Fields are declared in alphabetical key order because serde writes
/// them in declaration order and Helm's YAML marshaller sorts keys. Unknown keys are dropped,
/// as Helm's typed unmarshal drops them.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Metadata {
    #[serde(
        deserialize_with = "nullable",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub annotations: BTreeMap<String, String>,
    #[serde(
        rename = "apiVersion",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub api_version: String,
    #[serde(
        rename = "appVersion",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub app_version: String,
    #[serde(
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub condition: String,
    #[serde(deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Dependency>,
    #[serde(deserialize_with = "nullable", skip_serializing_if = "is_false")]
    pub deprecated: bool,
    #[serde(
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub description: String,
    #[serde(
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub home: String,
    #[serde(
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub icon: String,
    #[serde(deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    #[serde(
        rename = "kubeVersion",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub kube_version: String,
    #[serde(deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub maintainers: Vec<Maintainer>,
    #[serde(
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub name: String,
    #[serde(deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    #[serde(
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub tags: String,
    #[serde(
        rename = "type",
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub chart_type: String,
    #[serde(
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub version: String,
}

/// Helm's `chart.Dependency`; `name` and `repository` have no `omitempty` in Helm, so they stay.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Dependency {
    #[serde(
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub alias: String,
    #[serde(
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub condition: String,
    #[serde(deserialize_with = "nullable", skip_serializing_if = "is_false")]
    pub enabled: bool,
    #[serde(
        rename = "import-values",
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub import_values: Vec<serde_json::Value>,
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    #[serde(deserialize_with = "nullable")]
    pub repository: String,
    #[serde(deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub version: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Maintainer {
    #[serde(
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub email: String,
    #[serde(
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub name: String,
    #[serde(
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub url: String,
}

/// Helm reads `key:` (YAML null) as the empty value instead of failing.
fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

fn is_false(value: &bool) -> bool {
    !value
}

impl Metadata {
    /// Chart.yaml as Helm's loader takes it: parsed, a missing apiVersion read
    /// as v1, then validated.
    pub fn read(data: &[u8]) -> Result<Metadata, MetadataError> {
        let mut metadata: Metadata = parse_yaml(data)?;
        metadata.check()?;
        Ok(metadata)
    }

    /// Helm's loader after parsing: Helm 2 charts may omit apiVersion, and
    /// are read as v1; then [`Metadata::validate`].
    pub fn check(&mut self) -> Result<(), MetadataError> {
        if self.api_version.is_empty() {
            self.api_version = "v1".into();
        }
        self.validate().map_err(MetadataError::Validation)
    }

    /// Helm's `Metadata.Validate`, which also sanitises the free-text fields it later saves.
    pub fn validate(&mut self) -> Result<(), String> {
        self.sanitize();
        if !matches!(self.api_version.as_str(), "v1" | "v2") {
            return Err(format!(
                "chart.metadata.apiVersion {:?} is invalid: must be v1 or v2",
                self.api_version
            ));
        }
        if self.name.is_empty() {
            return Err("chart.metadata.name is required".into());
        }
        if self.name.contains(['/', '\\']) || self.name == "." || self.name == ".." {
            return Err(format!("chart.metadata.name {:?} is invalid", self.name));
        }
        if self.version.is_empty() {
            return Err("chart.metadata.version is required".into());
        }
        if !is_semver2(&self.version) {
            return Err(format!(
                "chart.metadata.version {:?} is invalid",
                self.version
            ));
        }
        if !matches!(self.chart_type.as_str(), "" | "application" | "library") {
            return Err("chart.metadata.type must be application or library".into());
        }
        validate_dependencies(&self.dependencies)
    }

    fn sanitize(&mut self) {
        for field in [
            &mut self.name,
            &mut self.description,
            &mut self.home,
            &mut self.icon,
            &mut self.condition,
            &mut self.tags,
            &mut self.app_version,
            &mut self.kube_version,
        ] {
            *field = sanitize(field);
        }
        for item in self.sources.iter_mut().chain(self.keywords.iter_mut()) {
            *item = sanitize(item);
        }
        for m in &mut self.maintainers {
            for field in [&mut m.name, &mut m.email, &mut m.url] {
                *field = sanitize(field);
            }
        }
        for d in &mut self.dependencies {
            for field in [
                &mut d.name,
                &mut d.version,
                &mut d.repository,
                &mut d.condition,
            ] {
                *field = sanitize(field);
            }
        }
    }

    /// Chart.yaml as Helm saves it: sorted keys, empty values left out, comments gone.
    /// A v1 chart keeps its dependencies in requirements.yaml, so Helm drops them here.
    pub fn to_yaml(&self) -> Result<String, String> {
        let yaml = if self.api_version == "v1" && !self.dependencies.is_empty() {
            let mut v1 = self.clone();
            v1.dependencies.clear();
            serde_saphyr::to_string(&v1)
        } else {
            serde_saphyr::to_string(self)
        };
        yaml.map_err(|e| e.to_string())
    }
}

fn validate_dependencies(dependencies: &[Dependency]) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for d in dependencies {
        let alias_ok = d
            .alias
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !alias_ok {
            return Err(format!(
                "dependency {:?} has disallowed characters in the alias",
                d.name
            ));
        }
        let key = if d.alias.is_empty() {
            &d.name
        } else {
            &d.alias
        };
        if !seen.insert(key.clone()) {
            return Err(format!(
                "more than one dependency with name or alias {key:?}"
            ));
        }
    }
    Ok(())
}

/// Go's `sanitizeString`: whitespace becomes a space, other unprintable characters go.
pub fn sanitize(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            c if c.is_whitespace() => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// Semantic Versioning 2.0.0 (`MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`, no
/// leading zeros), as `helm package` checks chart versions with
/// `semver.StrictNewVersion`: the `semver` crate parses exactly that.
pub fn is_semver2(version: &str) -> bool {
    semver::Version::parse(version).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_validator() {
        for good in [
            "0.4.1",
            "1.0.0-alpha.1",
            "1.0.0-0.3.7",
            "1.0.0+build.5",
            "1.2.3-rc-1+x",
            "1.0.0+001",
        ] {
            assert!(is_semver2(good), "{good}");
        }
        for bad in [
            "1.0",
            "v1.0.0",
            "01.0.0",
            "1.0.0-01",
            "1.0.0-",
            "1.0.0+",
            "1.0.0.0",
            "",
            "1.2.3-a+b+c",
            " 1.0.0",
            // Helm parses each number as a uint64.
            "18446744073709551616.0.0",
        ] {
            assert!(!is_semver2(bad), "{bad}");
        }
    }

    #[test]
    fn chart_yaml_is_read_by_helms_rules() {
        let metadata = Metadata::read(b"name: demo\nversion: 0.1.0\nappVersion:\n").unwrap();
        assert_eq!(metadata.api_version, "v1", "Helm 2 charts read as v1");
        assert_eq!(metadata.app_version, "", "a null value is the empty value");
        assert_eq!(
            Metadata::read(b"apiVersion: v2\nname: a\nname: b\nversion: 0.1.0\n").unwrap_err(),
            MetadataError::Yaml {
                line: Some(3),
                message: "line 3: key `name` appears twice, at line 2 and line 3".into()
            }
        );
        assert_eq!(
            Metadata::read(b"apiVersion: v2\nname: a\nversion: 01.0.0\n")
                .unwrap_err()
                .to_string(),
            "validation: chart.metadata.version \"01.0.0\" is invalid"
        );
    }
}
