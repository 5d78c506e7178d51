//! The engine's calls for versions, aliases, tags and the settings kept with a machine.
//! Changes go through the engine thread (one batch, durable before the answer); reads go
//! to the store directly.

use super::change::CatalogChange;
use super::qualified::{is_qualified, resolve, split, Qualifier, Target};
use super::records::{CatalogEdit, MachineCatalog, MachineSpec, PublishedVersion};
use crate::error::{DefinitionError, EngineError, ExecutionError};
use crate::request::Request;
use crate::store::{ExecutionRecord, StateMachineRecord};
use crate::{narrow, Engine};
use serde_json::Value;

/// The execution-log levels of AWS's `loggingConfiguration`.
pub const LOG_LEVELS: [&str; 4] = ["ALL", "ERROR", "FATAL", "OFF"];

/// A `loggingConfiguration` as AWS checks it: a known `level`, a boolean
/// `includeExecutionData`, `destinations` a list.
pub(crate) fn checked_logging(v: Value) -> Result<Value, EngineError> {
    let invalid = |why: &str| Err(EngineError::Validation(format!("Invalid loggingConfiguration: {why}")));
    let Value::Object(m) = &v else { return invalid("not an object") };
    if let Some(level) = m.get("level") {
        if !level.as_str().is_some_and(|l| LOG_LEVELS.contains(&l)) {
            return invalid("level must be one of ALL, ERROR, FATAL, OFF");
        }
    }
    if m.get("includeExecutionData").is_some_and(|b| !b.is_boolean()) {
        return invalid("includeExecutionData must be a boolean");
    }
    if m.get("destinations").is_some_and(|d| !d.is_array()) {
        return invalid("destinations must be a list");
    }
    Ok(v)
}

/// What `DescribeStateMachineForExecution` answers: the machine as the execution ran it.
#[derive(Debug, Clone)]
pub struct RanDefinition {
    pub execution: ExecutionRecord,
    /// The machine's record with the definition the execution ran (its record as it is
    /// now, or a reconstruction from the ARN when it was deleted since).
    pub machine: StateMachineRecord,
}

impl Engine {
    /// `CreateStateMachine` with everything AWS takes: tags, logging and tracing
    /// settings, and `publish`.
    pub fn create_state_machine_with(&self, spec: MachineSpec) -> Result<CatalogChange, DefinitionError> {
        narrow(self.call(|reply| Request::CreateStateMachine { spec: Box::new(spec), reply }))
    }

    /// Updates, versions, aliases and tags.
    pub fn edit_catalog(&self, edit: CatalogEdit) -> Result<CatalogChange, DefinitionError> {
        narrow(self.call(|reply| Request::Catalog { edit: Box::new(edit), reply }))
    }

    /// The versions and aliases of machine `arn` (its own ARN).
    pub fn machine_catalog(&self, arn: &str) -> Result<MachineCatalog, DefinitionError> {
        self.store.state_machine(arn)?.ok_or_else(|| DefinitionError::StateMachineDoesNotExist(arn.into()))?;
        Ok(self.store.machine_catalog(arn)?.unwrap_or_default())
    }

    /// A published version (`DescribeStateMachine` on `...:orders:3`): the machine's record
    /// with the version's definition and role, and the version.
    pub fn describe_version(&self, arn: &str) -> Result<(StateMachineRecord, PublishedVersion), DefinitionError> {
        let missing = || DefinitionError::StateMachineDoesNotExist(arn.into());
        let (base, Qualifier::Version(n)) = split(arn) else { return Err(missing()) };
        let mut rec = self.store.state_machine(base)?.ok_or_else(missing)?;
        let catalog = self.store.machine_catalog(base)?.unwrap_or_default();
        let v = catalog.version(n).cloned().ok_or_else(missing)?;
        rec.definition = self.store.state_machine_version(base, v.revision)?.ok_or_else(missing)?;
        rec.version = v.revision;
        rec.role_arn = v.role_arn.clone();
        rec.arn = arn.into();
        Ok((rec, v))
    }

    /// What a start on `arn` runs: the machine itself, or a version (an alias picks one
    /// by its weights).
    pub fn start_target(&self, arn: &str) -> Result<Target, ExecutionError> {
        Ok(resolve(self.store.as_ref(), arn, || self.express.roll())?)
    }

    /// Starts an execution on a machine, a version or an alias.
    pub(crate) fn start_qualified(
        &self,
        target: Target,
        name: Option<String>,
        input: Value,
    ) -> Result<ExecutionRecord, ExecutionError> {
        let Some(revision) = target.revision else { return Err(EngineError::Stopped.into()) };
        let pinned = self.express.pinned(&target.machine, revision)?;
        if pinned.record.kind == "EXPRESS" {
            let (record, waiting) = self.express.start(&pinned, name, input, None, Some(&target))?;
            if let Some(waiting) = waiting {
                self.tx
                    .send(Request::AdoptExpress { waiting: Box::new(waiting), reply: None })
                    .map_err(|_| EngineError::Stopped)?;
            }
            return Ok(record);
        }
        narrow(self.call(|reply| Request::Start {
            machine_arn: target.machine.clone(),
            name,
            input,
            version: Some(revision),
            qualified: Some(Box::new(target)),
            test_case: None,
            reply,
        }))
    }

    /// The definition an execution ran (`DescribeStateMachineForExecution`).
    pub fn definition_of_execution(&self, arn: &str) -> Result<RanDefinition, ExecutionError> {
        let execution = self.describe_execution(arn)?;
        let base = &execution.state_machine_arn;
        let missing = || ExecutionError::StateMachineDoesNotExist(base.clone());
        let definition = self.store.state_machine_version(base, execution.state_machine_version)?;
        let mut machine = match self.store.state_machine(base)? {
            Some(m) => m,
            None => StateMachineRecord {
                arn: base.clone(),
                name: base.rsplit(':').next().unwrap_or_default().into(),
                kind: "STANDARD".into(),
                role_arn: String::new(),
                definition: String::new(),
                version: execution.state_machine_version,
                created: execution.start,
                updated: execution.start,
                tags: vec![],
                logging: None,
                tracing: None,
            },
        };
        machine.definition = definition.ok_or_else(missing)?;
        machine.version = execution.state_machine_version;
        Ok(RanDefinition { execution, machine })
    }

    /// Whether `arn` names a version or an alias.
    pub fn is_qualified(arn: &str) -> bool {
        is_qualified(arn)
    }
}
