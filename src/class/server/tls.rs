//! HTTPS for `labrun class serve --tls-cert FILE --tls-key FILE`: the PEM
//! certificate chain and private key read (size-limited, regular files
//! only) and turned into a rustls server configuration with the aws-lc-rs
//! provider reqwest already uses. Every failure names the file.

use crate::fsutil;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;

/// A PEM file larger than this is not a certificate chain or a key.
const MAX_PEM_BYTES: u64 = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("TLS certificate {}: {why}", path.display())]
    Cert { path: PathBuf, why: String },
    #[error("TLS key {}: {why}", path.display())]
    Key { path: PathBuf, why: String },
    #[error("TLS certificate {} and key {} do not go together: {why}", cert.display(), key.display())]
    Pair {
        cert: PathBuf,
        key: PathBuf,
        why: String,
    },
}

/// The acceptor for `cert` (a PEM chain, leaf first) and `key` (PEM).
pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, TlsError> {
    let cert_error = |why: String| TlsError::Cert {
        path: cert.to_path_buf(),
        why,
    };
    let key_error = |why: String| TlsError::Key {
        path: key.to_path_buf(),
        why,
    };
    let cert_pem =
        fsutil::read_limited(cert, MAX_PEM_BYTES).map_err(|e| cert_error(e.to_string()))?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| cert_error(format!("not a PEM certificate chain ({e})")))?;
    if chain.is_empty() {
        return Err(cert_error(
            "no certificate in it (expected -----BEGIN CERTIFICATE-----)".into(),
        ));
    }
    let key_pem = fsutil::read_limited(key, MAX_PEM_BYTES).map_err(|e| key_error(e.to_string()))?;
    let private = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
        key_error(format!(
            "no PEM private key in it ({e}; expected -----BEGIN PRIVATE KEY----- or a PKCS#1/SEC1 key)"
        ))
    })?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| cert_error(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|e| TlsError::Pair {
            cert: cert.to_path_buf(),
            key: key.to_path_buf(),
            why: e.to_string(),
        })?;
    let mut config = config;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_pem_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
        std::fs::write(&cert, "not a certificate").unwrap();
        std::fs::write(&key, "not a key").unwrap();
        let error = acceptor(&cert, &key).err().unwrap().to_string();
        assert!(
            error.contains("cert.pem") && error.contains("no certificate"),
            "{error}"
        );
        let missing = acceptor(&dir.path().join("absent.pem"), &key)
            .err()
            .unwrap()
            .to_string();
        assert!(missing.contains("absent.pem"), "{missing}");
    }
}
