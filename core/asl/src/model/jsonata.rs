//! The JSONata query language in a state: `{% expression %}` strings inside `Arguments`,
//! `Output`, `Assign`, `Items`, `Condition` and the numeric fields, compiled once.

use crate::diagnostics::{codes, Diagnostic};
use serde_json::{Map, Value};
use stepline_jsonata::{self as jsonata, Bindings, Env};

/// A JSON value whose strings may be `{% ... %}` expressions.
#[derive(Debug, Clone)]
pub enum Jt {
    Literal(Value),
    Expr(Box<JExpr>),
    Object(Vec<(String, Jt)>),
    Array(Vec<Jt>),
}

#[derive(Debug, Clone)]
pub struct JExpr {
    pub expr: jsonata::Expr,
    /// The expression as written between `{%` and `%}`, trimmed, for error messages.
    pub text: String,
}

/// Why an evaluation failed: AWS reports these as `States.QueryEvaluationError`.
pub type JtError = String;

/// The text inside `{% ... %}`, if `s` is an expression string. As in AWS, the string
/// must begin with `{%` and end with `%}` exactly: `" {% x %} "` is a plain string.
pub fn expression_text(s: &str) -> Option<&str> {
    s.strip_prefix("{%").and_then(|r| r.strip_suffix("%}")).map(str::trim)
}

impl Jt {
    pub fn compile(v: &Value, location: &str, diags: &mut Vec<Diagnostic>) -> Jt {
        match v {
            Value::String(s) => match expression_text(s) {
                Some(text) => match jsonata::parse(text) {
                    Ok(expr) => Jt::Expr(Box::new(JExpr { expr, text: text.to_string() })),
                    Err(e) => {
                        diags.push(Diagnostic::error(
                            codes::SCHEMA,
                            location,
                            format!("The JSONata expression '{text}' is not valid: {e}"),
                        ));
                        Jt::Literal(Value::Null)
                    }
                },
                None => Jt::Literal(v.clone()),
            },
            Value::Object(o) if has_expression(v) => Jt::Object(
                o.iter()
                    .map(|(k, x)| {
                        (
                            k.clone(),
                            Jt::compile(x, &format!("{location}/{}", super::template::escape_pointer(k)), diags),
                        )
                    })
                    .collect(),
            ),
            Value::Array(a) if has_expression(v) => Jt::Array(
                a.iter().enumerate().map(|(i, x)| Jt::compile(x, &format!("{location}/{i}"), diags)).collect(),
            ),
            _ => Jt::Literal(v.clone()),
        }
    }

    /// Evaluates the template. `field` names it in errors (`Output`, `Assign/result`).
    pub fn eval(&self, field: &str, input: &Value, vars: &dyn Bindings, env: &mut Env<'_>) -> Result<Value, JtError> {
        self.eval_at(&FieldPath { parent: None, name: field }, input, vars, env)
    }

    fn eval_at(
        &self,
        field: &FieldPath<'_>,
        input: &Value,
        vars: &dyn Bindings,
        env: &mut Env<'_>,
    ) -> Result<Value, JtError> {
        match self {
            Jt::Literal(v) => Ok(v.clone()),
            Jt::Expr(e) => match e.expr.eval(input, vars, env) {
                Ok(Some(v)) => Ok(v),
                Ok(None) => Err(format!(
                    "The JSONata expression '{}' specified for the field '{field}' returned nothing (undefined).",
                    e.text
                )),
                Err(err) => Err(format!(
                    "The JSONata expression '{}' specified for the field '{field}' threw an error during evaluation: {err}",
                    e.text
                )),
            },
            Jt::Object(fields) => {
                let mut out = Map::with_capacity(fields.len());
                for (k, t) in fields {
                    out.insert(k.clone(), t.eval_at(&FieldPath { parent: Some(field), name: k }, input, vars, env)?);
                }
                Ok(Value::Object(out))
            }
            Jt::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, t) in items.iter().enumerate() {
                    let index = i.to_string();
                    out.push(t.eval_at(&FieldPath { parent: Some(field), name: &index }, input, vars, env)?);
                }
                Ok(Value::Array(out))
            }
        }
    }

    /// The source text, for messages about the whole field (`Items`).
    pub fn text(&self) -> String {
        match self {
            Jt::Expr(e) => e.text.clone(),
            Jt::Literal(v) => v.to_string(),
            _ => String::new(),
        }
    }
}

/// Where a value sits in a field (`Output/result`), built only when an error names it.
struct FieldPath<'a> {
    parent: Option<&'a FieldPath<'a>>,
    name: &'a str,
}

impl std::fmt::Display for FieldPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(p) = self.parent {
            write!(f, "{p}/")?;
        }
        f.write_str(self.name)
    }
}

fn has_expression(v: &Value) -> bool {
    match v {
        Value::String(s) => expression_text(s).is_some(),
        Value::Object(o) => o.values().any(has_expression),
        Value::Array(a) => a.iter().any(has_expression),
        _ => false,
    }
}

/// A Choice rule in the JSONata language.
#[derive(Debug, Clone)]
pub struct JChoice {
    pub condition: Jt,
    pub output: Option<Jt>,
    pub assign: Option<Jt>,
}

