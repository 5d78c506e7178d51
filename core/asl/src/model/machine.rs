//! The compiled machine: states in one arena, their kinds, paths, templates and
//! transitions resolved to ids, as the compiler leaves them for the interpreter.

use super::jsonata;
use super::resource::TaskTarget;
use super::template::Template;
use crate::choice::ChoiceRule;
use crate::path::JsonPath;
use crate::time::Millis;
use serde_json::Value;

/// Index of a state in [`StateMachine::states`] (all nested machines share one arena).
pub type StateId = usize;
/// Index of a (sub-)machine in [`StateMachine::machines`]: 0 is the top level, then every
/// Parallel branch and Map item processor.
pub type MachineId = usize;

/// A compiled definition: the top-level machine and every nested one.
#[derive(Debug, Clone)]
pub struct StateMachine {
    pub machines: Vec<Machine>,
    pub states: Vec<State>,
    /// Execution-wide `TimeoutSeconds`.
    pub timeout_seconds: Option<u64>,
    pub comment: Option<String>,
    /// The definition as given, for `DescribeStateMachine` and history.
    pub source: Value,
    /// Largest state input, output or task result in bytes (AWS: 256 KiB); beyond it a
    /// state fails with `States.DataLimitExceeded`. Set by whoever runs the machine.
    pub max_payload: usize,
    /// Most history events one execution may have (AWS: 25,000); the event that would pass
    /// it becomes `ExecutionFailed`. EXPRESS executions keep no history, so for them it
    /// bounds the events of one step (a loop that never waits).
    pub max_history_events: u64,
    /// Longest an execution may run before it times out (AWS: one year STANDARD, five
    /// minutes EXPRESS), whatever its `TimeoutSeconds`.
    pub max_duration_seconds: Option<u64>,
    /// Distributed Maps run as Map Runs of the driver (the engine sets it): the interpreter
    /// asks for one with [`crate::interp::Command::StartMapRun`] instead of running the
    /// iterations inline.
    pub map_runs: bool,
    /// Wait states and Retry intervals last this many times as long (Step Functions
    /// Local's `WAIT_TIME_SCALE`, for test suites); 1 in production.
    pub wait_scale: f64,
}

