//! What an evaluation takes from its caller: variable bindings, randomness and the time.
//! Nothing is read from the OS, so an evaluation replayed with the same inputs agrees.

use crate::random::Random;
use serde_json::{Map, Value};

/// Variables visible to an evaluation (`$name` -> value), e.g. `states` and workflow variables.
pub trait Bindings {
    fn get(&self, name: &str) -> Option<&Value>;
}

impl Bindings for Map<String, Value> {
    fn get(&self, name: &str) -> Option<&Value> {
        Map::get(self, name)
    }
}

impl Bindings for std::collections::HashMap<String, Value> {
    fn get(&self, name: &str) -> Option<&Value> {
        std::collections::HashMap::get(self, name)
    }
}

/// What an evaluation needs from outside: randomness and the time, never read from the OS.
pub struct Env<'a> {
    pub rng: &'a mut dyn Random,
    pub now_millis: i64,
}
