//! Tests of the JSONata engine.

mod differential;
mod proptests;
mod unit;
