//! The control API over HTTP with the AWS JSON 1.0 protocol: `POST /` with
//! `X-Amz-Target: AWSStepFunctions.<Operation>` and a JSON body.

use crate::api::{self, ApiError};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::net::SocketAddr;
use stepline_core::engine::AwsErrorType;
use stepline_core::engine::Engine;
use tokio::net::TcpListener;

/// Largest request body read: room for AWS's largest member (a 1 MiB definition) written
/// with JSON escapes. A larger body is refused with 413 before it is read. An engine whose
/// `max_payload` is over 1 MiB reads twice that instead ([`body_limit`]).
pub const MAX_BODY: usize = 2 * 1024 * 1024;

/// The body limit for `engine`: [`MAX_BODY`], or room for its largest payload escaped.
pub fn body_limit(engine: &Engine) -> usize {
    MAX_BODY.max(engine.max_payload().saturating_mul(2))
}

/// The answer to a body over [`body_limit`]: HTTP 413 with the limit in the message, in the
/// shape AWS's JSON services use for it (`RequestTooLargeException`).
fn too_large(operation: &str, limit: usize, data: usize) -> Response<Full<Bytes>> {
    let e = ApiError::new(AwsErrorType::RequestTooLargeException,
        format!(
            "Request must be smaller than {limit} bytes for the {operation} operation (an input or output is at most {data} characters, a definition {})",
            api::params::MAX_DEFINITION
        ),
    );
    reply(413, json!({"__type": e.kind.as_str(), "message": e.message}), Some(e.kind.as_str()))
}

fn reply(status: u16, body: Value, error_type: Option<&str>) -> Response<Full<Bytes>> {
    let mut b = Response::builder().status(status).header("Content-Type", "application/x-amz-json-1.0");
    if let Some(t) = error_type {
        b = b.header("x-amzn-ErrorType", t);
    }
    b.body(Full::new(Bytes::from(body.to_string()))).unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

fn error_reply(e: &ApiError) -> Response<Full<Bytes>> {
    reply(e.status(), json!({"__type": e.kind.as_str(), "message": e.message}), Some(e.kind.as_str()))
}

async fn serve_one(engine: Engine, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let target = req.headers().get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let Some(operation) = target.strip_prefix("AWSStepFunctions.").map(str::to_string) else {
        return error_reply(&ApiError::new(
            AwsErrorType::UnknownOperationException,
            "missing or unknown X-Amz-Target header",
        ));
    };
    let declared = req.headers().get(hyper::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let (limit, data) = (body_limit(&engine), api::params::MAX_DATA.max(engine.max_payload()));
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large(&operation, limit, data);
    }
    let bytes = match Limited::new(req.into_body(), limit).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => return too_large(&operation, limit, data),
        Err(e) => {
            return error_reply(&ApiError::new(
                AwsErrorType::SerializationException,
                format!("cannot read the request body: {e}"),
            ))
        }
    };
    let body: Value = if bytes.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&bytes) {
            Ok(v) => v,
            Err(e) => {
                return error_reply(&ApiError::new(
                    AwsErrorType::SerializationException,
                    format!("the request body is not JSON: {e}"),
                ))
            }
        }
    };
    // Engine calls block (a commit, or a long poll): keep them off the async workers.
    let result = tokio::task::spawn_blocking(move || api::handle(&engine, &operation, &body)).await;
    match result {
        Ok(Ok(v)) => reply(200, v, None),
        Ok(Err(e)) => error_reply(&e),
        Err(e) => error_reply(&ApiError::new(AwsErrorType::InternalFailure, format!("the request failed: {e}"))),
    }
}

/// Serves the control API on `listener` until the task is dropped.
pub async fn serve(engine: Engine, listener: TcpListener) -> std::io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        let engine = engine.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| {
                let engine = engine.clone();
                async move { Ok::<_, std::convert::Infallible>(serve_one(engine, req).await) }
            });
            if let Err(e) = http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await {
                tracing::debug!("connection closed: {e}");
            }
        });
    }
}

/// Binds `addr` and serves; returns the bound address (port 0 picks a free one).
pub async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr).await
}
