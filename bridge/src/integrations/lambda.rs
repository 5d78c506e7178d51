//! Lambda functions invoked through a Lambda-compatible invoke API
//! (`POST /2015-03-31/functions/NAME/invocations`, as `sam local start-lambda` and Step
//! Functions Local's `LAMBDA_ENDPOINT` serve it) instead of handed to a worker. A
//! function's error becomes the task's as on AWS: its `errorType`, or `Lambda.Unknown`;
//! the invoke API's own errors are `Lambda.<ErrorCode>`.

use super::calls::{CallFuture, Caller};
use super::client::error::ClientError;
use super::client::pool::{HttpClient, OutRequest, OutResponse};
use super::http_task::form;
use super::settings::LambdaSettings;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use stepline_core::engine::{TaskAnswer, TaskEnvelope};
use tokio::sync::Semaphore;

/// Lambda's own limit on an invocation.
const MAX_TIMEOUT: Duration = Duration::from_secs(900);
/// Lambda's largest synchronous response.
const MAX_RESPONSE: usize = 6 * 1024 * 1024;

pub struct LambdaInvoker {
    endpoint: String,
    client: HttpClient,
    timeout: Duration,
    permits: Semaphore,
}

impl LambdaInvoker {
    pub fn new(s: &LambdaSettings) -> Result<LambdaInvoker, ClientError> {
        if !(s.endpoint.starts_with("http://") || s.endpoint.starts_with("https://")) {
            return Err(ClientError::BadUrl(s.endpoint.clone()));
        }
        Ok(LambdaInvoker {
            endpoint: s.endpoint.trim_end_matches('/').to_string(),
            client: HttpClient::new(&s.tls(), MAX_RESPONSE)?,
            timeout: s.timeout_seconds.map(Duration::from_secs).unwrap_or(MAX_TIMEOUT).min(MAX_TIMEOUT),
            permits: Semaphore::new(s.max_concurrency.unwrap_or(64).max(1)),
        })
    }

    async fn invoke(&self, task: &TaskEnvelope) -> TaskAnswer {
        let mut url = format!("{}/2015-03-31/functions/", self.endpoint);
        form::escape_into(&task.activity, &mut url);
        url.push_str("/invocations");
        let payload = match &task.input {
            Value::Null => "{}".to_string(),
            v => v.to_string(),
        };
        let req = OutRequest {
            method: hyper::Method::POST,
            url,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("x-amz-invocation-type".into(), "RequestResponse".into()),
            ],
            body: bytes::Bytes::from(payload),
        };
        let timeout = task.timeout_seconds.map(Duration::from_secs).unwrap_or(self.timeout).min(MAX_TIMEOUT);
        let Ok(_permit) = self.permits.acquire().await else {
            return sdk_client_error("shutting down");
        };
        match self.client.send(req, timeout).await {
            Ok(res) => answer(&task.activity, &res),
            Err(e) => sdk_client_error(&e.to_string()),
        }
    }
}

impl Caller for LambdaInvoker {
    fn call(self: Arc<Self>, task: TaskEnvelope) -> CallFuture {
        Box::pin(async move { Some(self.invoke(&task).await) })
    }
}

fn sdk_client_error(why: &str) -> TaskAnswer {
    TaskAnswer::Failure {
        error: "Lambda.SdkClientException".into(),
        cause: format!("Unable to execute HTTP request: {why}"),
    }
}

fn header<'a>(res: &'a OutResponse, name: &str) -> Option<&'a str> {
    res.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// The invoke API's answer as the task's.
pub fn answer(function: &str, res: &OutResponse) -> TaskAnswer {
    let text = String::from_utf8_lossy(&res.body).into_owned();
    if !(200..300).contains(&res.status) {
        // The invoke API refused: `Lambda.<ErrorCode>` with AWS's SDK cause.
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let code = header(res, "x-amzn-errortype")
            .map(|t| t.split(':').next().unwrap_or(t).to_string())
            .or_else(|| body.get("Type").or(body.get("__type")).and_then(Value::as_str).map(str::to_string))
            .map(|t| t.rsplit('#').next().unwrap_or(&t).to_string())
            .unwrap_or_else(|| {
                if res.status == 404 {
                    "ResourceNotFoundException".into()
                } else {
                    "AWSLambdaException".into()
                }
            });
        let message = body
            .get("message")
            .or(body.get("Message"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("Function {function}: {}", res.reason));
        let request_id = header(res, "x-amzn-requestid").unwrap_or("");
        let cause = format!(
            "{message} (Service: AWSLambda; Status Code: {}; Error Code: {code}; Request ID: {request_id}; Proxy: null)",
            res.status
        );
        return TaskAnswer::Failure { error: format!("Lambda.{code}"), cause };
    }
    let payload: Option<Value> =
        if text.trim().is_empty() { Some(Value::Null) } else { serde_json::from_str(&text).ok() };
    if header(res, "x-amz-function-error").is_some() {
        return match payload.as_ref().and_then(|p| p.get("errorType")).and_then(Value::as_str) {
            Some(error_type) => TaskAnswer::Failure { error: error_type.to_string(), cause: text },
            None => TaskAnswer::Failure {
                error: "Lambda.Unknown".into(),
                cause: format!(
                    "The cause could not be determined because Lambda did not return an error type. Returned payload: {text}"
                ),
            },
        };
    }
    match payload {
        Some(v) => TaskAnswer::Success(v),
        None => TaskAnswer::Failure {
            error: "Lambda.Unknown".into(),
            cause: format!(
                "the function {function} returned a payload that is not JSON: {}",
                text.chars().take(200).collect::<String>()
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn res(status: u16, headers: &[(&str, &str)], body: &str) -> OutResponse {
        OutResponse {
            status,
            reason: "R".into(),
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: bytes::Bytes::from(body.to_string()),
        }
    }

    #[test]
    fn a_result_is_the_payload() {
        assert_eq!(answer("f", &res(200, &[], r#"{"total": 3}"#)), TaskAnswer::Success(json!({"total": 3})));
        assert_eq!(answer("f", &res(200, &[], "")), TaskAnswer::Success(Value::Null));
    }

    #[test]
    fn a_function_error_is_its_error_type_with_the_payload_as_cause() {
        let body = r#"{"errorMessage": "no stock", "errorType": "OutOfStock"}"#;
        let a = answer("f", &res(200, &[("x-amz-function-error", "Unhandled")], body));
        assert_eq!(a, TaskAnswer::Failure { error: "OutOfStock".into(), cause: body.into() });
        let a = answer("f", &res(200, &[("x-amz-function-error", "Unhandled")], r#"{"errorMessage": "timed out"}"#));
        assert!(matches!(a, TaskAnswer::Failure { error, cause } if error == "Lambda.Unknown"
            && cause.ends_with(r#"Returned payload: {"errorMessage": "timed out"}"#)));
    }

    #[test]
    fn the_invoke_apis_refusals_are_lambda_errors() {
        let a = answer(
            "f",
            &res(
                404,
                &[("x-amzn-errortype", "ResourceNotFoundException"), ("x-amzn-requestid", "r-1")],
                r#"{"Type": "User", "message": "Function not found: f"}"#,
            ),
        );
        assert_eq!(a, TaskAnswer::Failure {
            error: "Lambda.ResourceNotFoundException".into(),
            cause: "Function not found: f (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: r-1; Proxy: null)".into(),
        });
    }
}
