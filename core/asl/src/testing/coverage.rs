//! Which states, Choice branches and Catch clauses a set of cases exercised, from their
//! histories: each state's entries, and each transition taken out of a Choice (credited to
//! the first rule, or the Default, that leads to the state entered) or through a Catch
//! (credited to the first clause that leads there).

use serde_json::Value;
use std::collections::HashMap;

/// A state of the definition (nested states too) and how often it was entered.
#[derive(Debug, Clone, PartialEq)]
pub struct StateCount {
    pub name: String,
    pub kind: String,
    pub depth: usize,
    pub entered: u32,
}

/// A Choice rule, a Default or a Catch clause, and how often it was taken.
#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    pub state: String,
    /// `rule 1`, `Default`, `Catch 1 [States.ALL]`.
    pub label: String,
    pub target: String,
    pub taken: u32,
    catch: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Coverage {
    pub states: Vec<StateCount>,
    pub branches: Vec<Branch>,
}

impl Coverage {
    /// Everything there is to cover in `definition`.
    pub fn new(definition: &Value) -> Coverage {
        let mut c = Coverage::default();
        c.collect(definition, 0);
        c
    }

    fn collect(&mut self, machine: &Value, depth: usize) {
        let Some(states) = machine["States"].as_object() else { return };
        for (name, s) in states {
            self.states.push(StateCount {
                name: name.clone(),
                kind: s["Type"].as_str().unwrap_or("?").into(),
                depth,
                entered: 0,
            });
            for (i, rule) in s["Choices"].as_array().into_iter().flatten().enumerate() {
                self.branch(name, format!("rule {}", i + 1), &rule["Next"], false);
            }
            self.branch(name, "Default".into(), &s["Default"], false);
            for (i, c) in s["Catch"].as_array().into_iter().flatten().enumerate() {
                let errors: Vec<&str> =
                    c["ErrorEquals"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                self.branch(name, format!("Catch {} [{}]", i + 1, errors.join(", ")), &c["Next"], true);
            }
            for b in s["Branches"].as_array().into_iter().flatten() {
                self.collect(b, depth + 1);
            }
            for key in ["ItemProcessor", "Iterator"] {
                if s[key].is_object() {
                    self.collect(&s[key], depth + 1);
                }
            }
        }
    }

    fn branch(&mut self, state: &str, label: String, next: &Value, catch: bool) {
        if let Some(t) = next.as_str() {
            self.branches.push(Branch { state: state.into(), label, target: t.into(), taken: 0, catch });
        }
    }

    /// Counts what one execution's history (AWS JSON events) exercised.
    pub fn add(&mut self, events: &[Value]) {
        let by_id: HashMap<u64, &Value> = events.iter().filter_map(|e| Some((e["id"].as_u64()?, e))).collect();
        let kind = |e: &Value| e["type"].as_str().unwrap_or("").to_string();
        let name = |e: &Value| -> Option<String> {
            e.as_object()?
                .iter()
                .find(|(k, _)| k.ends_with("EventDetails"))
                .and_then(|(_, d)| d["name"].as_str())
                .map(str::to_string)
        };
        for e in events {
            let t = kind(e);
            if !t.ends_with("StateEntered") {
                continue;
            }
            let Some(target) = name(e) else { continue };
            if let Some(s) = self.states.iter_mut().find(|s| s.name == target) {
                s.entered += 1;
            }
            // Back along this branch's events to the state the execution came from, noting
            // a failure on the way (a Catch).
            let mut failed = false;
            let mut at = e["previousEventId"].as_u64().and_then(|p| by_id.get(&p));
            let mut from = None;
            while let Some(p) = at {
                let pt = kind(p);
                if pt.ends_with("StateExited") || pt.ends_with("StateEntered") {
                    from = name(p);
                    if pt.ends_with("StateExited") {
                        // Whether the state failed before it was left.
                        let mut back = p["previousEventId"].as_u64().and_then(|q| by_id.get(&q));
                        while let Some(q) = back {
                            let qt = kind(q);
                            if qt.ends_with("StateEntered") {
                                break;
                            }
                            failed |=
                                (qt.ends_with("Failed") || qt.ends_with("TimedOut")) && !qt.starts_with("Execution");
                            back = q["previousEventId"].as_u64().and_then(|r| by_id.get(&r));
                        }
                    }
                    break;
                }
                failed |= (pt.ends_with("Failed") || pt.ends_with("TimedOut")) && !pt.starts_with("Execution");
                at = p["previousEventId"].as_u64().and_then(|q| by_id.get(&q));
            }
            let Some(from) = from else { continue };
            let taken = self.branches.iter_mut().find(|b| b.state == from && b.target == target && b.catch == failed);
            if let Some(b) = taken {
                b.taken += 1;
            }
        }
    }

    /// Counts of what was covered: (states entered, states), (branches taken, branches).
    pub fn totals(&self) -> ((usize, usize), (usize, usize)) {
        let s = self.states.iter().filter(|s| s.entered > 0).count();
        let b = self.branches.iter().filter(|b| b.taken > 0).count();
        ((s, self.states.len()), (b, self.branches.len()))
    }

    /// The table printed by `stepline test --coverage`.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let width = self.states.iter().map(|s| s.name.len() + 2 * s.depth).max().unwrap_or(5).max(5);
        out.push_str(&format!("  {:<width$}  {:<8}  ENTERED\n", "STATE", "TYPE"));
        for s in &self.states {
            let name = format!("{}{}", "  ".repeat(s.depth), s.name);
            let mark = if s.entered == 0 { "  never" } else { "" };
            out.push_str(&format!("  {name:<width$}  {:<8}  {}{mark}\n", s.kind, s.entered));
        }
        if !self.branches.is_empty() {
            out.push_str("  BRANCH\n");
            for b in &self.branches {
                let mark = if b.taken == 0 { "never" } else { "" };
                out.push_str(&format!("  {} {} → {}: {} {mark}\n", b.state, b.label, b.target, b.taken));
            }
        }
        let ((s, st), (b, bt)) = self.totals();
        out.push_str(&format!("  covered: {s}/{st} states, {b}/{bt} branches\n"));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{compile_value, MachineType};
    use crate::testing::{run_case, Spec};
    use serde_json::json;

    #[test]
    fn choice_branches_and_catches_taken_are_counted() {
        let def = json!({"StartAt": "Pick", "States": {
            "Pick": {"Type": "Choice", "Choices": [
                {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"},
                {"Variable": "$.n", "NumericLessThan": 0, "Next": "Negative"}], "Default": "Small"},
            "Big": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:big",
                    "Catch": [{"ErrorEquals": ["Too.Big"], "Next": "Small"}], "End": true},
            "Negative": {"Type": "Fail", "Error": "Neg"},
            "Small": {"Type": "Succeed"}}});
        let m = compile_value(&def, MachineType::Standard).unwrap();
        let spec = Spec::parse(json!({"definition": def, "cases": [
            {"name": "big", "input": {"n": 11}, "mocks": {"Big": {"throw": {"error": "Too.Big"}}}},
            {"name": "small", "input": {"n": 1}}]}))
        .unwrap();
        let mut c = Coverage::new(&def);
        for case in &spec.cases {
            let r = run_case(&m, "m", case, &case.mocks().unwrap(), None, &Default::default());
            assert!(r.passed(), "{}: {:?}", case.name, r.failures);
            c.add(&r.events);
        }
        let taken: Vec<(String, u32)> =
            c.branches.iter().map(|b| (format!("{} {}", b.state, b.label), b.taken)).collect();
        assert_eq!(
            taken,
            [
                ("Pick rule 1".to_string(), 1),
                ("Pick rule 2".to_string(), 0),
                ("Pick Default".to_string(), 1),
                ("Big Catch 1 [Too.Big]".to_string(), 1)
            ]
        );
        assert_eq!(c.totals(), ((3, 4), (3, 4)));
        assert!(c.table().contains("Negative  Fail      0  never"), "{}", c.table());
    }
}
