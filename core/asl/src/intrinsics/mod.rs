//! Intrinsic functions (`States.Format(...)`, `States.ArrayRange(...)`, ...) of the JSONPath
//! query language.
//!
//! A call is parsed once when the definition is loaded ([`parse`]): the function name, the
//! number of arguments and every literal argument whose type is already known are checked
//! there, so that a bad definition is rejected up front. [`Intrinsic::eval`] then runs the
//! call against the state input, the context object and the variables in scope.
//!
//! AWS runs these functions in Java; where that shows through (number formatting, `Map`
//! and `List` rendering in `States.Format`, `HashMap` key order of `States.JsonMerge`,
//! `Math.round` in `States.MathAdd`) the Java behaviour is reproduced, because the
//! recordings in the conformance corpus show it.

mod array;
mod encoding;
mod format;
mod java;
mod json;
mod math;
mod parse;
mod string;
mod uuid;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use parse::parse;

use crate::entropy::Entropy;
use crate::path::{JsonPath, PathError, Root, Scope};
use serde_json::Value;

/// How deeply calls may be nested inside one another (AWS documents a limit of 10); it also
/// bounds the recursion of the parser and the evaluator.
pub const MAX_NESTING: usize = 10;

/// True when the text is meant as an intrinsic call rather than a path.
pub fn is_intrinsic(s: &str) -> bool {
    s.trim_start().starts_with("States.")
}

/// The intrinsic functions AWS Step Functions provides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    Format,
    StringToJson,
    JsonToString,
    Array,
    ArrayPartition,
    ArrayContains,
    ArrayRange,
    ArrayGetItem,
    ArrayLength,
    ArrayUnique,
    Base64Encode,
    Base64Decode,
    Hash,
    JsonMerge,
    MathRandom,
    MathAdd,
    StringSplit,
    Uuid,
}

impl Function {
    pub const ALL: [Function; 18] = [
        Function::Format,
        Function::StringToJson,
        Function::JsonToString,
        Function::Array,
        Function::ArrayPartition,
        Function::ArrayContains,
        Function::ArrayRange,
        Function::ArrayGetItem,
        Function::ArrayLength,
        Function::ArrayUnique,
        Function::Base64Encode,
        Function::Base64Decode,
        Function::Hash,
        Function::JsonMerge,
        Function::MathRandom,
        Function::MathAdd,
        Function::StringSplit,
        Function::Uuid,
    ];

    /// The full name as written in a definition, e.g. `States.Format`.
    pub fn name(self) -> &'static str {
        match self {
            Function::Format => "States.Format",
            Function::StringToJson => "States.StringToJson",
            Function::JsonToString => "States.JsonToString",
            Function::Array => "States.Array",
            Function::ArrayPartition => "States.ArrayPartition",
            Function::ArrayContains => "States.ArrayContains",
            Function::ArrayRange => "States.ArrayRange",
            Function::ArrayGetItem => "States.ArrayGetItem",
            Function::ArrayLength => "States.ArrayLength",
            Function::ArrayUnique => "States.ArrayUnique",
            Function::Base64Encode => "States.Base64Encode",
            Function::Base64Decode => "States.Base64Decode",
            Function::Hash => "States.Hash",
            Function::JsonMerge => "States.JsonMerge",
            Function::MathRandom => "States.MathRandom",
            Function::MathAdd => "States.MathAdd",
            Function::StringSplit => "States.StringSplit",
            Function::Uuid => "States.UUID",
        }
    }

    /// Looks a function up by its full, case-sensitive name.
    pub fn from_name(name: &str) -> Option<Function> {
        Function::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Smallest and largest number of arguments (`None`: no upper bound).
    fn arity(self) -> (usize, Option<usize>) {
        match self {
            Function::Format => (1, None),
            Function::Array => (0, None),
            Function::Uuid => (0, Some(0)),
            Function::StringToJson
            | Function::JsonToString
            | Function::ArrayLength
            | Function::ArrayUnique
            | Function::Base64Encode
            | Function::Base64Decode => (1, Some(1)),
            Function::ArrayPartition
            | Function::ArrayContains
            | Function::ArrayGetItem
            | Function::Hash
            | Function::MathAdd
            | Function::StringSplit => (2, Some(2)),
            Function::ArrayRange | Function::JsonMerge => (3, Some(3)),
            Function::MathRandom => (2, Some(3)),
        }
    }

    /// What the argument at `index` must be.
    fn expects(self, index: usize) -> Kind {
        use Kind::*;
        let sig: &[Kind] = match self {
            Function::Format => return if index == 0 { Str } else { Any },
            Function::Array => return Any,
            Function::StringToJson | Function::Base64Encode | Function::Base64Decode => &[Str],
            Function::JsonToString => &[Any],
            Function::ArrayPartition => &[Array, Int],
            Function::ArrayContains => &[Array, Any],
            Function::ArrayRange => &[Int, Int, Int],
            Function::ArrayGetItem => &[Array, Int],
            Function::ArrayLength | Function::ArrayUnique => &[Array],
            Function::Hash => &[Str, Str],
            Function::JsonMerge => &[Object, Object, Bool],
            Function::MathRandom => &[Num, Num, Num],
            Function::MathAdd => &[Num, Num],
            Function::StringSplit => &[Str, Str],
            Function::Uuid => &[],
        };
        sig.get(index).copied().unwrap_or(Any)
    }
}

