//! Stepline's operator dashboard (ratatui): the executions list with counts and
//! throughput, an execution's states coloured by what happened to them, its history and
//! payloads, and the operator's actions. A client of the control API ([`ControlApi`]):
//! the terminal's events become actions (`input.rs`), actions change the state (`state`)
//! and return effects, carried out by `conn.rs` and the terminal (`run.rs`); drawing
//! (`view`) reads the state only.

pub mod conn;
pub mod input;
pub mod json;
pub mod model;
pub mod run;
pub mod state;
pub mod view;

pub use conn::Conn;
pub use ratatui;
pub use run::{run, Options};
pub use stepline_bridge::api::control::{ControlApi, InProcess};
