//! Map: items, item processor, concurrency and tolerated failures.

use crate::model::compile::Compiler;
use crate::model::machine::*;
use serde_json::{Map as JsonMap, Value};
use std::collections::HashMap;

impl Compiler {
    pub(super) fn map_state(
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
        let config = proc.and_then(|p| p.get("ProcessorConfig"));

        let processor = match proc.and_then(Value::as_object) {
            Some(p) => {
                if let Some(cfg) = config {
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
        let run = self.map_mode_fields(obj, loc, proc_field, proc, distributed, ql);
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
            run,
        }))
    }
}
