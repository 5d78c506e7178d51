//! Qualified state machine ARNs: `<machine>:<number>` names a published version,
//! `<machine>:<alias>` an alias. A Map Run's `<machine>/<label>` is not qualified.

use super::records::MachineCatalog;
use crate::error::EngineError;
use crate::storage::DefinitionReader;

/// What follows a state machine ARN's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualifier<'a> {
    None,
    Version(u32),
    Alias(&'a str),
}

/// Splits `arn` into the machine's own ARN and its qualifier.
pub fn split(arn: &str) -> (&str, Qualifier<'_>) {
    let Some(at) = arn.find(":stateMachine:") else {
        return (arn, Qualifier::None);
    };
    let name_at = at + ":stateMachine:".len();
    match arn[name_at..].find(':') {
        None => (arn, Qualifier::None),
        Some(i) => {
            let (base, q) = (&arn[..name_at + i], &arn[name_at + i + 1..]);
            // AWS's version numbers are whole numbers from 1; an alias name never is one.
            match q.parse::<u32>() {
                Ok(n) if !q.starts_with('0') => (base, Qualifier::Version(n)),
                _ => (base, Qualifier::Alias(q)),
            }
        }
    }
}

/// Whether `arn` names a version or an alias (cheap: the start path asks every time).
pub fn is_qualified(arn: &str) -> bool {
    !matches!(split(arn).1, Qualifier::None)
}

/// What a start on a (possibly qualified) ARN runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The machine's own ARN.
    pub machine: String,
    /// The stored definition to run; the latest when `None`.
    pub revision: Option<u32>,
    pub version_arn: Option<String>,
    pub alias_arn: Option<String>,
}

/// Resolves `arn`; an alias picks its version with `roll` (uniform in `0..100`).
pub fn resolve(store: &dyn DefinitionReader, arn: &str, roll: impl FnOnce() -> u32) -> Result<Target, EngineError> {
    let (base, q) = split(arn);
    let missing = || EngineError::StateMachineDoesNotExist(arn.into());
    let catalog = |store: &dyn DefinitionReader| -> Result<MachineCatalog, EngineError> {
        store.state_machine(base)?.ok_or_else(missing)?;
        Ok(store.machine_catalog(base)?.unwrap_or_default())
    };
    match q {
        Qualifier::None => Ok(Target { machine: arn.into(), revision: None, version_arn: None, alias_arn: None }),
        Qualifier::Version(n) => {
            let v = catalog(store)?.version(n).cloned().ok_or_else(missing)?;
            Ok(Target {
                machine: base.into(),
                revision: Some(v.revision),
                version_arn: Some(arn.into()),
                alias_arn: None,
            })
        }
        Qualifier::Alias(name) => {
            let c = catalog(store)?;
            let alias = c.alias(name).ok_or_else(missing)?;
            let n = alias.pick(roll()).ok_or_else(missing)?;
            let v = c.version(n).ok_or_else(missing)?;
            Ok(Target {
                machine: base.into(),
                revision: Some(v.revision),
                version_arn: Some(format!("{base}:{n}")),
                alias_arn: Some(arn.into()),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_aliases_are_told_apart_from_the_machine_and_from_map_runs() {
        let m = "arn:aws:states:us-east-1:000000000000:stateMachine:orders";
        assert_eq!(split(m), (m, Qualifier::None));
        assert_eq!(split(&format!("{m}:12")), (m, Qualifier::Version(12)));
        assert_eq!(split(&format!("{m}:prod")), (m, Qualifier::Alias("prod")));
        assert_eq!(split(&format!("{m}:012")), (m, Qualifier::Alias("012")));
        let run = "arn:aws:states:us-east-1:000000000000:stateMachine:orders/fan";
        assert_eq!(split(run), (run, Qualifier::None));
        assert!(!is_qualified(m) && is_qualified(&format!("{m}:1")));
    }

    #[test]
    fn an_alias_routes_each_roll_by_its_weights() {
        use super::super::records::{AliasRecord, Route};
        let a = AliasRecord {
            name: "prod".into(),
            description: None,
            routing: vec![Route { version: 1, weight: 30 }, Route { version: 2, weight: 70 }],
            created: 0,
            updated: 0,
        };
        let picks: Vec<u32> = (0..100).map(|r| a.pick(r).unwrap()).collect();
        assert_eq!(picks.iter().filter(|v| **v == 1).count(), 30);
        assert_eq!((picks[29], picks[30], picks[99]), (1, 2, 2));
    }
}
