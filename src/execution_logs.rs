//! `[execution_logs]`: where the execution logs of state machines whose
//! `loggingConfiguration` logs are written. Always to rolling daily files
//! (`<dir>/executions.log.<date>`, default `<data>/logs`); also to a NATS subject or an
//! AMQP exchange when named.

use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::Arc;
use stepline_core::engine::exec_logs::sink::ExecutionLogSink;

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExecutionLogs {
    /// Directory of the rolling files (default `<data>/logs`).
    pub dir: Option<PathBuf>,
    /// Publish each line on `<nats_subject>.<state machine name>` too.
    pub nats_subject: Option<String>,
    /// Publish each line to this AMQP topic exchange too, the state machine's name as the
    /// routing key.
    pub amqp_exchange: Option<String>,
}

/// Lines waiting for the file, at most: a disk that does not keep up loses lines rather
/// than stalling the engine.
const QUEUE: usize = 100_000;

/// Rolling daily files, written by a thread of their own.
pub struct FileSink {
    tx: SyncSender<String>,
}

impl ExecutionLogSink for FileSink {
    fn write(&self, _machine: &str, line: &str) {
        let _ = self.tx.try_send(line.to_string());
    }
}

impl FileSink {
    pub fn start(dir: &Path) -> Arc<FileSink> {
        use std::io::Write;
        let (tx, rx) = sync_channel::<String>(QUEUE);
        let mut file = tracing_appender::rolling::daily(dir, "executions.log");
        std::thread::Builder::new()
            .name("stepline-execution-logs".into())
            .spawn(move || {
                while let Ok(line) = rx.recv() {
                    let _ = writeln!(file, "{line}");
                    // Written as they come: a reader tailing the file sees each at once.
                    while let Ok(more) = rx.try_recv() {
                        let _ = writeln!(file, "{more}");
                    }
                    let _ = file.flush();
                }
            })
            .expect("spawning the execution log writer");
        Arc::new(FileSink { tx })
    }
}
