//! The outbound HTTP client the built-in integrations share.

pub mod error;
pub mod pool;
pub mod tls;
