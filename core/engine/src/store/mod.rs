//! The durable store: state machines, executions with their indexes, each execution's
//! journal (the interpreter inputs that rebuild it) and its history, in one redb file.
//!
//! Writes go through a [`Batch`]: one redb write transaction holding many changes,
//! acknowledged only once `commit` has made them durable.

mod backend;
mod backup;
mod chunk;
pub mod error;
mod keys;
mod map_runs;
mod prune;
mod tables;

pub use crate::records::{
    ActivityRecord, BackupSummary, ExecutionFacts, ExecutionRecord, JournalEntry, MapRunChange, MapRunRecord,
    RunCounts, Scan, ScanQuery, StateMachineRecord,
};
pub use error::StoreError;

use crate::catalog::records::MachineCatalog;
use redb::{Database, ReadableDatabase, ReadableTable, TableHandle, WriteTransaction};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use stepline_asl::interp::Status;
use stepline_asl::time::Millis;
use tables::*;

/// The page cache the engine gives redb unless configured otherwise: enough for the
/// indexes and the pages a commit rewrites; the kernel caches the rest of the file. redb
/// defaults to 1 GiB, which would dwarf what 100,000 waiting executions cost.
pub const DEFAULT_CACHE_BYTES: usize = 64 * 1024 * 1024;

pub struct Store {
    /// `None` while the file is being reopened after a failed write.
    db: RwLock<Option<Arc<Database>>>,
    path: PathBuf,
    cache_bytes: usize,
}

/// Changes made in one write transaction.
pub struct Batch {
    txn: WriteTransaction,
    /// The hot tables' writes, kept in order and applied at commit with each table opened
    /// once and keys in order (a busy batch touches each table hundreds of times).
    pending: Pending,
}

/// A write: `Some(value)` inserts, `None` removes.
type Op = (Vec<u8>, Option<Vec<u8>>);

#[derive(Default)]
struct Pending {
    executions: Vec<Op>,
    by_start: Vec<Op>,
    by_machine: Vec<Op>,
    by_status: Vec<Op>,
    journal: Vec<Op>,
    history: Vec<Op>,
    map_run_children: Vec<Op>,
    /// Executions pruned: their journal, history and Map Runs go at commit.
    pruned: Vec<String>,
    /// Change of each `(machine, status)` count.
    counts: std::collections::HashMap<(String, Status), i64>,
}

