//! Pruning ended executions (history retention): the oldest ended executions by start
//! time, and their removal with every index entry, count, journal entry, history chunk
//! and Map Run they left.

use super::*;

/// The statuses an execution ends in.
const ENDED: [Status; 4] = [Status::Succeeded, Status::Failed, Status::TimedOut, Status::Aborted];

impl Store {
    /// At most `limit` ended executions, oldest start first, that started before `before`
    /// (all when `None`): `(start, arn)`.
    pub fn oldest_ended(&self, limit: usize, before: Option<Millis>) -> Result<Vec<(Millis, String)>, StoreError> {
        let txn = self.db()?.begin_read()?;
        let t = txn.open_table(BY_STATUS)?;
        let mut found = Vec::new();
        for status in ENDED {
            let prefix = status.as_str();
            let lo = keys::prefixed(prefix, 0, "");
            let hi = keys::prefixed(prefix, before.unwrap_or(i64::MAX), "");
            let skip = prefix.len() + 1;
            for row in t.range(lo.as_slice()..hi.as_slice())?.take(limit) {
                let (k, _) = row?;
                let k = k.value();
                let start = k.get(skip..skip + 8).and_then(|b| b.try_into().ok()).map_or(0, i64::from_be_bytes);
                found.push((start, keys::arn_after(k, skip + 8)));
            }
        }
        found.sort();
        found.truncate(limit);
        Ok(found)
    }

    /// How many executions have ended, every machine together.
    pub fn ended_count(&self) -> Result<u64, StoreError> {
        Ok(self.counts()?.iter().filter(|(_, s, _)| *s != Status::Running).map(|(_, _, n)| n).sum())
    }
}

impl Batch {
    /// Removes an ended execution and everything stored under it.
    pub fn delete_execution(&mut self, rec: &ExecutionRecord) -> Result<(), StoreError> {
        let p = &mut self.pending;
        let arn = rec.arn.as_str();
        p.executions.push((arn.as_bytes().to_vec(), None));
        p.by_start.push((keys::by_start(rec.start, arn), None));
        p.by_machine.push((keys::prefixed(&rec.state_machine_arn, rec.start, arn), None));
        p.by_status.push((keys::prefixed(rec.status.as_str(), rec.start, arn), None));
        *p.counts.entry((rec.state_machine_arn.clone(), rec.status)).or_default() -= 1;
        p.pruned.push(arn.to_string());
        Ok(())
    }
}

impl Batch {
    /// The journal, history and Map Runs of pruned executions, removed at commit.
    pub(super) fn remove_pruned(txn: &WriteTransaction, arns: &[String]) -> Result<(), StoreError> {
        if arns.is_empty() {
            return Ok(());
        }
        for table in [JOURNAL, HISTORY] {
            let mut t = txn.open_table(table)?;
            for arn in arns {
                let (lo, hi) = keys::arn_range(arn);
                t.retain_in(lo.as_slice()..=hi.as_slice(), |_, _| false)?;
            }
        }
        let mut by_execution = txn.open_table(MAP_RUNS_BY_EXECUTION)?;
        let mut runs = txn.open_table(MAP_RUNS)?;
        let mut children = txn.open_table(MAP_RUN_CHILDREN)?;
        for arn in arns {
            let (lo, hi) = (keys::prefixed(arn, 0, ""), keys::prefixed(arn, i64::MAX, "\u{10ffff}"));
            let skip = arn.len() + 9;
            let mut of_execution = Vec::new();
            for row in by_execution.range(lo.as_slice()..hi.as_slice())? {
                let (k, _) = row?;
                of_execution.push(keys::arn_after(k.value(), skip));
            }
            if of_execution.is_empty() {
                continue;
            }
            by_execution.retain_in(lo.as_slice()..hi.as_slice(), |_, _| false)?;
            for run in of_execution {
                runs.remove(run.as_str())?;
                let (lo, hi) = keys::arn_range(&run);
                children.retain_in(lo.as_slice()..=hi.as_slice(), |_, _| false)?;
            }
        }
        Ok(())
    }
}
