//! What AWS keeps beside a state machine's definition: published versions, aliases that
//! route starts between them by weight, tags, and logging and tracing settings; the
//! qualified ARNs (`...:stateMachine:orders:3`, `...:stateMachine:orders:prod`) that
//! name a version or an alias, and the engine calls that read and change them.

pub mod api;
pub mod change;
pub(crate) mod edits;
pub mod qualified;
pub mod records;