/// The JSON type an argument must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Any,
    Str,
    /// Any number (non-integers are rounded by the function).
    Num,
    /// A number with an integral value.
    Int,
    Bool,
    Array,
    Object,
}

impl Kind {
    fn accepts(self, v: &Value) -> bool {
        match self {
            Kind::Any => true,
            Kind::Str => v.is_string(),
            Kind::Num => v.is_number(),
            Kind::Int => as_integer(v).is_some(),
            Kind::Bool => v.is_boolean(),
            Kind::Array => v.is_array(),
            Kind::Object => v.is_object(),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::Any => "a value",
            Kind::Str => "a string",
            Kind::Num => "a number",
            Kind::Int => "an integer",
            Kind::Bool => "a boolean",
            Kind::Array => "an array",
            Kind::Object => "an object",
        }
    }
}

/// A parsed intrinsic call such as `States.Format('{} {}', $.a, States.UUID())`.
#[derive(Debug, Clone)]
pub struct Intrinsic {
    function: Function,
    args: Vec<Arg>,
    text: String,
}

/// One argument of a call.
#[derive(Debug, Clone)]
enum Arg {
    /// A number, `true`, `false` or `null`.
    Literal(Value),
    /// A quoted string.
    Text(Text),
    Path(JsonPath),
    Call(Box<Intrinsic>),
}

/// A quoted string literal.
#[derive(Debug, Clone)]
struct Text {
    /// The value with the escapes resolved.
    value: String,
    /// The characters between the quotes as written; `States.Format` needs them to tell
    /// a `{}` placeholder from an escaped `\{\}`.
    raw: String,
    /// The first character after a backslash that is not one of `' { } \`. AWS documents
    /// such an "open escape" as a run-time error, so the call still loads.
    bad_escape: Option<char>,
}

impl Intrinsic {
    /// The function this call invokes.
    pub fn function(&self) -> Function {
        self.function
    }

    /// The text of the call as written in the definition.
    pub fn source(&self) -> &str {
        &self.text
    }

    /// True when an argument (at any depth) reads the context object `$$`.
    pub fn uses_context(&self) -> bool {
        self.args.iter().any(|a| match a {
            Arg::Path(p) => p.root == Root::Context,
            Arg::Call(c) => c.uses_context(),
            _ => false,
        })
    }

    /// Runs the call. Randomness (`States.UUID`, unseeded `States.MathRandom`) comes only
    /// from `rng`, so a replay with the same entropy gives the same result.
    pub fn eval(&self, scope: &Scope<'_>, rng: &mut dyn Entropy) -> Result<Value, IntrinsicError> {
        let mut values = Vec::with_capacity(self.args.len());
        for arg in &self.args {
            values.push(self.eval_arg(arg, scope, rng)?);
        }
        for (i, v) in values.iter().enumerate() {
            expect(self.function, i, self.function.expects(i), v)?;
        }
        let f = self.function;
        match f {
            Function::Format => match self.args.first() {
                Some(Arg::Text(t)) => format::format(&format::template(&t.raw), values.get(1..).unwrap_or_default()),
                _ => format::format_dynamic(values),
            },
            Function::StringToJson => json::string_to_json(values),
            Function::JsonToString => json::json_to_string(values),
            Function::JsonMerge => json::json_merge(values),
            Function::Array => Ok(Value::Array(values)),
            Function::ArrayPartition => array::partition(values),
            Function::ArrayContains => array::contains(values),
            Function::ArrayRange => array::range(values),
            Function::ArrayGetItem => array::get_item(values),
            Function::ArrayLength => array::length(values),
            Function::ArrayUnique => array::unique(values),
            Function::Base64Encode => encoding::base64_encode(values),
            Function::Base64Decode => encoding::base64_decode(values),
            Function::Hash => encoding::hash(values),
            Function::MathAdd => math::add(values),
            Function::MathRandom => math::random(values, rng),
            Function::StringSplit => string::split(values),
            Function::Uuid => Ok(uuid::uuid_v4(rng)),
        }
    }

