//! A thin `curl` in front of the real one, so that scripts written for the
//! real Vendor API run offline unedited: while the local Vendor API serves
//! (the session exports its loopback origin as `REPLICATED_API_ORIGIN`),
//! every argument that is a URL under `https://api.replicated.com/vendor`
//! is pointed at that origin; then the real `curl` — the next one on PATH
//! after labrun's own — runs in this process's place (exec) with the same
//! arguments otherwise. Every other URL, and every call made while no local
//! API serves, passes through unchanged.
//!
//! Nothing is added to the command line: a token travels in a header only
//! where the script itself put one, and the local API takes the token the
//! session exported. What is not rewritten: URLs inside `-K` config files or
//! `@file` arguments, and URLs spelled with another host or scheme case.

use crate::vendor_api::client::{DEFAULT_ORIGIN, ENV_ORIGIN};
use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The real service's origin as scripts spell it, in both schemes.
const VENDOR_PREFIXES: [&str; 2] = [DEFAULT_ORIGIN, "http://api.replicated.com/vendor"];

#[derive(Debug, thiserror::Error)]
pub enum CurlError {
    #[error(
        "no curl on PATH besides labrun's stand-in{}: install curl (labrun only points Vendor API calls at its local API and hands them to the real curl)",
        skipped.as_ref().map(|d| format!(" in {}", d.display())).unwrap_or_default()
    )]
    NoRealCurl { skipped: Option<PathBuf> },
    #[error("could not run {}: {source}", path.display())]
    Exec {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The local Vendor API's origin, when `REPLICATED_API_ORIGIN` names one on
/// this machine (loopback); `None` for the real service or anything else.
pub fn local_origin(env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let origin = env(ENV_ORIGIN)?;
    let url = reqwest::Url::parse(&origin).ok()?;
    let host = url.host_str()?;
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    (loopback && matches!(url.scheme(), "http" | "https"))
        .then(|| origin.trim_end_matches('/').to_string())
}

/// `args` with every Vendor API URL pointed at `origin`.
pub fn rewrite_args(args: &[OsString], origin: &str) -> Vec<OsString> {
    args.iter()
        .map(
            |arg| match arg.to_str().and_then(|a| rewrite_url(a, origin)) {
                Some(rewritten) => OsString::from(rewritten),
                None => arg.clone(),
            },
        )
        .collect()
}

/// `url` on `origin` when it is under the Vendor API's origin (the prefix
/// followed by nothing, `/`, `?` or `#`: `…/vendorx` is another path).
fn rewrite_url(url: &str, origin: &str) -> Option<String> {
    VENDOR_PREFIXES.iter().find_map(|prefix| {
        let rest = url.strip_prefix(prefix)?;
        (rest.is_empty() || rest.starts_with(['/', '?', '#'])).then(|| format!("{origin}{rest}"))
    })
}

/// The first executable `curl` in `path` that is not this binary under
/// another name (labrun's own link, wherever it is).
pub fn real_curl(path: &OsStr, own_exe: &Path) -> Result<PathBuf, CurlError> {
    let own = std::fs::canonicalize(own_exe).unwrap_or_else(|_| own_exe.to_path_buf());
    let mut skipped = None;
    for dir in std::env::split_paths(path) {
        let candidate = dir.join("curl");
        if !crate::fsutil::is_executable(&candidate) {
            continue;
        }
        if std::fs::canonicalize(&candidate).is_ok_and(|c| c == own) {
            skipped.get_or_insert(dir);
            continue;
        }
        return Ok(candidate);
    }
    Err(CurlError::NoRealCurl { skipped })
}

/// The binary invoked as `curl`; `args` exclude the program name. Returns
/// only when the real curl could not be started (or, off Unix, has ended).
pub fn run(args: &[OsString]) -> i32 {
    let env = |name: &str| std::env::var(name).ok();
    let args = match local_origin(&env) {
        Some(origin) => rewrite_args(args, &origin),
        None => args.to_vec(),
    };
    let path = std::env::var_os("PATH").unwrap_or_default();
    let own = std::env::current_exe().unwrap_or_default();
    let error = match real_curl(&path, &own) {
        Ok(curl) => match exec(&curl, &args) {
            Ok(code) => return code,
            Err(source) => CurlError::Exec { path: curl, source },
        },
        Err(e) => e,
    };
    let _ = writeln!(std::io::stderr(), "curl: {error}");
    // What a shell answers for a command it cannot find or run.
    match error {
        CurlError::NoRealCurl { .. } => 127,
        CurlError::Exec { .. } => 126,
    }
}

/// Replaces this process with `curl ARGS`: its exit status, signals and
/// streams are the real curl's own. Returns only on failure.
#[cfg(unix)]
fn exec(curl: &Path, args: &[OsString]) -> std::io::Result<i32> {
    use std::os::unix::process::CommandExt;
    Err(std::process::Command::new(curl)
        .arg0("curl")
        .args(args)
        .exec())
}

#[cfg(not(unix))]
fn exec(curl: &Path, args: &[OsString]) -> std::io::Result<i32> {
    let status = std::process::Command::new(curl).args(args).status()?;
    Ok(status.code().unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn vendor_api_urls_go_to_the_local_origin_and_nothing_else_changes() {
        let args = os(&[
            "-fsS",
            "-H",
            "Authorization: token-as-written",
            "https://api.replicated.com/vendor/v3/apps",
            "--url",
            "http://api.replicated.com/vendor?x=1",
            "https://api.replicated.com/vendorx/v3",
            "https://api.replicated.com/v1/other",
            "https://example.com/vendor/v3/apps",
        ]);
        let rewritten = rewrite_args(&args, "http://127.0.0.1:4321");
        assert_eq!(
            rewritten,
            os(&[
                "-fsS",
                "-H",
                "Authorization: token-as-written",
                "http://127.0.0.1:4321/v3/apps",
                "--url",
                "http://127.0.0.1:4321?x=1",
                "https://api.replicated.com/vendorx/v3",
                "https://api.replicated.com/v1/other",
                "https://example.com/vendor/v3/apps",
            ])
        );
    }

    #[test]
    fn only_a_loopback_origin_counts_as_the_local_api() {
        let with =
            |origin: &'static str| move |n: &str| (n == ENV_ORIGIN).then(|| origin.to_string());
        assert_eq!(
            local_origin(&with("http://127.0.0.1:4321/")),
            Some("http://127.0.0.1:4321".into())
        );
        assert_eq!(
            local_origin(&with("http://localhost:80")),
            Some("http://localhost:80".into())
        );
        assert_eq!(
            local_origin(&with("http://[::1]:9")),
            Some("http://[::1]:9".into())
        );
        assert_eq!(
            local_origin(&with("https://api.replicated.com/vendor")),
            None
        );
        assert_eq!(local_origin(&with("http://10.0.0.1:80")), None);
        assert_eq!(local_origin(&with("not a url")), None);
        assert_eq!(local_origin(&|_| None), None);
    }

    #[cfg(unix)]
    #[test]
    fn the_real_curl_is_the_next_one_that_is_not_labrun() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let (ours, theirs) = (dir.path().join("ours"), dir.path().join("theirs"));
        std::fs::create_dir_all(&ours).unwrap();
        std::fs::create_dir_all(&theirs).unwrap();
        let exe = dir.path().join("labrun");
        std::fs::write(&exe, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::os::unix::fs::symlink(&exe, ours.join("curl")).unwrap();
        // Not executable: passed over, as a shell would.
        std::fs::write(dir.path().join("curl"), "").unwrap();

        let only_ours = std::env::join_paths([dir.path(), &ours]).unwrap();
        let err = real_curl(&only_ours, &exe).unwrap_err();
        assert!(
            err.to_string().contains(&format!(
                "no curl on PATH besides labrun's stand-in in {}",
                ours.display()
            )),
            "{err}"
        );

        let real = theirs.join("curl");
        std::fs::write(&real, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o755)).unwrap();
        let both = std::env::join_paths([&ours, &theirs]).unwrap();
        assert_eq!(real_curl(&both, &exe).unwrap(), real);
    }
}
