//! Which Map fields each processing mode may carry, and the Distributed Map's own fields
//! (`Label`, `ExecutionType`, `ItemReader`, `ResultWriter`). Fields that only a
//! Distributed Map has are refused on an inline Map: a definition must never validate and
//! then behave differently from AWS because a field was dropped on the floor.

use crate::model::compile::Compiler;
use crate::model::machine::{Distributed, IoResource, QueryLanguage, ResourceArgs};
use crate::model::NumberSource;
use serde_json::{Map as JsonMap, Value};
use std::sync::Arc;

/// Fields AWS defines for Distributed Maps only. `ToleratedFailure*` is not here: AWS runs
/// inline Maps that set it (recorded in the conformance corpus), and so does Stepline.
const DISTRIBUTED_ONLY: &[&str] = &["ItemReader", "ResultWriter", "ItemBatcher", "Label"];

/// The resources an `ItemReader` reads from.
pub const READER_RESOURCES: &[&str] = &["arn:aws:states:::s3:getObject", "arn:aws:states:::s3:listObjectsV2"];
/// The resource a `ResultWriter` writes to.
pub const WRITER_RESOURCE: &str = "arn:aws:states:::s3:putObject";

/// Characters AWS refuses in a `Label` (it names ARNs).
const LABEL_FORBIDDEN: &str = " <>{}[]?*\"#%\\^|~`$&,;:/";

impl Compiler {
    /// Labels name Map Runs and their children's state machine: two Distributed Maps of
    /// one definition may not share one (explicit, or made from their state names).
    pub(in crate::model::compile) fn check_map_labels(&mut self) {
        let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
        let mut clashes = Vec::new();
        for st in &self.states {
            let crate::model::StateKind::Map(m) = &st.kind else { continue };
            let Some(run) = &m.run else { continue };
            let label = run.label_of(&st.name);
            match seen.get(&label) {
                Some(other) => clashes.push((st.name.to_string(), other.clone(), label)),
                None => {
                    seen.insert(label, st.name.to_string());
                }
            }
        }
        for (state, other, label) in clashes {
            self.err(
                format!("/States/{state}"),
                format!("The Distributed Maps '{other}' and '{state}' would both label their Map Runs '{label}': give them different Labels"),
            );
        }
    }

