//! Paths, reference paths, numbers given directly or by path, and transitions (`Next`/`End`).

use super::Compiler;
use crate::diagnostics::{codes, Diagnostic};
use crate::model::machine::*;
use crate::model::template::CompileIssue;
use crate::model::template::Template;
use crate::path;
use crate::path::JsonPath;
use serde_json::{Map as JsonMap, Value};
use std::collections::HashMap;

impl Compiler {
    pub(super) fn template(&mut self, v: &Value, loc: &str) -> Template {
        let mut issues: Vec<CompileIssue> = Vec::new();
        let t = Template::compile(v, loc, &mut issues);
        for i in issues {
            self.diags.push(Diagnostic::error(i.code, i.location, i.message));
        }
        t
    }

    pub(super) fn path_field(&mut self, obj: &JsonMap<String, Value>, field: &str, loc: &str) -> Option<JsonPath> {
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

    pub(super) fn io_path(&mut self, obj: &JsonMap<String, Value>, field: &str, loc: &str) -> IoPath {
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

    pub(super) fn result_path(&mut self, obj: &JsonMap<String, Value>, loc: &str) -> ResultPath {
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

    pub(super) fn number_source(
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

    pub(super) fn transition(
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

    pub(super) fn target(&mut self, name: &str, loc: &str, names: &HashMap<String, StateId>) -> Option<StateId> {
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
}
