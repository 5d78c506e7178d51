//! Stepline core: the Amazon States Language model, its validator and a pure interpreter.
//!
//! Nothing here does IO or reads a clock: the engine (and tests) feed time, task results
//! and randomness in as events, so an execution can be replayed step by step.

pub mod choice;
pub mod engine;
pub mod entropy;
pub mod history;
pub mod interp;
pub mod intrinsics;
pub mod jsonata;
pub mod model;
pub mod path;
pub mod runner;
pub mod store;
pub mod testing;
pub mod time;
pub mod validate;
