//! Case files: loading and the fields a case may carry.

use anyhow::{Context, Result};
use serde::Deserialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
pub struct ScriptedTask {
    pub state: String,
    #[serde(default)]
    pub input: Value,
    pub output: Option<Value>,
    pub error: Option<String>,
    pub cause: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    pub name: String,
    #[serde(skip)]
    pub category: String,
    #[serde(skip)]
    pub file: PathBuf,
    pub definition: Value,
    #[serde(default)]
    pub input: Value,
    pub context: Option<Value>,
    pub state_machine_type: Option<String>,
    #[serde(default)]
    pub tasks: Vec<ScriptedTask>,
    pub expected: Value,
    pub events: Option<Vec<String>>,
}

/// Every `*.json` below `dir` (README and other files are ignored), sorted by path.
pub fn load_dir(dir: &Path) -> Result<Vec<Case>> {
    let mut files = Vec::new();
    collect(dir, &mut files).with_context(|| format!("cannot read {}", dir.display()))?;
    files.sort();
    let mut cases = Vec::with_capacity(files.len());
    for f in files {
        let text = std::fs::read_to_string(&f).with_context(|| format!("cannot read {}", f.display()))?;
        let mut c: Case =
            serde_json::from_str(&text).with_context(|| format!("{} is not a valid case file", f.display()))?;
        c.category =
            f.parent().and_then(|p| p.file_name()).map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        c.file = f;
        cases.push(c);
    }
    Ok(cases)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            collect(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
    Ok(())
}
