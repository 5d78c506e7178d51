//! Definition JSON -> [`StateMachine`], collecting every problem as a [`Diagnostic`] with
//! its JSON pointer instead of stopping at the first.

use super::machine::*;
use super::template::escape_pointer;
use crate::diagnostics::{codes, Diagnostic};
use crate::limits;
use serde_json::{Map as JsonMap, Value};
use std::collections::HashMap;

mod fields;
#[cfg(test)]
mod map_mode_tests;
mod paths;
mod retry_catch;
mod states;
#[cfg(test)]
mod tests;
mod variable_scopes;

/// How the machine will be run: EXPRESS forbids activities and callbacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MachineType {
    #[default]
    Standard,
    Express,
}

/// Parses definition text (JSON) and compiles it.
pub fn compile(text: &str, kind: MachineType) -> Result<StateMachine, Vec<Diagnostic>> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        vec![Diagnostic::error(codes::INVALID_JSON, "/", format!("The definition is not valid JSON: {e}"))]
    })?;
    compile_value(&value, kind)
}

/// Compiles an already parsed definition.
pub fn compile_value(def: &Value, kind: MachineType) -> Result<StateMachine, Vec<Diagnostic>> {
    let mut c = Compiler {
        diags: Vec::new(),
        states: Vec::new(),
        machines: Vec::new(),
        express: kind == MachineType::Express,
        top_ql: QueryLanguage::JsonPath,
    };
    let Some(obj) = def.as_object() else {
        return Err(vec![Diagnostic::schema("/", "The definition must be a JSON object")]);
    };
    let top_ql = match obj.get("QueryLanguage") {
        None => QueryLanguage::JsonPath,
        Some(v) => c.query_language(v, "/QueryLanguage").unwrap_or(QueryLanguage::JsonPath),
    };
    for (k, _) in obj {
        if !matches!(k.as_str(), "StartAt" | "States" | "Comment" | "Version" | "TimeoutSeconds" | "QueryLanguage") {
            c.diags.push(Diagnostic::schema("/", format!("Field '{k}' is not supported")));
        }
    }
    let timeout_seconds = match obj.get("TimeoutSeconds") {
        None => None,
        Some(v) => match v.as_u64() {
            Some(n) if n > 0 => Some(n),
            _ => {
                c.diags.push(Diagnostic::schema("/TimeoutSeconds", "TimeoutSeconds must be a positive integer"));
                None
            }
        },
    };
    if let Some(v) = obj.get("Version") {
        if !v.is_string() {
            c.diags.push(Diagnostic::schema("/Version", "The field 'Version' must be a STRING"));
        }
    }
    c.top_ql = top_ql;
    c.compile_machine(obj, "", top_ql, true);
    c.check_map_labels();
    variable_scopes::check(obj, &mut c.diags);
    if !c.diags.is_empty() {
        return Err(c.diags);
    }
    Ok(StateMachine {
        machines: c.machines,
        states: c.states,
        timeout_seconds,
        comment: obj.get("Comment").and_then(Value::as_str).map(str::to_string),
        source: def.clone(),
        max_payload: limits::MAX_PAYLOAD_BYTES,
        max_history_events: limits::MAX_HISTORY_EVENTS,
        max_duration_seconds: Some(if c.express { limits::MAX_EXPRESS_SECONDS } else { limits::MAX_STANDARD_SECONDS }),
        map_runs: false,
        wait_scale: 1.0,
    })
}

struct Compiler {
    diags: Vec<Diagnostic>,
    states: Vec<State>,
    machines: Vec<Machine>,
    express: bool,
    /// The machine-wide query language: only a machine-wide JSONata forbids JSONPath states.
    top_ql: QueryLanguage,
}

impl Compiler {
    fn err(&mut self, loc: impl Into<String>, msg: impl Into<String>) {
        self.diags.push(Diagnostic::schema(loc, msg));
    }

    fn query_language(&mut self, v: &Value, loc: &str) -> Option<QueryLanguage> {
        match v.as_str() {
            Some("JSONPath") => Some(QueryLanguage::JsonPath),
            Some("JSONata") => Some(QueryLanguage::JsonAta),
            _ => {
                self.err(loc, format!("QueryLanguage must be 'JSONPath' or 'JSONata', not {v}"));
                None
            }
        }
    }

