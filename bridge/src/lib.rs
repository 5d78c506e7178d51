//! Stepline bridge: how the outside world reaches the engine. So far: the control API
//! (AWS Step Functions operation names and JSON shapes) served over HTTP with the AWS
//! JSON 1.0 protocol, so the AWS SDKs and CLI work with `--endpoint-url`.

pub mod api;
pub mod http;
