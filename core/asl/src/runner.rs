//! Runs one execution in process from start to end: the smallest driver of the pure
//! interpreter. Tasks go to a [`TaskHandler`]; timers run on virtual time (instantly, for
//! tests, conformance and benchmarks) or on the wall clock.

pub use crate::interp::TaskOutcome;
use crate::interp::{self, Command, Event, Execution, ExecutionInfo, TaskRequest, WaitId};
use crate::model::StateMachine;
use crate::time::Millis;
use serde_json::Value;
use std::collections::{BTreeSet, VecDeque};

/// Does the work of Task states.
pub trait TaskHandler {
    fn call(&mut self, request: &TaskRequest) -> TaskOutcome;
}

impl<F: FnMut(&TaskRequest) -> TaskOutcome> TaskHandler for F {
    fn call(&mut self, request: &TaskRequest) -> TaskOutcome {
        self(request)
    }
}

/// Where time comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Clock {
    /// Timers fire at once; the execution's clock jumps to their due time.
    Virtual { start: Millis },
    /// Timers fire when the wall clock reaches them.
    Real,
    /// The execution's clock runs `factor` times as fast as the wall clock (0.5: half
    /// speed; 60: a minute a second).
    Scaled { start: Millis, factor: f64 },
}

/// Options for [`run`].
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub clock: Clock,
    pub seed: u64,
    /// Upper bound on events handled, so a definition that loops forever (a Choice cycle,
    /// endless retries) stops with [`RunError::EventBudget`] instead of hanging.
    pub max_events: u64,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { clock: Clock::Virtual { start: 1_700_000_000_000 }, seed: 0x5eed, max_events: 1_000_000 }
    }
}

impl RunOptions {
    /// When the execution's clock starts (the wall clock's now for a real clock).
    pub fn clock_start(&self) -> Millis {
        match self.clock {
            Clock::Virtual { start } | Clock::Scaled { start, .. } => start,
            Clock::Real => wall_now(),
        }
    }
}

/// An execution that could not be run to its end, as it stood when the runner gave up.
#[derive(Debug, Clone)]
pub struct Unfinished {
    pub execution: Execution,
    pub error: RunError,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunError {
    #[error("the execution waits for tasks that will never be answered (no timeout set)")]
    Stuck,
    #[error("the execution did not end within {0} events")]
    EventBudget(u64),
}

/// The wall clock, for the real-time and scaled modes.
fn wall_now() -> Millis {
    crate::clock::Clock::now(&crate::clock::SystemClock)
}

/// Runs one execution to its end.
pub fn run(
    machine: &StateMachine,
    info: ExecutionInfo,
    input: Value,
    handler: &mut dyn TaskHandler,
    opts: &RunOptions,
) -> Result<Execution, Box<Unfinished>> {
    let mut now = match opts.clock {
        Clock::Virtual { start } | Clock::Scaled { start, .. } => start,
        Clock::Real => wall_now(),
    };
    let (wall_start, start) = (wall_now(), now);
    // The execution's time at a wall-clock time, and the other way round.
    let scaled = |factor: f64| start + ((wall_now() - wall_start) as f64 * factor) as Millis;
    let info = ExecutionInfo { start_time: now, ..info };
    let (mut exec, cmds) = interp::start(machine, info, input, now, opts.seed);
    let mut timers: BTreeSet<(Millis, WaitId)> = BTreeSet::new();
    let mut events: VecDeque<Event> = VecDeque::new();
    apply(cmds, handler, &mut timers, &mut events);
    let mut handled = 0u64;
    while exec.status == interp::Status::Running {
        handled += 1;
        if handled > opts.max_events {
            return Err(Box::new(Unfinished { execution: exec, error: RunError::EventBudget(opts.max_events) }));
        }
        let event = match events.pop_front() {
            Some(e) => e,
            None => {
                // Only the longest-duration deadline left: nothing in this run can answer.
                let waits_on_more = timers.iter().any(|(_, id)| *id != interp::DEADLINE_WAIT);
                let next = timers.iter().next().filter(|_| waits_on_more);
                let Some(&(at, id)) = next else {
                    return Err(Box::new(Unfinished { execution: exec, error: RunError::Stuck }));
                };
                timers.remove(&(at, id));
                match opts.clock {
                    Clock::Virtual { .. } => now = now.max(at),
                    Clock::Real => {
                        let wait = at - wall_now();
                        if wait > 0 {
                            std::thread::sleep(std::time::Duration::from_millis(wait as u64));
                        }
                        now = wall_now();
                    }
                    Clock::Scaled { factor, .. } => {
                        let due = wall_start + ((at - start) as f64 / factor) as Millis;
                        let wait = due - wall_now();
                        if wait > 0 {
                            std::thread::sleep(std::time::Duration::from_millis(wait as u64));
                        }
                        now = now.max(at);
                    }
                }
                Event::TimerFired { id }
            }
        };
        match opts.clock {
            Clock::Real => now = wall_now(),
            Clock::Scaled { factor, .. } => now = now.max(scaled(factor)),
            Clock::Virtual { .. } => {}
        }
        // A result for a task that was cancelled meanwhile is dropped, as a bus would.
        if let Ok(cmds) = interp::handle(machine, &mut exec, now, event) {
            apply(cmds, handler, &mut timers, &mut events);
        }
    }
    Ok(exec)
}

fn apply(
    cmds: Vec<Command>,
    handler: &mut dyn TaskHandler,
    timers: &mut BTreeSet<(Millis, WaitId)>,
    events: &mut VecDeque<Event>,
) {
    for c in cmds {
        match c {
            Command::ScheduleTask(req) => events.extend(handler.call(&req).into_event(req.id)),
            // This runner's machines run their Distributed Maps inline (`map_runs` unset).
            Command::StartMapRun(req) => events.push_back(Event::TaskFailed {
                id: req.id,
                error: crate::error_names::RUNTIME.into(),
                cause: "Map Runs need the engine: this runner runs Distributed Maps inline".into(),
            }),
            Command::CancelTask { id } => events.retain(|e| {
                !matches!(e, Event::TaskSucceeded { id: i, .. } | Event::TaskFailed { id: i, .. } | Event::TaskHeartbeat { id: i } if *i == id)
            }),
            Command::StartTimer { id, fire_at } => {
                timers.insert((fire_at, id));
            }
            Command::CancelTimer { id } => timers.retain(|(_, i)| *i != id),
        }
    }
}

/// Default identity for an execution run outside any server.
pub fn local_info(machine_name: &str, execution_name: &str) -> ExecutionInfo {
    let sm_arn = format!("arn:aws:states:us-east-1:000000000000:stateMachine:{machine_name}");
    ExecutionInfo {
        arn: format!("arn:aws:states:us-east-1:000000000000:execution:{machine_name}:{execution_name}"),
        name: execution_name.to_string(),
        state_machine_arn: sm_arn,
        state_machine_name: machine_name.to_string(),
        role_arn: "arn:aws:iam::000000000000:role/stepline".to_string(),
        start_time: 0,
        redrive_count: 0,
    }
}
