//! State machines and activities: created, updated (a new version), named by AWS's rules.

use crate::error::EngineError;
use crate::machines::{compile_definition, machine_type};
use crate::names::valid_name;
use crate::state::EngineState;
use crate::storage::BatchWriter;
use crate::store::{ActivityRecord, StateMachineRecord};
use stepline_asl::model::MachineType;

impl EngineState {
    pub(crate) fn create_activity(
        &mut self,
        batch: &mut dyn BatchWriter,
        name: &str,
    ) -> Result<ActivityRecord, EngineError> {
        valid_name(name)?;
        let arn = self.names.arn("activity", name);
        if let Some(existing) = self.store.activity(&arn)? {
            return Ok(existing);
        }
        let rec = ActivityRecord { arn, name: name.into(), created: self.clock.now() };
        batch.put_activity(&rec)?;
        Ok(rec)
    }

    pub(crate) fn create_machine(
        &mut self,
        batch: &mut dyn BatchWriter,
        name: &str,
        definition: &str,
        kind: &str,
        role_arn: &str,
    ) -> Result<StateMachineRecord, EngineError> {
        valid_name(name)?;
        let mtype = match kind {
            "EXPRESS" => MachineType::Express,
            "STANDARD" | "" => MachineType::Standard,
            other => return Err(EngineError::InvalidDefinition(format!("unknown state machine type '{other}'"))),
        };
        compile_definition(definition, mtype)?;
        let arn = self.names.arn("stateMachine", name);
        if let Some(existing) = self.store.state_machine(&arn)? {
            if existing.definition == definition && existing.kind == kind_or_default(kind) {
                return Ok(existing);
            }
            return Err(EngineError::StateMachineAlreadyExists(arn));
        }
        let now = self.clock.now();
        // A machine of this name deleted earlier left its versions, which its executions
        // ran: the new one numbers on from them instead of overwriting them.
        let version = self.store.last_state_machine_version(&arn)?.map_or(1, |v| v + 1);
        let rec = StateMachineRecord {
            arn,
            name: name.into(),
            kind: kind_or_default(kind).into(),
            role_arn: role_arn.into(),
            definition: definition.into(),
            version,
            created: now,
            updated: now,
        };
        batch.put_state_machine(&rec)?;
        Ok(rec)
    }

    pub(crate) fn update_machine(
        &mut self,
        batch: &mut dyn BatchWriter,
        arn: &str,
        definition: &str,
    ) -> Result<StateMachineRecord, EngineError> {
        let mut rec =
            self.store.state_machine(arn)?.ok_or_else(|| EngineError::StateMachineDoesNotExist(arn.into()))?;
        compile_definition(definition, machine_type(&rec.kind))?;
        rec.version += 1;
        rec.definition = definition.into();
        rec.updated = self.clock.now();
        batch.put_state_machine(&rec)?;
        Ok(rec)
    }
}

fn kind_or_default(kind: &str) -> &str {
    if kind.is_empty() {
        "STANDARD"
    } else {
        kind
    }
}
