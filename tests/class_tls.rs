//! `labrun class serve --tls-cert/--tls-key`: HTTPS with a certificate made
//! here (self-signed, for 127.0.0.1), a client that trusts only it; a
//! certificate or key that is not one is a clear error naming the file.

mod support;

use labrun::checks::Status;
use labrun::class::protocol;
use support::PATIENCE;
use support::class::{ClassServer, check_event, passed};

#[test]
fn the_class_is_served_over_https_with_the_given_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let made =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let cert_pem = made.cert.pem();
    std::fs::write(dir.path().join("cert.pem"), &cert_pem).unwrap();
    std::fs::write(dir.path().join("key.pem"), made.signing_key.serialize_pem()).unwrap();

    let mut server = ClassServer::try_start(
        dir.path(),
        &["--tls-cert", "cert.pem", "--tls-key", "key.pem"],
    )
    .unwrap();
    assert!(
        server.join_url.starts_with("https://127.0.0.1:"),
        "{:?}",
        server.printed
    );
    server.client = reqwest::blocking::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap()])
        .timeout(PATIENCE)
        .build()
        .unwrap();
    let ada = server.join("Ada");
    let ack = server.post_events(&ada.token, &[check_event(1, "s", Status::Pass, &[])]);
    assert_eq!(ack.status(), 200);
    assert_eq!(passed(&server.state(), "Ada"), ["s"]);

    // The page's cookie is Secure over TLS.
    let browser = reqwest::blocking::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap()])
        .redirect(reqwest::redirect::Policy::none())
        .timeout(PATIENCE)
        .build()
        .unwrap();
    let token = server.instructor();
    let sign_in = browser
        .get(server.url(&format!("/?token={token}")))
        .send()
        .unwrap();
    assert_eq!(sign_in.status(), 303);
    let cookie = sign_in.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");

    // Plain HTTP to the TLS port gets nothing served.
    let plain = support::class::client()
        .get(server.url(protocol::CLASS).replace("https://", "http://"))
        .bearer_auth(&token)
        .send();
    assert!(plain.is_err() || !plain.unwrap().status().is_success());
}

#[test]
fn a_bad_certificate_or_key_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cert.pem"), "hello").unwrap();
    std::fs::write(dir.path().join("key.pem"), "hello").unwrap();
    let failed = ClassServer::try_start(
        dir.path(),
        &["--tls-cert", "cert.pem", "--tls-key", "key.pem"],
    )
    .err()
    .unwrap();
    assert_eq!(failed.code, Some(2), "{failed:?}");
    assert!(
        failed.stderr.contains("TLS certificate cert.pem"),
        "{failed:?}"
    );

    let made = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    std::fs::write(dir.path().join("cert.pem"), made.cert.pem()).unwrap();
    let failed = ClassServer::try_start(
        dir.path(),
        &["--tls-cert", "cert.pem", "--tls-key", "key.pem"],
    )
    .err()
    .unwrap();
    assert_eq!(failed.code, Some(2), "{failed:?}");
    assert!(failed.stderr.contains("TLS key key.pem"), "{failed:?}");
    // Nothing was created: the class database is made only once serving can start.
    assert!(!dir.path().join("class.db").exists());
}
