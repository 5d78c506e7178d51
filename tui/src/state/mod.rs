//! The dashboard's state and what each action does to it. Pure: [`App::update`] takes an
//! [`Action`] and returns the [`Effect`]s it asks for (control API calls, audit lines, an
//! edit in `$EDITOR`), carried out by the terminal layer; `view` draws it. So it is
//! tested without a terminal. The types are in files of their own below the files that
//! change them (`update`, `list`, `detail`, `machines`, `workers`, `act`), which import
//! them directly, never through this file.

mod act;
mod action;
mod app;
mod command;
mod detail;
mod execution;
mod lineage;
mod list;
mod machines;
mod map_run;
mod query;
mod rows;
mod run_view;
mod text;
mod update;
mod workers;

pub use action::{call, say_error, Action, Answer, Audit, Done, Effect, Key, Reply};
pub use app::{follow, App, HitMap, Modal, Screen, MESSAGE_SECONDS, PAGE, SIDEWAYS, STATUSES};
pub use command::{Bulk, BulkKind, Command, Edit, EditPurpose};
pub use execution::{Detail, Pane};
pub use query::{SearchJob, Sort, TROUBLE_STEPS};
pub use rows::{ActivityRow, MachineRow, TaskRow};
pub use run_view::MapRunView;
pub use text::{count, short};
