//! State machines and activities created, named by AWS's rules (their changes: `catalog/`).

use crate::catalog::api::checked_logging;
use crate::catalog::change::CatalogChange;
use crate::catalog::edits::check_tags;
use crate::catalog::records::{MachineCatalog, MachineSpec, PublishedVersion, Tag};
use crate::error::EngineError;
use crate::machines::compile_definition;
use crate::names::valid_name;
use crate::state::EngineState;
use crate::storage::BatchWriter;
use crate::store::{ActivityRecord, StateMachineRecord};
use stepline_asl::model::MachineType;

impl EngineState {
    /// `CreateActivity`: idempotent by name, as at AWS (tags of a later call are ignored).
    pub(crate) fn create_activity(
        &mut self,
        batch: &mut dyn BatchWriter,
        name: &str,
        tags: Vec<Tag>,
    ) -> Result<ActivityRecord, EngineError> {
        valid_name(name)?;
        check_tags(name, &tags)?;
        let arn = self.names.arn("activity", name);
        if let Some(existing) = self.store.activity(&arn)? {
            return Ok(existing);
        }
        let rec = ActivityRecord { arn, name: name.into(), created: self.clock.now(), tags };
        batch.put_activity(&rec)?;
        Ok(rec)
    }

    /// `CreateStateMachine`: idempotent as at AWS, whose check compares the name,
    /// definition, type and logging and tracing settings (a different role or tags is the
    /// same machine); `publish` publishes its first revision.
    pub(crate) fn create_machine(
        &mut self,
        batch: &mut dyn BatchWriter,
        spec: MachineSpec,
    ) -> Result<CatalogChange, EngineError> {
        valid_name(&spec.name)?;
        let mtype = match spec.kind.as_str() {
            "EXPRESS" => MachineType::Express,
            "STANDARD" | "" => MachineType::Standard,
            other => return Err(EngineError::InvalidDefinition(format!("unknown state machine type '{other}'"))),
        };
        compile_definition(&spec.definition, mtype)?;
        check_tags(&spec.name, &spec.tags)?;
        let logging = spec.logging.map(checked_logging).transpose()?;
        let arn = self.names.arn("stateMachine", &spec.name);
        if let Some(existing) = self.store.state_machine(&arn)? {
            let same = existing.definition == spec.definition
                && existing.kind == kind_or_default(&spec.kind)
                && (logging.is_none() || existing.logging == logging)
                && (spec.tracing.is_none() || existing.tracing == spec.tracing);
            if !same {
                return Err(EngineError::StateMachineAlreadyExists(arn));
            }
            let version = match spec.publish {
                true => self.store.machine_catalog(&arn)?.and_then(|c| c.versions.last().cloned()),
                false => None,
            };
            return Ok(CatalogChange { machine: Some(existing), version, alias: None });
        }
        let now = self.clock.now();
        // A machine of this name deleted earlier left its versions, which its executions
        // ran: the new one numbers on from them instead of overwriting them.
        let version = self.store.last_state_machine_version(&arn)?.map_or(1, |v| v + 1);
        let rec = StateMachineRecord {
            arn,
            name: spec.name,
            kind: kind_or_default(&spec.kind).into(),
            role_arn: spec.role_arn,
            definition: spec.definition,
            version,
            created: now,
            updated: now,
            tags: spec.tags,
            logging,
            tracing: spec.tracing,
        };
        batch.put_state_machine(&rec)?;
        // A new machine starts a new catalog (version numbers restart at 1, as at AWS).
        let mut catalog = MachineCatalog::default();
        let published = if spec.publish {
            let v = PublishedVersion {
                number: 1,
                revision: rec.version,
                role_arn: rec.role_arn.clone(),
                description: spec.version_description,
                created: now,
            };
            catalog.last_published = 1;
            catalog.versions.push(v.clone());
            Some(v)
        } else {
            None
        };
        batch.put_machine_catalog(&rec.arn, &catalog)?;
        Ok(CatalogChange { machine: Some(rec), version: published, alias: None })
    }
}

fn kind_or_default(kind: &str) -> &str {
    if kind.is_empty() {
        "STANDARD"
    } else {
        kind
    }
}
