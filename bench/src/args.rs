//! The flags of `stepline bench`, and how the binary reads what they name. The bottom of
//! the crate: every mode reads these, and this file reads none of the modes.

use anyhow::Result;
use serde_json::Value;
use std::path::{Path, PathBuf};

// No doc comment on the struct: the binary's `Bench` command says what it does, and
// clap would take a comment here as the command's text instead.
#[derive(clap::Args)]
pub struct Args {
    /// The definition (JSON or YAML).
    pub file: PathBuf,
    /// The execution input: JSON text, or @FILE.
    #[arg(long, default_value = "{}")]
    pub input: String,
    /// How many executions to run.
    #[arg(long, default_value_t = 1000)]
    pub executions: u64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Run durable STANDARD executions on the engine (redb with fsync on commit) instead
    /// of in memory.
    #[arg(long)]
    pub standard: bool,
    /// Store directory for --standard (a fresh one is best).
    #[arg(long, default_value = "data-bench")]
    pub data: PathBuf,
    /// Client threads starting executions at once (--standard): their starts share commits.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// With --standard: run the machine as EXPRESS through the engine (in memory,
    /// StartSyncExecution, summaries stored) instead of durable STANDARD.
    #[arg(long)]
    pub express: bool,
    /// With --standard: start at most this many executions per second (open loop; latency
    /// counts from each start's scheduled time), instead of as fast as the clients can.
    #[arg(long)]
    pub rate: Option<f64>,
    /// With --standard: a state machine FILE starts (`states:startExecution`), created
    /// first as STANDARD `bench-child` (its ARN in the us-east-1 / 000000000000 defaults).
    #[arg(long, value_name = "CHILD")]
    pub child: Option<PathBuf>,
    /// With --standard: the store's page cache in MiB [default: 64].
    #[arg(long)]
    pub cache_mib: Option<usize>,
    /// With --standard: send every task over this NATS server to --workers in-process
    /// workers, and measure tasks/s and dispatch-to-result latency (FILE: any machine
    /// whose tasks the workers answer by echoing their input).
    #[arg(long, value_name = "URL")]
    pub nats: Option<String>,
    /// With --standard: send every task over this AMQP broker (RabbitMQ) to --workers
    /// in-process workers, as --nats does.
    #[arg(long, value_name = "URI")]
    pub amqp: Option<String>,
    /// With --standard: answer tasks with --workers in-process worker threads (the
    /// embedded default) and report tasks/s, as --nats does over the bus.
    #[arg(long)]
    pub tasks: bool,
    /// With --nats or --amqp: the bus alone, no engine (persistent task, worker, persistent result,
    /// collector): the ceiling the engine's figures compare with. FILE is not read.
    #[arg(long)]
    pub baseline: bool,
    /// With --data: the dashboard over that store (fill it first) while FILE's executions
    /// arrive at --rate; reports refresh, frame and key times over N (--executions) refreshes.
    #[arg(long)]
    pub dashboard: bool,
    /// A Distributed Map over this many JSON Lines items read from a file (written under
    /// --data first), FILE its item processor, STANDARD children (EXPRESS with --express),
    /// results written by its ResultWriter; beside it, the in-memory inline Map of the
    /// same items.
    #[arg(long, value_name = "N")]
    pub map_items: Option<u64>,
    /// HTTP Tasks (`http:invoke`) through the durable engine (--executions of a one-task
    /// machine, --concurrency clients) against an HTTP server on loopback, beside a bare
    /// loop of the same client at the same concurrency, then the engine at half its rate
    /// for latency. FILE is not read.
    #[arg(long)]
    pub http: bool,
    /// History retention under load: fill --data with N ended executions, run --standard
    /// without pruning, then again while retention prunes the store to the newest --keep;
    /// reports both throughputs, the pruning rate and checks the counts after.
    #[arg(long, value_name = "N")]
    pub prune_from: Option<u64>,
    /// With --prune-from: how many ended executions retention keeps.
    #[arg(long, default_value_t = 100_000)]
    pub keep: u64,
    /// Workers taking tasks (with --nats, --amqp or --tasks).
    #[arg(long, default_value_t = 4)]
    pub workers: usize,
}

/// How a definition file and `--input` are read: the binary hands in its own readers, so
/// that `stepline bench` takes what every other command takes, with the same messages.
#[derive(Clone, Copy)]
pub struct Readers {
    /// A definition file (JSON or YAML) as a value.
    pub definition: fn(&Path) -> Result<Value>,
    /// `--input`: JSON text, or @FILE.
    pub input: fn(&str) -> Result<Value>,
}