    fn eval_arg(&self, arg: &Arg, scope: &Scope<'_>, rng: &mut dyn Entropy) -> Result<Value, IntrinsicError> {
        match arg {
            Arg::Literal(v) => Ok(v.clone()),
            Arg::Text(t) => match t.bad_escape {
                Some(c) => Err(runtime(
                    self.function,
                    format!("the string literal contains the unsupported escape sequence '\\{c}'; only \\', \\{{, \\}} and \\\\ may be escaped"),
                )),
                None => Ok(Value::String(t.value.clone())),
            },
            Arg::Path(p) => p.select(scope).map_err(IntrinsicError::Path),
            Arg::Call(c) => c.eval(scope, rng),
        }
    }
}

impl std::fmt::Display for Intrinsic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Why an intrinsic call could not be parsed or evaluated.
///
/// `Syntax`, `UnknownFunction`, `Arity` and `Argument` come from [`parse`] (load time);
/// `Path` and `Runtime` from [`Intrinsic::eval`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IntrinsicError {
    /// The text is not a well-formed call.
    #[error("Invalid intrinsic function call '{text}': {reason} (at character {position})")]
    Syntax { text: String, position: usize, reason: String },
    /// `States.Something` that AWS does not provide.
    #[error("The intrinsic function '{name}' is not supported")]
    UnknownFunction { name: String },
    /// Wrong number of arguments.
    #[error("The intrinsic function {function} expects {expected}, but {found} were given")]
    Arity { function: &'static str, expected: &'static str, found: usize },
    /// A literal argument the function can never accept.
    #[error("Invalid arguments in {function}: {message}")]
    Argument { function: &'static str, message: String },
    /// A path argument did not select anything.
    #[error("{0}")]
    Path(PathError),
    /// The function failed on the values it was given.
    #[error("Invalid arguments in {function}: {message}")]
    Runtime { function: &'static str, message: String },
}

impl IntrinsicError {
    /// What is wrong, for a message that already says which field must be a valid
    /// intrinsic function call (so that it is not said twice).
    pub fn detail(&self) -> String {
        match self {
            IntrinsicError::Syntax { text, position, reason } => {
                format!("'{text}': {reason} (at character {position})")
            }
            other => other.to_string(),
        }
    }
}

impl IntrinsicError {
    /// The AWS error name an execution fails with. A path that selects nothing is a
    /// `States.Runtime` error as everywhere else; a failing function is
    /// `States.IntrinsicFailure`.
    pub fn error_name(&self) -> &'static str {
        match self {
            IntrinsicError::Path(_) => "States.Runtime",
            _ => "States.IntrinsicFailure",
        }
    }
}

fn runtime(f: Function, message: impl Into<String>) -> IntrinsicError {
    IntrinsicError::Runtime { function: f.name(), message: message.into() }
}

/// Checks the type of one evaluated argument.
fn expect(f: Function, index: usize, kind: Kind, v: &Value) -> Result<(), IntrinsicError> {
    if kind.accepts(v) {
        return Ok(());
    }
    Err(runtime(f, format!("argument {} must be {}, but was {}", index + 1, kind.describe(), describe_value(v))))
}

/// `an array: [1,2]`, `the string "x"`: the value named for an error message, shortened.
fn describe_value(v: &Value) -> String {
    let mut text = String::new();
    java::write_json(v, &mut text);
    const MAX: usize = 100;
    if text.chars().count() > MAX {
        text = text.chars().take(MAX).collect::<String>() + "...";
    }
    let kind = match v {
        Value::Null => return "null".into(),
        Value::Bool(_) => "the boolean",
        Value::Number(_) => "the number",
        Value::String(_) => "the string",
        Value::Array(_) => "the array",
        Value::Object(_) => "the object",
    };
    format!("{kind} {text}")
}

/// The value of a number that is a whole number in `i64` range (`2` and `2.0` alike).
fn as_integer(v: &Value) -> Option<i64> {
    let n = v.as_number()?;
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    if n.is_u64() {
        return None;
    }
    let f = n.as_f64()?;
    // 2^63 is exactly representable; anything at or above it does not fit.
    (f.fract() == 0.0 && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f)).then_some(f as i64)
}
