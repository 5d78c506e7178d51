//! Result entries of a Map Run's ended children, spilled to files in the data directory
//! until the run ends and its `ResultWriter` lays them out.

use crate::config::EngineConfig;
use crate::error::EngineError;
use serde_json::Value;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

/// Result entries of ended children, one JSON line each, per outcome, until the run ends.
pub(crate) struct Spill {
    pub dir: PathBuf,
    pub succeeded: BufWriter<File>,
    pub failed: BufWriter<File>,
    /// The first write that failed.
    pub broken: Option<String>,
}

impl Spill {
    /// Fresh files for a run (a resumed run rebuilds them from its children).
    pub(crate) fn create(config: &EngineConfig, map_run_arn: &str) -> Result<Spill, EngineError> {
        let id = map_run_arn.rsplit(':').next().unwrap_or("run");
        let dir = config.data_dir.join("map-runs").join(id);
        let io = |e: std::io::Error| EngineError::InvalidExecutionInput(format!("{}: {e}", dir.display()));
        std::fs::create_dir_all(&dir).map_err(io)?;
        let open = |name: &str| File::create(dir.join(name)).map(|f| BufWriter::with_capacity(256 * 1024, f));
        Ok(Spill {
            succeeded: open("SUCCEEDED.jsonl").map_err(io)?,
            failed: open("FAILED.jsonl").map_err(io)?,
            dir,
            broken: None,
        })
    }

    pub(crate) fn push(&mut self, ok: bool, entry: &Value) {
        let w = if ok { &mut self.succeeded } else { &mut self.failed };
        let written =
            serde_json::to_writer(&mut *w, entry).and_then(|()| w.write_all(b"\n").map_err(serde_json::Error::io));
        if let (Err(e), None) = (written, &self.broken) {
            self.broken = Some(format!("spilling results to {}: {e}", self.dir.display()));
        }
    }

    /// Everything pushed on disk, or why not (the `ResultWriter` then fails).
    pub(crate) fn flush(&mut self) -> Result<(), String> {
        if let Some(why) = self.broken.take() {
            return Err(why);
        }
        self.succeeded.flush().and_then(|()| self.failed.flush()).map_err(|e| format!("spilling results: {e}"))
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
