//! The catalog's changes, applied on the engine thread inside a batch: publishing and
//! deleting versions, aliases, tags, and updates of a machine's record.

use super::change::CatalogChange;
use super::qualified::{split, Qualifier};
use super::records::{
    AliasRecord, CatalogEdit, MachineCatalog, MachineChange, PublishedVersion, Route, Tag, MAX_ALIASES, MAX_TAGS,
    MAX_VERSIONS,
};
use crate::error::EngineError;
use crate::machines::{compile_definition, machine_type};
use crate::state::EngineState;
use crate::storage::BatchWriter;
use crate::store::StateMachineRecord;

impl EngineState {
    pub(crate) fn edit_catalog(
        &mut self,
        batch: &mut dyn BatchWriter,
        edit: CatalogEdit,
    ) -> Result<CatalogChange, EngineError> {
        match edit {
            CatalogEdit::Update { arn, change } => self.update_machine(batch, &arn, change),
            CatalogEdit::Publish { arn, revision_id, description } => {
                let rec = self.machine_record(&arn)?;
                if revision_id.is_some_and(|r| r != rec.version.to_string()) {
                    return Err(EngineError::Conflict(format!(
                        "The revision ID given does not match the state machine's current revision ({})",
                        rec.version
                    )));
                }
                let mut catalog = self.catalog(&arn)?;
                let v = publish(&mut catalog, &rec, description, self.clock.now())?;
                batch.put_machine_catalog(&arn, &catalog)?;
                Ok(CatalogChange { machine: Some(rec), version: Some(v), alias: None })
            }
            CatalogEdit::DeleteVersion { arn } => {
                let (base, Qualifier::Version(n)) = split(&arn) else {
                    return Err(EngineError::Validation(format!("'{arn}' is not a state machine version ARN")));
                };
                let Some(mut catalog) = self.store.machine_catalog(base)? else {
                    return Ok(CatalogChange::default());
                };
                if let Some(a) = catalog.aliases.iter().find(|a| a.routing.iter().any(|r| r.version == n)) {
                    return Err(EngineError::Conflict(format!(
                        "Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [{base}:{}]",
                        a.name
                    )));
                }
                catalog.versions.retain(|v| v.number != n);
                batch.put_machine_catalog(base, &catalog)?;
                Ok(CatalogChange::default())
            }
            CatalogEdit::PutAlias { arn, description, routing, create } => {
                self.put_alias(batch, &arn, description, routing, create)
            }
            CatalogEdit::DeleteAlias { arn } => {
                let (base, Qualifier::Alias(name)) = split(&arn) else {
                    return Err(EngineError::Validation(format!("'{arn}' is not a state machine alias ARN")));
                };
                let mut catalog = self.catalog(base)?;
                if catalog.alias(name).is_none() {
                    return Err(EngineError::ResourceNotFound(format!("Resource not found: '{arn}'")));
                }
                catalog.aliases.retain(|a| a.name != name);
                batch.put_machine_catalog(base, &catalog)?;
                Ok(CatalogChange::default())
            }
            CatalogEdit::Tag { resource, tags } => self.retag(batch, &resource, |have| {
                for t in tags {
                    match have.iter_mut().find(|h| h.key == t.key) {
                        Some(h) => h.value = t.value,
                        None => have.push(t),
                    }
                }
            }),
            CatalogEdit::Untag { resource, keys } => {
                self.retag(batch, &resource, |have| have.retain(|t| !keys.contains(&t.key)))
            }
        }
    }

    fn machine_record(&self, arn: &str) -> Result<StateMachineRecord, EngineError> {
        self.store.state_machine(arn)?.ok_or_else(|| EngineError::StateMachineDoesNotExist(arn.into()))
    }

    fn catalog(&self, arn: &str) -> Result<MachineCatalog, EngineError> {
        Ok(self.store.machine_catalog(arn)?.unwrap_or_default())
    }

