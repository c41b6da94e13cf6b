//! A stand-in for `helm package` (Helm v3), so lessons can package charts without Helm installed.
//!
//! The archive layout follows Helm's `pkg/chart/loader` (reading a chart directory),
//! `pkg/ignore` (`.helmignore`) and `pkg/chartutil/save.go` (writing the `.tgz`):
//! entries `<chart name>/…` in Helm's order, regular files only with mode 0644 and uid/gid 0,
//! `Chart.yaml` re-serialised with sorted keys, and Helm's gzip header.
//! Everything else Helm can do is out of scope: [`run`] says so and points to <https://helm.sh>.
//!
//! [`package`] is `helm package`; [`walk`] reads the chart directory, [`ignore`] its
//! `.helmignore`, [`load`] sorts the files into Helm's chart model, [`save`] writes the
//! archive, [`cli`] is the command line. Chart.yaml and chart archives are read by
//! [`crate::chart`], as everywhere in labrun.

mod cli;
mod error;
mod ignore;
mod load;
mod package;
mod save;
mod walk;

#[cfg(test)]
mod test_support;

pub use cli::run;
pub use error::HelmError;
pub use package::{PackageOptions, package};
