//! Opens a Map Run's `ItemReader`: an object of a bucket read as JSON, JSON Lines or CSV,
//! or a bucket's listing. Buckets are directories under the engine's buckets directory.

use super::items::{csv_delimiter, Csv, InMemory, ItemStream, JsonArray, JsonLines, ReadError};
use super::manifest::{Manifest, Open};
use crate::config::EngineConfig;
use crate::objects::client::S3;
use serde_json::{json, Value};
use std::io::{BufReader, Read};
use std::path::{Component, Path, PathBuf};
use stepline_asl::interp::ResourceCall;

/// The string argument `name` of a reader or writer.
pub(crate) fn arg<'a>(call: &'a ResourceCall, name: &str) -> Result<&'a str, ReadError> {
    call.arguments
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| ReadError(format!("the field '{name}' of {} must be a string", call.resource)))
}

/// `key` under the directory of `bucket`, refusing keys that would leave it.
pub(crate) fn object_path(config: &EngineConfig, bucket: &str, key: &str) -> Result<PathBuf, ReadError> {
    let bad_bucket = bucket.is_empty() || bucket.contains(['/', '\\']) || bucket == "." || bucket == "..";
    if bad_bucket {
        return Err(ReadError(format!("'{bucket}' is not a bucket name")));
    }
    let rel = Path::new(key);
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(ReadError(format!("the key '{key}' leaves its bucket")));
    }
    Ok(config.bucket_dir(bucket).join(rel))
}

/// Opens the reader's items: from the object store when one is configured, otherwise
/// from the buckets directory.
pub(crate) fn open(config: &EngineConfig, call: &ResourceCall) -> Result<Box<dyn ItemStream>, ReadError> {
    let bucket = arg(call, "Bucket")?;
    let store = match &config.object_store {
        Some(c) => Some(S3::new(c).map_err(|e| ReadError(e.to_string()))?),
        None => None,
    };
    if call.resource.ends_with("listObjectsV2") {
        let prefix = call.arguments.get("Prefix").and_then(Value::as_str).unwrap_or("");
        let listed = match &store {
            Some(s3) => s3.list(bucket, prefix).map_err(|e| ReadError(e.to_string()))?,
            None => list(config, bucket, prefix)?,
        };
        return Ok(Box::new(InMemory(listed.into_iter())));
    }
    let key = arg(call, "Key")?;
    let mut bytes = object(config, store.as_ref(), bucket, key)?;
    if call.config.get("InputType").and_then(Value::as_str) == Some("MANIFEST") {
        let config = config.clone();
        let open: Open = Box::new(move |bucket, key| object(&config, store.as_ref(), bucket, key));
        return Ok(Box::new(Manifest::new(&mut bytes, open)?));
    }
    parse(BufReader::with_capacity(256 * 1024, bytes), call)
}

/// An object's bytes, from the object store or the buckets directory.
fn object(
    config: &EngineConfig,
    store: Option<&S3>,
    bucket: &str,
    key: &str,
) -> Result<Box<dyn Read + Send>, ReadError> {
    match store {
        Some(s3) => s3.get(bucket, key).map_err(|e| ReadError(e.to_string())),
        None => {
            let path = object_path(config, bucket, key)?;
            let f = std::fs::File::open(&path).map_err(|e| {
                ReadError(format!("the object '{key}' of bucket '{bucket}' cannot be read ({}): {e}", path.display()))
            })?;
            Ok(Box::new(f))
        }
    }
}

/// Items of an object's bytes, as its `InputType` says.
fn parse(input: BufReader<Box<dyn Read + Send>>, call: &ResourceCall) -> Result<Box<dyn ItemStream>, ReadError> {
    Ok(match call.config.get("InputType").and_then(Value::as_str) {
        Some("JSONL") => Box::new(JsonLines::new(input)),
        Some("CSV") => {
            let headers = match call.config.get("CSVHeaderLocation").and_then(Value::as_str) {
                Some("GIVEN") => call
                    .config
                    .get("CSVHeaders")
                    .and_then(Value::as_array)
                    .map(|h| h.iter().map(|s| s.as_str().unwrap_or_default().to_string()).collect::<Vec<_>>()),
                _ => None,
            };
            let delimiter = csv_delimiter(call.config.get("CSVDelimiter").and_then(Value::as_str));
            Box::new(Csv::new(input, delimiter, headers))
        }
        _ => Box::new(JsonArray::new(input)),
    })
}

/// The objects of a bucket under `prefix`, in key order, as `ListObjectsV2` lists them.
fn list(config: &EngineConfig, bucket: &str, prefix: &str) -> Result<Vec<Value>, ReadError> {
    let root = object_path(config, bucket, "")?;
    if !root.is_dir() {
        return Err(ReadError(format!("the bucket '{bucket}' does not exist ({})", root.display())));
    }
    let mut found = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(d) = dirs.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| ReadError(format!("listing {}: {e}", d.display())))?;
        for e in entries.flatten() {
            let p = e.path();
            let Ok(meta) = e.metadata() else { continue };
            if meta.is_dir() {
                dirs.push(p);
                continue;
            }
            let key = p.strip_prefix(&root).unwrap_or(&p).to_string_lossy().replace('\\', "/");
            if key.starts_with(prefix) {
                let modified = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map(|d| d.as_millis() as i64)
                    .unwrap_or_default();
                found.push((key, meta.len(), modified));
            }
        }
    }
    found.sort();
    Ok(found
        .into_iter()
        .map(|(key, size, modified)| {
            json!({
                "Etag": format!("\"{:x}\"", size ^ modified as u64),
                "Key": key,
                "LastModified": stepline_asl::time::format_timestamp(modified),
                "Size": size,
                "StorageClass": "STANDARD",
            })
        })
        .collect())
}
