//! Pass: a fixed result or parameters, placed by `ResultPath`.

use crate::model::compile::Compiler;
use crate::model::machine::*;
use serde_json::{Map as JsonMap, Value};

impl Compiler {
    pub(super) fn pass_state(&mut self, obj: &JsonMap<String, Value>, loc: &str) -> StateKind {
        StateKind::Pass {
            result: obj.get("Result").cloned(),
            parameters: obj.get("Parameters").map(|p| self.template(p, &format!("{loc}/Parameters"))),
            result_path: self.result_path(obj, loc),
        }
    }
}
