//! What the engine waits on from workers, for operators: each outstanding task and, per
//! activity, how many wait, the oldest wait, the last heartbeat and the answers so far.

use std::collections::HashMap;
use stepline_asl::time::Millis;

/// A task handed to a worker (or waiting for a callback) and not yet answered.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingTask {
    pub token: String,
    pub activity: String,
    pub execution_arn: String,
    pub state_name: String,
    /// When the engine handed it out (after a restart: when it handed it out again).
    pub scheduled: Millis,
    pub last_heartbeat: Option<Millis>,
    pub heartbeat_seconds: Option<u64>,
    pub timeout_seconds: Option<u64>,
    pub retry_count: u32,
    /// `.waitForTaskToken`: answered by a callback with the token.
    pub wait_for_token: bool,
    /// Answered by a mock config's test case, not by a worker (`--mock-config`).
    pub mocked: bool,
    /// The child execution a `startExecution` task started (and, with `.sync`, waits on).
    pub child: Option<String>,
}

impl PendingTask {
    /// A task the engine hands out now for execution `arn`.
    pub(crate) fn of(
        req: &stepline_asl::interp::TaskRequest,
        arn: &str,
        activity: &str,
        mocked: bool,
        now: Millis,
    ) -> PendingTask {
        PendingTask {
            token: req.token.clone(),
            activity: activity.to_string(),
            execution_arn: arn.to_string(),
            state_name: req.state_name.clone(),
            scheduled: now,
            last_heartbeat: None,
            heartbeat_seconds: req.heartbeat_seconds,
            timeout_seconds: req.timeout_seconds,
            retry_count: req.retry_count,
            wait_for_token: req.wait_for_token,
            mocked,
            child: None,
        }
    }
}

/// The load on one activity (a worker topic).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivityLoad {
    pub activity: String,
    pub pending: usize,
    pub oldest: Option<Millis>,
    pub last_heartbeat: Option<Millis>,
    /// Successes and failures received since the engine started.
    pub answered: u64,
}

/// A snapshot of the outstanding tasks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskBoard {
    /// Oldest first.
    pub tasks: Vec<PendingTask>,
    /// By activity name.
    pub activities: Vec<ActivityLoad>,
}

impl TaskBoard {
    /// Builds the snapshot from the engine's outstanding tasks and answer counts.
    pub(crate) fn build<'a>(
        tasks: impl Iterator<Item = &'a PendingTask>,
        answered: &HashMap<String, u64>,
    ) -> TaskBoard {
        let mut tasks: Vec<PendingTask> = tasks.cloned().collect();
        // Tasks of one millisecond by their execution, not by their random tokens.
        tasks.sort_by(|a, b| (a.scheduled, &a.execution_arn, &a.token).cmp(&(b.scheduled, &b.execution_arn, &b.token)));
        let mut by: HashMap<&str, ActivityLoad> = answered
            .iter()
            .map(|(a, n)| (a.as_str(), ActivityLoad { activity: a.clone(), answered: *n, ..Default::default() }))
            .collect();
        // What workers carry: mocked tasks are not their load.
        for t in tasks.iter().filter(|t| !t.mocked) {
            let load = by
                .entry(t.activity.as_str())
                .or_insert_with(|| ActivityLoad { activity: t.activity.clone(), ..Default::default() });
            load.pending += 1;
            load.oldest = Some(load.oldest.map_or(t.scheduled, |o| o.min(t.scheduled)));
            load.last_heartbeat = load.last_heartbeat.max(t.last_heartbeat);
        }
        let mut activities: Vec<ActivityLoad> = by.into_values().collect();
        activities.sort_by(|a, b| a.activity.cmp(&b.activity));
        TaskBoard { tasks, activities }
    }
}
