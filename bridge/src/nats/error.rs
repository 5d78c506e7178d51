//! What can go wrong on NATS, each with its source kept.

use std::path::PathBuf;
use std::time::Duration;

/// An error of another library, kept as this error's source.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NatsError {
    #[error("cannot connect to NATS at {urls}: {source}")]
    Connect { urls: String, source: async_nats::ConnectError },
    #[error("bad NATS server URL in {urls}: {source}")]
    BadUrl { urls: String, source: std::io::Error },
    #[error("cannot read the credentials file {path}: {source}")]
    Credentials { path: PathBuf, source: std::io::Error },
    #[error("JetStream stream {name}: {source}")]
    Stream { name: String, source: BoxError },
    #[error("JetStream consumer {name}: {source}")]
    Consumer { name: String, source: BoxError },
    #[error("NATS subscription {subject}: {source}")]
    Subscribe { subject: String, source: async_nats::SubscribeError },
    #[error("NATS subscription {subject}: {source}")]
    Flush { subject: String, source: async_nats::client::FlushError },
    /// Another engine holds the prefix: two engines on one prefix would take each
    /// other's results and API requests.
    #[error(
        "the NATS prefix '{prefix}' is held by {holder}; start this one with another prefix ([nats] prefix = \"...\" in stepline.toml), or stop that one (if it is gone, its claim lapses {} s after its last refresh)",
        lapses_after.as_secs()
    )]
    PrefixHeld { prefix: String, holder: String, lapses_after: Duration },
    #[error("the NATS prefix '{prefix}' was taken by {holder} while this engine was cut off from the server; stopping so that the two do not share it")]
    PrefixLost { prefix: String, holder: String },
    #[error("cannot claim the NATS prefix '{prefix}': {source}")]
    Claim { prefix: String, source: BoxError },
}

impl NatsError {
    /// A stream operation's error, its source kept.
    pub(super) fn stream(name: impl Into<String>) -> impl FnOnce(BoxError) -> NatsError {
        let name = name.into();
        move |source| NatsError::Stream { name, source }
    }
}
