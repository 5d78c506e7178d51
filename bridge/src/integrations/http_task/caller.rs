//! `arn:aws:states:::http:invoke` made: the arguments read, the connection's credentials
//! and parameters added, the request sent within the Task's timeout, the answer made the
//! result or the error. An OAuth token the endpoint refuses (401) is fetched again once.

use super::connection::{Connection, ConnectionError};
use super::invocation::Invocation;
use super::outcome;
use crate::integrations::calls::{CallFuture, Caller};
use crate::integrations::settings::ConnectionSettings;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use stepline_core::engine::{TaskAnswer, TaskEnvelope};
use stepline_core::error_names;

/// The activity of HTTP Tasks.
pub const HTTP_INVOKE: &str = "http:invoke";

/// The longest a request may take (AWS's hard limit), less when `TimeoutSeconds` is.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(60);

const USER_AGENT: &str = concat!("Stepline/", env!("CARGO_PKG_VERSION"), " HttpInvoke");

/// The HTTP Task's caller, with the connections of `[[connections]]`.
pub struct HttpInvoker {
    connections: HashMap<String, Arc<Connection>>,
    /// For Tasks without `Authentication`.
    anonymous: Arc<Connection>,
}

impl HttpInvoker {
    /// Resolves every connection (reading its secrets): a mistake is named before the
    /// server starts.
    pub fn new(
        settings: &[ConnectionSettings],
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<HttpInvoker, ConnectionError> {
        let mut connections = HashMap::new();
        for s in settings {
            let c = Connection::resolve(s, lookup)?;
            if connections.insert(s.name.clone(), Arc::new(c)).is_some() {
                return Err(ConnectionError { name: s.name.clone(), problem: "is declared twice".into() });
            }
        }
        let none = ConnectionSettings {
            name: "(none)".into(),
            auth: "none".into(),
            max_concurrency: Some(1024),
            ..Default::default()
        };
        let anonymous = Arc::new(Connection::resolve(&none, lookup)?);
        Ok(HttpInvoker { connections, anonymous })
    }

    /// Makes one HTTP Task's call and returns its answer.
    pub async fn invoke(&self, task: &TaskEnvelope) -> TaskAnswer {
        let inv = match Invocation::parse(&task.input) {
            Ok(i) => i,
            Err(e) => return TaskAnswer::Failure { error: error_names::RUNTIME.into(), cause: e.to_string() },
        };
        let conn = match &inv.connection {
            None => self.anonymous.clone(),
            Some(arn) => match self.connections.get(super::connection::connection_name(arn)) {
                Some(c) => c.clone(),
                None => {
                    let mut known: Vec<&str> = self.connections.keys().map(String::as_str).collect();
                    known.sort_unstable();
                    let cause = format!(
                        "http:invoke: no connection named {} in [[connections]] (known: {})",
                        super::connection::connection_name(arn),
                        if known.is_empty() { "none".to_string() } else { known.join(", ") }
                    );
                    return TaskAnswer::Failure { error: outcome::NO_CONNECTION_ERROR.into(), cause };
                }
            },
        };
        let Ok(_permit) = conn.permits.acquire().await else {
            return TaskAnswer::Failure { error: outcome::SOCKET_ERROR.into(), cause: "shutting down".into() };
        };
        // AWS's limit holds even when `TimeoutSeconds` is longer. A shorter `TimeoutSeconds`
        // is the engine's to enforce (`States.Timeout`, the request dropped): the request
        // is given a moment more so the two do not race.
        let timeout = match task.timeout_seconds {
            Some(s) => Duration::from_secs(s) + Duration::from_millis(500),
            None => MAX_TIMEOUT,
        }
        .min(MAX_TIMEOUT);
        let request = match inv.request(&conn.parameters, USER_AGENT) {
            Ok(r) => r,
            Err(e) => return TaskAnswer::Failure { error: error_names::RUNTIME.into(), cause: e.to_string() },
        };
        let mut stale = false;
        loop {
            let mut req = request.clone();
            match conn.authorization(stale).await {
                Ok(Some(h)) => req.headers.push(h),
                Ok(None) => {}
                Err(e) => return TaskAnswer::Failure { error: outcome::AUTH_ERROR.into(), cause: e.to_string() },
            }
            match conn.client.send(req, timeout).await {
                Ok(res) if matches!(res.status, 401 | 407) && conn.is_oauth() && !stale => stale = true,
                Ok(res) => return outcome::answer(&res),
                Err(e) => return outcome::no_answer(&e),
            }
        }
    }
}

impl Caller for HttpInvoker {
    fn call(self: Arc<Self>, task: TaskEnvelope) -> CallFuture {
        Box::pin(async move { Some(self.invoke(&task).await) })
    }
}
