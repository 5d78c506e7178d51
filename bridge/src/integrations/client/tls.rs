//! TLS settings of outbound calls: the system's roots plus an extra CA bundle, and a
//! client certificate when the endpoint asks for one.

use super::error::ClientError;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where the PEM files of a TLS profile are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TlsFiles {
    /// CA certificates trusted besides the system's (PEM).
    pub ca_file: Option<PathBuf>,
    /// A client certificate chain (PEM), sent when the server asks for one.
    pub cert_file: Option<PathBuf>,
    /// The client certificate's private key (PEM).
    pub key_file: Option<PathBuf>,
}

impl TlsFiles {
    /// The rustls configuration of these files. A file that is missing or holds no
    /// certificate is an error naming it.
    pub fn client_config(&self) -> Result<Arc<rustls::ClientConfig>, ClientError> {
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
        if let Some(ca) = &self.ca_file {
            let certs = certificates(ca)?;
            for c in certs {
                roots.add(c).map_err(|e| ClientError::Settings(format!("{}: {e}", ca.display())))?;
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ClientError::Settings(e.to_string()))?
            .with_root_certificates(roots);
        let config = match (&self.cert_file, &self.key_file) {
            (Some(cert), Some(key)) => {
                let chain = certificates(cert)?;
                let key = PrivateKeyDer::from_pem_file(key)
                    .map_err(|e| ClientError::Settings(format!("{}: no private key: {e}", key.display())))?;
                builder
                    .with_client_auth_cert(chain, key)
                    .map_err(|e| ClientError::Settings(format!("{}: {e}", cert.display())))?
            }
            (None, None) => builder.with_no_client_auth(),
            _ => return Err(ClientError::Settings("cert_file and key_file go together".into())),
        };
        Ok(Arc::new(config))
    }
}

fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, ClientError> {
    let certs: Vec<_> = CertificateDer::pem_file_iter(path)
        .map_err(|e| ClientError::Settings(format!("{}: {e}", path.display())))?
        .collect::<Result<_, _>>()
        .map_err(|e| ClientError::Settings(format!("{}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(ClientError::Settings(format!("{} holds no PEM certificate", path.display())));
    }
    Ok(certs)
}
