//! Every metric, read now and written in the text format.

use super::exposition::Exposition;
use super::sources::MetricsSources;
use crate::bus::Stats;
use stepline_core::engine::metrics::counters::EngineMetrics;
use stepline_core::engine::Engine;

/// The whole `/metrics` page; `engine` is `None` while it is still recovering.
pub fn render(engine: Option<&Engine>, sources: &MetricsSources) -> String {
    let mut e = Exposition::default();
    e.family("stepline_ready", "gauge", "1 once start-up recovery has finished and the engine takes requests.");
    e.sample("stepline_ready", &[], if engine.is_some() { 1.0 } else { 0.0 });
    if let Some(engine) = engine {
        engine_metrics(&mut e, engine);
    }
    bus_metrics(&mut e, sources);
    e.family(
        "stepline_http_requests_total",
        "counter",
        "Control API requests over HTTP, by operation and AWS error type (\"\" when it succeeded).",
    );
    for (op, error, n) in sources.http.requests() {
        e.sample("stepline_http_requests_total", &[("operation", &op), ("error", &error)], n as f64);
    }
    e.family("stepline_http_request_seconds", "histogram", "Time to answer a control API request over HTTP.");
    e.histogram("stepline_http_request_seconds", &[], &sources.http.seconds.snapshot());
    e.finish()
}

fn engine_metrics(e: &mut Exposition, engine: &Engine) {
    let m = engine.metrics();
    e.family("stepline_executions_started_total", "counter", "Executions started, by state machine.");
    for (machine, n) in m.started() {
        e.sample("stepline_executions_started_total", &[("state_machine_arn", &machine)], n as f64);
    }
    e.family("stepline_executions_ended_total", "counter", "Executions ended, by state machine and status.");
    for (machine, status, n) in m.ended() {
        e.sample("stepline_executions_ended_total", &[("state_machine_arn", &machine), ("status", status)], n as f64);
    }
    e.family(
        "stepline_executions",
        "gauge",
        "Stored executions, by state machine and status (RUNNING: running or waiting).",
    );
    if let Ok(counts) = engine.execution_counts() {
        for (machine, status, n) in counts {
            e.sample("stepline_executions", &[("state_machine_arn", &machine), ("status", status.as_str())], n as f64);
        }
    }
    e.family(
        "stepline_executions_in_memory",
        "gauge",
        "STANDARD and waiting EXPRESS executions the engine holds live.",
    );
    e.sample("stepline_executions_in_memory", &[], EngineMetrics::get(&m.live_executions) as f64);
    e.family("stepline_timers", "gauge", "Timers set (Wait states, retries' backoff, task timeouts and heartbeats).");
    e.sample("stepline_timers", &[], EngineMetrics::get(&m.timers) as f64);
    e.family("stepline_state_transitions_total", "counter", "States entered, every execution together.");
    e.sample("stepline_state_transitions_total", &[], EngineMetrics::get(&m.transitions) as f64);
    let activities = m.activities();
    let families = [
        ("stepline_tasks_dispatched_total", "Tasks handed to workers or integrations, by activity."),
        ("stepline_tasks_answered_total", "Tasks answered (a result or a failure), by activity."),
        ("stepline_tasks_timed_out_total", "Tasks whose TimeoutSeconds or HeartbeatSeconds ran out, by activity."),
    ];
    for (i, (name, help)) in families.iter().enumerate() {
        e.family(name, "counter", help);
        for a in &activities {
            let n = [a.dispatched, a.answered, a.timed_out][i];
            e.sample(name, &[("activity", &a.activity)], n as f64);
        }
    }
    e.family("stepline_tasks_waiting", "gauge", "Tasks handed out and not yet answered, by activity.");
    if let Ok(waiting) = engine.waiting_tasks() {
        for (activity, n) in waiting {
            e.sample("stepline_tasks_waiting", &[("activity", &activity)], n as f64);
        }
    }
    e.family("stepline_task_latency_seconds", "histogram", "Time from handing a task out to its answer, by activity.");
    for a in &activities {
        e.histogram("stepline_task_latency_seconds", &[("activity", &a.activity)], &a.latency);
    }
    e.family("stepline_commit_seconds", "histogram", "Time to make one batch of the engine durable (write and fsync).");
    e.histogram("stepline_commit_seconds", &[], &m.commit_seconds.snapshot());
    e.family("stepline_batch_requests", "histogram", "Requests applied in one batch (one commit).");
    e.histogram("stepline_batch_requests", &[], &m.batch_requests.snapshot());
    e.family("stepline_executions_pruned_total", "counter", "Ended executions removed by history retention.");
    e.sample("stepline_executions_pruned_total", &[], EngineMetrics::get(&m.pruned) as f64);
    e.family("stepline_store_bytes", "gauge", "Size of the store file.");
    let size = std::fs::metadata(engine.store_location()).map(|m| m.len()).unwrap_or(0);
    e.sample("stepline_store_bytes", &[], size as f64);
    e.family(
        "stepline_nondeterministic_replays_total",
        "counter",
        "Executions whose journal no longer replays against their definition.",
    );
    e.sample("stepline_nondeterministic_replays_total", &[], engine.nondeterministic_replays() as f64);
}

/// A bus counter: its name, its help, how to read it.
type Counter = (&'static str, &'static str, fn(&Stats) -> u64);

fn bus_metrics(e: &mut Exposition, sources: &MetricsSources) {
    e.family("stepline_bus_connected", "gauge", "1 while the bus is connected.");
    for b in &sources.buses {
        e.sample("stepline_bus_connected", &[("bus", b.bus)], if (b.connected)() { 1.0 } else { 0.0 });
    }
    e.family("stepline_bus_reconnects_total", "counter", "Times the bus connected again after losing its broker.");
    for b in &sources.buses {
        e.sample("stepline_bus_reconnects_total", &[("bus", b.bus)], (b.reconnects)() as f64);
    }
    let counters: [Counter; 5] = [
        ("stepline_bus_tasks_published_total", "Tasks published to workers on the bus.", |s| {
            Stats::get(&s.tasks_published)
        }),
        ("stepline_bus_results_applied_total", "Worker results taken from the bus and applied.", |s| {
            Stats::get(&s.results_applied)
        }),
        ("stepline_bus_results_dropped_total", "Worker results for unknown, stale or answered tokens.", |s| {
            Stats::get(&s.results_dropped)
        }),
        (
            "stepline_bus_results_malformed_total",
            "Messages on the results subject or queue that are not the worker protocol.",
            |s| Stats::get(&s.results_malformed),
        ),
        ("stepline_triggers_started_total", "Executions started by trigger messages.", |s| {
            Stats::get(&s.triggers_started)
        }),
    ];
    for (name, help, get) in counters {
        e.family(name, "counter", help);
        for b in &sources.buses {
            e.sample(name, &[("bus", b.bus)], get(&b.stats) as f64);
        }
    }
    e.family(
        "stepline_triggers_rejected_total",
        "counter",
        "Trigger messages rejected for good, by bus and reason (not_json, or the AWS error type StartExecution gave).",
    );
    for b in &sources.buses {
        for (reason, n) in b.stats.rejections() {
            e.sample("stepline_triggers_rejected_total", &[("bus", b.bus), ("reason", reason)], n as f64);
        }
    }
}
