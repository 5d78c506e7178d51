//! The stored shapes of versions, aliases and tags.

use serde::{Deserialize, Serialize};
use stepline_asl::time::Millis;

/// AWS's limits on what a state machine keeps.
pub const MAX_VERSIONS: usize = 1000;
pub const MAX_ALIASES: usize = 100;
pub const MAX_TAGS: usize = 50;

/// A tag on a state machine or an activity, as AWS lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// A state machine's published versions and its aliases, kept apart from its record so
/// a start (which reads the record) never copies them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MachineCatalog {
    /// The highest version number ever published: AWS never reuses one, even deleted.
    pub last_published: u32,
    /// Oldest first.
    pub versions: Vec<PublishedVersion>,
    /// By name.
    pub aliases: Vec<AliasRecord>,
}

impl MachineCatalog {
    pub fn version(&self, number: u32) -> Option<&PublishedVersion> {
        self.versions.iter().find(|v| v.number == number)
    }

    pub fn alias(&self, name: &str) -> Option<&AliasRecord> {
        self.aliases.iter().find(|a| a.name == name)
    }
}

/// A published version: an immutable snapshot of one revision of the machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedVersion {
    /// The number in its ARN (`...:orders:3`).
    pub number: u32,
    /// The stored definition it runs (the record's `version`, AWS's `revisionId`).
    pub revision: u32,
    pub role_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub created: Millis,
}

/// An alias: a name that routes each start to one of at most two versions by weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AliasRecord {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub routing: Vec<Route>,
    pub created: Millis,
    pub updated: Millis,
}

/// One version an alias routes to, and the percentage of starts it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    pub version: u32,
    pub weight: u32,
}

impl AliasRecord {
    /// The version a start lands on, for `roll` drawn uniformly from `0..100`.
    pub fn pick(&self, roll: u32) -> Option<u32> {
        let mut below = 0;
        for r in &self.routing {
            below += r.weight;
            if roll < below {
                return Some(r.version);
            }
        }
        self.routing.last().map(|r| r.version)
    }
}

/// What a new state machine is made of (`CreateStateMachine`).
#[derive(Debug, Clone, Default)]
pub struct MachineSpec {
    pub name: String,
    pub definition: String,
    /// `STANDARD` (or empty) or `EXPRESS`.
    pub kind: String,
    pub role_arn: String,
    pub tags: Vec<Tag>,
    pub logging: Option<serde_json::Value>,
    pub tracing: Option<serde_json::Value>,
    /// Publish the first revision as version 1 at once.
    pub publish: bool,
    pub version_description: Option<String>,
}

/// What `UpdateStateMachine` changes; absent members stay as they are.
#[derive(Debug, Clone, Default)]
pub struct MachineChange {
    pub definition: Option<String>,
    pub role_arn: Option<String>,
    pub logging: Option<serde_json::Value>,
    pub tracing: Option<serde_json::Value>,
    pub publish: bool,
    pub version_description: Option<String>,
}

/// A change to the catalog of a state machine or the tags of an activity.
#[derive(Debug, Clone)]
pub enum CatalogEdit {
    Update {
        arn: String,
        change: MachineChange,
    },
    Publish {
        arn: String,
        revision_id: Option<String>,
        description: Option<String>,
    },
    DeleteVersion {
        arn: String,
    },
    /// Creates (`create`) or updates an alias; `routing` absent keeps it.
    PutAlias {
        arn: String,
        description: Option<String>,
        routing: Option<Vec<Route>>,
        create: bool,
    },
    DeleteAlias {
        arn: String,
    },
    Tag {
        resource: String,
        tags: Vec<Tag>,
    },
    Untag {
        resource: String,
        keys: Vec<String>,
    },
}
