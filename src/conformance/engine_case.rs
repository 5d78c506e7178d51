//! Cases whose tasks call Step Functions itself (`states:startExecution` in every
//! pattern, `aws-sdk:sfn:*`) run through the real integration: on an engine of their own,
//! with the child state machine the recording implies created first, and compared with
//! the recording's placeholders (`<request_id>`, `start-date`, ...) standing for any value.

use super::case::Case;
use super::compare::{json_eq, short, Outcome};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use stepline_core::engine::EngineConfig;
use stepline_core::interp::Status;

/// Whether a case belongs here: every task it records is a call to Step Functions.
pub fn applies(case: &Case) -> bool {
    let engine_call = |r: &str| {
        r.starts_with("arn:aws:states:::states:startExecution") || r.starts_with("arn:aws:states:::aws-sdk:sfn:")
    };
    !case.tasks.is_empty() && case.tasks.iter().all(|t| engine_call(&task_resource(case, &t.state)))
}

fn task_resource(case: &Case, state: &str) -> String {
    case.definition["States"][state]["Resource"].as_str().unwrap_or_default().to_string()
}

/// Placeholders the recordings put where a value changes from run to run.
fn placeholder(s: &str) -> bool {
    (s.starts_with('<') && s.ends_with('>'))
        || matches!(
            s,
            "date"
                | "start-date"
                | "stop-date"
                | "execution-arn"
                | "state-machine-arn"
                | "x-amzn-RequestId"
                | "RequestId"
        )
}

const REDRIVE_MEMBERS: &[&str] = &["RedriveCount", "RedriveStatus", "RedriveStatusReason"];

/// JSON equality where a placeholder in `want` matches anything (also inside text).
fn matches(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (_, Value::String(w)) if placeholder(w) => true,
        (Value::String(g), Value::String(w)) => text_matches(g, w),
        (Value::Array(g), Value::Array(w)) => g.len() == w.len() && g.iter().zip(w).all(|(a, b)| matches(a, b)),
        (Value::Object(g), Value::Object(w)) => {
            // Recordings made before AWS added redrive lack DescribeExecution's Redrive*
            // members (later ones have them): they are not held against a newer answer.
            let extra = g.keys().filter(|k| !w.contains_key(*k));
            extra.clone().all(|k| REDRIVE_MEMBERS.contains(&k.as_str()))
                && w.iter().all(|(k, v)| {
                    // A body length of a response whose ARNs the recording renamed.
                    let any_length = k == "Content-Length" && g.get(k).is_some();
                    any_length || g.get(k).is_some_and(|x| matches(x, v))
                })
        }
        _ => json_eq(got, want),
    }
}

/// Text equality where `<...>` in `want` matches any run of characters, or JSON text
/// compared as JSON.
fn text_matches(got: &str, want: &str) -> bool {
    if let (Ok(g), Ok(w)) = (serde_json::from_str::<Value>(got), serde_json::from_str::<Value>(want)) {
        if w.is_object() || w.is_array() {
            return matches(&g, &w);
        }
    }
    let mut rest = got;
    let mut parts = want.split('<').enumerate().peekable();
    while let Some((i, part)) = parts.next() {
        let literal = if i == 0 { part } else { part.split_once('>').map_or(part, |(_, after)| after) };
        if i == 0 {
            let Some(r) = rest.strip_prefix(literal) else { return false };
            rest = r;
        } else if parts.peek().is_none() {
            return rest.ends_with(literal);
        } else {
            let Some(at) = rest.find(literal) else { return false };
            rest = &rest[at + literal.len()..];
        }
    }
    rest.is_empty()
}

