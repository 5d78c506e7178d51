//! Stepline core: the three crates under `core/`, under the module names the rest of the
//! workspace uses.
//!
//! - [`stepline_jsonata`] (`core/jsonata`): a JSONata 2.x engine, the bottom layer.
//! - [`stepline_asl`] (`core/asl`): the ASL model, validator, pure interpreter, runner and
//!   test tooling; no IO, no clock, no async runtime.
//! - [`stepline_engine`] (`core/engine`): the durable engine and its redb history store.

/// The old name of [`diagnostics`], kept so existing callers compile unchanged.
pub use stepline_asl::diagnostics as validate;
pub use stepline_asl::{
    choice, clock, diagnostics, entropy, error_names, history, interp, intrinsics, model, path, runner, testing, time,
};
pub use stepline_engine as engine;
pub use stepline_engine::store;
pub use stepline_jsonata as jsonata;
