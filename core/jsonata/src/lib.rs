//! A JSONata 2.x expression engine for the JSONata query language of Amazon States Language.
//!
//! Expressions are parsed once ([`parse`]) into an [`Expr`] and evaluated many times against
//! borrowed JSON ([`Expr::eval`]), so nothing is re-parsed or deep-copied on the hot path.
//! Semantics follow the reference implementation (the npm package `jsonata`): sequences,
//! singleton collapsing, undefined propagation, error codes. AWS's additional functions
//! (`$partition`, `$range`, `$hash`, `$random`, `$uuid`, `$parse`) are included. Randomness and
//! the time come from [`Env`], so evaluations replay deterministically.

mod ast;
mod env;
mod error;
mod eval;
mod expr;
mod free_vars;
mod functions;
mod jstext;
mod lexer;
mod parser;
mod picture;
mod random;
mod signature;

#[cfg(test)]
mod tests;

pub use env::{Bindings, Env};
pub use error::JsonataError;
pub use expr::{parse, Expr};
pub use picture::civil_from_days;
pub use random::{Random, SplitMix64};
