//! What a change to the catalog answers.

use super::records::{AliasRecord, PublishedVersion};
use crate::records::StateMachineRecord;

/// What an edit left: the machine record, and the version or alias it made or changed.
#[derive(Debug, Clone, Default)]
pub struct CatalogChange {
    pub machine: Option<StateMachineRecord>,
    pub version: Option<PublishedVersion>,
    pub alias: Option<AliasRecord>,
}