impl Store {
    /// Opens (or creates) the store file with the default page cache.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with_cache(path, DEFAULT_CACHE_BYTES)
    }

    /// Opens (or creates) the store file, its page cache at most `cache_bytes`; tables are
    /// created on first use.
    pub fn open_with_cache(path: &Path, cache_bytes: usize) -> Result<Store, StoreError> {
        let db = open_file(path, cache_bytes)?;
        let txn = db.begin_write()?;
        let counted = txn.list_tables()?.any(|t| t.name() == COUNTS.name());
        {
            txn.open_table(STATE_MACHINES)?;
            txn.open_table(STATE_MACHINE_VERSIONS)?;
            txn.open_table(EXECUTIONS)?;
            txn.open_table(BY_START)?;
            txn.open_table(BY_MACHINE)?;
            txn.open_table(BY_STATUS)?;
            txn.open_table(JOURNAL)?;
            txn.open_table(HISTORY)?;
            txn.open_table(ACTIVITIES)?;
            txn.open_table(META)?;
            txn.open_table(MACHINE_CATALOGS)?;
            txn.open_table(MAP_RUNS)?;
            txn.open_table(MAP_RUNS_BY_EXECUTION)?;
            txn.open_table(MAP_RUN_CHILDREN)?;
            let mut counts = txn.open_table(COUNTS)?;
            if !counted {
                // A store written before counts were kept: count once.
                let execs = txn.open_table(EXECUTIONS)?;
                let mut by: std::collections::HashMap<Vec<u8>, u64> = std::collections::HashMap::new();
                for row in execs.iter()? {
                    let (_, v) = row?;
                    let rec: ExecutionRecord = read_record(v.value())?;
                    *by.entry(keys::count(&rec.state_machine_arn, rec.status)).or_default() += 1;
                }
                for (k, n) in by {
                    counts.insert(k.as_slice(), n)?;
                }
            }
        }
        txn.commit()?;
        Ok(Store { db: RwLock::new(Some(Arc::new(db))), path: path.to_path_buf(), cache_bytes })
    }

    /// The store's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn db(&self) -> Result<Arc<Database>, StoreError> {
        let db = self.db.read().unwrap_or_else(|e| e.into_inner()).clone();
        db.ok_or_else(|| StoreError::Closed { path: self.path.clone() })
    }

    /// Closes and reopens the file: after a failed write redb answers every call with
    /// "previous I/O error" until then. Fails (and is tried again later) while a reader
    /// still holds the old handle or the disk refuses the recovery's writes.
    pub fn reopen(&self) -> Result<(), StoreError> {
        let mut slot = self.db.write().unwrap_or_else(|e| e.into_inner());
        drop(slot.take());
        let db = open_file(&self.path, self.cache_bytes)?;
        *slot = Some(Arc::new(db));
        Ok(())
    }

    pub fn begin(&self) -> Result<Batch, StoreError> {
        Ok(Batch { txn: self.db()?.begin_write()?, pending: Pending::default() })
    }

    pub fn state_machine(&self, arn: &str) -> Result<Option<StateMachineRecord>, StoreError> {
        let txn = self.db()?.begin_read()?;
        let t = txn.open_table(STATE_MACHINES)?;
        let r = t.get(arn)?;
        r.map(|v| read_record(v.value()).map_err(StoreError::from)).transpose()
    }

    pub fn state_machine_version(&self, arn: &str, version: u32) -> Result<Option<String>, StoreError> {
        let txn = self.db()?.begin_read()?;
        let t = txn.open_table(STATE_MACHINE_VERSIONS)?;
        let k = keys::arn_seq(arn, version as u64);
        let r = t.get(k.as_slice())?;
        Ok(r.map(|v| String::from_utf8_lossy(v.value()).into_owned()))
    }

    pub fn list_state_machines(&self) -> Result<Vec<StateMachineRecord>, StoreError> {
        self.all(STATE_MACHINES)
    }

    /// The highest version ever stored under `arn`, deleted machines' included.
    pub fn last_state_machine_version(&self, arn: &str) -> Result<Option<u32>, StoreError> {
        let txn = self.db()?.begin_read()?;
        let t = txn.open_table(STATE_MACHINE_VERSIONS)?;
        let (from, to) = keys::arn_range(arn);
        let last = t.range(from.as_slice()..=to.as_slice())?.next_back().transpose()?;
        Ok(last.and_then(|(k, _)| {
            let k = k.value();
            let seq: [u8; 8] = k.get(k.len().checked_sub(8)?..)?.try_into().ok()?;
            u32::try_from(u64::from_be_bytes(seq)).ok()
        }))
    }

    /// Every record of a table keyed by ARN, in ARN order.
    fn all<T: serde::de::DeserializeOwned>(
        &self,
        table: redb::TableDefinition<&str, &[u8]>,
    ) -> Result<Vec<T>, StoreError> {
        let txn = self.db()?.begin_read()?;
        let t = txn.open_table(table)?;
        let mut out = Vec::new();
        for row in t.iter()? {
            let (_, v) = row?;
            out.push(read_record(v.value())?);
        }
        Ok(out)
    }

    pub fn machine_catalog(&self, arn: &str) -> Result<Option<MachineCatalog>, StoreError> {
        let txn = self.db()?.begin_read()?;
        let t = txn.open_table(MACHINE_CATALOGS)?;
        let r = t.get(arn)?;
        r.map(|v| read_record(v.value()).map_err(StoreError::from)).transpose()
    }

    pub fn activity(&self, arn: &str) -> Result<Option<ActivityRecord>, StoreError> {
        let txn = self.db()?.begin_read()?;
        let t = txn.open_table(ACTIVITIES)?;
        let r = t.get(arn)?;
        r.map(|v| read_record(v.value()).map_err(StoreError::from)).transpose()
    }

    pub fn list_activities(&self) -> Result<Vec<ActivityRecord>, StoreError> {
        self.all(ACTIVITIES)
    }

    pub fn execution(&self, arn: &str) -> Result<Option<ExecutionRecord>, StoreError> {
        let txn = self.db()?.begin_read()?;
        let t = txn.open_table(EXECUTIONS)?;
        let r = t.get(arn)?;
        r.map(|v| read_record(v.value()).map_err(StoreError::from)).transpose()
    }

    /// Executions newest first, optionally of one machine or in one status, after the
    /// `(start, arn)` position a previous page ended at.
    pub fn list_executions(
        &self,
        machine: Option<&str>,
        status: Option<Status>,
        limit: usize,
        before: Option<(Millis, &str)>,
    ) -> Result<Vec<ExecutionRecord>, StoreError> {
        let query = ScanQuery { machine, status, oldest_first: false, after: before, limit, max_scanned: usize::MAX };
        Ok(self.scan_executions(&query, &mut |_| true)?.records)
    }

    /// Executions in start order (newest or oldest first) from an index, past the
    /// position a previous scan ended at, that `keep` accepts: at most `limit` of them,
    /// reading at most `max_scanned` records, so a search over millions answers in pages.
    pub fn scan_executions(
        &self,
        q: &ScanQuery,
        keep: &mut dyn FnMut(&ExecutionFacts) -> bool,
    ) -> Result<Scan, StoreError> {
        use std::ops::Bound::{Excluded, Included};
        let txn = self.db()?.begin_read()?;
        let execs = txn.open_table(EXECUTIONS)?;
        let (table, prefix) = match (q.machine, q.status) {
            (Some(m), _) => (txn.open_table(BY_MACHINE)?, Some(m.to_string())),
            (None, Some(s)) => (txn.open_table(BY_STATUS)?, Some(s.as_str().to_string())),
            (None, None) => (txn.open_table(BY_START)?, None),
        };
        let key = |ms: Millis, arn: &str| match &prefix {
            Some(p) => keys::prefixed(p, ms, arn),
            None => keys::by_start(ms, arn),
        };
        let skip = prefix.as_ref().map_or(8, |p| p.len() + 1 + 8);
        let (first, last) = (key(0, ""), key(i64::MAX, ""));
        let cursor = q.after.map(|(ms, arn)| key(ms, arn));
        let rows: Box<dyn Iterator<Item = _>> = match (q.oldest_first, &cursor) {
            (false, Some(c)) => {
                Box::new(table.range::<&[u8]>((Included(first.as_slice()), Excluded(c.as_slice())))?.rev())
            }
            (false, None) => {
                Box::new(table.range::<&[u8]>((Included(first.as_slice()), Excluded(last.as_slice())))?.rev())
            }
            (true, Some(c)) => Box::new(table.range::<&[u8]>((Excluded(c.as_slice()), Excluded(last.as_slice())))?),
            (true, None) => Box::new(table.range::<&[u8]>((Included(first.as_slice()), Excluded(last.as_slice())))?),
        };
        let mut scan = Scan { records: Vec::with_capacity(q.limit.min(1024)), scanned: 0, resume_at: None };
        for row in rows {
            if scan.records.len() >= q.limit {
                break;
            }
            let (k, _) = row?;
            let arn = keys::arn_after(k.value(), skip);
            if scan.scanned >= q.max_scanned {
                break;
            }
            scan.scanned += 1;
            if let Some(v) = execs.get(arn.as_str())? {
                let facts: ExecutionFacts = read_record(v.value())?;
                scan.resume_at = Some((facts.start, arn.clone()));
                if q.machine.is_some() && q.status.is_some_and(|s| s != facts.status) {
                    continue;
                }
                if keep(&facts) {
                    scan.records.push(read_record(v.value())?);
                }
            }
        }
        Ok(scan)
    }

    /// How many executions are in each status, per state machine.
    pub fn counts(&self) -> Result<Vec<(String, Status, u64)>, StoreError> {
        let txn = self.db()?.begin_read()?;
        let t = txn.open_table(COUNTS)?;
        let mut out = Vec::new();
        for row in t.iter()? {
            let (k, v) = row?;
            if let Some((machine, status)) = keys::parse_count(k.value()) {
                if v.value() > 0 {
                    out.push((machine, status, v.value()));
                }
            }
        }
        Ok(out)
    }

    /// Every execution whose status is RUNNING: what a restart must resume.
    pub fn running(&self) -> Result<Vec<ExecutionRecord>, StoreError> {
        self.list_executions(None, Some(Status::Running), usize::MAX, None)
    }

    pub fn journal(&self, arn: &str) -> Result<Vec<JournalEntry>, StoreError> {
        let txn = self.db()?.begin_read()?;
        let t = txn.open_table(JOURNAL)?;
        let (lo, hi) = keys::arn_range(arn);
        let mut out = Vec::new();
        for row in t.range(lo.as_slice()..=hi.as_slice())? {
            let (_, v) = row?;
            out.push(read_record(v.value())?);
        }
        Ok(out)
    }

    /// History events (AWS's shape, `timestamp` as integer milliseconds since the epoch,
    /// also for events stored as RFC 3339 text before it was kept typed) with ids after `after`, at most `limit`, in order or reversed.
    pub fn history(&self, arn: &str, after: u64, limit: usize, reverse: bool) -> Result<Vec<Value>, StoreError> {
        let txn = self.db()?.begin_read()?;
        let t = txn.open_table(HISTORY)?;
        let (lo, hi) = keys::arn_range(arn);
        let mut out = Vec::new();
        // Chunks are keyed by their last event id: a forward read starts at the first chunk
        // that can hold `after + 1`; a reverse read walks back from the end.
        let rows: Box<dyn Iterator<Item = _>> = if reverse {
            Box::new(t.range(lo.as_slice()..=hi.as_slice())?.rev())
        } else {
            let lo = keys::arn_seq(arn, after + 1);
            Box::new(t.range(lo.as_slice()..=hi.as_slice())?)
        };
        'chunks: for row in rows {
            let (_, v) = row?;
            let chunk: Vec<Value> = read_record(&chunk::decode(v.value())?)?;
            let id = |e: &Value| e.get("id").and_then(Value::as_u64).unwrap_or(0);
            let events: Box<dyn Iterator<Item = Value>> =
                if reverse { Box::new(chunk.into_iter().rev()) } else { Box::new(chunk.into_iter()) };
            for mut e in events {
                let keep = if reverse { after == 0 || id(&e) < after } else { id(&e) > after };
                if !keep {
                    continue;
                }
                if out.len() >= limit {
                    break 'chunks;
                }
                stepline_asl::history::normalize_stored(&mut e);
                out.push(e);
            }
        }
        Ok(out)
    }
}

