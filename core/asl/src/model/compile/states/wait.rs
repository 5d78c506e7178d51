//! Wait: seconds or a timestamp, given directly or by path.

use crate::model::compile::Compiler;
use crate::model::machine::*;
use serde_json::{Map as JsonMap, Value};

impl Compiler {
    pub(super) fn wait_state(&mut self, obj: &JsonMap<String, Value>, loc: &str) -> StateKind {
        let given: Vec<&str> = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"]
            .into_iter()
            .filter(|f| obj.contains_key(*f))
            .collect();
        if given.len() != 1 {
            self.err(
                loc,
                "A Wait state must have exactly one of 'Seconds', 'Timestamp', 'SecondsPath' or 'TimestampPath'",
            );
            return StateKind::Wait(WaitFor::Seconds(0.0));
        }
        let f = given[0];
        let w = match f {
            "Seconds" => match obj[f].as_f64() {
                Some(n) if n >= 0.0 && n.fract() == 0.0 => WaitFor::Seconds(n),
                _ => {
                    self.err(format!("{loc}/Seconds"), "The field 'Seconds' must be a non-negative integer");
                    WaitFor::Seconds(0.0)
                }
            },
            "Timestamp" => match obj[f].as_str().and_then(crate::time::parse_timestamp) {
                Some(at) => WaitFor::Timestamp(at),
                None => {
                    self.err(format!("{loc}/Timestamp"), "The field 'Timestamp' must be an RFC3339 timestamp");
                    WaitFor::Seconds(0.0)
                }
            },
            "SecondsPath" => self.path_field(obj, f, loc).map_or(WaitFor::Seconds(0.0), WaitFor::SecondsPath),
            _ => self.path_field(obj, f, loc).map_or(WaitFor::Seconds(0.0), WaitFor::TimestampPath),
        };
        StateKind::Wait(w)
    }
}
