//! The definition validator: every problem at once, each with its location.

mod diagnostic;

pub use diagnostic::{codes, Diagnostic, Severity};

#[cfg(test)]
mod tests;
