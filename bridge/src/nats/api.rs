//! The control API over NATS request/reply: `<prefix>.api.<Operation>` with the same
//! JSON bodies as HTTP; errors answer `{"__type": ..., "message": ...}`.

use super::error::NatsError;
use crate::bus::Names;
use futures_util::StreamExt;
use serde_json::{json, Value};
use stepline_core::engine::AwsErrorType;
use stepline_core::engine::Engine;

/// Subscribes (before the bridge reports itself ready, so no request finds no one).
pub(super) async fn subscribe(client: &async_nats::Client, names: &Names) -> Result<async_nats::Subscriber, NatsError> {
    let subject = names.api_subject("*");
    let sub = client
        .queue_subscribe(subject.clone(), "stepline-api".into())
        .await
        .map_err(|source| NatsError::Subscribe { subject: subject.clone(), source })?;
    client.flush().await.map_err(|source| NatsError::Flush { subject, source })?;
    Ok(sub)
}

pub(super) async fn serve(
    client: async_nats::Client,
    mut sub: async_nats::Subscriber,
    engine: Engine,
) -> Result<(), NatsError> {
    while let Some(msg) = sub.next().await {
        let Some(reply) = msg.reply.clone() else { continue };
        let (client, engine) = (client.clone(), engine.clone());
        tokio::spawn(async move {
            let operation = msg.subject.rsplit('.').next().unwrap_or_default().to_string();
            let answer = match parse(&msg.payload) {
                Ok(body) => tokio::task::spawn_blocking(move || crate::api::handle(&engine, &operation, &body))
                    .await
                    .unwrap_or_else(|_| {
                        Err(crate::api::ApiError::new(AwsErrorType::InternalFailure, "the request failed"))
                    }),
                Err(e) => Err(e),
            };
            let body = match answer {
                Ok(v) => v,
                Err(e) => json!({"__type": e.kind.as_str(), "message": e.message}),
            };
            let _ = client.publish(reply, serde_json::to_vec(&body).unwrap_or_default().into()).await;
        });
    }
    Ok(())
}

fn parse(payload: &[u8]) -> Result<Value, crate::api::ApiError> {
    if payload.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(payload).map_err(|e| {
        crate::api::ApiError::new(AwsErrorType::SerializationException, format!("the request body is not JSON: {e}"))
    })
}
