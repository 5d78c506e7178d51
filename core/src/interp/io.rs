//! Input and output processing: InputPath, Parameters, ResultSelector, ResultPath,
//! OutputPath, in the order AWS applies them.

use super::errors::Failure;
use crate::entropy::Entropy;
use crate::model::{IoPath, ResultPath, Template};
use crate::path::{PathError, Scope};
use serde_json::{Map, Value};

/// A data-processing error, before the state's cause prefix is added.
pub type IoResult<T> = Result<T, (String, String)>;

fn runtime(e: impl ToString) -> (String, String) {
    ("States.Runtime".to_string(), e.to_string())
}

/// `InputPath` / `OutputPath` / `ItemsPath`.
pub fn apply_io_path(p: &IoPath, scope: &Scope<'_>) -> IoResult<Value> {
    match p {
        IoPath::Identity => Ok(scope.input.clone()),
        IoPath::Null => Ok(Value::Object(Map::new())),
        IoPath::Path(p) => p.select(scope).map_err(runtime),
    }
}

/// `Parameters` / `ResultSelector` / `ItemSelector`.
pub fn apply_template(t: &Template, scope: &Scope<'_>, rng: &mut dyn Entropy) -> IoResult<Value> {
    t.eval(scope, rng).map_err(|e| (e.error_name().to_string(), e.to_string()))
}

/// `ResultPath`: merges the result into the raw state input.
pub fn apply_result_path(rp: &ResultPath, raw_input: &Value, result: Value) -> IoResult<Value> {
    match rp {
        ResultPath::Replace => Ok(result),
        ResultPath::Discard => Ok(raw_input.clone()),
        ResultPath::Path(p) => {
            let mut out = raw_input.clone();
            p.set(&mut out, result).map_err(|e: PathError| ("States.ResultPathMatchFailure".to_string(), e.to_string()))?;
            Ok(out)
        }
    }
}

/// Fails with `States.DataLimitExceeded` when a payload is over AWS's 256 KiB.
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;

pub fn payload_too_large(v: &Value) -> bool {
    // Cheap bound first: most payloads are far below the limit.
    serde_json::to_vec(v).map(|b| b.len() > MAX_PAYLOAD_BYTES).unwrap_or(true)
}

impl From<(String, String)> for Failure {
    fn from((error, cause): (String, String)) -> Self {
        Failure { error, cause }
    }
}
