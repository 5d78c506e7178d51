//! Definitions: any JSON document compiles or yields diagnostics, and a compiled one runs
//! (bounded) without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;
use serde_json::json;
use stepline_asl::model::{compile_value, MachineType};
use stepline_asl::runner::{self, RunOptions, TaskOutcome};

fuzz_target!(|data: &[u8]| {
    let Ok(def) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    if let Ok(m) = compile_value(&def, MachineType::Standard) {
        let mut echo = |r: &stepline_asl::interp::TaskRequest| TaskOutcome::Success(r.input.clone());
        let opts = RunOptions { max_events: 2_000, ..RunOptions::default() };
        let _ = runner::run(&m, runner::local_info("fuzz", "fuzz"), json!({"a": [1, 2]}), &mut echo, &opts);
    }
});
