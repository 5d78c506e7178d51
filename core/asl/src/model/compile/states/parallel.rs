//! Parallel: its branches, each a machine of its own.

use crate::model::compile::Compiler;
use crate::model::machine::*;
use serde_json::{Map as JsonMap, Value};
use std::collections::HashMap;

impl Compiler {
    pub(super) fn parallel_state(
        &mut self,
        obj: &JsonMap<String, Value>,
        loc: &str,
        names: &HashMap<String, StateId>,
        ql: QueryLanguage,
    ) -> StateKind {
        let mut branches = Vec::new();
        match obj.get("Branches").and_then(Value::as_array) {
            Some(arr) if !arr.is_empty() => {
                for (i, b) in arr.iter().enumerate() {
                    let bloc = format!("{loc}/Branches/{i}");
                    match b.as_object() {
                        Some(b) => branches.push(self.compile_machine(b, &bloc, ql, false)),
                        None => self.err(bloc, "A branch must be an OBJECT"),
                    }
                }
            }
            _ => self.err(loc, "The field 'Branches' is required and must be a non-empty ARRAY"),
        }
        StateKind::Parallel(Box::new(Parallel {
            branches,
            parameters: obj.get("Parameters").map(|p| self.template(p, &format!("{loc}/Parameters"))),
            result_selector: obj.get("ResultSelector").map(|p| self.template(p, &format!("{loc}/ResultSelector"))),
            result_path: self.result_path(obj, loc),
            retry: self.retriers(obj, loc),
            catch: self.catchers(obj, loc, names),
        }))
    }
}
