//! Map Runs in the store: their records, the Map Runs of each execution, the children of
//! each Map Run in index order, and the definitions their children run.

use super::*;

impl Store {
    pub fn map_run(&self, arn: &str) -> Result<Option<MapRunRecord>, StoreError> {
        let txn = self.db()?.begin_read()?;
        let t = match txn.open_table(MAP_RUNS) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let r = t.get(arn)?;
        r.map(|v| read_record(v.value()).map_err(StoreError::from)).transpose()
    }

    /// The Map Runs an execution started, oldest first.
    pub fn map_runs_of(&self, execution_arn: &str) -> Result<Vec<MapRunRecord>, StoreError> {
        let arns: Vec<String> = {
            let txn = self.db()?.begin_read()?;
            let t = match txn.open_table(MAP_RUNS_BY_EXECUTION) {
                Ok(t) => t,
                Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
                Err(e) => return Err(e.into()),
            };
            let (lo, hi) =
                (keys::prefixed(execution_arn, 0, ""), keys::prefixed(execution_arn, i64::MAX, "\u{10ffff}"));
            let skip = execution_arn.len() + 9;
            let mut out = Vec::new();
            for row in t.range(lo.as_slice()..hi.as_slice())? {
                let (k, _) = row?;
                out.push(keys::arn_after(k.value(), skip));
            }
            out
        };
        let mut runs = Vec::with_capacity(arns.len());
        for arn in arns {
            if let Some(r) = self.map_run(&arn)? {
                runs.push(r);
            }
        }
        Ok(runs)
    }

    /// A Map Run's children from index `from`, at most `limit`, in index order.
    pub fn map_run_children(&self, arn: &str, from: u64, limit: usize) -> Result<Vec<(u64, String)>, StoreError> {
        let txn = self.db()?.begin_read()?;
        let t = match txn.open_table(MAP_RUN_CHILDREN) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let (lo, hi) = (keys::arn_seq(arn, from), keys::arn_seq(arn, u64::MAX));
        let mut out = Vec::new();
        for row in t.range(lo.as_slice()..=hi.as_slice())? {
            let (k, v) = row?;
            let k = k.value();
            let index = u64::from_be_bytes(k[k.len() - 8..].try_into().unwrap_or_default());
            out.push((index, String::from_utf8_lossy(v.value()).into_owned()));
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }
}

impl Batch {
    /// Writes a Map Run's record; `new` also indexes it under its execution.
    pub fn put_map_run(&mut self, rec: &MapRunRecord, new: bool) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(rec)?;
        self.txn.open_table(MAP_RUNS)?.insert(rec.arn.as_str(), bytes.as_slice())?;
        if new {
            let k = keys::prefixed(&rec.execution_arn, rec.start, &rec.arn);
            self.txn.open_table(MAP_RUNS_BY_EXECUTION)?.insert(k.as_slice(), ())?;
        }
        Ok(())
    }

    /// Records child `index` of a Map Run.
    pub fn put_map_run_child(&mut self, map_run: &str, index: u64, child: &str) -> Result<(), StoreError> {
        self.pending.map_run_children.push((keys::arn_seq(map_run, index), Some(child.as_bytes().to_vec())));
        Ok(())
    }

    /// Stores a definition version that no state machine record lists (a Map Run's item
    /// processor), so its children replay after a restart.
    pub fn put_definition(&mut self, arn: &str, version: u32, definition: &str) -> Result<(), StoreError> {
        let k = keys::arn_seq(arn, version as u64);
        self.txn.open_table(STATE_MACHINE_VERSIONS)?.insert(k.as_slice(), definition.as_bytes())?;
        Ok(())
    }
}
