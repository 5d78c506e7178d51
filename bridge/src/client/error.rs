//! What a control API call can fail with, over any protocol.

/// An error the API answered with: its AWS error name and message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct ApiError {
    pub kind: String,
    pub message: String,
}

/// Why a call to the control API failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    #[error("the endpoint must start with http:// ({0})")]
    BadEndpoint(String),
    #[error("cannot reach stepline serve at http://{host}")]
    Unreachable { host: String, source: std::io::Error },
    #[error("the request to {target} failed")]
    Io { target: String, source: std::io::Error },
    #[error("malformed HTTP response")]
    MalformedResponse,
    #[error("cannot connect to NATS at {url}")]
    Connect { url: String, source: async_nats::ConnectError },
    #[error("cannot start the client's runtime")]
    Runtime(#[source] std::io::Error),
    #[error("{subject}: {source}")]
    Request { subject: String, source: async_nats::RequestError },
    #[error("{subject}: no answer within 10 s")]
    NoAnswer { subject: String },
    #[error("{subject}: answer not JSON")]
    NotJson { subject: String, source: serde_json::Error },
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl ClientError {
    /// Whether this is the API answering with the error `kind` (say,
    /// `ExecutionDoesNotExist`).
    pub fn is_api(&self, kind: &str) -> bool {
        matches!(self, ClientError::Api(a) if a.kind == kind)
    }
}
