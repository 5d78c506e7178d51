//! The dashboard is a client of the control API, like the CLI: operations by AWS's names
//! with AWS's JSON. In process (`stepline dev`) it calls the engine directly; against a
//! running server the binary supplies an HTTP client.

use serde_json::Value;
use stepline_core::engine::Engine;

/// Runs one control API operation.
pub trait ControlApi: Send + Sync {
    /// The response body, or the error as `Kind: message`.
    fn call(&self, operation: &str, body: &Value) -> Result<Value, String>;
}

/// The API served by an engine in this process.
pub struct InProcess(pub Engine);

impl ControlApi for InProcess {
    fn call(&self, operation: &str, body: &Value) -> Result<Value, String> {
        stepline_bridge::api::handle(&self.0, operation, body).map_err(|e| e.to_string())
    }
}
