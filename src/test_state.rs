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
    /// Settings file whose `[[connections]]` HTTP Tasks call through (default
    /// `stepline.toml` when there is one).
    #[arg(long)]
    config: Option<PathBuf>,
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
    let pool = workers::CommandWorkers::parse(&a.worker.commands)?;
    let workers = if a.worker.commands.is_empty() { None } else { Some(pool) };
    // An HTTP Task with no mock is called for real, as AWS's TestState calls it.
    let state = match &a.state {
        Some(name) => request.definition.get("States").and_then(|s| s.get(name)),
        None => Some(&request.definition),
    };
    let http =
        state.and_then(|s| s.get("Resource")).and_then(|r| r.as_str()).is_some_and(|r| r.ends_with(":http:invoke"));
    let mut local = if http || workers.is_some() { Some(Local::new(a.config.as_deref(), workers)?) } else { None };
    let worker = local.as_mut().map(|l| l as &mut dyn stepline_core::runner::TaskHandler);
    match test_state(&request, worker) {
        Ok(v) => {
            println!("{}", serde_json::to_string_pretty(&v)?);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => bail!("{}: {e}", a.file.display()),
    }
}

/// A Task's call made here: an HTTP Task through the HTTP Task's own client and the
/// settings' connections, anything else by the command workers.
struct Local {
    rt: tokio::runtime::Runtime,
    http: stepline_bridge::integrations::http_task::caller::HttpInvoker,
    workers: Option<workers::CommandWorkers>,
}

impl Local {
    fn new(config: Option<&std::path::Path>, workers: Option<workers::CommandWorkers>) -> Result<Local> {
        let file = match config {
            Some(p) => crate::config::Config::load(p)?,
            None if std::path::Path::new("stepline.toml").exists() => {
                crate::config::Config::load(std::path::Path::new("stepline.toml"))?
            }
            None => crate::config::Config::default(),
        };
        let http = stepline_bridge::integrations::http_task::caller::HttpInvoker::new(&file.connections, &|k| {
            std::env::var(k).ok()
        })?;
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        Ok(Local { rt, http, workers })
    }
}

impl stepline_core::runner::TaskHandler for Local {
    fn call(&mut self, req: &stepline_core::interp::TaskRequest) -> stepline_core::interp::TaskOutcome {
        let route = req.route();
        if route.activity != stepline_bridge::integrations::http_task::caller::HTTP_INVOKE {
            return match &mut self.workers {
                Some(w) => w.call(req),
                None => stepline_core::interp::TaskOutcome::NoAnswer,
            };
        }
        let task = stepline_core::engine::TaskEnvelope::of(req, req.token.clone(), route.activity, route.payload, None);
        self.rt.block_on(self.http.invoke(&task))
    }
}