/// The child a recorded answer implies: one that ends as the recording says.
fn child_definition(output: Option<&Value>, cause: Option<&str>) -> Value {
    let described = match (output, cause) {
        (Some(o), _) => o.clone(),
        (None, Some(c)) => serde_json::from_str(c).unwrap_or(Value::Null),
        _ => Value::Null,
    };
    let result = match described.get("Output") {
        Some(Value::String(s)) => serde_json::from_str(s).unwrap_or(Value::Null),
        Some(v) => v.clone(),
        None => json!({}),
    };
    match described.get("Status").and_then(Value::as_str) {
        Some("TIMED_OUT") => {
            json!({"TimeoutSeconds": 1, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": true}}})
        }
        Some("FAILED") => {
            let mut fail = json!({"Type": "Fail"});
            for (from, to) in [("Error", "Error"), ("Cause", "Cause")] {
                if let Some(v) = described.get(from) {
                    fail[to] = v.clone();
                }
            }
            json!({"StartAt": "F", "States": {"F": fail}})
        }
        _ => json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": result, "End": true}}}),
    }
}

pub fn run(case: &Case) -> Outcome {
    match run_inner(case) {
        Ok(o) => o,
        Err(e) => Outcome {
            failure: Some(format!("on the engine: {e:#}")),
            events_equal: case.events.as_ref().map(|_| false),
            events_got: None,
        },
    }
}

fn run_inner(case: &Case) -> anyhow::Result<Outcome> {
    let dir = std::env::temp_dir().join(format!(
        "stepline-conformance-{}-{}",
        std::process::id(),
        case.name.replace('/', "-")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let mut input = case.input.clone();
    // The account and region of the recorded child, so its ARNs come out the same.
    let arn =
        case.tasks.iter().find_map(|t| t.input.get("StateMachineArn").and_then(Value::as_str).map(str::to_string));
    let (region, account) = arn
        .as_deref()
        .and_then(|a| {
            let p: Vec<&str> = a.split(':').collect();
            (p.len() > 6).then(|| (p[3].to_string(), p[4].to_string()))
        })
        .unwrap_or_else(|| ("us-east-1".into(), "111111111111".into()));
    let engine = stepline_bridge::embedded::open(EngineConfig {
        data_dir: dir.clone(),
        region,
        account,
        ..EngineConfig::default()
    })?;
    let role = "arn:aws:iam::111111111111:role/conformance";
    for t in &case.tasks {
        let Some(arn) = t.input.get("StateMachineArn").and_then(Value::as_str) else { continue };
        let missing = t.error.as_deref().is_some_and(|e| e.contains("StateMachineDoesNotExist"));
        if missing {
            continue;
        }
        let child = child_definition(t.output.as_ref(), t.cause.as_deref());
        let name = if arn.starts_with("arn:") {
            arn.rsplit(':').next().unwrap_or("child").to_string()
        } else {
            "child".into()
        };
        let created = engine.create_state_machine(&name, &child.to_string(), "STANDARD", role)?;
        if !arn.starts_with("arn:") {
            // The recording hid the ARN behind a placeholder, in the input too.
            replace_string(&mut input, arn, &created.arn);
        }
    }
    let kind = case.state_machine_type.as_deref().unwrap_or("STANDARD");
    let parent = engine.create_state_machine("Parent", &case.definition.to_string(), kind, role)?;
    let run = engine.start_execution(&parent.arn, Some("Execution"), input)?;
    let deadline = Instant::now() + Duration::from_secs(20);
    let done = loop {
        let r = engine.describe_execution(&run.arn)?;
        if r.status != Status::Running || Instant::now() > deadline {
            break r;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let got: Vec<String> = engine
        .history(&run.arn, 0, 10_000, false)?
        .iter()
        .filter_map(|e| e["type"].as_str().map(str::to_string))
        .collect();
    engine.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
    let events_equal = case.events.as_ref().map(|want| &got == want);
    let events_got = (events_equal == Some(false)).then_some(got);
    let mut diffs = Vec::new();
    let want_status = case.expected.get("status").and_then(Value::as_str).unwrap_or("");
    if done.status.as_str() != want_status {
        diffs.push(format!("status {} != {want_status}", done.status.as_str()));
    }
    if done.status == Status::Succeeded {
        if let Some(want) = case.expected.get("output") {
            let out = done.output.as_deref().cloned().unwrap_or(Value::Null);
            if !matches(&out, want) {
                let full = std::env::var_os("STEPLINE_CONFORMANCE_FULL").is_some();
                let show = |v: &Value| if full { v.to_string() } else { short(v) };
                diffs.push(format!("output {} != {}", show(&out), show(want)));
            }
        }
    } else {
        let (error, cause) = (done.error.unwrap_or_default(), done.cause.unwrap_or_default());
        if let Some(want) = case.expected.get("error").and_then(Value::as_str) {
            if error != want {
                diffs.push(format!("error '{error}' != '{want}'"));
            }
        }
        if let Some(want) = case.expected.get("cause").and_then(Value::as_str) {
            if !text_matches(&cause, want) {
                diffs.push(format!("cause '{cause}' != '{want}'"));
            }
        }
    }
    Ok(Outcome { failure: (!diffs.is_empty()).then(|| diffs.join("; ")), events_equal, events_got })
}

fn replace_string(v: &mut Value, from: &str, to: &str) {
    match v {
        Value::String(s) if s == from => *s = to.to_string(),
        Value::Array(a) => a.iter_mut().for_each(|x| replace_string(x, from, to)),
        Value::Object(o) => o.values_mut().for_each(|x| replace_string(x, from, to)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_stand_for_any_value() {
        assert!(matches(&json!({"StartDate": 1.5, "Arn": "a"}), &json!({"StartDate": "start-date", "Arn": "a"})));
        assert!(!matches(&json!({"Arn": "b"}), &json!({"Arn": "a"})));
        assert!(text_matches("Request ID: 1234-ab) (SDK", "Request ID: <request_id>) (SDK"));
        assert!(!text_matches("Request ID: 1234-ab) (XYZ", "Request ID: <request_id>) (SDK"));
        assert!(text_matches(r#"{"a":1,"b":"x"}"#, r#"{"b":"<id>","a":1}"#));
    }
}
