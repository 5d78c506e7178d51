//! Fail: `Error`/`Cause`, given directly or by path.

use crate::diagnostics::{codes, Diagnostic};
use crate::intrinsics;
use crate::model::compile::Compiler;
use crate::model::machine::*;
use serde_json::{Map as JsonMap, Value};

impl Compiler {
    pub(super) fn fail_state(&mut self, obj: &JsonMap<String, Value>, loc: &str) -> StateKind {
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
}
