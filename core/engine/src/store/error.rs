//! What can go wrong in the store, and which failures the engine recovers from by itself
//! (a full disk, a failed write that redb wants the file reopened after).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database: {0}")]
    Open(#[from] redb::DatabaseError),
    #[error("storage transaction failed: {0}")]
    Transaction(#[from] redb::TransactionError),
    #[error("storage table error: {0}")]
    Table(#[from] redb::TableError),
    #[error("storage error: {0}")]
    Storage(#[from] redb::StorageError),
    #[error("commit failed: {0}")]
    Commit(#[from] redb::CommitError),
    #[error("a stored record is corrupt: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("a stored history chunk is corrupt: {0}")]
    CorruptChunk(#[from] lz4_flex::block::DecompressError),
    /// A file that exists but is not a store: never replaced by a new, empty one.
    #[error(
        "{} is not a Stepline store ({reason}); nothing was changed. Restore it from a backup, or move it away to start with an empty store (docs/storage.md: backups and corruption)",
        path.display()
    )]
    NotAStore { path: PathBuf, reason: String },
    #[error("cannot create the data directory {}: {source}", path.display())]
    DataDir { path: PathBuf, source: std::io::Error },
    /// A backup's file could not be written or moved into place.
    #[error("cannot write the backup {}: {source}", path.display())]
    Backup { path: PathBuf, source: std::io::Error },
    /// The store is being reopened after a failed write.
    #[error("the store {} is closed after a failed write, and is being reopened", path.display())]
    Closed { path: PathBuf },
}

impl StoreError {
    /// The I/O error underneath, if the failure came from the file system.
    fn io(&self) -> Option<&std::io::Error> {
        let storage = match self {
            StoreError::Open(redb::DatabaseError::Storage(e)) => e,
            StoreError::Transaction(redb::TransactionError::Storage(e)) => e,
            StoreError::Table(redb::TableError::Storage(e)) => e,
            StoreError::Storage(e) => e,
            StoreError::Commit(redb::CommitError::Storage(e)) => e,
            StoreError::DataDir { source, .. } => return Some(source),
            _ => return None,
        };
        match storage {
            redb::StorageError::Io(e) => Some(e),
            _ => None,
        }
    }

    /// The device holding the store is full.
    pub fn is_no_space(&self) -> bool {
        self.io().is_some_and(|e| e.kind() == std::io::ErrorKind::StorageFull || e.raw_os_error() == Some(28))
    }

    /// redb refuses every operation after a failed write until the file is reopened.
    pub fn needs_reopen(&self) -> bool {
        let previous = |e: &redb::StorageError| matches!(e, redb::StorageError::PreviousIo);
        match self {
            StoreError::Storage(e) => previous(e),
            StoreError::Transaction(redb::TransactionError::Storage(e)) => previous(e),
            StoreError::Table(redb::TableError::Storage(e)) => previous(e),
            StoreError::Commit(redb::CommitError::Storage(e)) => previous(e),
            StoreError::Closed { .. } => true,
            _ => self.io().is_some(),
        }
    }
}
