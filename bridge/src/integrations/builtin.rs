//! The built-in integrations as `stepline serve` sets them up: made from their settings
//! (a mistake named before the server starts), routed, then attached to the engine.

use super::calls::Calls;
use super::http_task::caller::{HttpInvoker, HTTP_INVOKE};
use super::lambda::LambdaInvoker;
use super::settings::{ConnectionSettings, LambdaSettings};
use std::sync::Arc;
use stepline_core::engine::{Engine, Routes};

/// Why the integrations cannot start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    #[error(transparent)]
    Connection(#[from] super::http_task::connection::ConnectionError),
    #[error("[lambda]: {0}")]
    Lambda(super::client::error::ClientError),
}

pub struct Builtin {
    pub http: Arc<Calls<HttpInvoker>>,
    pub lambda: Option<(Arc<Calls<LambdaInvoker>>, Option<Vec<String>>)>,
}

impl Builtin {
    /// The integrations of these settings, their calls made on `runtime`; `lookup` reads
    /// the environment (where secrets are named).
    pub fn new(
        connections: &[ConnectionSettings],
        lambda: Option<&LambdaSettings>,
        runtime: tokio::runtime::Handle,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Builtin, SetupError> {
        let http = Arc::new(Calls::new(HttpInvoker::new(connections, lookup)?, runtime.clone()));
        let lambda = match lambda {
            Some(s) => {
                let invoker = LambdaInvoker::new(s).map_err(SetupError::Lambda)?;
                Some((Arc::new(Calls::new(invoker, runtime)), s.functions.clone()))
            }
            None => None,
        };
        Ok(Builtin { http, lambda })
    }

    /// `routes` with the integrations' tasks sent to them.
    pub fn route(&self, routes: Routes) -> Routes {
        let mut r = routes.route(HTTP_INVOKE, self.http.clone());
        if let Some((calls, functions)) = &self.lambda {
            r = r.lambda(calls.clone(), functions.clone());
        }
        r
    }

    /// The engine the answers go to, once it is open.
    pub fn attach(&self, engine: &Engine) {
        self.http.attach(engine.clone());
        if let Some((calls, _)) = &self.lambda {
            calls.attach(engine.clone());
        }
    }
}
