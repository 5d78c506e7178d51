//! Stepline's Amazon States Language: the model, its validator, and a pure interpreter.
//!
//! Nothing here does IO or reads a clock: the engine (and tests) feed time, task results
//! and randomness in as events, so an execution can be replayed step by step. The crate's
//! dependencies say so too: no store, no async runtime, no logging.

pub mod choice;
pub mod clock;
pub mod diagnostics;
pub mod entropy;
pub mod error_names;
pub mod history;
pub mod interp;
pub mod intrinsics;
pub mod limits;
pub mod model;
pub mod path;
pub mod runner;
pub mod testing;
pub mod time;
