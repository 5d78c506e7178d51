//! The `--worker NAME=COMMAND` flag, defined once for every command that answers tasks
//! with commands in process (`run`, `test`, `test-state`, `serve`), so that each says the
//! same thing about it.

#[derive(clap::Args)]
pub struct WorkerArgs {
    /// A worker for an activity or function: NAME=COMMAND, repeatable (a mocked task is
    /// answered by its mock instead). The command gets the task input as JSON on stdin and
    /// answers with JSON on stdout; a non-zero exit fails the task.
    #[arg(long = "worker", value_name = "NAME=COMMAND")]
    pub commands: Vec<String>,
}
