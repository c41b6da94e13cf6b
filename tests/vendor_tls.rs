//! The client loads the system's TLS roots only for an https:// origin: a
//! check against the plain-HTTP local API neither pays for them nor needs
//! them (a container without CA certificates still checks offline).

mod support;

use support::{labrun, workspace};

#[test]
fn an_offline_check_needs_no_ca_certificates() {
    let (_dir, ws) = workspace();
    labrun().arg("solve").arg("-w").arg(&ws).assert().success();
    let missing = ws.join("no-such-ca-bundle.pem");
    let out = labrun()
        .args(["check", "--step", "promote", "-w"])
        .arg(&ws)
        // rustls-native-certs reads only these when they are set.
        .env("SSL_CERT_FILE", &missing)
        .env("SSL_CERT_DIR", &missing)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}
