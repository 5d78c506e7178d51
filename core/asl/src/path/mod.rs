//! JSONPath as AWS Step Functions evaluates it (Jayway semantics): `$` is the state input,
//! `$$` the context object, `$name` a variable. Paths are parsed once at load time into a
//! [`JsonPath`] and then evaluated many times.

mod ast;
mod eval;
mod parse;
mod reference;

#[cfg(test)]
mod proptests;

pub use ast::{CmpOp, Filter, JsonPath, Operand, PathError, Root, Segment};
pub use eval::Scope;
pub use parse::parse;
