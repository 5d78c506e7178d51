//! Testing state machines offline: mocked task results (Stepline's own spec format and
//! AWS Step Functions Local's `MockConfigFile`), a case run on virtual time, what was
//! expected against what happened (with a JSON diff), and which states, Choice branches
//! and Catch clauses the cases exercised. Pure: the `stepline test` command reads the
//! files and prints; the engine uses the mocks for `--mock-config`.

pub mod case;
pub mod coverage;
pub mod diff;
pub mod mock_config;
pub mod mocks;
pub mod spec;
pub mod test_state;

pub use case::{run_case, CaseReport};
pub use coverage::Coverage;
pub use mock_config::{MockConfig, MockConfigError};
pub use mocks::{mocked_outcome, MockHandler, MockOutcome, Mocks};
pub use spec::{Case, Expect, Spec, SpecError};