/// A catcher's JSONata fields, by catcher index.
#[derive(Debug, Clone, Default)]
pub struct JCatch {
    pub output: Option<Jt>,
    pub assign: Option<Jt>,
}

/// Everything a JSONata state evaluates.
#[derive(Debug, Clone, Default)]
pub struct JsonataFields {
    pub arguments: Option<Jt>,
    pub output: Option<Jt>,
    pub assign: Option<Jt>,
    pub items: Option<Jt>,
    pub item_selector: Option<Jt>,
    pub seconds: Option<Jt>,
    pub timestamp: Option<Jt>,
    pub timeout_seconds: Option<Jt>,
    pub heartbeat_seconds: Option<Jt>,
    pub max_concurrency: Option<Jt>,
    pub tolerated_failure_count: Option<Jt>,
    pub tolerated_failure_percentage: Option<Jt>,
    pub error: Option<Jt>,
    pub cause: Option<Jt>,
    pub choices: Vec<JChoice>,
    pub catch: Vec<JCatch>,
}

/// Fields that may hold an expression in place of a number or string; they are taken
/// out of the state before the shared structural compile and evaluated at run time.
const EXPRESSION_FIELDS: &[&str] = &[
    "Items",
    "ItemSelector",
    "Seconds",
    "Timestamp",
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "MaxConcurrency",
    "ToleratedFailureCount",
    "ToleratedFailurePercentage",
    "Error",
    "Cause",
];

/// Splits a JSONata state into its JSONata fields and a structural copy (transitions,
/// Retry, Catch targets, branches) that the common compiler handles.
pub fn split_state(
    obj: &Map<String, Value>,
    loc: &str,
    diags: &mut Vec<Diagnostic>,
) -> (Map<String, Value>, JsonataFields) {
    let mut rest = obj.clone();
    let mut j = JsonataFields::default();
    let take = |rest: &mut Map<String, Value>, field: &str, diags: &mut Vec<Diagnostic>| -> Option<Jt> {
        rest.remove(field).map(|v| Jt::compile(&v, &format!("{loc}/{field}"), diags))
    };
    j.arguments = take(&mut rest, "Arguments", diags);
    j.output = take(&mut rest, "Output", diags);
    j.assign = take(&mut rest, "Assign", diags);
    for f in EXPRESSION_FIELDS {
        let is_expr = rest.get(*f).is_some_and(has_expression);
        let keep_literal = matches!(*f, "TimeoutSeconds" | "HeartbeatSeconds" | "Seconds") && !is_expr;
        if keep_literal {
            continue;
        }
        let t = take(&mut rest, f, diags);
        match *f {
            "Items" => j.items = t,
            "ItemSelector" => j.item_selector = t,
            "Seconds" => j.seconds = t,
            "Timestamp" => j.timestamp = t,
            "TimeoutSeconds" => j.timeout_seconds = t,
            "HeartbeatSeconds" => j.heartbeat_seconds = t,
            "MaxConcurrency" => j.max_concurrency = t,
            "ToleratedFailureCount" => j.tolerated_failure_count = t,
            "ToleratedFailurePercentage" => j.tolerated_failure_percentage = t,
            "Error" => j.error = t,
            "Cause" => j.cause = t,
            _ => {}
        }
    }
    if rest.get("Type").and_then(Value::as_str) == Some("Wait") && (j.seconds.is_some() || j.timestamp.is_some()) {
        // The structural compile only needs to know the state waits.
        rest.insert("Seconds".into(), Value::from(0));
    }
    if let Some(Value::Array(choices)) = rest.get_mut("Choices") {
        for (i, c) in choices.iter_mut().enumerate() {
            let cloc = format!("{loc}/Choices/{i}");
            let Some(co) = c.as_object_mut() else { continue };
            let condition = match co.remove("Condition") {
                Some(v) => Jt::compile(&v, &format!("{cloc}/Condition"), diags),
                None => {
                    diags.push(Diagnostic::schema(&cloc, "These fields are required: [Condition]"));
                    Jt::Literal(Value::Bool(false))
                }
            };
            let output = co.remove("Output").map(|v| Jt::compile(&v, &format!("{cloc}/Output"), diags));
            let assign = co.remove("Assign").map(|v| Jt::compile(&v, &format!("{cloc}/Assign"), diags));
            // A rule the shared Choice compiler accepts; the condition decides at run time.
            co.insert("Variable".into(), Value::String("$".into()));
            co.insert("IsPresent".into(), Value::Bool(true));
            j.choices.push(JChoice { condition, output, assign });
        }
    }
    if let Some(Value::Array(catchers)) = rest.get_mut("Catch") {
        for (i, c) in catchers.iter_mut().enumerate() {
            let cloc = format!("{loc}/Catch/{i}");
            let Some(co) = c.as_object_mut() else { continue };
            let output = co.remove("Output").map(|v| Jt::compile(&v, &format!("{cloc}/Output"), diags));
            let assign = co.remove("Assign").map(|v| Jt::compile(&v, &format!("{cloc}/Assign"), diags));
            j.catch.push(JCatch { output, assign });
        }
    }
    (rest, j)
}
