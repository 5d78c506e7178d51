//! `stepline test-state FILE`: AWS's `TestState` without a server: one state (or
//! `--state NAME` of a machine) with an input and, for a Task, a mocked result or error;
//! prints what AWS's API answers (status, output, next state, error, and at DEBUG the
//! data after each processing step).

use crate::worker_args::WorkerArgs;
use crate::{definition, workers};
use anyhow::{bail, Result};
use std::path::PathBuf;
use std::process::ExitCode;
use stepline_core::testing::test_state::{test_state, TestStateMock, TestStateRequest};

#[derive(clap::Args)]
pub struct Args {
    /// A state, or a whole state machine with --state (JSON or YAML).
    file: PathBuf,
    /// The state of the machine to test.
    #[arg(long)]
    state: Option<String>,
    /// The state's input: JSON text, or @FILE (@- for stdin).
    #[arg(long, default_value = "{}")]
    input: String,
    /// A Task's mocked result (JSON): the whole service response.
    #[arg(long, value_name = "JSON", conflicts_with = "mock_error")]
    mock_result: Option<String>,
    /// A Task's mocked error name.
    #[arg(long, value_name = "ERROR")]
    mock_error: Option<String>,
    /// The mocked error's cause.
    #[arg(long, value_name = "CAUSE", requires = "mock_error")]
    mock_cause: Option<String>,
    /// INFO, DEBUG (the data after each step) or TRACE.
    #[arg(long, default_value = "DEBUG")]
    inspection_level: String,
    // A worker answers a Task only when it has no mock.
    #[command(flatten)]
    worker: WorkerArgs,
}

pub fn main(a: Args) -> Result<ExitCode> {
    let mock = match (&a.mock_result, &a.mock_error) {
        (Some(r), _) => Some(TestStateMock::Return(definition::input(r)?)),
        (None, Some(e)) => {
            Some(TestStateMock::Throw { error: e.clone(), cause: a.mock_cause.clone().unwrap_or_default() })
        }
        (None, None) => None,
    };
    let request = TestStateRequest {
        definition: definition::load(&a.file)?,
        state_name: a.state.clone(),
        input: definition::input(&a.input)?,
        inspection_level: Some(a.inspection_level.clone()),
        mock,
    };
    let mut pool = workers::CommandWorkers::parse(&a.worker.commands)?;
    let worker: Option<&mut dyn stepline_core::runner::TaskHandler> =
        if a.worker.commands.is_empty() { None } else { Some(&mut pool) };
    match test_state(&request, worker) {
        Ok(v) => {
            println!("{}", serde_json::to_string_pretty(&v)?);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => bail!("{}: {e}", a.file.display()),
    }
}