/// Reads a stored JSON document without the parser's nesting limit: what is stored was
/// held to [`stepline_asl::interp::MAX_NESTING`] levels of data when it was written, and the
/// record around it adds a few more, which the default limit of 128 would refuse.
fn read_record<'a, T: serde::Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    de.disable_recursion_limit();
    let v = T::deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// Opens the store file, creating it only when there is none: an empty or foreign file
/// is refused rather than silently replaced by an empty store.
fn open_file(path: &Path, cache_bytes: usize) -> Result<Database, StoreError> {
    let builder = {
        let mut b = redb::Builder::new();
        b.set_cache_size(cache_bytes);
        b
    };
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(builder.create(path)?),
        Ok(m) if m.len() == 0 => {
            Err(StoreError::NotAStore { path: path.to_path_buf(), reason: "the file is empty (0 bytes)".into() })
        }
        Ok(m) if !m.is_file() => Err(StoreError::NotAStore { path: path.to_path_buf(), reason: "not a file".into() }),
        _ => builder.open(path).map_err(|e| match e {
            redb::DatabaseError::Storage(redb::StorageError::Corrupted(why)) => {
                StoreError::NotAStore { path: path.to_path_buf(), reason: format!("corrupted: {why}") }
            }
            redb::DatabaseError::Storage(redb::StorageError::Io(e))
                if matches!(e.kind(), std::io::ErrorKind::InvalidData | std::io::ErrorKind::UnexpectedEof) =>
            {
                StoreError::NotAStore { path: path.to_path_buf(), reason: e.to_string() }
            }
            redb::DatabaseError::UpgradeRequired(v) => StoreError::NotAStore {
                path: path.to_path_buf(),
                reason: format!("written in an unsupported file format version {v}"),
            },
            e => StoreError::Open(e),
        }),
    }
}

