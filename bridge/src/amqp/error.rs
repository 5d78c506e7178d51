//! What can go wrong on AMQP, each with its source kept.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AmqpError {
    #[error("cannot connect to AMQP at {uris}: {source}")]
    Connect { uris: String, source: ConnectFailures },
    /// lapin says why a URI does not parse in words only.
    #[error("bad AMQP URI {uri}: {reason}")]
    BadUri { uri: String, reason: String },
    #[error("cannot read the CA certificate {path}: {source}")]
    Certificate { path: PathBuf, source: std::io::Error },
    #[error("AMQP {what}: {source}")]
    Broker { what: String, source: lapin::Error },
    /// The connection ended; `why` says how (a consumer ended, the broker closed it).
    #[error("the AMQP connection was lost: {why}{}", source.as_ref().map(|e| format!(": {e}")).unwrap_or_default())]
    Lost { why: String, source: Option<lapin::Error> },
    /// Another engine holds the prefix on this vhost: two engines on one prefix would
    /// take each other's results.
    #[error(
        "the AMQP prefix '{prefix}' on vhost '{vhost}' is held by {holder}; start this one with another prefix ([amqp] prefix = \"...\" in stepline.toml) or another vhost, or stop that one"
    )]
    PrefixHeld { prefix: String, vhost: String, holder: String },
}

impl AmqpError {
    pub(super) fn broker(what: impl Into<String>) -> impl FnOnce(lapin::Error) -> AmqpError {
        let what = what.into();
        move |source| AmqpError::Broker { what, source }
    }

    /// The connection ended for a reason that is no error of the broker's.
    pub(super) fn lost(why: impl Into<String>) -> AmqpError {
        AmqpError::Lost { why: why.into(), source: None }
    }
}

/// Why no broker of the list took the connection: each URI (its password hidden) with
/// the error it gave.
#[derive(Debug)]
pub struct ConnectFailures(pub Vec<(String, lapin::Error)>);

impl std::fmt::Display for ConnectFailures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (uri, e)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{uri}: {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConnectFailures {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.first().map(|(_, e)| e as &(dyn std::error::Error + 'static))
    }
}
