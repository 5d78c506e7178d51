//! Definition JSON -> [`StateMachine`], collecting every problem as a [`Diagnostic`] with
//! its JSON pointer instead of stopping at the first.

use super::template::{escape_pointer, CompileIssue};
use super::*;
use crate::choice;
use crate::intrinsics;
use crate::path;
use crate::validate::{codes, Diagnostic};
use serde_json::{Map as JsonMap, Value};
use std::collections::HashMap;

/// How the machine will be run: EXPRESS forbids activities and callbacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MachineType {
    #[default]
    Standard,
    Express,
}

/// Parses definition text (JSON, or YAML when it is not JSON) and compiles it.
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
    if !c.diags.is_empty() {
        return Err(c.diags);
    }
    Ok(StateMachine {
        machines: c.machines,
        states: c.states,
        timeout_seconds,
        comment: obj.get("Comment").and_then(Value::as_str).map(str::to_string),
        source: def.clone(),
        max_payload: crate::interp::MAX_PAYLOAD_BYTES,
        max_history_events: super::MAX_HISTORY_EVENTS,
        max_duration_seconds: Some(if c.express { super::MAX_EXPRESS_SECONDS } else { super::MAX_STANDARD_SECONDS }),
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

const COMMON: &[&str] =
    &["Type", "Comment", "QueryLanguage", "Next", "End", "InputPath", "OutputPath", "Assign", "Output"];

fn allowed_fields(ty: &str) -> &'static [&'static str] {
    match ty {
        "Pass" => &["Result", "ResultPath", "Parameters"],
        "Task" => &[
            "Resource",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            "Retry",
            "Catch",
            "Credentials",
            "Arguments",
        ],
        "Choice" => &["Choices", "Default"],
        "Wait" => &["Seconds", "Timestamp", "SecondsPath", "TimestampPath"],
        "Succeed" => &[],
        "Fail" => &["Error", "Cause", "ErrorPath", "CausePath"],
        "Parallel" => &["Branches", "Parameters", "ResultSelector", "ResultPath", "Retry", "Catch", "Arguments"],
        "Map" => &[
            "Iterator",
            "ItemProcessor",
            "ItemsPath",
            "Items",
            "ItemSelector",
            "Parameters",
            "ItemBatcher",
            "ItemReader",
            "ResultWriter",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
            "Label",
            "Arguments",
        ],
        _ => &[],
    }
}

/// Fields that only exist in the JSONPath query language, and those only in JSONata.
const JSONPATH_ONLY: &[&str] = &[
    "InputPath",
    "OutputPath",
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "ItemsPath",
    "SecondsPath",
    "TimestampPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "ErrorPath",
    "CausePath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
    "ItemSelector",
];
const JSONATA_ONLY: &[&str] = &["Arguments", "Output"];

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

    fn template(&mut self, v: &Value, loc: &str) -> Template {
        let mut issues: Vec<CompileIssue> = Vec::new();
        let t = Template::compile(v, loc, &mut issues);
        for i in issues {
            self.diags.push(Diagnostic::error(i.code, i.location, i.message));
        }
        t
    }

    fn path_field(&mut self, obj: &JsonMap<String, Value>, field: &str, loc: &str) -> Option<JsonPath> {
        let v = obj.get(field)?;
        let floc = format!("{loc}/{field}");
        match v.as_str() {
            Some(s) => match path::parse(s) {
                Ok(p) => Some(p),
                Err(e) => {
                    self.diags.push(Diagnostic::error(
                        codes::INVALID_PATH,
                        floc,
                        format!("The value for the field '{field}' must be a valid JSONPath: {}", e.detail()),
                    ));
                    None
                }
            },
            None => {
                self.err(floc, format!("The value for the field '{field}' must be a STRING"));
                None
            }
        }
    }

    fn io_path(&mut self, obj: &JsonMap<String, Value>, field: &str, loc: &str) -> IoPath {
        match obj.get(field) {
            None => IoPath::Identity,
            Some(Value::Null) => IoPath::Null,
            Some(_) => self.path_field(obj, field, loc).map_or(IoPath::Identity, |p| {
                if p.is_root_input() {
                    IoPath::Identity
                } else {
                    IoPath::Path(p)
                }
            }),
        }
    }

    fn result_path(&mut self, obj: &JsonMap<String, Value>, loc: &str) -> ResultPath {
        match obj.get("ResultPath") {
            None => ResultPath::Replace,
            Some(Value::Null) => ResultPath::Discard,
            Some(_) => match self.path_field(obj, "ResultPath", loc) {
                Some(p) if p.is_root_input() => ResultPath::Replace,
                Some(p) if p.is_reference() => ResultPath::Path(p),
                Some(_) => {
                    self.diags.push(Diagnostic::error(codes::INVALID_PATH, format!("{loc}/ResultPath"), "The value for the field 'ResultPath' must be a valid ReferencePath (names and indexes only, from '$')"));
                    ResultPath::Replace
                }
                None => ResultPath::Replace,
            },
        }
    }

    fn number_source(
        &mut self,
        obj: &JsonMap<String, Value>,
        field: &str,
        loc: &str,
        min: f64,
    ) -> Option<NumberSource> {
        let path_field = format!("{field}Path");
        if obj.contains_key(field) && obj.contains_key(&path_field) {
            self.err(loc, format!("The fields '{field}' and '{path_field}' are mutually exclusive"));
        }
        if let Some(v) = obj.get(field) {
            return match v.as_f64() {
                Some(n) if n >= min => Some(NumberSource::Literal(n)),
                Some(_) if v.is_string() => None,
                _ => {
                    self.err(
                        format!("{loc}/{field}"),
                        format!("The field '{field}' must be a number not less than {min}"),
                    );
                    None
                }
            };
        }
        self.path_field(obj, &path_field, loc).map(NumberSource::Path)
    }

    fn transition(
        &mut self,
        obj: &JsonMap<String, Value>,
        loc: &str,
        names: &HashMap<String, StateId>,
        ty: &str,
    ) -> Transition {
        let next = obj.get("Next");
        let end = obj.get("End");
        let terminal = matches!(ty, "Choice" | "Succeed" | "Fail");
        if terminal {
            if next.is_some() {
                self.err(format!("{loc}/Next"), format!("Field 'Next' is not supported in a {ty} state"));
            }
            if end.is_some() {
                self.err(format!("{loc}/End"), format!("Field 'End' is not supported in a {ty} state"));
            }
            return Transition::End;
        }
        match (next, end) {
            (Some(_), Some(Value::Bool(true))) => {
                self.err(loc, "Only one of 'Next' or 'End' can be set");
                Transition::End
            }
            (Some(n), _) => match n.as_str() {
                Some(n) => self.target(n, &format!("{loc}/Next"), names).map_or(Transition::End, Transition::Next),
                None => {
                    self.err(format!("{loc}/Next"), "The field 'Next' must be a STRING");
                    Transition::End
                }
            },
            (None, Some(Value::Bool(true))) => Transition::End,
            (None, Some(Value::Bool(false))) | (None, None) => {
                self.err(loc, "The state must have either 'Next' or 'End': true");
                Transition::End
            }
            (None, Some(_)) => {
                self.err(format!("{loc}/End"), "The field 'End' must be a BOOLEAN");
                Transition::End
            }
        }
    }

    fn target(&mut self, name: &str, loc: &str, names: &HashMap<String, StateId>) -> Option<StateId> {
        let t = names.get(name).copied();
        if t.is_none() {
            self.diags.push(Diagnostic::error(
                codes::MISSING_TRANSITION,
                loc,
                format!("Missing 'Next' target: {name}"),
            ));
        }
        t
    }

    fn error_names(&mut self, v: Option<&Value>, loc: &str) -> Vec<String> {
        let Some(arr) = v.and_then(Value::as_array) else {
            self.err(loc, "The field 'ErrorEquals' is required and must be an ARRAY of STRING");
            return Vec::new();
        };
        if arr.is_empty() {
            self.err(loc, "The field 'ErrorEquals' must not be empty");
        }
        let names: Vec<String> = arr.iter().filter_map(|e| e.as_str().map(str::to_string)).collect();
        if names.len() != arr.len() {
            self.err(loc, "The field 'ErrorEquals' must be an ARRAY of STRING");
        }
        if names.iter().any(|n| n == "States.ALL") && names.len() > 1 {
            self.err(loc, "'States.ALL' must appear alone in 'ErrorEquals'");
        }
        names
    }

    fn retriers(&mut self, obj: &JsonMap<String, Value>, loc: &str) -> Vec<Retrier> {
        let Some(v) = obj.get("Retry") else { return Vec::new() };
        let Some(arr) = v.as_array() else {
            self.err(format!("{loc}/Retry"), "The field 'Retry' must be an ARRAY");
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, r) in arr.iter().enumerate() {
            let rloc = format!("{loc}/Retry/{i}");
            let Some(r) = r.as_object() else {
                self.err(rloc, "A retrier must be an OBJECT");
                continue;
            };
            for k in r.keys() {
                if !matches!(
                    k.as_str(),
                    "ErrorEquals"
                        | "IntervalSeconds"
                        | "MaxAttempts"
                        | "BackoffRate"
                        | "MaxDelaySeconds"
                        | "JitterStrategy"
                        | "Comment"
                ) {
                    self.err(&rloc, format!("Field '{k}' is not supported in a retrier"));
                }
            }
            let error_equals = self.error_names(r.get("ErrorEquals"), &format!("{rloc}/ErrorEquals"));
            if i + 1 < arr.len() && error_equals.iter().any(|e| e == "States.ALL") {
                self.err(&rloc, "A retrier with 'States.ALL' must be the last one");
            }
            let num = |this: &mut Self, f: &str, default: f64, ok: &dyn Fn(f64) -> bool, what: &str| -> f64 {
                match r.get(f) {
                    None => default,
                    Some(v) => match v.as_f64() {
                        Some(n) if ok(n) => n,
                        _ => {
                            this.err(format!("{rloc}/{f}"), format!("The field '{f}' must be {what}"));
                            default
                        }
                    },
                }
            };
            let interval_seconds =
                num(self, "IntervalSeconds", 1.0, &|n| n >= 1.0 && n.fract() == 0.0, "a positive integer");
            let max_attempts = num(
                self,
                "MaxAttempts",
                3.0,
                &|n| n >= 0.0 && n.fract() == 0.0 && n <= 99_999_999.0,
                "a non-negative integer",
            ) as u32;
            let backoff_rate = num(self, "BackoffRate", 2.0, &|n| n >= 1.0, "a number not less than 1.0");
            let max_delay_seconds = r
                .get("MaxDelaySeconds")
                .map(|_| num(self, "MaxDelaySeconds", 0.0, &|n| n > 0.0 && n.fract() == 0.0, "a positive integer"));
            let jitter_full = match r.get("JitterStrategy").map(|v| v.as_str()) {
                None | Some(Some("NONE")) => false,
                Some(Some("FULL")) => true,
                _ => {
                    self.err(format!("{rloc}/JitterStrategy"), "The field 'JitterStrategy' must be 'FULL' or 'NONE'");
                    false
                }
            };
            out.push(Retrier {
                error_equals,
                interval_seconds,
                max_attempts,
                backoff_rate,
                max_delay_seconds,
                jitter_full,
            });
        }
        out
    }

    fn catchers(&mut self, obj: &JsonMap<String, Value>, loc: &str, names: &HashMap<String, StateId>) -> Vec<Catcher> {
        let Some(v) = obj.get("Catch") else { return Vec::new() };
        let Some(arr) = v.as_array() else {
            self.err(format!("{loc}/Catch"), "The field 'Catch' must be an ARRAY");
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, c) in arr.iter().enumerate() {
            let cloc = format!("{loc}/Catch/{i}");
            let Some(c) = c.as_object() else {
                self.err(cloc, "A catcher must be an OBJECT");
                continue;
            };
            for k in c.keys() {
                if !matches!(k.as_str(), "ErrorEquals" | "Next" | "ResultPath" | "Comment" | "Assign" | "Output") {
                    self.err(&cloc, format!("Field '{k}' is not supported in a catcher"));
                }
            }
            let error_equals = self.error_names(c.get("ErrorEquals"), &format!("{cloc}/ErrorEquals"));
            if i + 1 < arr.len() && error_equals.iter().any(|e| e == "States.ALL") {
                self.err(&cloc, "A catcher with 'States.ALL' must be the last one");
            }
            let next = match c.get("Next").and_then(Value::as_str) {
                Some(n) => self.target(n, &format!("{cloc}/Next"), names),
                None => {
                    self.err(&cloc, "These fields are required: [Next]");
                    None
                }
            };
            let result_path = self.result_path(c, &cloc);
            let assign = c.get("Assign").map(|a| self.template(a, &format!("{cloc}/Assign")));
            if let Some(next) = next {
                out.push(Catcher { error_equals, next, result_path, assign });
            }
        }
        out
    }

    fn compile_state(
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
                let (rest, j) = super::jsonata::split_state(obj, loc, &mut self.diags);
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
            "Pass" => StateKind::Pass {
                result: obj.get("Result").cloned(),
                parameters: obj.get("Parameters").map(|p| self.template(p, &format!("{loc}/Parameters"))),
                result_path: self.result_path(obj, loc),
            },
            "Succeed" => StateKind::Succeed,
            "Fail" => self.fail_state(obj, loc),
            "Wait" => self.wait_state(obj, loc),
            "Choice" => self.choice_state(obj, loc, names),
            "Task" => self.task_state(obj, loc, names),
            "Parallel" => {
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
                    result_selector: obj
                        .get("ResultSelector")
                        .map(|p| self.template(p, &format!("{loc}/ResultSelector"))),
                    result_path: self.result_path(obj, loc),
                    retry: self.retriers(obj, loc),
                    catch: self.catchers(obj, loc, names),
                }))
            }
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
        st.uses_context = text.contains("$$")
            || (is_jsonata && text.contains("context"))
            || matches!(st.kind, StateKind::Task(_) | StateKind::Map(_));
        self.states[sid] = st;
    }

    fn fail_state(&mut self, obj: &JsonMap<String, Value>, loc: &str) -> StateKind {
        let source = |this: &mut Self, field: &str| -> ErrorSource {
            let pf = format!("{field}Path");
            if obj.contains_key(field) && obj.contains_key(&pf) {
                this.err(loc, format!("The fields '{field}' and '{pf}' are mutually exclusive"));
            }
            if let Some(v) = obj.get(field) {
                return match v.as_str() {
                    Some(s) => ErrorSource::Literal(s.to_string()),
                    None => {
                        this.err(format!("{loc}/{field}"), format!("The field '{field}' must be a STRING"));
                        ErrorSource::None
                    }
                };
            }
            match obj.get(&pf).and_then(Value::as_str) {
                Some(s) if intrinsics::is_intrinsic(s) => match intrinsics::parse(s) {
                    Ok(f) => ErrorSource::Intrinsic(f),
                    Err(e) => {
                        this.diags.push(Diagnostic::error(
                            codes::INVALID_INTRINSIC,
                            format!("{loc}/{pf}"),
                            e.to_string(),
                        ));
                        ErrorSource::None
                    }
                },
                Some(_) => this.path_field(obj, &pf, loc).map_or(ErrorSource::None, ErrorSource::Path),
                None if obj.contains_key(&pf) => {
                    this.err(format!("{loc}/{pf}"), format!("The field '{pf}' must be a STRING"));
                    ErrorSource::None
                }
                None => ErrorSource::None,
            }
        };
        let error = source(self, "Error");
        let cause = source(self, "Cause");
        StateKind::Fail { error, cause }
    }

    fn wait_state(&mut self, obj: &JsonMap<String, Value>, loc: &str) -> StateKind {
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
            "Timestamp" => match obj[f].as_str() {
                Some(s) if crate::time::parse_timestamp(s).is_some() => WaitFor::Timestamp(s.to_string()),
                _ => {
                    self.err(format!("{loc}/Timestamp"), "The field 'Timestamp' must be an RFC3339 timestamp");
                    WaitFor::Seconds(0.0)
                }
            },
            "SecondsPath" => self.path_field(obj, f, loc).map_or(WaitFor::Seconds(0.0), WaitFor::SecondsPath),
            _ => self.path_field(obj, f, loc).map_or(WaitFor::Seconds(0.0), WaitFor::TimestampPath),
        };
        StateKind::Wait(w)
    }

    fn choice_state(&mut self, obj: &JsonMap<String, Value>, loc: &str, names: &HashMap<String, StateId>) -> StateKind {
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

    fn task_state(&mut self, obj: &JsonMap<String, Value>, loc: &str, names: &HashMap<String, StateId>) -> StateKind {
        let resource = match obj.get("Resource").and_then(Value::as_str) {
            Some(r) => r.to_string(),
            None => {
                self.err(loc, "These fields are required: [Resource]");
                String::new()
            }
        };
        let rloc = format!("{loc}/Resource");
        let (resource_kind, pattern) = match parse_resource(&resource) {
            Some(k) => k,
            None => {
                if !resource.is_empty() {
                    self.diags.push(Diagnostic::error(
                        codes::INVALID_RESOURCE,
                        &rloc,
                        format!("Invalid resource: '{resource}' is not a supported Task resource ARN"),
                    ));
                }
                (ResourceKind::Activity, IntegrationPattern::RequestResponse)
            }
        };
        if self.express {
            if resource_kind == ResourceKind::Activity && !resource.is_empty() {
                self.err(&rloc, "Express state machine does not support Activity ARN");
            }
            if pattern == IntegrationPattern::WaitForTaskToken {
                self.err(&rloc, "Express state machine does not support '.waitForTaskToken' service integration ");
            }
            if pattern == IntegrationPattern::Sync {
                self.err(&rloc, "Express state machine does not support '.sync' service integration ");
            }
        }
        let timeout = self.number_source(obj, "TimeoutSeconds", loc, 1.0);
        let heartbeat = self.number_source(obj, "HeartbeatSeconds", loc, 1.0);
        if let (Some(NumberSource::Literal(t)), Some(NumberSource::Literal(h))) = (&timeout, &heartbeat) {
            if h >= t {
                self.err(format!("{loc}/HeartbeatSeconds"), "HeartbeatSeconds must be smaller than TimeoutSeconds");
            }
        }
        StateKind::Task(Box::new(Task {
            resource,
            resource_kind,
            pattern,
            parameters: obj.get("Parameters").map(|p| self.template(p, &format!("{loc}/Parameters"))),
            result_selector: obj.get("ResultSelector").map(|p| self.template(p, &format!("{loc}/ResultSelector"))),
            result_path: self.result_path(obj, loc),
            timeout,
            heartbeat,
            retry: self.retriers(obj, loc),
            catch: self.catchers(obj, loc, names),
        }))
    }

    fn map_state(
        &mut self,
        obj: &JsonMap<String, Value>,
        loc: &str,
        names: &HashMap<String, StateId>,
        ql: QueryLanguage,
    ) -> StateKind {
        let (proc_field, proc) = match (obj.get("ItemProcessor"), obj.get("Iterator")) {
            (Some(p), None) => ("ItemProcessor", Some(p)),
            (None, Some(p)) => ("Iterator", Some(p)),
            (Some(_), Some(_)) => {
                self.err(loc, "The fields 'ItemProcessor' and 'Iterator' are mutually exclusive");
                ("ItemProcessor", None)
            }
            (None, None) => {
                self.err(loc, "These fields are required: [ItemProcessor]");
                ("ItemProcessor", None)
            }
        };
        let mut distributed = false;
        let processor = match proc.and_then(Value::as_object) {
            Some(p) => {
                if let Some(cfg) = p.get("ProcessorConfig") {
                    match cfg.get("Mode").and_then(Value::as_str) {
                        Some("DISTRIBUTED") => distributed = true,
                        Some("INLINE") | None => {}
                        Some(m) => self.err(
                            format!("{loc}/{proc_field}/ProcessorConfig/Mode"),
                            format!("'{m}' is not a valid mode (INLINE, DISTRIBUTED)"),
                        ),
                    }
                }
                self.compile_machine(p, &format!("{loc}/{proc_field}"), ql, false)
            }
            None => {
                if proc.is_some() {
                    self.err(format!("{loc}/{proc_field}"), format!("The field '{proc_field}' must be an OBJECT"));
                }
                0
            }
        };
        if obj.contains_key("ItemSelector") && obj.contains_key("Parameters") {
            self.err(loc, "The fields 'ItemSelector' and 'Parameters' are mutually exclusive");
        }
        let item_selector = obj
            .get("ItemSelector")
            .or_else(|| obj.get("Parameters"))
            .map(|p| self.template(p, &format!("{loc}/ItemSelector")));
        let item_batcher = obj.get("ItemBatcher").map(|b| {
            let bloc = format!("{loc}/ItemBatcher");
            let bo = b.as_object().cloned().unwrap_or_default();
            ItemBatcher {
                max_items: self.number_source(&bo, "MaxItemsPerBatch", &bloc, 0.0),
                max_bytes: self.number_source(&bo, "MaxInputBytesPerBatch", &bloc, 0.0),
                batch_input: bo.get("BatchInput").map(|t| self.template(t, &format!("{bloc}/BatchInput"))),
            }
        });
        let items = obj.get("Items").map(|t| self.template(t, &format!("{loc}/Items")));
        StateKind::Map(Box::new(Map {
            processor,
            items_path: self.io_path(obj, "ItemsPath", loc),
            items,
            item_selector,
            item_batcher,
            max_concurrency: self.number_source(obj, "MaxConcurrency", loc, 0.0),
            tolerated_failure_count: self.number_source(obj, "ToleratedFailureCount", loc, f64::MIN),
            tolerated_failure_percentage: self.number_source(obj, "ToleratedFailurePercentage", loc, f64::MIN),
            result_selector: obj.get("ResultSelector").map(|p| self.template(p, &format!("{loc}/ResultSelector"))),
            result_path: self.result_path(obj, loc),
            retry: self.retriers(obj, loc),
            catch: self.catchers(obj, loc, names),
            distributed,
        }))
    }
}