    /// `UpdateStateMachine`: any change is a new revision (AWS's `revisionId` changes).
    pub(crate) fn update_machine(
        &mut self,
        batch: &mut dyn BatchWriter,
        arn: &str,
        change: MachineChange,
    ) -> Result<CatalogChange, EngineError> {
        if let (_, Qualifier::Version(_) | Qualifier::Alias(_)) = split(arn) {
            return Err(EngineError::Validation(format!(
                "Update a state machine by its own ARN, not a version's or an alias's: '{arn}'"
            )));
        }
        let mut rec = self.machine_record(arn)?;
        if let Some(d) = &change.definition {
            compile_definition(d, machine_type(&rec.kind))?;
            rec.definition = d.clone();
        }
        if let Some(r) = change.role_arn {
            rec.role_arn = r;
        }
        if let Some(l) = change.logging {
            rec.logging = Some(super::api::checked_logging(l)?);
        }
        if let Some(t) = change.tracing {
            rec.tracing = Some(t);
        }
        rec.version = self.store.last_state_machine_version(arn)?.unwrap_or(rec.version).max(rec.version) + 1;
        rec.updated = self.clock.now();
        batch.put_state_machine(&rec)?;
        let version = if change.publish {
            let mut catalog = self.catalog(arn)?;
            let v = publish(&mut catalog, &rec, change.version_description, rec.updated)?;
            batch.put_machine_catalog(arn, &catalog)?;
            Some(v)
        } else {
            None
        };
        Ok(CatalogChange { machine: Some(rec), version, alias: None })
    }

    fn put_alias(
        &mut self,
        batch: &mut dyn BatchWriter,
        arn: &str,
        description: Option<String>,
        routing: Option<Vec<Route>>,
        create: bool,
    ) -> Result<CatalogChange, EngineError> {
        let (base, Qualifier::Alias(name)) = split(arn) else {
            return Err(EngineError::Validation(format!("'{arn}' is not a state machine alias ARN")));
        };
        let not_found = || EngineError::ResourceNotFound(format!("Resource not found: '{arn}'"));
        if self.store.state_machine(base)?.is_none() {
            return Err(if create { EngineError::StateMachineDoesNotExist(base.into()) } else { not_found() });
        }
        let mut catalog = self.catalog(base)?;
        if let Some(r) = &routing {
            check_routing(&catalog, base, r)?;
        }
        let now = self.clock.now();
        let existing = catalog.aliases.iter().position(|a| a.name == name);
        let alias = match (existing, create) {
            (Some(i), true) => {
                let a = &catalog.aliases[i];
                // AWS: creating an alias again with the same settings is idempotent.
                if Some(&a.routing) == routing.as_ref() && a.description == description {
                    return Ok(CatalogChange { machine: None, version: None, alias: Some(a.clone()) });
                }
                return Err(EngineError::Conflict(format!(
                    "Failed to create alias because an alias with the same name and a different routing configuration already exists: '{arn}'"
                )));
            }
            (None, false) => return Err(not_found()),
            (None, true) => {
                if catalog.aliases.len() >= MAX_ALIASES {
                    return Err(EngineError::QuotaExceeded(format!(
                        "A state machine can have at most {MAX_ALIASES} aliases"
                    )));
                }
                let a = AliasRecord {
                    name: name.into(),
                    description,
                    routing: routing.unwrap_or_default(),
                    created: now,
                    updated: now,
                };
                let at = catalog.aliases.partition_point(|x| x.name.as_str() < name);
                catalog.aliases.insert(at, a.clone());
                a
            }
            (Some(i), false) => {
                let a = &mut catalog.aliases[i];
                if let Some(r) = routing {
                    a.routing = r;
                }
                if description.is_some() {
                    a.description = description;
                }
                a.updated = now;
                a.clone()
            }
        };
        batch.put_machine_catalog(base, &catalog)?;
        Ok(CatalogChange { machine: None, version: None, alias: Some(alias) })
    }

