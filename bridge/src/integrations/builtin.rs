//! The built-in integrations as `stepline serve` sets them up: made from their settings
//! (a mistake named before the server starts), routed, then attached to the engine.

use super::calls::Calls;
use super::http_task::caller::{HttpInvoker, HTTP_INVOKE};
use super::lambda::LambdaInvoker;
use super::messaging::mapping::Mappings;
use super::messaging::publisher::{Messaging, MessagingCaller};
use super::messaging::shapes::{EVENTS_PUT, SNS_PUBLISH, SQS_SEND};
use super::settings::{ConnectionSettings, LambdaSettings, MessagingSettings};
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
    #[error(transparent)]
    Mapping(#[from] super::messaging::mapping::MappingError),
    #[error("[messaging] maps a destination onto {0}, which is not configured ([{1}] in stepline.toml, or --{1})")]
    NoBus(&'static str, &'static str),
}

/// The buses messaging may publish on.
#[derive(Default)]
pub struct BusLinks {
    pub nats: Option<async_nats::Client>,
    pub amqp: Option<crate::amqp::AmqpSettings>,
}

pub type LambdaRoute = (Arc<Calls<LambdaInvoker>>, Option<Vec<String>>);

pub struct Builtin {
    pub http: Arc<Calls<HttpInvoker>>,
    /// With the functions it takes (all when `None`).
    pub lambda: Option<LambdaRoute>,
    /// One per activity (`sqs:sendMessage`, ...), each handing unmapped tasks on.
    pub messaging: Vec<(&'static str, Arc<Calls<MessagingCaller>>)>,
}

impl Builtin {
    /// The integrations of these settings, their calls made on `runtime`; `lookup` reads
    /// the environment (where secrets are named).
    pub fn new(
        connections: &[ConnectionSettings],
        lambda: Option<&LambdaSettings>,
        messaging: Option<&MessagingSettings>,
        buses: BusLinks,
        runtime: tokio::runtime::Handle,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Builtin, SetupError> {
        let http = Arc::new(Calls::new(HttpInvoker::new(connections, lookup)?, runtime.clone()));
        let lambda = match lambda {
            Some(s) => {
                let invoker = LambdaInvoker::new(s).map_err(SetupError::Lambda)?;
                Some((Arc::new(Calls::new(invoker, runtime.clone())), s.functions.clone()))
            }
            None => None,
        };
        let mut calls = Vec::new();
        if let Some(settings) = messaging {
            let mappings = Mappings::new(settings)?;
            let (nats, amqp) = mappings.needs();
            if nats && buses.nats.is_none() {
                return Err(SetupError::NoBus("NATS", "nats"));
            }
            if amqp && buses.amqp.is_none() {
                return Err(SetupError::NoBus("AMQP", "amqp"));
            }
            let shared = Arc::new(Messaging {
                mappings,
                nats: buses.nats,
                amqp: buses.amqp.map(crate::amqp::AmqpPublisher::new),
            });
            for activity in [SQS_SEND, SNS_PUBLISH, EVENTS_PUT] {
                let c = Calls::new(MessagingCaller(shared.clone()), runtime.clone());
                calls.push((activity, Arc::new(c)));
            }
        }
        Ok(Builtin { http, lambda, messaging: calls })
    }

    /// `routes` with the integrations' tasks sent to them; made last, so that a bus that
    /// names `http:invoke` among its activities keeps it, and messaging tasks whose
    /// destination is not mapped go where their activity went before.
    pub fn route(&self, routes: Routes) -> Routes {
        let mut r = routes;
        if !r.names(HTTP_INVOKE) {
            r = r.route(HTTP_INVOKE, self.http.clone());
        }
        if let Some((calls, functions)) = &self.lambda {
            r = r.lambda(calls.clone(), functions.clone());
        }
        for (activity, calls) in &self.messaging {
            calls.hand_on_to(r.dispatcher_of(activity));
            r = r.route(activity, calls.clone());
        }
        r
    }

    /// The engine the answers go to, once it is open.
    pub fn attach(&self, engine: &Engine) {
        self.http.attach(engine.clone());
        if let Some((calls, _)) = &self.lambda {
            calls.attach(engine.clone());
        }
        for (_, calls) in &self.messaging {
            calls.attach(engine.clone());
        }
    }
}
