//! The context object (`$$`): execution, state machine, state, task and Map item facts.

use super::execution::ExecutionInfo;
use super::frame::Frame;
use crate::time::format_timestamp;
use serde_json::{json, Map, Value};

/// Builds `$$` for the frame's current state.
pub fn build(info: &ExecutionInfo, input: &Value, frame: &Frame, state_name: &str) -> Value {
    let mut ctx = Map::new();
    ctx.insert(
        "Execution".into(),
        json!({
            "Id": info.arn,
            "Input": input,
            "StartTime": format_timestamp(info.start_time),
            "Name": info.name,
            "RoleArn": info.role_arn,
            "RedriveCount": info.redrive_count,
        }),
    );
    ctx.insert("StateMachine".into(), json!({"Id": info.state_machine_arn, "Name": info.state_machine_name}));
    ctx.insert(
        "State".into(),
        json!({"EnteredTime": format_timestamp(frame.entered_time), "Name": state_name, "RetryCount": frame.retry_count}),
    );
    if let Some(token) = &frame.task_token {
        ctx.insert("Task".into(), json!({"Token": token}));
    }
    if let Some((index, value)) = &frame.map_item {
        ctx.insert("Map".into(), json!({"Item": {"Index": index, "Value": &**value}}));
    }
    Value::Object(ctx)
}
