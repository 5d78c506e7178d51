//! Why an outbound HTTP call did not get an answer.

/// A call that did not get an answer. Each says which endpoint, never what was sent:
/// headers may hold credentials.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    #[error("{0} is not an http:// or https:// URL with a host")]
    BadUrl(String),
    #[error("cannot connect to {endpoint}: {reason}")]
    Connect { endpoint: String, reason: String },
    #[error("TLS with {endpoint} failed: {reason}")]
    Tls { endpoint: String, reason: String },
    #[error("{endpoint} did not answer within {seconds} s")]
    Timeout { endpoint: String, seconds: u64 },
    #[error("the exchange with {endpoint} failed: {reason}")]
    Exchange { endpoint: String, reason: String },
    #[error("the answer of {endpoint} is larger than {limit} bytes")]
    TooLarge { endpoint: String, limit: usize },
    #[error("the TLS settings are not usable: {0}")]
    Settings(String),
}
