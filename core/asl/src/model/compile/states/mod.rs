//! One state definition: the checks every state shares, then the state type's own compiler.

mod choice;
mod fail;
mod map;
mod map_modes;
mod parallel;
mod pass;
mod task;
mod wait;

use crate::model::compile::fields::{allowed_fields, COMMON, JSONATA_ONLY, JSONPATH_ONLY};
use crate::model::compile::Compiler;
use crate::model::machine::*;
use serde_json::Value;
use std::collections::HashMap;

impl Compiler {
    pub(in crate::model::compile) fn compile_state(
        &mut self,
        sid: StateId,
        def: &Value,
        loc: &str,
        parent_ql: QueryLanguage,
        names: &HashMap<String, StateId>,
    ) {
        let Some(obj) = def.as_object() else {
            self.err(loc, "A state must be an OBJECT");
            return;
        };
        let ql = match obj.get("QueryLanguage") {
            None => parent_ql,
            Some(v) => match self.query_language(v, &format!("{loc}/QueryLanguage")) {
                Some(QueryLanguage::JsonPath) if self.top_ql == QueryLanguage::JsonAta => {
                    self.err(loc, "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine");
                    parent_ql
                }
                Some(q) => q,
                None => parent_ql,
            },
        };
        let ty = match obj.get("Type").and_then(Value::as_str) {
            Some(t @ ("Pass" | "Task" | "Choice" | "Wait" | "Succeed" | "Fail" | "Parallel" | "Map")) => t,
            Some(t) => {
                self.err(
                    format!("{loc}/Type"),
                    format!("'{t}' is not a valid state type (Pass, Task, Choice, Wait, Succeed, Fail, Parallel, Map)"),
                );
                return;
            }
            None => {
                self.err(loc, "These fields are required: [Type]");
                return;
            }
        };
        let allowed = allowed_fields(ty);
        for k in obj.keys() {
            if !COMMON.contains(&k.as_str()) && !allowed.contains(&k.as_str()) {
                self.err(loc, format!("Field '{k}' is not supported in a {ty} state"));
            } else if ql == QueryLanguage::JsonAta && JSONPATH_ONLY.contains(&k.as_str()) {
                self.err(
                    format!("{loc}/{k}"),
                    format!("The field '{k}' is not supported in a state that uses the JSONata query language"),
                );
            } else if ql == QueryLanguage::JsonPath && JSONATA_ONLY.contains(&k.as_str()) {
                self.err(
                    format!("{loc}/{k}"),
                    format!("The field '{k}' is only supported in a state that uses the JSONata query language"),
                );
            }
        }
        if let Some(c) = obj.get("Credentials") {
            if c.get("RoleArn").is_none() && c.get("RoleArn.$").is_none() {
                self.err(format!("{loc}/Credentials"), "The field 'RoleArn' is required but was missing");
            }
        }
        // A JSONata state: its expressions are compiled apart, the rest (transitions,
        // Retry, Catch targets, branches) by the common code below.
        let (split, jsonata) = match ql {
            QueryLanguage::JsonAta => {
                let (rest, j) = crate::model::jsonata::split_state(obj, loc, &mut self.diags);
                (Some(rest), Some(Box::new(j)))
            }
            QueryLanguage::JsonPath => (None, None),
        };
        let obj = split.as_ref().unwrap_or(obj);
        if ty == "Fail" && (obj.contains_key("OutputPath") || obj.contains_key("InputPath")) {
            self.err(loc, "Fields 'InputPath' and 'OutputPath' are not supported in a Fail state");
        }
        let input_path = if ty == "Fail" { IoPath::Identity } else { self.io_path(obj, "InputPath", loc) };
        let output_path = if ty == "Fail" { IoPath::Identity } else { self.io_path(obj, "OutputPath", loc) };
        let assign = obj.get("Assign").map(|a| self.template(a, &format!("{loc}/Assign")));
        let transition = self.transition(obj, loc, names, ty);
        let kind = match ty {
            "Pass" => self.pass_state(obj, loc),
            "Succeed" => StateKind::Succeed,
            "Fail" => self.fail_state(obj, loc),
            "Wait" => self.wait_state(obj, loc),
            "Choice" => self.choice_state(obj, loc, names),
            "Task" => self.task_state(obj, loc, names),
            "Parallel" => self.parallel_state(obj, loc, names, ql),
            "Map" => self.map_state(obj, loc, names, ql),
            _ => unreachable!("state types were checked above"),
        };
        let is_jsonata = jsonata.is_some();
        let mut st = State {
            name: self.states[sid].name.clone(),
            machine: self.states[sid].machine,
            kind,
            input_path,
            output_path,
            assign,
            transition,
            uses_context: false,
            jsonata,
        };
        let text = def.to_string();
        // Built per step when read, with a copy of the execution's input: a Map's thousand
        // iterations must not each copy a thousand-item input they never read.
        st.uses_context = text.contains("$$") || (is_jsonata && text.contains("context"));
        self.states[sid] = st;
    }
}
