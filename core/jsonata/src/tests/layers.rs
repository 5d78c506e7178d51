//! The crate's files stay in layers: no file may use names from a file that, directly or
//! through others, uses names from it. An edge is a `use` or an inline path starting with
//! `crate`, `super` or `self`, resolved to the deepest module file it names (a re-export in
//! a parent `mod.rs` counts as the parent), or a `mod` declaration (parent to child).
//! Comments and string literals are skipped.

use regex_lite::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

fn sources(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, root, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            let rel = p.strip_prefix(root).unwrap_or(&p).to_string_lossy().replace('\\', "/");
            out.insert(rel, std::fs::read_to_string(&p).unwrap_or_default());
        }
    }
}

/// `eval/mod.rs` is the module `["eval"]`, `eval/path.rs` is `["eval", "path"]`.
fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file.trim_end_matches(".rs").split('/').map(str::to_string).collect();
    if parts.last().is_some_and(|l| l == "lib" || l == "mod") {
        parts.pop();
    }
    parts
}

/// Expands a use tree such as `a::{b, c::{d, e}}` into its paths.
fn expand(prefix: &str, tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else { return vec![format!("{prefix}{tree}")] };
    let head = &tree[..open];
    let inner = &tree[open + 1..tree.len().saturating_sub(1)];
    let (mut parts, mut depth, mut cur) = (Vec::new(), 0, String::new());
    for c in inner.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if c == ',' && depth == 0 {
            parts.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    parts.push(cur);
    let prefix = format!("{prefix}{head}");
    parts.iter().filter(|p| !p.trim().is_empty()).flat_map(|p| expand(&prefix, p)).collect()
}

fn resolve(modules: &BTreeMap<Vec<String>, String>, current: &[String], path: &str) -> Option<String> {
    let segs: Vec<&str> = path.split("::").map(|s| s.split_whitespace().next().unwrap_or("")).collect();
    let (mut base, rest) = match segs.first() {
        Some(&"crate") => (Vec::new(), &segs[1..]),
        Some(&"super") | Some(&"self") => {
            let mut base = current.to_vec();
            let n = segs.iter().take_while(|s| **s == "super" || **s == "self").count();
            for s in &segs[..n] {
                if *s == "super" {
                    base.pop();
                }
            }
            (base, &segs[n..])
        }
        _ => return None,
    };
    for s in rest {
        base.push(s.to_string());
        if !modules.contains_key(&base) {
            base.pop();
            break;
        }
    }
    modules.get(&base).cloned()
}

fn graph(files: &BTreeMap<String, String>) -> Graph {
    let modules: BTreeMap<Vec<String>, String> = files.keys().map(|f| (module_of(f), f.clone())).collect();
    // comments, string and char literals: whichever starts first is blanked
    let noise =
        Regex::new("r#\"(?s:.*?)\"#|//[^\\n]*|\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)'").expect("valid regex");
    let uses = Regex::new(r"(?m)^\s*(?:pub(?:\([^)]*\))?\s+)?use\s+([^;]+);").expect("valid regex");
    let inline = Regex::new(r"\b(?:crate|super|self)(?:::\w+)+").expect("valid regex");
    let mods = Regex::new(r"(?m)^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;").expect("valid regex");
    let mut g = Graph::new();
    for (file, text) in files {
        let current = module_of(file);
        let text = noise.replace_all(text, "");
        let mut targets = BTreeSet::new();
        for c in uses.captures_iter(&text) {
            for p in expand("", &c[1]) {
                targets.extend(resolve(&modules, &current, &p));
            }
        }
        for m in inline.find_iter(&text) {
            targets.extend(resolve(&modules, &current, m.as_str()));
        }
        for c in mods.captures_iter(&text) {
            let mut child = current.clone();
            child.push(c[1].to_string());
            targets.extend(modules.get(&child).cloned());
        }
        targets.remove(file);
        g.insert(file.clone(), targets);
    }
    g
}

/// A cycle through `at`, if the depth-first walk finds one.
fn find_cycle(g: &Graph, at: &str, state: &mut BTreeMap<String, bool>, stack: &mut Vec<String>) -> Option<Vec<String>> {
    state.insert(at.to_string(), true);
    stack.push(at.to_string());
    for next in g.get(at).into_iter().flatten() {
        match state.get(next) {
            Some(true) => {
                let from = stack.iter().position(|f| f == next).unwrap_or(0);
                let mut cycle = stack[from..].to_vec();
                cycle.push(next.clone());
                return Some(cycle);
            }
            Some(false) => {}
            None => {
                if let Some(c) = find_cycle(g, next, state, stack) {
                    return Some(c);
                }
            }
        }
    }
    stack.pop();
    state.insert(at.to_string(), false);
    None
}

#[test]
fn no_file_uses_a_file_that_uses_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    sources(&root, &root, &mut files);
    assert!(files.contains_key("eval/mod.rs") && files.contains_key("functions/mod.rs"), "sources found");
    let g = graph(&files);
    let mut state = BTreeMap::new();
    for f in g.keys() {
        if !state.contains_key(f) {
            if let Some(cycle) = find_cycle(&g, f, &mut state, &mut Vec::new()) {
                panic!("import cycle: {}", cycle.join(" -> "));
            }
        }
    }
}

#[test]
fn the_checker_sees_a_cycle_through_a_parent_module() {
    let files: BTreeMap<String, String> = [
        ("lib.rs", "mod eval;\n"),
        ("eval/mod.rs", "mod path;\npub struct Evaluator;\n"),
        ("eval/path.rs", "use super::Evaluator;\n"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    let g = graph(&files);
    let cycle = find_cycle(&g, "lib.rs", &mut BTreeMap::new(), &mut Vec::new());
    assert_eq!(cycle, Some(vec!["eval/mod.rs".into(), "eval/path.rs".into(), "eval/mod.rs".into()]));
}
