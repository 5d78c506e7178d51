//! Where the binary's logs go. Daily files under `DATA/logs` keep everything from INFO up
//! (`STEPLINE_LOG=debug` for more);
//! warnings and errors (a rejected trigger, a dropped result, a storage failure) are also
//! written to stderr, except by the commands whose stderr is the dashboard's terminal.

use std::path::{Path, PathBuf};
use tracing::Level;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::fmt::writer::MakeWriterExt;

/// Whether warnings and errors go to stderr as well as to the files.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Console {
    /// stderr is the operator's console: warnings and errors are shown there too.
    WarningsToo,
    /// stderr is the terminal a dashboard draws on: the files only.
    FilesOnly,
}

/// Flushes what is still buffered for the files and the console when dropped.
pub struct Guards {
    _flush_on_drop: Vec<WorkerGuard>,
}

/// Logs to daily files in `DATA/logs` (and to stderr as `console` says). Returns the log
/// directory, for the start-up lines, and the guards to keep until the end.
///
/// Both are written by threads of their own: a console nobody reads (a full pipe) drops
/// lines instead of stalling the engine thread that logged them.
pub fn to_files(data: &Path, console: Console) -> (PathBuf, Guards) {
    let dir = data.join("logs");
    let appender = tracing_appender::rolling::daily(&dir, "stepline.log");
    let (file, file_guard) = tracing_appender::non_blocking(appender);
    let builder = tracing_subscriber::fmt().with_ansi(false).with_max_level(file_level());
    let mut guards = vec![file_guard];
    // A subscriber already set (never in the binary) keeps its place: nothing to do.
    let _ = match console {
        Console::WarningsToo => {
            let (stderr, stderr_guard) = tracing_appender::non_blocking(std::io::stderr());
            guards.push(stderr_guard);
            builder.with_writer(file.and(stderr.with_max_level(Level::WARN))).try_init()
        }
        Console::FilesOnly => builder.with_writer(file).try_init(),
    };
    (dir, Guards { _flush_on_drop: guards })
}

/// The files' level: `STEPLINE_LOG` (error, warn, info, debug, trace), INFO by default.
fn file_level() -> Level {
    level_from(std::env::var("STEPLINE_LOG").ok().as_deref())
}

fn level_from(setting: Option<&str>) -> Level {
    setting.and_then(|v| v.trim().parse().ok()).unwrap_or(Level::INFO)
}

/// For the commands with no store: warnings and errors on stderr, nothing kept.
pub fn to_stderr() {
    let _ =
        tracing_subscriber::fmt().with_ansi(false).with_max_level(Level::WARN).with_writer(std::io::stderr).try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_level_is_info_unless_stepline_log_names_another() {
        assert_eq!(level_from(None), Level::INFO);
        assert_eq!(level_from(Some("debug")), Level::DEBUG);
        assert_eq!(level_from(Some(" WARN ")), Level::WARN);
        assert_eq!(level_from(Some("loud")), Level::INFO);
    }
}
