//! Integrations Stepline makes itself instead of handing them to a worker: the HTTP Task
//! (`http_task/`), Lambda functions behind an invoke endpoint (`lambda.rs`) and AWS
//! messaging mapped onto the buses (`messaging/`). `calls.rs` runs them off the engine
//! thread; `client/` is their HTTP client; `settings.rs` their part of `stepline.toml`.

pub mod builtin;
pub mod calls;
pub mod client;
pub mod http_task;
pub mod lambda;
pub mod messaging;
pub mod settings;
