//! `UpdateMapRun`: an operator changes a running Map Run's concurrency or tolerated
//! failures; the run starts more children, or fails, by the new rules from this batch on.

use crate::error::EngineError;
use crate::records::{MapRunChange, MapRunRecord};
use crate::state::EngineState;

impl EngineState {
    pub(crate) fn update_map_run(&mut self, arn: &str, change: MapRunChange) -> Result<MapRunRecord, EngineError> {
        let Some(run) = self.map_runs.get_mut(arn) else {
            return match self.store.map_run(arn)? {
                Some(_) => Err(EngineError::MapRunNotRunning(arn.into())),
                None => Err(EngineError::MapRunDoesNotExist(arn.into())),
            };
        };
        if let Some(m) = change.max_concurrency {
            run.record.max_concurrency = m;
        }
        if let Some(c) = change.tolerated_failure_count {
            run.record.tolerated_failure_count = c;
            run.record.tolerance_given.0 = true;
            run.tolerated.count = Some(c);
        }
        if let Some(p) = change.tolerated_failure_percentage {
            run.record.tolerated_failure_percentage = p;
            run.record.tolerance_given.1 = true;
            run.tolerated.percentage = Some(p);
        }
        run.dirty = true;
        Ok(run.record.clone())
    }
}
