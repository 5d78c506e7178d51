//! What operators and the server around the engine call: its metrics, the tasks that
//! wait, backups of the live store, ARNs in its region and account.

use crate::error::EngineError;
use crate::request::Request;
use crate::{narrow, Engine};

impl Engine {
    /// `arn:aws:states:<region>:<account>:<kind>:<rest>` in this engine's region and
    /// account (a trigger naming its machine by name).
    pub fn arn(&self, kind: &str, rest: &str) -> String {
        format!("arn:aws:states:{}:{}:{kind}:{rest}", self.express.region(), self.express.account())
    }

    /// What the engine has counted, for the metrics endpoint.
    pub fn metrics(&self) -> std::sync::Arc<crate::metrics::counters::EngineMetrics> {
        self.express.metrics.clone()
    }

    /// How many tasks wait per activity (handed out, not yet answered).
    pub fn waiting_tasks(&self) -> Result<Vec<(String, u64)>, crate::error::TaskError> {
        narrow(self.call(|reply| Request::WaitingTasks { reply }))
    }

    /// A consistent copy of the live store, written to `to` while the engine goes on.
    pub fn backup(&self, to: &std::path::Path) -> Result<crate::store::BackupSummary, EngineError> {
        Ok(self.store.backup(to)?)
    }

    /// The store's file, for its size.
    pub fn store_location(&self) -> std::path::PathBuf {
        self.store.location().to_path_buf()
    }
}
