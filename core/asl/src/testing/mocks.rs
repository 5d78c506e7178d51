//! Mocked task results by state name and call number: call 0 is a state's first call,
//! each retry the next. A call with no mocked response fails with `States.Runtime`, as in
//! Step Functions Local. [`mocked_outcome`] is the one rule; the in-process
//! [`MockHandler`] and the engine's mocked test cases both answer through it.

use crate::error_names;
use crate::interp::{TaskOutcome, TaskRequest};
use crate::runner::TaskHandler;
use serde_json::Value;
use std::collections::HashMap;

/// What a mocked call does.
#[derive(Debug, Clone, PartialEq)]
pub enum MockOutcome {
    /// The task's result: the whole service response (for `lambda:invoke`,
    /// `{"StatusCode": 200, "Payload": ...}`), or a worker's output for an activity.
    Return(Value),
    Throw {
        error: String,
        cause: String,
    },
    /// No answer: the task times out (with `TimeoutSeconds` or a heartbeat), on virtual
    /// time.
    Timeout,
}

impl MockOutcome {
    /// What the task's driver feeds the interpreter for this mocked call.
    pub fn to_outcome(&self) -> TaskOutcome {
        match self {
            MockOutcome::Return(v) => TaskOutcome::Success(v.clone()),
            MockOutcome::Throw { error, cause } => TaskOutcome::Failure { error: error.clone(), cause: cause.clone() },
            MockOutcome::Timeout => TaskOutcome::NoAnswer,
        }
    }
}

impl From<MockOutcome> for TaskOutcome {
    fn from(m: MockOutcome) -> TaskOutcome {
        match m {
            MockOutcome::Return(v) => TaskOutcome::Success(v),
            MockOutcome::Throw { error, cause } => TaskOutcome::Failure { error, cause },
            MockOutcome::Timeout => TaskOutcome::NoAnswer,
        }
    }
}

/// The mocked answer to call `call` (0 for the first, each retry the next) of the task
/// `req`, or `None` when its state has no mocks (a real worker answers it). A mocked
/// state with nothing for this call fails with `States.Runtime`.
pub fn mocked_outcome(mocks: &Mocks, call: u32, req: &TaskRequest) -> Option<TaskOutcome> {
    let m = mocks.by_state.get(&req.state_name)?;
    Some(match m.get(call) {
        Some(o) => o.to_outcome(),
        None => TaskOutcome::Failure {
            error: error_names::RUNTIME.into(),
            cause: format!("no mocked response for call {call} of state '{}'", req.state_name),
        },
    })
}

/// Outcomes of one state's calls: inclusive ranges of call numbers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallMocks {
    pub ranges: Vec<(u32, u32, MockOutcome)>,
}

impl CallMocks {
    /// The same outcome for every call.
    pub fn always(outcome: MockOutcome) -> CallMocks {
        CallMocks { ranges: vec![(0, u32::MAX, outcome)] }
    }

    /// One outcome per call, in order.
    pub fn in_order(outcomes: Vec<MockOutcome>) -> CallMocks {
        CallMocks { ranges: outcomes.into_iter().enumerate().map(|(i, o)| (i as u32, i as u32, o)).collect() }
    }

    /// Adds the outcome of the calls a key names: `"0"` or `"1-2"`.
    pub fn add(&mut self, key: &str, outcome: MockOutcome) -> Result<(), String> {
        let (lo, hi) = parse_range(key)?;
        if let Some((l, h, _)) = self.ranges.iter().find(|(l, h, _)| lo <= *h && *l <= hi) {
            return Err(format!("calls '{key}' overlap calls {l}-{h}"));
        }
        self.ranges.push((lo, hi, outcome));
        Ok(())
    }

    pub fn get(&self, call: u32) -> Option<&MockOutcome> {
        self.ranges.iter().find(|(lo, hi, _)| (*lo..=*hi).contains(&call)).map(|(_, _, o)| o)
    }
}

fn parse_range(key: &str) -> Result<(u32, u32), String> {
    let num = |s: &str| {
        s.trim().parse::<u32>().map_err(|_| format!("'{key}' is not a call number or range like \"0\" or \"1-2\""))
    };
    match key.split_once('-') {
        Some((a, b)) => {
            let (lo, hi) = (num(a)?, num(b)?);
            if lo > hi {
                return Err(format!("the range '{key}' ends before it starts"));
            }
            Ok((lo, hi))
        }
        None => num(key).map(|n| (n, n)),
    }
}

