//! The conformance report: failing cases, a table per category, history agreement, and
//! the closing `N passed, M failed` line.

use super::case::Case;
use super::compare::Outcome;
use anyhow::Result;
use serde_json::json;
use std::collections::BTreeMap;

pub struct Summary {
    pub passed: usize,
    pub failed: usize,
}

impl Summary {
    pub fn pass_rate(&self) -> f64 {
        let total = self.passed + self.failed;
        if total == 0 {
            0.0
        } else {
            self.passed as f64 / total as f64
        }
    }
}

pub fn print(cases: &[Case], results: &[Outcome], as_json: bool) -> Result<Summary> {
    let mut by_cat: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let (mut ev_total, mut ev_equal) = (0, 0);
    for (c, r) in cases.iter().zip(results) {
        let e = by_cat.entry(&c.category).or_default();
        if r.failure.is_none() {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
        if let Some(eq) = r.events_equal {
            ev_total += 1;
            ev_equal += eq as usize;
        }
        if as_json {
            println!(
                "{}",
                json!({"case": c.name, "file": c.file, "passed": r.failure.is_none(), "reason": r.failure, "events_equal": r.events_equal, "events": r.events_got})
            );
        } else if let Some(why) = &r.failure {
            println!("FAIL {}: {why}", c.name);
        }
    }
    let passed: usize = by_cat.values().map(|v| v.0).sum();
    let failed: usize = by_cat.values().map(|v| v.1).sum();
    let summary = Summary { passed, failed };
    if as_json {
        let cats: BTreeMap<_, _> =
            by_cat.iter().map(|(k, (p, f))| (k.to_string(), json!({"passed": p, "failed": f}))).collect();
        println!(
            "{}",
            json!({"passed": passed, "failed": failed, "pass_rate": summary.pass_rate(), "categories": cats, "history_equal": ev_equal, "history_recorded": ev_total})
        );
    } else {
        println!();
        println!("{:<22} {:>7} {:>7} {:>8}", "category", "passed", "failed", "rate");
        for (k, (p, f)) in &by_cat {
            println!("{:<22} {:>7} {:>7} {:>7.1}%", k, p, f, 100.0 * *p as f64 / (*p + *f).max(1) as f64);
        }
        println!();
        if ev_total > 0 {
            println!(
                "history event types equal to AWS: {ev_equal}/{ev_total} ({:.1}%)",
                100.0 * ev_equal as f64 / ev_total as f64
            );
        }
        println!("pass rate: {:.1}%", 100.0 * summary.pass_rate());
    }
    // The closing line, always last, in every mode.
    println!("{passed} passed, {failed} failed");
    Ok(summary)
}
