//! Payload templates (`Parameters`, `ResultSelector`, `ItemSelector`, `Assign`): JSON with
//! `"key.$"` fields whose values are paths or intrinsic calls, compiled once.

use crate::entropy::Entropy;
use crate::error_names;
use crate::intrinsics::{self, Intrinsic, IntrinsicError};
use crate::path::{self, JsonPath, PathError, Scope};
use serde_json::{Map, Value};

#[derive(Debug, Clone)]
pub enum Template {
    /// A value with no dynamic part, returned as is.
    Literal(Value),
    Object(Vec<(String, Field)>),
    Array(Vec<Template>),
}

#[derive(Debug, Clone)]
pub enum Field {
    Static(Template),
    Path(JsonPath),
    Intrinsic(Box<Intrinsic>),
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TemplateError {
    /// `field` is as AWS names it: `key.$` in a template, `ErrorPath` in a Fail state.
    #[error("The JSONPath '{path}' specified for the field '{field}' could not be found in the input '{input}'")]
    PathNotFound { path: String, field: String, input: String },
    #[error("{0}")]
    Path(#[from] PathError),
    #[error("{0}")]
    Intrinsic(#[from] IntrinsicError),
}

impl TemplateError {
    pub fn error_name(&self) -> &'static str {
        match self {
            TemplateError::Intrinsic(e) => e.error_name(),
            _ => error_names::RUNTIME,
        }
    }
}

/// Why a template could not be compiled, with the JSON pointer of the field.
#[derive(Debug, Clone)]
pub struct CompileIssue {
    pub location: String,
    pub message: String,
    pub code: &'static str,
}

impl Template {
    /// Compiles `v`; `location` is the pointer of `v` in the definition.
    pub fn compile(v: &Value, location: &str, issues: &mut Vec<CompileIssue>) -> Template {
        match v {
            Value::Object(o) => {
                if !has_dynamic(v) {
                    return Template::Literal(v.clone());
                }
                let mut fields = Vec::with_capacity(o.len());
                for (k, val) in o {
                    let loc = format!("{location}/{}", escape_pointer(k));
                    if let Some(name) = k.strip_suffix(".$") {
                        let Some(text) = val.as_str() else {
                            issues.push(CompileIssue {
                                location: loc,
                                message: format!("The value for the field '{k}' must be a STRING that contains a JSONPath or an intrinsic function"),
                                code: crate::diagnostics::codes::SCHEMA,
                            });
                            continue;
                        };
                        if intrinsics::is_intrinsic(text) {
                            match intrinsics::parse(text) {
                                Ok(f) => fields.push((name.to_string(), Field::Intrinsic(Box::new(f)))),
                                Err(e) => issues.push(CompileIssue {
                                    location: loc,
                                    message: format!(
                                        "The value for the field '{k}' must be a valid intrinsic function call: {}",
                                        e.detail()
                                    ),
                                    code: crate::diagnostics::codes::INVALID_INTRINSIC,
                                }),
                            }
                        } else {
                            match path::parse(text) {
                                Ok(p) => fields.push((name.to_string(), Field::Path(p))),
                                Err(e) => issues.push(CompileIssue {
                                    location: loc,
                                    message: format!("The value for the field '{k}' must be a valid JSONPath or a valid intrinsic function call: {}", e.detail()),
                                    code: crate::diagnostics::codes::INVALID_PATH,
                                }),
                            }
                        }
                    } else {
                        fields.push((k.clone(), Field::Static(Template::compile(val, &loc, issues))));
                    }
                }
                Template::Object(fields)
            }
            Value::Array(a) if has_dynamic(v) => Template::Array(
                a.iter().enumerate().map(|(i, x)| Template::compile(x, &format!("{location}/{i}"), issues)).collect(),
            ),
            _ => Template::Literal(v.clone()),
        }
    }

    /// Builds the payload for one evaluation.
    pub fn eval(&self, scope: &Scope<'_>, rng: &mut dyn Entropy) -> Result<Value, TemplateError> {
        match self {
            Template::Literal(v) => Ok(v.clone()),
            Template::Array(items) => {
                items.iter().map(|t| t.eval(scope, rng)).collect::<Result<Vec<_>, _>>().map(Value::Array)
            }
            Template::Object(fields) => {
                let mut out = Map::with_capacity(fields.len());
                for (k, f) in fields {
                    let v = match f {
                        Field::Static(t) => t.eval(scope, rng)?,
                        Field::Intrinsic(i) => i.eval(scope, rng)?,
                        Field::Path(p) => select_field(p, scope, || format!("{k}.$"))?,
                    };
                    out.insert(k.clone(), v);
                }
                Ok(Value::Object(out))
            }
        }
    }

    /// True when the template reads the context object.
    pub fn uses_context(&self) -> bool {
        match self {
            Template::Literal(_) => false,
            Template::Array(a) => a.iter().any(Template::uses_context),
            Template::Object(fields) => fields.iter().any(|(_, f)| match f {
                Field::Static(t) => t.uses_context(),
                Field::Path(p) => p.root == path::Root::Context,
                Field::Intrinsic(i) => i.uses_context(),
            }),
        }
    }
}

fn has_dynamic(v: &Value) -> bool {
    match v {
        Value::Object(o) => o.iter().any(|(k, v)| k.ends_with(".$") || has_dynamic(v)),
        Value::Array(a) => a.iter().any(has_dynamic),
        _ => false,
    }
}

/// JSON pointer escaping of one key.
pub fn escape_pointer(k: &str) -> String {
    k.replace('~', "~0").replace('/', "~1")
}

/// What `p` selects for the field `field`; a path that matches nothing is reported with
/// the field's name and the input it was applied to, as AWS does.
/// `field` is only called to build that error.
pub fn select_field(p: &JsonPath, scope: &Scope<'_>, field: impl FnOnce() -> String) -> Result<Value, TemplateError> {
    match p.select(scope) {
        Ok(v) => Ok(v),
        Err(PathError::NoResults { .. } | PathError::MissingProperty { .. }) => {
            let input = match p.root {
                path::Root::Context => scope.context,
                _ => scope.input,
            };
            Err(TemplateError::PathNotFound { path: p.source().to_string(), field: field(), input: input.to_string() })
        }
        Err(e) => Err(e.into()),
    }
}