    /// Changes the tags of a state machine or an activity.
    fn retag(
        &mut self,
        batch: &mut dyn BatchWriter,
        resource: &str,
        change: impl FnOnce(&mut Vec<Tag>),
    ) -> Result<CatalogChange, EngineError> {
        let not_found = || EngineError::ResourceNotFound(format!("Resource not found: '{resource}'"));
        if resource.contains(":activity:") {
            let mut rec = self.store.activity(resource)?.ok_or_else(not_found)?;
            change(&mut rec.tags);
            check_tags(resource, &rec.tags)?;
            batch.put_activity(&rec)?;
            return Ok(CatalogChange::default());
        }
        if split(resource).1 != Qualifier::None {
            return Err(not_found());
        }
        let mut rec = self.store.state_machine(resource)?.ok_or_else(not_found)?;
        change(&mut rec.tags);
        check_tags(resource, &rec.tags)?;
        batch.put_state_machine(&rec)?;
        self.effects.invalidated.push(resource.to_string());
        Ok(CatalogChange { machine: Some(rec), version: None, alias: None })
    }
}

/// Publishes `rec`'s revision; publishing a revision already published gives its version.
fn publish(
    catalog: &mut MachineCatalog,
    rec: &StateMachineRecord,
    description: Option<String>,
    now: stepline_asl::time::Millis,
) -> Result<PublishedVersion, EngineError> {
    if let Some(v) = catalog.versions.iter().find(|v| v.revision == rec.version) {
        if description.is_none() || description == v.description {
            return Ok(v.clone());
        }
        return Err(EngineError::Conflict(format!(
            "Failed to publish the State Machine version because the version already exists with a different description: '{}:{}'",
            rec.arn, v.number
        )));
    }
    if catalog.versions.len() >= MAX_VERSIONS {
        return Err(EngineError::QuotaExceeded(format!(
            "A state machine can have at most {MAX_VERSIONS} versions: delete one first"
        )));
    }
    catalog.last_published += 1;
    let v = PublishedVersion {
        number: catalog.last_published,
        revision: rec.version,
        role_arn: rec.role_arn.clone(),
        description,
        created: now,
    };
    catalog.versions.push(v.clone());
    Ok(v)
}

/// AWS's rules for `routingConfiguration`: one or two versions of this machine, each once,
/// weights 0..=100 summing to 100.
fn check_routing(catalog: &MachineCatalog, base: &str, routing: &[Route]) -> Result<(), EngineError> {
    let invalid = |why: String| Err(EngineError::Validation(why));
    if routing.is_empty() || routing.len() > 2 {
        return invalid("routingConfiguration must hold one or two versions".into());
    }
    if routing.len() == 2 && routing[0].version == routing[1].version {
        return invalid("Routing configuration must contain distinct state machine version ARNs".into());
    }
    if routing.iter().map(|r| r.weight).sum::<u32>() != 100 || routing.iter().any(|r| r.weight > 100) {
        return invalid("Sum of routing configuration weights must be equal to 100".into());
    }
    for r in routing {
        if catalog.version(r.version).is_none() {
            return Err(EngineError::ResourceNotFound(format!("Resource not found: '{base}:{}'", r.version)));
        }
    }
    Ok(())
}

/// AWS's rules for tags: at most 50, keys of 1 to 128 characters, values up to 256.
pub(crate) fn check_tags(resource: &str, tags: &[Tag]) -> Result<(), EngineError> {
    if tags.len() > MAX_TAGS {
        return Err(EngineError::TooManyTags(resource.into()));
    }
    for t in tags {
        if t.key.is_empty() || t.key.chars().count() > 128 || t.value.chars().count() > 256 {
            return Err(EngineError::Validation(format!(
                "Tag keys must have 1 to 128 characters and values at most 256: '{}'",
                t.key
            )));
        }
    }
    Ok(())
}
