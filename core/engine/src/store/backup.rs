//! A consistent copy of a live store: every table read in one read transaction (a
//! snapshot; the engine keeps writing meanwhile) and written to a new file, which takes
//! the backup's name only once it is complete.

use super::*;
use crate::records::BackupSummary;
use redb::{ReadTransaction, TableDefinition};

impl Store {
    /// Writes a copy of the store as it is now to `to` (replaced if it exists).
    pub fn backup_to(&self, to: &Path) -> Result<BackupSummary, StoreError> {
        let read = self.db()?.begin_read()?;
        let partial = to.with_extension("partial");
        let _ = std::fs::remove_file(&partial);
        let out = Database::create(&partial)?;
        let mut executions = 0;
        {
            let w = out.begin_write()?;
            copy(&read, &w, STATE_MACHINES)?;
            copy(&read, &w, STATE_MACHINE_VERSIONS)?;
            copy(&read, &w, ACTIVITIES)?;
            executions += copy(&read, &w, EXECUTIONS)?;
            copy(&read, &w, BY_START)?;
            copy(&read, &w, BY_MACHINE)?;
            copy(&read, &w, BY_STATUS)?;
            copy(&read, &w, JOURNAL)?;
            copy(&read, &w, HISTORY)?;
            copy(&read, &w, META)?;
            copy(&read, &w, COUNTS)?;
            copy(&read, &w, MAP_RUNS)?;
            copy(&read, &w, MAP_RUNS_BY_EXECUTION)?;
            copy(&read, &w, MAP_RUN_CHILDREN)?;
            copy(&read, &w, MACHINE_CATALOGS)?;
            w.commit()?;
        }
        drop(out);
        let failed = |source| StoreError::Backup { path: to.to_path_buf(), source };
        let file = std::fs::File::open(&partial).map_err(failed)?;
        file.sync_all().map_err(failed)?;
        let bytes = file.metadata().map_err(failed)?.len();
        std::fs::rename(&partial, to).map_err(failed)?;
        Ok(BackupSummary { bytes, executions })
    }
}

/// Copies one table (absent: nothing); how many rows.
fn copy<K: redb::Key + 'static, V: redb::Value + 'static>(
    read: &ReadTransaction,
    write: &WriteTransaction,
    table: TableDefinition<K, V>,
) -> Result<u64, StoreError> {
    let from = match read.open_table(table) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let mut to = write.open_table(table)?;
    let mut n = 0;
    for row in from.iter()? {
        let (k, v) = row?;
        to.insert(k.value(), v.value())?;
        n += 1;
    }
    Ok(n)
}
