//! What a parsed intrinsic call is (the function, its arguments), the argument types each
//! function takes, and the errors of parsing and running one: what the parser builds and
//! every function's file reads.

use super::java;
use crate::error_names;
use crate::path::{JsonPath, PathError, Root};
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
    pub(super) fn arity(self) -> (usize, Option<usize>) {
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
    pub(super) fn expects(self, index: usize) -> Kind {
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
pub(super) enum Kind {
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
    pub(super) fn accepts(self, v: &Value) -> bool {
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

    pub(super) fn describe(self) -> &'static str {
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
    pub(super) function: Function,
    pub(super) args: Vec<Arg>,
    pub(super) text: String,
}

/// One argument of a call.
#[derive(Debug, Clone)]
pub(super) enum Arg {
    /// A number, `true`, `false` or `null`.
    Literal(Value),
    /// A quoted string.
    Text(Text),
    Path(JsonPath),
    Call(Box<Intrinsic>),
}

/// A quoted string literal.
#[derive(Debug, Clone)]
pub(super) struct Text {
    /// The value with the escapes resolved.
    pub(super) value: String,
    /// The characters between the quotes as written; `States.Format` needs them to tell
    /// a `{}` placeholder from an escaped `\{\}`.
    pub(super) raw: String,
    /// The first character after a backslash that is not one of `' { } \`. AWS documents
    /// such an "open escape" as a run-time error, so the call still loads.
    pub(super) bad_escape: Option<char>,
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
            IntrinsicError::Path(_) => error_names::RUNTIME,
            _ => error_names::INTRINSIC_FAILURE,
        }
    }
}

pub(super) fn runtime(f: Function, message: impl Into<String>) -> IntrinsicError {
    IntrinsicError::Runtime { function: f.name(), message: message.into() }
}

/// Checks the type of one evaluated argument.
pub(super) fn expect(f: Function, index: usize, kind: Kind, v: &Value) -> Result<(), IntrinsicError> {
    if kind.accepts(v) {
        return Ok(());
    }
    Err(runtime(f, format!("argument {} must be {}, but was {}", index + 1, kind.describe(), describe_value(v))))
}

/// `an array: [1,2]`, `the string "x"`: the value named for an error message, shortened.
pub(super) fn describe_value(v: &Value) -> String {
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
pub(super) fn as_integer(v: &Value) -> Option<i64> {
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
