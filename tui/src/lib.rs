//! Stepline's operator dashboard (ratatui): the executions list with counts and
//! throughput, an execution's states coloured by what happened to them, its history and
//! payloads, and the operator's actions. A client of the control API (`api.rs`); the state
//! and keys (`app.rs`) are kept apart from drawing (`ui.rs`) and the terminal (`run.rs`).

pub mod api;
pub mod app;
pub mod json;
pub mod model;
pub mod run;
pub mod ui;

pub use api::{ControlApi, InProcess};
pub use ratatui;
pub use run::{run, Options};
