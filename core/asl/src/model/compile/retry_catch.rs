//! `Retry` and `Catch`: error-name lists, retriers and catchers.

use super::Compiler;
use crate::error_names;
use crate::model::machine::*;
use serde_json::{Map as JsonMap, Value};
use std::collections::HashMap;

impl Compiler {
    pub(super) fn error_names(&mut self, v: Option<&Value>, loc: &str) -> Vec<String> {
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
        if names.iter().any(|n| n == error_names::ALL) && names.len() > 1 {
            self.err(loc, "'States.ALL' must appear alone in 'ErrorEquals'");
        }
        names
    }

    pub(super) fn retriers(&mut self, obj: &JsonMap<String, Value>, loc: &str) -> Vec<Retrier> {
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
            if i + 1 < arr.len() && error_equals.iter().any(|e| e == error_names::ALL) {
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

    pub(super) fn catchers(
        &mut self,
        obj: &JsonMap<String, Value>,
        loc: &str,
        names: &HashMap<String, StateId>,
    ) -> Vec<Catcher> {
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
            if i + 1 < arr.len() && error_equals.iter().any(|e| e == error_names::ALL) {
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
}