    /// Compiles one `StartAt`/`States` scope and returns its id.
    fn compile_machine(&mut self, obj: &JsonMap<String, Value>, loc: &str, ql: QueryLanguage, top: bool) -> MachineId {
        let id = self.machines.len();
        self.machines.push(Machine { start_at: 0, states: Vec::new() });
        let root_loc = if loc.is_empty() { "/" } else { loc };
        let start_at = obj.get("StartAt");
        let states = obj.get("States");
        match (start_at.is_some(), states.is_some()) {
            (false, false) => self.err(root_loc, "These fields are required: [States, StartAt]"),
            (false, true) => self.err(root_loc, "These fields are required: [StartAt]"),
            (true, false) => self.err(root_loc, "These fields are required: [States]"),
            _ => {}
        }
        if !top {
            for (k, _) in obj {
                if !matches!(k.as_str(), "StartAt" | "States" | "Comment" | "ProcessorConfig") {
                    self.err(root_loc, format!("Field '{k}' is not supported"));
                }
            }
        }
        let Some(states) = states else { return id };
        let Some(states) = states.as_object() else {
            self.err(format!("{loc}/States"), "The field 'States' must be an OBJECT");
            return id;
        };
        if states.is_empty() {
            self.err(format!("{loc}/States"), "The field 'States' must contain at least one state");
        }
        // Reserve ids first so `Next` can refer to states compiled later.
        let mut names = HashMap::new();
        for name in states.keys() {
            let sid = self.states.len();
            names.insert(name.clone(), sid);
            self.machines[id].states.push(sid);
            self.states.push(State {
                name: name.as_str().into(),
                machine: id,
                kind: StateKind::Succeed,
                input_path: IoPath::Identity,
                output_path: IoPath::Identity,
                assign: None,
                transition: Transition::End,
                uses_context: false,
                jsonata: None,
            });
            if name.len() > 80 {
                self.err(
                    format!("{loc}/States/{}", escape_pointer(name)),
                    "State names must be at most 80 characters long",
                );
            }
        }
        match start_at.map(|s| s.as_str()) {
            Some(Some(s)) => match names.get(s) {
                Some(&sid) => self.machines[id].start_at = sid,
                None => self.diags.push(Diagnostic::error(
                    codes::MISSING_TRANSITION,
                    format!("{loc}/StartAt"),
                    format!("Missing 'Next' target: {s}"),
                )),
            },
            Some(None) => self.err(format!("{loc}/StartAt"), "The field 'StartAt' must be a STRING"),
            None => {}
        }
        for (name, def) in states {
            let sid = names[name];
            let sloc = format!("{loc}/States/{}", escape_pointer(name));
            self.compile_state(sid, def, &sloc, ql, &names);
        }
        self.check_graph(id, loc);
        id
    }

    /// Unreachable states and scopes without a way to end.
    fn check_graph(&mut self, id: MachineId, loc: &str) {
        let m = &self.machines[id];
        if m.states.is_empty() {
            return;
        }
        let mut seen = vec![false; self.states.len()];
        let mut stack = vec![m.start_at];
        let mut terminal = false;
        while let Some(s) = stack.pop() {
            if std::mem::replace(&mut seen[s], true) {
                continue;
            }
            let st = &self.states[s];
            if matches!(st.kind, StateKind::Succeed | StateKind::Fail { .. })
                || matches!(st.transition, Transition::End) && !matches!(st.kind, StateKind::Choice { .. })
            {
                terminal = true;
            }
            if let Transition::Next(n) = st.transition {
                stack.push(n);
            }
            match &st.kind {
                StateKind::Choice { choices, default } => {
                    stack.extend(choices.iter().map(|c| c.next));
                    stack.extend(default.iter().copied());
                }
                StateKind::Task(t) => stack.extend(t.catch.iter().map(|c| c.next)),
                StateKind::Parallel(p) => stack.extend(p.catch.iter().map(|c| c.next)),
                StateKind::Map(mp) => stack.extend(mp.catch.iter().map(|c| c.next)),
                _ => {}
            }
        }
        let unreachable: Vec<String> =
            m.states.iter().filter(|&&s| !seen[s]).map(|&s| self.states[s].name.to_string()).collect();
        for name in unreachable {
            self.diags.push(Diagnostic::error(
                codes::UNREACHABLE,
                format!("{loc}/States/{}", escape_pointer(&name)),
                format!("State '{name}' is not reachable"),
            ));
        }
        if !terminal {
            self.diags.push(Diagnostic::error(
                codes::NO_TERMINAL,
                if loc.is_empty() { "/".to_string() } else { loc.to_string() },
                "No terminal state: the machine has no state that ends it (End, Succeed or Fail)",
            ));
        }
    }
}
