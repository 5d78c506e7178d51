//! What every bus's settings share: the prefix of its names and the activities whose
//! tasks it takes. Flattened into `[nats]` and `[amqp]`, so the file format is the same
//! as when each bus spelled them out itself.

use serde::Deserialize;

/// The prefix of every name on a bus unless `prefix` says otherwise.
pub const DEFAULT_PREFIX: &str = "stepline";

/// `prefix` and `activities` of a bus's section in `stepline.toml`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct BusSettings {
    /// First part of every subject, stream, exchange and queue name (default `stepline`):
    /// set it to run several engines, or tests, on one server.
    #[serde(default = "default_prefix")]
    pub prefix: String,
    /// Activities whose tasks go over this bus; `["*"]` (the default) for all.
    #[serde(default = "all_activities")]
    pub activities: Vec<String>,
}

fn default_prefix() -> String {
    DEFAULT_PREFIX.into()
}

fn all_activities() -> Vec<String> {
    vec!["*".into()]
}

impl Default for BusSettings {
    /// The default prefix, every activity.
    fn default() -> BusSettings {
        BusSettings { prefix: default_prefix(), activities: all_activities() }
    }
}

impl BusSettings {
    /// Whether tasks of every activity go over this bus.
    pub fn all_activities(&self) -> bool {
        self.activities.iter().any(|a| a == "*")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_take_every_activity_under_stepline() {
        let s = BusSettings::default();
        assert_eq!((s.prefix.as_str(), s.all_activities()), ("stepline", true));
        let some = BusSettings { activities: vec!["charge".into()], ..BusSettings::default() };
        assert!(!some.all_activities());
    }
}