/// One `StartAt` + `States` scope.
#[derive(Debug, Clone)]
pub struct Machine {
    pub start_at: StateId,
    /// State ids of this scope, in definition order.
    pub states: Vec<StateId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryLanguage {
    JsonPath,
    JsonAta,
}

/// `InputPath`/`OutputPath`: absent means `$`; `null` means "an empty object".
#[derive(Debug, Clone)]
pub enum IoPath {
    Identity,
    Null,
    Path(JsonPath),
}

/// `ResultPath`: absent means `$` (replace); `null` means "discard the result".
#[derive(Debug, Clone)]
pub enum ResultPath {
    Replace,
    Discard,
    Path(JsonPath),
}

#[derive(Debug, Clone)]
pub enum Transition {
    Next(StateId),
    End,
}

/// Fields every state may have.
#[derive(Debug, Clone)]
pub struct State {
    pub name: std::sync::Arc<str>,
    pub machine: MachineId,
    pub kind: StateKind,
    pub input_path: IoPath,
    pub output_path: IoPath,
    pub assign: Option<Template>,
    pub transition: Transition,
    /// True when anything in the state reads `$$`, so the context object is only built
    /// for the states that need it.
    pub uses_context: bool,
    /// The expressions of a state in the JSONata query language (`None` for JSONPath).
    pub jsonata: Option<Box<jsonata::JsonataFields>>,
}

#[derive(Debug, Clone)]
pub struct Retrier {
    pub error_equals: Vec<String>,
    pub interval_seconds: f64,
    pub max_attempts: u32,
    pub backoff_rate: f64,
    pub max_delay_seconds: Option<f64>,
    pub jitter_full: bool,
}

#[derive(Debug, Clone)]
pub struct Catcher {
    pub error_equals: Vec<String>,
    pub next: StateId,
    pub result_path: ResultPath,
    pub assign: Option<Template>,
}

/// A number given literally or through a path (`TimeoutSeconds` / `TimeoutSecondsPath`).
#[derive(Debug, Clone)]
pub enum NumberSource {
    Literal(f64),
    Path(JsonPath),
}

#[derive(Debug, Clone)]
pub struct Task {
    pub resource: String,
    /// What the resource targets, parsed once here.
    pub target: TaskTarget,
    pub parameters: Option<Template>,
    pub result_selector: Option<Template>,
    pub result_path: ResultPath,
    pub timeout: Option<NumberSource>,
    pub heartbeat: Option<NumberSource>,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
}

#[derive(Debug, Clone)]
pub enum WaitFor {
    Seconds(f64),
    /// A literal `Timestamp`, parsed once when the definition is compiled.
    Timestamp(Millis),
    SecondsPath(JsonPath),
    TimestampPath(JsonPath),
}

#[derive(Debug, Clone)]
pub struct ChoiceBranch {
    pub rule: ChoiceRule,
    pub next: StateId,
    pub assign: Option<Template>,
}

#[derive(Debug, Clone)]
pub enum ErrorSource {
    None,
    Literal(String),
    Path(JsonPath),
    Intrinsic(crate::intrinsics::Intrinsic),
}

#[derive(Debug, Clone)]
pub struct Parallel {
    pub branches: Vec<MachineId>,
    pub parameters: Option<Template>,
    pub result_selector: Option<Template>,
    pub result_path: ResultPath,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
}

#[derive(Debug, Clone)]
pub struct ItemBatcher {
    pub max_items: Option<NumberSource>,
    pub max_bytes: Option<NumberSource>,
    pub batch_input: Option<Template>,
}

#[derive(Debug, Clone)]
pub struct Map {
    pub processor: MachineId,
    pub items_path: IoPath,
    /// `Items` given literally or as a template (JSONPath query language: a literal array).
    pub items: Option<Template>,
    pub item_selector: Option<Template>,
    pub item_batcher: Option<ItemBatcher>,
    pub max_concurrency: Option<NumberSource>,
    pub tolerated_failure_count: Option<NumberSource>,
    pub tolerated_failure_percentage: Option<NumberSource>,
    pub result_selector: Option<Template>,
    pub result_path: ResultPath,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
    /// `ProcessorConfig.Mode == DISTRIBUTED`: the iterations are child executions of a
    /// Map Run (inline, with `MapRun*` events, when the driver runs no Map Runs).
    pub distributed: bool,
    /// What a Distributed Map's Map Run needs beyond the inline Map's fields.
    pub run: Option<Box<Distributed>>,
}

/// A Distributed Map's own fields.
#[derive(Debug, Clone)]
pub struct Distributed {
    /// `Label`: names the Map Run and its child executions.
    pub label: Option<String>,
    /// `ProcessorConfig.ExecutionType`: EXPRESS children run in memory, STANDARD ones durably.
    pub express: bool,
    /// The item processor as a definition of its own (`StartAt`, `States`, the query
    /// language it inherits): what the child executions run.
    pub processor_definition: std::sync::Arc<Value>,
    pub item_reader: Option<Box<IoResource>>,
    pub result_writer: Option<Box<IoResource>>,
}

/// The label AWS would accept made from a state name (used when `Label` is absent).
pub fn default_label(state_name: &str) -> String {
    let s: String = state_name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' })
        .take(40)
        .collect();
    if s.is_empty() {
        "map".into()
    } else {
        s
    }
}

impl Distributed {
    /// Its `Label`, or the one made from the name of its state.
    pub fn label_of(&self, state_name: &str) -> String {
        self.label.clone().unwrap_or_else(|| default_label(state_name))
    }
}

/// `ItemReader` / `ResultWriter`: a resource, its arguments and its config.
#[derive(Debug, Clone)]
pub struct IoResource {
    pub resource: String,
    pub arguments: Option<ResourceArgs>,
    /// `ReaderConfig` / `WriterConfig` as written; `MaxItems` (or its path) is evaluated.
    pub config: serde_json::Map<String, Value>,
    pub max_items: Option<NumberSource>,
}

/// `Parameters` (JSONPath) or `Arguments` (JSONata) of an `ItemReader` or `ResultWriter`.
#[derive(Debug, Clone)]
pub enum ResourceArgs {
    Path(Template),
    Ata(jsonata::Jt),
}

#[derive(Debug, Clone)]
pub enum StateKind {
    /// `Result` is copied into each execution rather than shared: a shared reference count
    /// would be written by every core running the machine.
    Pass {
        result: Option<Value>,
        parameters: Option<Template>,
        result_path: ResultPath,
    },
    Task(Box<Task>),
    Choice {
        choices: Vec<ChoiceBranch>,
        default: Option<StateId>,
    },
    Wait(WaitFor),
    Succeed,
    Fail {
        error: ErrorSource,
        cause: ErrorSource,
    },
    Parallel(Box<Parallel>),
    Map(Box<Map>),
}

impl StateKind {
    /// The prefix of this state's history event types (`PassStateEntered`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            StateKind::Pass { .. } => "Pass",
            StateKind::Task(_) => "Task",
            StateKind::Choice { .. } => "Choice",
            StateKind::Wait(_) => "Wait",
            StateKind::Succeed => "Succeed",
            StateKind::Fail { .. } => "Fail",
            StateKind::Parallel(_) => "Parallel",
            StateKind::Map(_) => "Map",
        }
    }
}

impl StateMachine {
    pub fn start_state(&self) -> StateId {
        self.machines[0].start_at
    }

    pub fn state_by_name(&self, machine: MachineId, name: &str) -> Option<StateId> {
        self.machines[machine].states.iter().copied().find(|&s| &*self.states[s].name == name)
    }

    /// Every state type named once per definition, for the conformance report and tools.
    pub fn state_count(&self) -> usize {
        self.states.len()
    }
}