impl Batch {
    /// A small write that tells whether the disk takes writes again.
    pub fn probe(&mut self, now: Millis) -> Result<(), StoreError> {
        self.txn.open_table(META)?.insert("probe", now.to_be_bytes().as_slice())?;
        Ok(())
    }

    pub fn put_state_machine(&mut self, rec: &StateMachineRecord) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(rec)?;
        self.txn.open_table(STATE_MACHINES)?.insert(rec.arn.as_str(), bytes.as_slice())?;
        let k = keys::arn_seq(&rec.arn, rec.version as u64);
        self.txn.open_table(STATE_MACHINE_VERSIONS)?.insert(k.as_slice(), rec.definition.as_bytes())?;
        Ok(())
    }

    pub fn put_activity(&mut self, rec: &ActivityRecord) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(rec)?;
        self.txn.open_table(ACTIVITIES)?.insert(rec.arn.as_str(), bytes.as_slice())?;
        Ok(())
    }

    pub fn delete_activity(&mut self, arn: &str) -> Result<(), StoreError> {
        self.txn.open_table(ACTIVITIES)?.remove(arn)?;
        Ok(())
    }

    pub fn delete_state_machine(&mut self, arn: &str) -> Result<(), StoreError> {
        self.txn.open_table(STATE_MACHINES)?.remove(arn)?;
        self.txn.open_table(MACHINE_CATALOGS)?.remove(arn)?;
        Ok(())
    }

    pub fn put_machine_catalog(&mut self, arn: &str, catalog: &MachineCatalog) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(catalog)?;
        self.txn.open_table(MACHINE_CATALOGS)?.insert(arn, bytes.as_slice())?;
        Ok(())
    }

    /// Writes an execution's summary and keeps the indexes in step with its status.
    pub fn put_execution(&mut self, rec: &ExecutionRecord, previous: Option<Status>) -> Result<(), StoreError> {
        let p = &mut self.pending;
        p.executions.push((rec.arn.as_bytes().to_vec(), Some(serde_json::to_vec(rec)?)));
        if previous.is_none() {
            p.by_start.push((keys::by_start(rec.start, &rec.arn), Some(Vec::new())));
            p.by_machine.push((keys::prefixed(&rec.state_machine_arn, rec.start, &rec.arn), Some(Vec::new())));
        }
        if previous != Some(rec.status) {
            if let Some(prev) = previous {
                p.by_status.push((keys::prefixed(prev.as_str(), rec.start, &rec.arn), None));
            }
            p.by_status.push((keys::prefixed(rec.status.as_str(), rec.start, &rec.arn), Some(Vec::new())));
            if let Some(prev) = previous {
                *p.counts.entry((rec.state_machine_arn.clone(), prev)).or_default() -= 1;
            }
            *p.counts.entry((rec.state_machine_arn.clone(), rec.status)).or_default() += 1;
        }
        Ok(())
    }

    pub fn append_journal(&mut self, arn: &str, seq: u64, entry: &JournalEntry) -> Result<(), StoreError> {
        self.pending.journal.push((keys::arn_seq(arn, seq), Some(serde_json::to_vec(entry)?)));
        Ok(())
    }

    /// Appends consecutive history events as one chunk (one write for all the events a
    /// batch produced for an execution), keyed by the last event's id.
    pub fn append_history(&mut self, arn: &str, events: &[Value]) -> Result<(), StoreError> {
        let Some(last) = events.last().and_then(|e| e.get("id")).and_then(Value::as_u64) else {
            return Ok(());
        };
        let bytes = chunk::encode(&serde_json::to_vec(events)?);
        self.pending.history.push((keys::arn_seq(arn, last), Some(bytes)));
        Ok(())
    }

    /// Makes every change of the batch durable at once.
    pub fn commit(mut self) -> Result<(), StoreError> {
        let p = std::mem::take(&mut self.pending);
        {
            let mut t = self.txn.open_table(EXECUTIONS)?;
            for (k, v) in sorted(p.executions) {
                let k = std::str::from_utf8(&k).unwrap_or_default();
                match v {
                    Some(v) => t.insert(k, v.as_slice()).map(drop)?,
                    None => t.remove(k).map(drop)?,
                }
            }
        }
        for (table, ops) in [(BY_START, p.by_start), (BY_MACHINE, p.by_machine), (BY_STATUS, p.by_status)] {
            let mut t = self.txn.open_table(table)?;
            for (k, v) in sorted(ops) {
                match v {
                    Some(_) => t.insert(k.as_slice(), ()).map(drop)?,
                    None => t.remove(k.as_slice()).map(drop)?,
                }
            }
        }
        if !p.counts.is_empty() {
            let mut t = self.txn.open_table(COUNTS)?;
            for ((machine, status), delta) in p.counts {
                let k = keys::count(&machine, status);
                let n = t.get(k.as_slice())?.map_or(0, |v| v.value());
                t.insert(k.as_slice(), n.saturating_add_signed(delta))?;
            }
        }
        for (table, ops) in [(JOURNAL, p.journal), (HISTORY, p.history), (MAP_RUN_CHILDREN, p.map_run_children)] {
            let mut t = self.txn.open_table(table)?;
            for (k, v) in sorted(ops) {
                match v {
                    Some(v) => t.insert(k.as_slice(), v.as_slice()).map(drop)?,
                    None => t.remove(k.as_slice()).map(drop)?,
                }
            }
        }
        Self::remove_pruned(&self.txn, &p.pruned)?;
        self.txn.commit()?;
        Ok(())
    }
}

/// Writes in key order; a stable sort keeps the order of writes to the same key, so the
/// last one still wins and a remove followed by an insert stays in that order.
fn sorted(mut ops: Vec<Op>) -> Vec<Op> {
    ops.sort_by(|a, b| a.0.cmp(&b.0));
    ops
}

#[cfg(test)]
mod tests;
