//! The control API over HTTP with the AWS JSON 1.0 protocol: `POST /` with
//! `X-Amz-Target: AWSStepFunctions.<Operation>` and a JSON body.

use crate::api::{self, ApiError};
use crate::metrics::render::render;
use crate::metrics::sources::MetricsSources;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;
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

/// How long a control API call made during start-up recovery waits for the engine.
const RECOVERY_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// What the HTTP listener serves: the engine once it has recovered (health and metrics
/// are answered before), and the metrics' other sources.
#[derive(Default)]
pub struct Served {
    engine: std::sync::OnceLock<Engine>,
    pub metrics: MetricsSources,
}

impl Served {
    pub fn new(metrics: MetricsSources) -> Arc<Served> {
        Arc::new(Served { engine: std::sync::OnceLock::new(), metrics })
    }

    /// The engine has recovered: the control API and `/readyz` answer from now on.
    pub fn ready(&self, engine: Engine) {
        let _ = self.engine.set(engine);
    }
}

fn text(status: u16, content_type: &str, body: String) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("Content-Type", content_type)
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

async fn route(served: Arc<Served>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    if req.method() == hyper::Method::GET {
        let ready = served.engine.get().cloned();
        return match req.uri().path() {
            "/healthz" => text(200, "text/plain", "ok\n".into()),
            "/readyz" => match ready {
                Some(_) => text(200, "text/plain", "ready\n".into()),
                None => text(503, "text/plain", "recovering: the engine is replaying running executions\n".into()),
            },
            "/metrics" => {
                let page = tokio::task::spawn_blocking(move || render(ready.as_ref(), &served.metrics)).await;
                match page {
                    Ok(p) => text(200, "text/plain; version=0.0.4", p),
                    Err(e) => text(500, "text/plain", format!("the metrics could not be read: {e}\n")),
                }
            }
            other => text(
                404,
                "text/plain",
                format!("no such page: {other} (GET /metrics, /healthz, /readyz; the API is POST /)\n"),
            ),
        };
    }
    // A call made while the engine recovers waits for it (a client started beside the
    // server must not fail), up to a limit.
    let waited = std::time::Instant::now();
    let engine = loop {
        if let Some(e) = served.engine.get() {
            break e.clone();
        }
        if waited.elapsed() > RECOVERY_WAIT {
            return error_reply(&ApiError::new(
                AwsErrorType::ServiceUnavailable,
                "Stepline is still recovering its running executions; try again shortly",
            ));
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    };
    let began = std::time::Instant::now();
    let operation = req
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix("AWSStepFunctions."))
        .unwrap_or("unknown")
        .to_string();
    let reply = serve_one(engine, req).await;
    let error = reply.headers().get("x-amzn-ErrorType").and_then(|v| v.to_str().ok());
    served.metrics.http.count(&operation, error, began.elapsed().as_secs_f64());
    reply
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
    let served = Served::new(MetricsSources::default());
    served.ready(engine);
    serve_with(served, listener).await
}

/// Serves health, readiness and metrics at once, the control API once `served` has its
/// engine.
pub async fn serve_with(served: Arc<Served>, listener: TcpListener) -> std::io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        let served = served.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| {
                let served = served.clone();
                async move { Ok::<_, std::convert::Infallible>(route(served, req).await) }
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