/// The mocked states of a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mocks {
    pub by_state: HashMap<String, CallMocks>,
}

impl Mocks {
    /// `other`'s states replace these.
    pub fn merged(mut self, other: Mocks) -> Mocks {
        self.by_state.extend(other.by_state);
        self
    }
}

/// One call a task state made: what it was given and what it got.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub state: String,
    pub input: Value,
    pub outcome: String,
}

/// Answers tasks from [`Mocks`]; a state with no mock goes to `fallback` (real workers)
/// or fails with `States.Runtime`.
pub struct MockHandler<'a> {
    pub mocks: &'a Mocks,
    pub fallback: Option<&'a mut dyn TaskHandler>,
    counts: HashMap<String, u32>,
    pub calls: Vec<Call>,
}

impl<'a> MockHandler<'a> {
    pub fn new(mocks: &'a Mocks, fallback: Option<&'a mut dyn TaskHandler>) -> Self {
        MockHandler { mocks, fallback, counts: HashMap::new(), calls: Vec::new() }
    }
}

impl TaskHandler for MockHandler<'_> {
    fn call(&mut self, req: &TaskRequest) -> TaskOutcome {
        let n = self.counts.entry(req.state_name.clone()).or_default();
        let call = *n;
        *n += 1;
        let outcome = match mocked_outcome(self.mocks, call, req) {
            Some(o) => o,
            None => match self.fallback.as_mut() {
                Some(f) => f.call(req),
                None => TaskOutcome::Failure {
                    error: error_names::RUNTIME.into(),
                    cause: format!("state '{}' ({}) has no mock and no worker", req.state_name, req.target),
                },
            },
        };
        let said = match &outcome {
            TaskOutcome::Success(_) => "returned".to_string(),
            TaskOutcome::Failure { error, .. } => format!("threw {error}"),
            TaskOutcome::Heartbeat => "sent a heartbeat".to_string(),
            TaskOutcome::NoAnswer => "timed out".to_string(),
        };
        self.calls.push(Call { state: req.state_name.clone(), input: req.input.clone(), outcome: said });
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn calls_are_counted_per_state_and_ranges_pick_the_outcome() {
        let mut m = CallMocks::default();
        m.add("0", MockOutcome::Throw { error: "A".into(), cause: "".into() }).unwrap();
        m.add("1-2", MockOutcome::Return(json!(2))).unwrap();
        assert_eq!(m.get(0), Some(&MockOutcome::Throw { error: "A".into(), cause: "".into() }));
        assert_eq!(m.get(2), Some(&MockOutcome::Return(json!(2))));
        assert_eq!(m.get(3), None);
        assert!(m.add("2-4", MockOutcome::Timeout).unwrap_err().contains("overlap"));
        assert!(m.add("5-4", MockOutcome::Timeout).unwrap_err().contains("ends before"));
        assert!(m.add("x", MockOutcome::Timeout).unwrap_err().contains("not a call number"));
    }

    fn request(state: &str) -> TaskRequest {
        TaskRequest {
            id: 1,
            task: crate::history::TaskRef {
                family: crate::history::TaskFamily::Activity,
                resource: String::new(),
                resource_type: String::new(),
            },
            target: "a".into(),
            state_name: state.into(),
            input: json!({}),
            token: "t".into(),
            timeout_seconds: None,
            heartbeat_seconds: None,
            retry_count: 0,
            entered_time: 0,
            wait_for_token: false,
            answer: crate::model::AnswerShape::Raw,
        }
    }

    #[test]
    fn mocked_outcome_answers_mocked_states_only() {
        let mut mocks = Mocks::default();
        mocks
            .by_state
            .insert("S".into(), CallMocks::in_order(vec![MockOutcome::Return(json!(1)), MockOutcome::Timeout]));
        assert_eq!(mocked_outcome(&mocks, 0, &request("S")), Some(TaskOutcome::Success(json!(1))));
        assert_eq!(mocked_outcome(&mocks, 1, &request("S")), Some(TaskOutcome::NoAnswer));
        assert_eq!(
            mocked_outcome(&mocks, 2, &request("S")),
            Some(TaskOutcome::Failure {
                error: error_names::RUNTIME.into(),
                cause: "no mocked response for call 2 of state 'S'".into()
            })
        );
        assert_eq!(mocked_outcome(&mocks, 0, &request("Other")), None);
    }
}
