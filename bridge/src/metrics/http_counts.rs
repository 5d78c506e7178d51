//! What the HTTP API has answered: requests by operation and error type, and how long
//! they took.

use std::collections::BTreeMap;
use std::sync::Mutex;
use stepline_core::engine::metrics::histogram::{Histogram, SECONDS};

#[derive(Debug)]
pub struct HttpCounts {
    /// `(operation, error type or "")` -> requests.
    requests: Mutex<BTreeMap<(String, String), u64>>,
    pub seconds: Histogram,
}

impl Default for HttpCounts {
    fn default() -> Self {
        HttpCounts { requests: Mutex::default(), seconds: Histogram::new(SECONDS) }
    }
}

impl HttpCounts {
    pub fn count(&self, operation: &str, error: Option<&str>, seconds: f64) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((operation.to_string(), error.unwrap_or("").to_string())).or_default() += 1;
        }
        self.seconds.observe(seconds);
    }

    pub fn requests(&self) -> Vec<(String, String, u64)> {
        self.requests
            .lock()
            .map(|m| m.iter().map(|((o, e), n)| (o.clone(), e.clone(), *n)).collect())
            .unwrap_or_default()
    }
}
