//! The `stepline` command: a thin layer of subcommands over the Stepline crates.

mod client;
mod config;
mod conformance;
mod dashboard;
mod definition;
mod dev;
mod execution_logs;
mod identity;
mod logging;
mod object_store;
mod run;
mod serve;
mod store_cmd;
mod test_cmd;
mod test_state;
mod text;
mod validate;
mod worker_args;
mod workers;

use clap::{Parser, Subcommand};

/// The engine thread allocates and frees many small buffers per commit (history, redb
/// pages); mimalloc halves that cost against glibc's allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

/// Said under the list of commands, which cannot group them.
const CLIENT_HELP: &str = "\
From create to replay, the commands are clients of a running `stepline serve` (--endpoint,
or STEPLINE_ENDPOINT). They take state machines and executions by name or by ARN; when
executions of several state machines share a name, --machine says which is meant.";

/// Stepline runs Amazon States Language state machines on your own machines.
#[derive(Parser)]
#[command(name = "stepline", version, about, after_help = CLIENT_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a definition (JSON or YAML) and report every problem with its location.
    Validate(validate::Args),
    /// Run one execution in process and print its output.
    Run(run::Args),
    /// Run test specs (YAML or JSON): cases with mocked tasks on virtual time, checked
    /// against what they expect; JUnit XML and coverage on request.
    Test(test_cmd::Args),
    /// Test one state as AWS's TestState does: its output and next state, or its error,
    /// and the data after each processing step.
    TestState(test_state::Args),
    /// Run a directory of recorded conformance cases and report the pass rate.
    Conformance(conformance::Args),
    /// Run a definition many times in memory and report executions and transitions per second.
    Bench(stepline_bench::Args),
    /// Run the engine (redb under --data) and serve the control API over HTTP.
    Serve(serve::Args),
    /// The operator's dashboard, against a running `stepline serve` (--endpoint or --nats).
    Tui(dashboard::Args),
    /// Try Stepline: the engine, example machines and workers, and the dashboard, in one process.
    Dev(dev::Args),
    /// Write a consistent copy of a store, also while `stepline serve` runs on it.
    Backup(store_cmd::BackupArgs),
    /// Bring a backup back as the store of a data directory (no server running on it).
    Restore(store_cmd::RestoreArgs),
    /// Print the shell completion script for bash, zsh, fish, elvish or powershell.
    Completions(Completions),
    /// The clients of a running `stepline serve` (see `CLIENT_HELP`).
    #[command(flatten)]
    Client(client::Op),
}

#[derive(clap::Args)]
struct Completions {
    /// bash, zsh, fish, elvish or powershell.
    shell: clap_complete::Shell,
}

/// The benchmarks read definitions and `--input` as every other command does.
const BENCH_READERS: stepline_bench::Readers =
    stepline_bench::Readers { definition: definition::load, input: definition::input };

/// mimalloc's `mi_option_purge_delay` (the same in its v2 and v3 headers).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // mimalloc hands freed memory back to the kernel 10 ms after it is freed; a Map over
    // a thousand items frees and takes back megabytes per execution, and paid for each
    // page fault again (five times slower). A second keeps memory a busy engine reuses.
    // SAFETY: sets a plain integer option; mimalloc reads options on each use.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 1000) };
    let cli = Cli::parse();
    // `serve` and `dev` log to files in their store; the commands that have none show
    // warnings and errors on stderr.
    if !matches!(cli.command, Command::Serve(_) | Command::Dev(_) | Command::Tui(_)) {
        logging::to_stderr();
    }
    let result = match cli.command {
        Command::Validate(a) => validate::main(a),
        Command::Run(a) => run::main(a),
        Command::Test(a) => test_cmd::main(a),
        Command::TestState(a) => test_state::main(a),
        Command::Conformance(a) => conformance::main(a),
        Command::Bench(a) => stepline_bench::main(a, BENCH_READERS),
        Command::Serve(a) => serve::main(a),
        Command::Tui(a) => dashboard::main(a),
        Command::Dev(a) => dev::main(a),
        Command::Backup(a) => store_cmd::backup(a),
        Command::Restore(a) => store_cmd::restore(a),
        Command::Completions(a) => {
            use clap::CommandFactory;
            clap_complete::generate(a.shell, &mut Cli::command(), "stepline", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Client(op) => client::main(op),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe (`stepline ... | head`) is not an error worth reporting.
            if e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {}", error_chain(&e));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes, each said once: a library error that already names its
/// source is not followed by that source again.
fn error_chain(e: &anyhow::Error) -> String {
    let mut msg = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !msg.contains(&c) {
            msg.push_str(": ");
            msg.push_str(&c);
        }
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Every argument and option of every command says what it is for: `--help` is the
    /// user's first documentation, and a new option without a line there fails here.
    #[test]
    fn every_argument_of_every_command_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            if cmd.get_about().is_none() && cmd.get_long_about().is_none() {
                missing.push(format!("{path} (the command itself)"));
            }
            for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut cmd = Cli::command();
        cmd.build();
        let mut missing = Vec::new();
        walk(&cmd, "stepline", &mut missing);
        assert!(missing.is_empty(), "without help text: {missing:#?}");
    }

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
