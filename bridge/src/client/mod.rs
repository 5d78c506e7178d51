//! The client halves of the control API's protocols, next to their servers: AWS JSON 1.0
//! over HTTP (`http.rs`, the CLI's) and request/reply over NATS (`nats.rs`, the
//! dashboard's `--nats`).

pub mod error;
pub mod http;
pub mod nats;

pub use error::{ApiError, ClientError};
