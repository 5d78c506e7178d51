//! Choice: its rules and `Default`.

use crate::choice;
use crate::model::compile::Compiler;
use crate::model::machine::*;
use serde_json::{Map as JsonMap, Value};
use std::collections::HashMap;

impl Compiler {
    pub(super) fn choice_state(
        &mut self,
        obj: &JsonMap<String, Value>,
        loc: &str,
        names: &HashMap<String, StateId>,
    ) -> StateKind {
        let mut choices = Vec::new();
        match obj.get("Choices").and_then(Value::as_array) {
            Some(arr) if !arr.is_empty() => {
                for (i, c) in arr.iter().enumerate() {
                    let cloc = format!("{loc}/Choices/{i}");
                    let next = match c.get("Next").and_then(Value::as_str) {
                        Some(n) => self.target(n, &format!("{cloc}/Next"), names),
                        None => {
                            self.err(&cloc, "These fields are required: [Next]");
                            None
                        }
                    };
                    let assign = c.get("Assign").map(|a| self.template(a, &format!("{cloc}/Assign")));
                    match choice::compile_rule(c, &cloc, true) {
                        Ok(rule) => {
                            if let Some(next) = next {
                                choices.push(ChoiceBranch { rule, next, assign });
                            }
                        }
                        Err(d) => self.diags.extend(d),
                    }
                }
            }
            _ => self.err(loc, "The field 'Choices' is required and must be a non-empty ARRAY"),
        }
        let default = match obj.get("Default") {
            None => None,
            Some(v) => match v.as_str() {
                Some(n) => self.target(n, &format!("{loc}/Default"), names),
                None => {
                    self.err(format!("{loc}/Default"), "The field 'Default' must be a STRING");
                    None
                }
            },
        };
        StateKind::Choice { choices, default }
    }
}
