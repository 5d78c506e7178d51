//! A blocking client for the control API over NATS request/reply
//! (`<prefix>.api.<Operation>`), for callers without a runtime of their own (the
//! dashboard): it brings a current-thread runtime.

use super::error::{ApiError, ClientError};
use serde_json::Value;
use std::time::Duration;

/// How long a request waits for the engine's answer.
const ANSWER_WAIT: Duration = Duration::from_secs(10);

pub struct NatsApi {
    rt: tokio::runtime::Runtime,
    client: async_nats::Client,
    prefix: String,
}

impl NatsApi {
    /// A client of the API of the engine on `prefix`, already connected.
    pub fn new(rt: tokio::runtime::Runtime, client: async_nats::Client, prefix: String) -> NatsApi {
        NatsApi { rt, client, prefix }
    }

    /// Connects to the NATS server at `url`, for the API of the engine on `prefix`.
    pub fn connect(url: &str, prefix: String) -> Result<NatsApi, ClientError> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(ClientError::Runtime)?;
        let client = rt
            .block_on(async_nats::connect(url))
            .map_err(|source| ClientError::Connect { url: url.to_string(), source })?;
        Ok(NatsApi::new(rt, client, prefix))
    }

    pub fn call(&self, operation: &str, body: &Value) -> Result<Value, ClientError> {
        let subject = format!("{}.api.{operation}", self.prefix);
        let payload = serde_json::to_vec(body).unwrap_or_default();
        let reply = self.rt.block_on(async {
            tokio::time::timeout(ANSWER_WAIT, self.client.request(subject.clone(), payload.into())).await
        });
        let msg = match reply {
            Ok(Ok(m)) => m,
            Ok(Err(source)) => return Err(ClientError::Request { subject, source }),
            Err(_) => return Err(ClientError::NoAnswer { subject }),
        };
        let v: Value = serde_json::from_slice(&msg.payload)
            .map_err(|source| ClientError::NotJson { subject: subject.clone(), source })?;
        match v["__type"].as_str() {
            Some(kind) => {
                Err(ApiError { kind: kind.to_string(), message: v["message"].as_str().unwrap_or("").to_string() }
                    .into())
            }
            None => Ok(v),
        }
    }
}
