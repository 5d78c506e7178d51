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
mod call;
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

pub use call::{is_intrinsic, Function, Intrinsic, IntrinsicError, MAX_NESTING};
pub use parse::parse;

use crate::entropy::Entropy;
use crate::path::Scope;
use call::{expect, runtime, Arg};
use serde_json::Value;

impl Intrinsic {
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
