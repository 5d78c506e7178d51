//! The definition cache: compiled state machines by ARN and version, and the latest
//! records, so a start neither reads nor parses a definition it has seen.

use crate::config::EngineConfig;
use crate::error::EngineError;
use crate::exec_logs::level::Logging;
use crate::storage::DefinitionReader;
use crate::store::StateMachineRecord;
use std::collections::HashMap;
use std::sync::Arc;
use stepline_asl::model::{compile, MachineType, StateMachine};

/// Compiles a definition for a machine of `kind`; every problem the validator found is
/// named in the error.
pub(crate) fn compile_definition(definition: &str, kind: MachineType) -> Result<StateMachine, EngineError> {
    compile(definition, kind)
        .map_err(|d| EngineError::InvalidDefinition(d.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("; ")))
}

/// A stored type (`"STANDARD"`, `"EXPRESS"`) as the compiler's.
pub(crate) fn machine_type(kind: &str) -> MachineType {
    if kind == "EXPRESS" {
        MachineType::Express
    } else {
        MachineType::Standard
    }
}

/// Compiles a definition and gives it the limits this engine runs executions under.
pub(crate) fn compile_for(
    config: &EngineConfig,
    definition: &str,
    kind: MachineType,
) -> Result<StateMachine, EngineError> {
    let mut m = compile_definition(definition, kind)?;
    config.limit(&mut m, kind);
    Ok(m)
}

#[derive(Default)]
pub(crate) struct Machines {
    compiled: HashMap<(String, u32), Arc<StateMachine>>,
    /// State machine records as last committed.
    records: HashMap<String, StateMachineRecord>,
    /// What each machine logs (`exec_logs/`).
    logging: HashMap<String, Option<Logging>>,
}

impl Machines {
    /// Version `version` of machine `arn`, compiled once.
    pub(crate) fn get(
        &mut self,
        store: &dyn DefinitionReader,
        config: &EngineConfig,
        arn: &str,
        version: u32,
    ) -> Result<Arc<StateMachine>, EngineError> {
        if let Some(m) = self.compiled.get(&(arn.to_string(), version)) {
            return Ok(m.clone());
        }
        let text = store
            .state_machine_version(arn, version)?
            .ok_or_else(|| EngineError::StateMachineDoesNotExist(arn.into()))?;
        let kind = match store.state_machine(arn)?.map(|r| r.kind) {
            Some(k) => machine_type(&k),
            None => MachineType::Standard,
        };
        let m = Arc::new(compile_for(config, &text, kind)?);
        self.compiled.insert((arn.to_string(), version), m.clone());
        Ok(m)
    }

    /// A compiled machine already cached.
    pub(crate) fn cached(&self, arn: &str, version: u32) -> Option<Arc<StateMachine>> {
        self.compiled.get(&(arn.to_string(), version)).cloned()
    }

    /// Caches a machine compiled elsewhere (a Map Run's item processor).
    pub(crate) fn insert(&mut self, arn: &str, version: u32, m: Arc<StateMachine>) {
        self.compiled.insert((arn.to_string(), version), m);
    }

    /// The latest record of machine `arn`.
    pub(crate) fn record(
        &mut self,
        store: &dyn DefinitionReader,
        arn: &str,
    ) -> Result<StateMachineRecord, EngineError> {
        if let Some(sm) = self.records.get(arn) {
            return Ok(sm.clone());
        }
        let sm = store.state_machine(arn)?.ok_or_else(|| EngineError::StateMachineDoesNotExist(arn.into()))?;
        self.records.insert(arn.to_string(), sm.clone());
        Ok(sm)
    }

    /// What machine `arn` logs; a machine that no longer exists logs nothing.
    pub(crate) fn logging(&mut self, store: &dyn DefinitionReader, arn: &str) -> Option<Logging> {
        if let Some(l) = self.logging.get(arn) {
            return *l;
        }
        let l = store.state_machine(arn).ok().flatten().and_then(|r| Logging::of(r.logging.as_ref()));
        self.logging.insert(arn.to_string(), l);
        l
    }

    /// Forgets machine `arn`'s latest record (it was updated or deleted).
    pub(crate) fn invalidate(&mut self, arn: &str) {
        self.records.remove(arn);
        self.logging.remove(arn);
    }

    pub(crate) fn clear(&mut self) {
        self.compiled.clear();
        self.records.clear();
        self.logging.clear();
    }
}