    /// Reports the mode rules of one Map state at `loc` and compiles a Distributed Map's
    /// own fields. `config` is the processor's `ProcessorConfig` (under `proc_field`,
    /// `ItemProcessor` or the legacy `Iterator`).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn map_mode_fields(
        &mut self,
        obj: &JsonMap<String, Value>,
        loc: &str,
        proc_field: &str,
        proc: Option<&Value>,
        distributed: bool,
        ql: QueryLanguage,
    ) -> Option<Box<Distributed>> {
        let config = proc.and_then(|p| p.get("ProcessorConfig"));
        let config_loc = format!("{loc}/{proc_field}/ProcessorConfig");
        let execution_type = config.and_then(|c| c.get("ExecutionType"));
        for k in config.and_then(Value::as_object).map(|c| c.keys().collect::<Vec<_>>()).unwrap_or_default() {
            if k != "Mode" && k != "ExecutionType" {
                self.err(format!("{config_loc}/{k}"), format!("Field '{k}' is not supported"));
            }
        }
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
            return None;
        }
        let express = match execution_type.map(|t| t.as_str()) {
            None | Some(Some("STANDARD")) => false,
            Some(Some("EXPRESS")) => true,
            Some(_) => {
                self.err(format!("{config_loc}/ExecutionType"), "'ExecutionType' must be one of [STANDARD, EXPRESS]");
                false
            }
        };
        if express && self.express_machine_has_callbacks(proc) {
            self.err(
                format!("{config_loc}/ExecutionType"),
                "EXPRESS child executions cannot wait for a callback (.waitForTaskToken) or run an activity",
            );
        }
        let label = match obj.get("Label") {
            None => None,
            Some(Value::String(s)) => {
                if s.is_empty() || s.chars().count() > 40 {
                    self.err(format!("{loc}/Label"), "The field 'Label' must be 1 to 40 characters long");
                } else if let Some(c) = s.chars().find(|c| LABEL_FORBIDDEN.contains(*c) || c.is_control()) {
                    self.err(format!("{loc}/Label"), format!("The field 'Label' may not contain {c:?}"));
                }
                Some(s.clone())
            }
            Some(_) => {
                self.err(format!("{loc}/Label"), "The field 'Label' must be a STRING");
                None
            }
        };
        let item_reader = obj.get("ItemReader").map(|r| self.io_resource(r, &format!("{loc}/ItemReader"), ql, true));
        let result_writer =
            obj.get("ResultWriter").map(|r| self.io_resource(r, &format!("{loc}/ResultWriter"), ql, false));
        if item_reader.is_some() && (obj.contains_key("ItemsPath") || obj.contains_key("Items")) {
            self.err(loc, "The fields 'ItemReader' and 'ItemsPath' (or 'Items') are mutually exclusive");
        }
        // The processor as a definition of its own: the query language it inherits is
        // written into it, its ProcessorConfig (the parent's business) left out.
        let mut definition = proc.and_then(Value::as_object).cloned().unwrap_or_default();
        definition.remove("ProcessorConfig");
        if ql == QueryLanguage::JsonAta && !definition.contains_key("QueryLanguage") {
            definition.insert("QueryLanguage".into(), Value::String("JSONata".into()));
        }
        Some(Box::new(Distributed {
            label,
            express,
            processor_definition: Arc::new(Value::Object(definition)),
            item_reader,
            result_writer,
        }))
    }

    /// Whether an item processor has a state EXPRESS cannot run (a callback or an activity).
    fn express_machine_has_callbacks(&self, proc: Option<&Value>) -> bool {
        let text = proc.map(Value::to_string).unwrap_or_default();
        text.contains(".waitForTaskToken") || text.contains(":activity:")
    }

    /// Compiles an `ItemReader` (`reader`) or `ResultWriter` at `loc`.
    fn io_resource(&mut self, v: &Value, loc: &str, ql: QueryLanguage, reader: bool) -> Box<IoResource> {
        let o = v.as_object().cloned().unwrap_or_else(|| {
            self.err(loc, "The field must be an OBJECT");
            JsonMap::new()
        });
        let (config_field, args_field) = match (reader, ql) {
            (true, QueryLanguage::JsonPath) => ("ReaderConfig", "Parameters"),
            (true, QueryLanguage::JsonAta) => ("ReaderConfig", "Arguments"),
            (false, QueryLanguage::JsonPath) => ("WriterConfig", "Parameters"),
            (false, QueryLanguage::JsonAta) => ("WriterConfig", "Arguments"),
        };
        for k in o.keys() {
            if !matches!(k.as_str(), "Resource") && k != config_field && k != args_field {
                self.err(format!("{loc}/{k}"), format!("Field '{k}' is not supported"));
            }
        }
        let resource = match o.get("Resource") {
            Some(Value::String(r)) => {
                let known = if reader { READER_RESOURCES.contains(&r.as_str()) } else { r == WRITER_RESOURCE };
                if !known {
                    let allowed = if reader { READER_RESOURCES.join(", ") } else { WRITER_RESOURCE.to_string() };
                    self.err(format!("{loc}/Resource"), format!("'{r}' is not a supported resource here ({allowed})"));
                }
                r.clone()
            }
            Some(_) => {
                self.err(format!("{loc}/Resource"), "The field 'Resource' must be a STRING");
                String::new()
            }
            // A ResultWriter with only a WriterConfig shapes the state output, writes nothing.
            None if !reader && o.contains_key(config_field) => String::new(),
            None => {
                self.err(loc, "These fields are required: [Resource]");
                String::new()
            }
        };
        // Arguments Stepline would not pass on are refused, not dropped.
        let known: &[&str] = match (reader, resource.rsplit(':').next().unwrap_or_default()) {
            (true, "getObject") => &["Bucket", "Key"],
            (true, _) => &["Bucket", "Prefix"],
            (false, _) => &["Bucket", "Prefix"],
        };
        if let Some(Value::Object(args)) = o.get(args_field) {
            for k in args.keys() {
                let name = k.strip_suffix(".$").unwrap_or(k);
                if !known.contains(&name) {
                    self.err(
                        format!("{loc}/{args_field}/{k}"),
                        format!("Field '{name}' is not supported here (only {})", known.join(", ")),
                    );
                }
            }
        }
        let arguments = o.get(args_field).map(|a| match ql {
            QueryLanguage::JsonPath => ResourceArgs::Path(self.template(a, &format!("{loc}/{args_field}"))),
            QueryLanguage::JsonAta => ResourceArgs::Ata(crate::model::jsonata::Jt::compile(
                a,
                &format!("{loc}/{args_field}"),
                &mut self.diags,
            )),
        });
        let config = match o.get(config_field) {
            None => JsonMap::new(),
            Some(Value::Object(c)) => c.clone(),
            Some(_) => {
                self.err(format!("{loc}/{config_field}"), format!("The field '{config_field}' must be an OBJECT"));
                JsonMap::new()
            }
        };
        let cloc = format!("{loc}/{config_field}");
        let max_items = if reader { self.reader_config(&config, &cloc, &resource) } else { None };
        if !reader {
            self.writer_config(&config, &cloc);
        }
        Box::new(IoResource { resource, arguments, config, max_items })
    }

    fn reader_config(&mut self, c: &JsonMap<String, Value>, loc: &str, resource: &str) -> Option<NumberSource> {
        for k in c.keys() {
            if !matches!(
                k.as_str(),
                "InputType" | "CSVHeaderLocation" | "CSVHeaders" | "CSVDelimiter" | "MaxItems" | "MaxItemsPath"
            ) {
                self.err(format!("{loc}/{k}"), format!("Field '{k}' is not supported"));
            }
        }
        let input_type = c.get("InputType").and_then(Value::as_str);
        match input_type {
            None if resource.ends_with("getObject") => {
                self.err(loc, "These fields are required: [InputType]");
            }
            None | Some("CSV" | "JSON" | "JSONL" | "MANIFEST") => {}
            Some(t) => self.err(
                format!("{loc}/InputType"),
                format!("'{t}' is not a supported InputType (CSV, JSON, JSONL, MANIFEST)"),
            ),
        }
        match c.get("CSVHeaderLocation").and_then(Value::as_str) {
            None | Some("FIRST_ROW") => {}
            Some("GIVEN") if c.get("CSVHeaders").is_some_and(Value::is_array) => {}
            Some("GIVEN") => self.err(loc, "CSVHeaderLocation GIVEN needs CSVHeaders, an array of strings"),
            Some(o) => self.err(format!("{loc}/CSVHeaderLocation"), format!("'{o}' is not FIRST_ROW or GIVEN")),
        }
        if let Some(h) = c.get("CSVHeaders") {
            if !h.as_array().is_some_and(|a| a.iter().all(Value::is_string)) {
                self.err(format!("{loc}/CSVHeaders"), "CSVHeaders must be an array of strings");
            }
        }
        match c.get("CSVDelimiter").and_then(Value::as_str) {
            None | Some("COMMA" | "PIPE" | "SEMICOLON" | "SPACE" | "TAB") => {}
            Some(d) => self.err(
                format!("{loc}/CSVDelimiter"),
                format!("'{d}' is not a supported CSVDelimiter (COMMA, PIPE, SEMICOLON, SPACE, TAB)"),
            ),
        }
        if input_type != Some("CSV") && (c.contains_key("CSVHeaders") || c.contains_key("CSVHeaderLocation")) {
            self.err(loc, "CSV settings need InputType CSV");
        }
        self.number_source(c, "MaxItems", loc, 0.0)
    }

    fn writer_config(&mut self, c: &JsonMap<String, Value>, loc: &str) {
        for (k, v) in c {
            let ok = match k.as_str() {
                "OutputType" => matches!(v.as_str(), Some("JSON" | "JSONL")),
                "Transformation" => matches!(v.as_str(), Some("NONE" | "COMPACT" | "FLATTEN")),
                _ => {
                    self.err(format!("{loc}/{k}"), format!("Field '{k}' is not supported"));
                    continue;
                }
            };
            if !ok {
                let allowed = if k == "OutputType" { "JSON, JSONL" } else { "NONE, COMPACT, FLATTEN" };
                self.err(format!("{loc}/{k}"), format!("{v} is not one of {allowed}"));
            }
        }
    }
}
