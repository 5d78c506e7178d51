//! Task: its resource, timeouts, heartbeat, Retry and Catch.

use crate::diagnostics::{codes, Diagnostic};
use crate::model::compile::Compiler;
use crate::model::machine::*;
use crate::model::resource::{parse_resource, IntegrationPattern, ResourceKind, TaskTarget};
use serde_json::{Map as JsonMap, Value};
use std::collections::HashMap;

impl Compiler {
    pub(super) fn task_state(
        &mut self,
        obj: &JsonMap<String, Value>,
        loc: &str,
        names: &HashMap<String, StateId>,
    ) -> StateKind {
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
            target: TaskTarget::new(&resource, resource_kind, pattern),
            resource,
            parameters: obj.get("Parameters").map(|p| self.template(p, &format!("{loc}/Parameters"))),
            result_selector: obj.get("ResultSelector").map(|p| self.template(p, &format!("{loc}/ResultSelector"))),
            result_path: self.result_path(obj, loc),
            timeout,
            heartbeat,
            retry: self.retriers(obj, loc),
            catch: self.catchers(obj, loc, names),
        }))
    }
}
