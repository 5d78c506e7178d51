//! What the executions list asks the store for beyond a plain page: the order, a search
//! filled a step at a time, the trouble thresholds, and the bounds on each.

use crate::model::ExecutionRow;
use serde_json::Value;
use std::time::Duration;

/// Thresholds `t` cycles through: running executions retrying or waiting longer.
pub const TROUBLE_STEPS: [Option<u64>; 5] = [None, Some(10), Some(60), Some(300), Some(3600)];

/// Records one step of a search reads (about 20 ms over a large store): the keys are
/// answered between steps.
pub const SCAN_PER_STEP: u64 = 10_000;

/// Records a search reads for one page before it stops and offers the next (`n`).
pub const SEARCH_LIMIT: usize = 2_000_000;

/// A search slower than this is not repeated on every refresh (`r` repeats it).
pub const SLOW_SEARCH: Duration = Duration::from_millis(50);

/// Most executions a bulk command acts on.
pub const BULK_MOST: usize = 1000;

/// A search filling a page, a step at a time.
#[derive(Debug, Clone)]
pub struct SearchJob {
    pub(super) body: Value,
    pub(super) rows: Vec<ExecutionRow>,
    pub scanned: usize,
    pub(super) took: Duration,
}

/// The order of the executions: newest and oldest first over the whole store; longest
/// and by name within the page shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Newest,
    Oldest,
    /// Longest running or took longest first.
    Longest,
    Name,
}

impl Sort {
    pub fn next(self) -> Sort {
        match self {
            Sort::Newest => Sort::Oldest,
            Sort::Oldest => Sort::Longest,
            Sort::Longest => Sort::Name,
            Sort::Name => Sort::Newest,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Newest => "newest first",
            Sort::Oldest => "oldest first",
            Sort::Longest => "page by longest",
            Sort::Name => "page by name",
        }
    }

    pub(super) fn apply(self, rows: &mut [ExecutionRow], now: f64) {
        match self {
            Sort::Newest | Sort::Oldest => {}
            Sort::Longest => rows.sort_by(|a, b| b.duration(now).total_cmp(&a.duration(now))),
            Sort::Name => rows.sort_by(|a, b| a.name.cmp(&b.name)),
        }
    }
}
