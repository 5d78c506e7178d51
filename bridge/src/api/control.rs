//! The control API as its clients see it: operations by AWS's names with AWS's JSON, the
//! error as `Kind: message`. The dashboard and the CLI reach it in process, over HTTP or
//! over NATS through this one trait, so they need not know which.

use serde_json::Value;
use stepline_core::engine::Engine;

/// Runs one control API operation.
pub trait ControlApi: Send + Sync {
    /// The response body, or the error as `Kind: message`.
    fn call(&self, operation: &str, body: &Value) -> Result<Value, String>;
}

/// The API served by an engine in this process (`stepline dev`).
pub struct InProcess(pub Engine);

impl ControlApi for InProcess {
    fn call(&self, operation: &str, body: &Value) -> Result<Value, String> {
        super::handle(&self.0, operation, body).map_err(|e| e.to_string())
    }
}
