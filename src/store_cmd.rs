//! `stepline backup DATA FILE` and `stepline restore FILE DATA`: a consistent copy of a
//! store, live or not, and bringing one back. A store a running `stepline serve` holds is
//! copied by that server (it tells where it listens in `DATA/serve.json`); a store no
//! server holds is copied here.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct BackupArgs {
    /// The data directory of the store (`--data` of `stepline serve`).
    data: PathBuf,
    /// The backup file to write (replaced if it exists).
    file: PathBuf,
}

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// A backup written by `stepline backup`.
    file: PathBuf,
    /// The data directory to restore it into (no server may be running on it).
    data: PathBuf,
    /// Replace the store DATA holds.
    #[arg(long)]
    force: bool,
}

/// Where a running server on `data` says it listens.
pub const SERVE_FILE: &str = "serve.json";

/// Written by `stepline serve` once it listens; removed when it stops.
pub fn announce(data: &Path, listen: std::net::SocketAddr) {
    let body = serde_json::json!({"pid": std::process::id(), "endpoint": format!("http://{listen}")});
    let _ = std::fs::write(data.join(SERVE_FILE), body.to_string());
}

pub fn withdraw(data: &Path) {
    let _ = std::fs::remove_file(data.join(SERVE_FILE));
}

/// The endpoint of a server running on `data`, if one says so and answers.
fn running_server(data: &Path) -> Option<String> {
    let text = std::fs::read_to_string(data.join(SERVE_FILE)).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let endpoint = v["endpoint"].as_str()?.to_string();
    let host = endpoint.strip_prefix("http://")?.to_string();
    std::net::TcpStream::connect(host).ok()?;
    Some(endpoint)
}

pub fn backup(a: BackupArgs) -> Result<ExitCode> {
    let file = std::path::absolute(&a.file).with_context(|| format!("cannot resolve {}", a.file.display()))?;
    let began = std::time::Instant::now();
    let (bytes, executions, by) = match running_server(&a.data) {
        Some(endpoint) => {
            // A store of millions of executions takes minutes to copy.
            let client = stepline_bridge::client::http::Client::new(&endpoint)?
                .with_read_timeout(std::time::Duration::from_secs(6 * 3600));
            let done = client
                .call("BackupStore", &serde_json::json!({"file": file.display().to_string()}))
                .with_context(|| format!("the server at {endpoint} could not write the backup"))?;
            (done["bytes"].as_u64().unwrap_or(0), done["executions"].as_u64().unwrap_or(0), endpoint)
        }
        None => {
            let path = a.data.join("stepline.redb");
            if !path.exists() {
                bail!("{} holds no store (no stepline.redb)", a.data.display());
            }
            let store = stepline_core::store::Store::open(&path).with_context(|| {
                format!("cannot open {} (a server that holds it must be running with this version)", path.display())
            })?;
            let done = store.backup_to(&file)?;
            (done.bytes, done.executions, "this process".to_string())
        }
    };
    println!(
        "backed up {} ({executions} executions, {:.1} MiB) to {} in {:.1} s (by {by})",
        a.data.display(),
        bytes as f64 / 1048576.0,
        file.display(),
        began.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn restore(a: RestoreArgs) -> Result<ExitCode> {
    if let Some(endpoint) = running_server(&a.data) {
        bail!("a server is running on {} ({endpoint}): stop it before restoring", a.data.display());
    }
    let target = a.data.join("stepline.redb");
    if target.exists() && !a.force {
        bail!("{} already holds a store: give --force to replace it", a.data.display());
    }
    // The backup must open as a store before anything is replaced.
    let check = stepline_core::store::Store::open(&a.file)
        .with_context(|| format!("{} is not a Stepline backup", a.file.display()))?;
    let executions = check.list_executions(None, None, 1, None)?.len();
    drop(check);
    std::fs::create_dir_all(&a.data).with_context(|| format!("cannot create {}", a.data.display()))?;
    let partial = a.data.join("stepline.redb.restoring");
    std::fs::copy(&a.file, &partial).with_context(|| format!("cannot copy {}", a.file.display()))?;
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, &target)?;
    println!(
        "restored {} into {}{}",
        a.file.display(),
        a.data.display(),
        if executions == 0 { " (it holds no executions)" } else { "" }
    );
    Ok(ExitCode::SUCCESS)
}
