//! Which Map fields each processing mode may carry. Fields that only a Distributed Map
//! has are refused on an inline Map, and Distributed Map fields the interpreter does not
//! run yet are refused too: a definition must never validate and then behave differently
//! from AWS because a field was dropped on the floor.

use crate::model::compile::Compiler;
use serde_json::{Map as JsonMap, Value};

/// Fields AWS defines for Distributed Maps only. `ToleratedFailure*` is not here: AWS runs
/// inline Maps that set it (recorded in the conformance corpus), and so does Stepline.
const DISTRIBUTED_ONLY: &[&str] = &["ItemReader", "ResultWriter", "ItemBatcher", "Label"];

/// Distributed Map fields Stepline accepts in the language but does not run yet, with why.
/// `ItemBatcher`, `MaxConcurrency`, `ItemSelector` and `ToleratedFailure*` are run and
/// stay out of this list.
const NOT_RUN_YET: &[(&str, &str)] = &[
    ("ItemReader", "ItemReader is not supported yet: Distributed Map runs over the state input only"),
    (
        "ResultWriter",
        "ResultWriter is not supported yet: Distributed Map returns its results as the state output and writes nothing",
    ),
    ("Label", "Label is not supported yet: Distributed Map creates no Map Run or child execution names to label"),
];

impl Compiler {
    /// Reports the mode rules of one Map state at `loc`. `config` is the processor's
    /// `ProcessorConfig` (under `proc_field`, `ItemProcessor` or the legacy `Iterator`).
    pub(super) fn map_mode_fields(
        &mut self,
        obj: &JsonMap<String, Value>,
        loc: &str,
        proc_field: &str,
        config: Option<&Value>,
        distributed: bool,
    ) {
        let config_loc = format!("{loc}/{proc_field}/ProcessorConfig");
        let execution_type = config.and_then(|c| c.get("ExecutionType"));
        if !distributed {
            for field in DISTRIBUTED_ONLY.iter().filter(|f| obj.contains_key(**f)) {
                self.err(
                    format!("{loc}/{field}"),
                    format!("The field '{field}' is only supported when ProcessorConfig Mode is DISTRIBUTED"),
                );
            }
            if execution_type.is_some() {
                self.err(
                    format!("{config_loc}/ExecutionType"),
                    "The field 'ExecutionType' is only supported when ProcessorConfig Mode is DISTRIBUTED",
                );
            }
            return;
        }
        for (field, why) in NOT_RUN_YET.iter().filter(|(f, _)| obj.contains_key(*f)) {
            self.err(format!("{loc}/{field}"), *why);
        }
        match execution_type.map(|t| t.as_str()) {
            None | Some(Some("STANDARD")) => {}
            Some(Some("EXPRESS")) => self.err(
                format!("{config_loc}/ExecutionType"),
                "ExecutionType EXPRESS is not supported yet: Distributed Map child executions run as STANDARD",
            ),
            Some(_) => {
                self.err(format!("{config_loc}/ExecutionType"), "'ExecutionType' must be one of [STANDARD, EXPRESS]")
            }
        }
    }
}
