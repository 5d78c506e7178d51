//! Tests of the JSONata engine.

mod differential;
mod layers;
mod proptests;
mod regex;
mod unit;