/// Classifies a Task `Resource` ARN.
pub fn parse_resource(arn: &str) -> Option<(ResourceKind, IntegrationPattern)> {
    let parts: Vec<&str> = arn.splitn(7, ':').collect();
    if parts.len() < 6 || parts[0] != "arn" {
        return None;
    }
    match (parts[2], parts.get(5).copied()) {
        ("lambda", Some("function")) if parts.len() >= 7 => {
            Some((ResourceKind::LambdaFunction, IntegrationPattern::RequestResponse))
        }
        ("states", Some("activity")) if parts.len() >= 7 => {
            Some((ResourceKind::Activity, IntegrationPattern::RequestResponse))
        }
        ("states", Some(service)) if parts[3].is_empty() && parts[4].is_empty() => {
            let api = parts.get(6).copied().unwrap_or("");
            let (api, pattern) = if let Some(a) = api.strip_suffix(".sync:2") {
                (a, IntegrationPattern::Sync)
            } else if let Some(a) = api.strip_suffix(".sync") {
                (a, IntegrationPattern::Sync)
            } else if let Some(a) = api.strip_suffix(".waitForTaskToken") {
                (a, IntegrationPattern::WaitForTaskToken)
            } else {
                (api, IntegrationPattern::RequestResponse)
            };
            if service.is_empty() || api.is_empty() {
                return None;
            }
            Some((ResourceKind::Service { service: service.to_string(), api: api.to_string() }, pattern))
        }
        _ => None,
    }
}
