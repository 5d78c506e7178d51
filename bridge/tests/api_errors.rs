//! What the control API answers to requests AWS refuses, operation by operation, next to
//! what AWS answers: one row per case, run against the real HTTP server over loopback
//! (status, `__type`, message) and against the NATS API (`__type`, message), on a real
//! engine and redb file. `docs/api-errors.md` is this table; a test keeps the two equal.
//! Rejected requests must leave nothing behind: the last checks list what exists.

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use stepline_bridge::nats::{Names, NatsBridge, NatsSettings};
use stepline_core::engine::{Engine, EngineConfig};

/// One case: `body` is JSON text with `$placeholders` (see [`Rig::expand`]); `kind` is
/// the expected `__type` (empty for a success); `says` a fragment of the message (or of
/// the answer, for a success); `aws` what AWS answers, for the documentation.
struct Row {
    op: &'static str,
    body: &'static str,
    status: u16,
    kind: &'static str,
    says: &'static str,
    aws: &'static str,
}

const fn row(
    op: &'static str,
    body: &'static str,
    status: u16,
    kind: &'static str,
    says: &'static str,
    aws: &'static str,
) -> Row {
    Row { op, body, status, kind, says, aws }
}

const SER: &str = "SerializationException";
const VAL: &str = "ValidationException";
const ARN: &str = "InvalidArn";
const PASS: &str = r#"{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}"#;
const MISSING_EXECUTION: &str = "arn:aws:states:us-east-1:000000000000:execution:orders:nope";

#[rustfmt::skip]
const ROWS: &[Row] = &[
    // StartExecution
    row("StartExecution", r#"{"stateMachineArn": "$sm", "input": 42}"#, 400, SER, "Cannot read 'input': expected a string, found a number", "SerializationException"),
    row("StartExecution", r#"{"stateMachineArn": "$sm", "input": {"order": 1}}"#, 400, SER, "expected a string, found an object", "SerializationException (Start of structure or map found where not expected)"),
    row("StartExecution", r#"{"stateMachineArn": 7}"#, 400, SER, "Cannot read 'stateMachineArn'", "SerializationException"),
    row("StartExecution", r#"[]"#, 400, SER, "must be a JSON object", "SerializationException"),
    row("StartExecution", r#"{oops"#, 400, SER, "not JSON", "SerializationException"),
    row("StartExecution", r#"{"input": "{}"}"#, 400, VAL, "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null", "ValidationException, same words"),
    row("StartExecution", r#"{"stateMachineArn": "$sm", "input": "{oops"}"#, 400, "InvalidExecutionInput", "Invalid State Machine Execution Input: '", "InvalidExecutionInput: Invalid State Machine Execution Input: '<parser message>'"),
    row("StartExecution", r#"{"stateMachineArn": "$sm", "input": ""}"#, 400, "InvalidExecutionInput", "Invalid State Machine Execution Input: 'Invalid execution input.'", "InvalidExecutionInput, same words"),
    row("StartExecution", r#"{"stateMachineArn": "$sm", "input": "$big"}"#, 400, VAL, "Value at 'input' failed to satisfy constraint: Member must have length less than or equal to 262144", "ValidationException, same words (the value is not echoed)"),
    row("StartExecution", r#"{"stateMachineArn": "not_a_valid_arn"}"#, 400, ARN, "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'", "InvalidArn, same words"),
    row("StartExecution", r#"{"stateMachineArn": "$exec"}"#, 400, ARN, "Invalid Arn: 'Resource type not valid in this context: execution'", "InvalidArn, same words"),
    row("StartExecution", r#"{"stateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:nope"}"#, 400, "StateMachineDoesNotExist", "State Machine Does Not Exist: 'arn:aws:states:us-east-1:000000000000:stateMachine:nope'", "StateMachineDoesNotExist, same words"),
    row("StartExecution", r#"{"stateMachineArn": "$sm", "name": "$n81"}"#, 400, VAL, "at 'name' failed to satisfy constraint: Member must have length less than or equal to 80", "ValidationException, same words"),
    row("StartExecution", r#"{"stateMachineArn": "$sm", "name": ""}"#, 400, VAL, "Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1", "ValidationException, same words"),
    row("StartExecution", r#"{"stateMachineArn": "$sm", "name": "$n81", "traceHeader": "$n257"}"#, 400, VAL, "2 validation errors detected: ", "ValidationException listing both"),
    row("StartExecution", r#"{"stateMachineArn": "$sm", "name": "bad name"}"#, 400, "InvalidName", "Invalid Name: 'bad name'", "InvalidName, same words"),
    row("StartExecution", r#"{"stateMachineArn": "$sm", "name": "answered", "input": "{\"other\": 1}"}"#, 400, "ExecutionAlreadyExists", "Execution Already Exists: '", "ExecutionAlreadyExists, same words"),
    row("StartExecution", r#"{"stateMachineArn": "$sm", "name": "extra-member", "colour": "blue"}"#, 200, "", "executionArn", "200: unknown members are ignored"),
    row("StartExecution", r#"{"stateMachineArn": "$sm", "name": "null-input", "input": null}"#, 200, "", "executionArn", "200: null is an absent member (input {})"),
    // StartSyncExecution
    row("StartSyncExecution", r#"{"stateMachineArn": "$express", "input": 42}"#, 400, SER, "Cannot read 'input'", "SerializationException"),
    row("StartSyncExecution", r#"{"stateMachineArn": "$express", "includedData": "SOME"}"#, 400, VAL, "Value 'SOME' at 'includedData' failed to satisfy constraint: Member must satisfy enum value set: [ALL_DATA, METADATA_ONLY]", "ValidationException, same words"),
    row("StartSyncExecution", r#"{"stateMachineArn": "$sm"}"#, 400, "StateMachineTypeNotSupported", "This operation is not supported by this type of state machine", "StateMachineTypeNotSupported, same words"),
    // DescribeExecution
    row("DescribeExecution", r#"{"executionArn": "arn:nope"}"#, 400, ARN, "Invalid Arn: 'Invalid ARN prefix: arn:nope'", "InvalidArn, same words"),
    row("DescribeExecution", r#"{"executionArn": "$sm"}"#, 400, ARN, "Invalid Arn: 'Resource type not valid in this context: stateMachine'", "InvalidArn, same words"),
    row("DescribeExecution", r#"{"executionArn": ["$exec"]}"#, 400, SER, "expected a string, found an array", "SerializationException"),
    row("DescribeExecution", r#"{"executionArn": "$missing"}"#, 400, "ExecutionDoesNotExist", "Execution Does Not Exist: '", "ExecutionDoesNotExist, same words"),
    // ListExecutions
    row("ListExecutions", r#"{"maxResults": 1001}"#, 400, VAL, "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000", "ValidationException, same words"),
    row("ListExecutions", r#"{"maxResults": -1}"#, 400, VAL, "Member must have value greater than or equal to 0", "ValidationException, same words"),
    row("ListExecutions", r#"{"maxResults": "10"}"#, 400, SER, "expected a whole number, found a string", "SerializationException"),
    row("ListExecutions", r#"{"maxResults": 2.5}"#, 400, SER, "found a number with a fraction", "SerializationException"),
    row("ListExecutions", r#"{"maxResults": 0, "stateMachineArn": "$sm"}"#, 200, "", "executions", "200: 0 is the default page"),
    row("ListExecutions", r#"{"statusFilter": "succeeded"}"#, 400, VAL, "Value 'succeeded' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]", "ValidationException, same words"),
    row("ListExecutions", r#"{"stateMachineArn": "invalid_state_machine_arn"}"#, 400, ARN, "Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'", "InvalidArn, same words"),
    row("ListExecutions", r#"{"stateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:nope"}"#, 400, "StateMachineDoesNotExist", "State Machine Does Not Exist: '", "StateMachineDoesNotExist, same words"),
    row("ListExecutions", r#"{"nextToken": "garbage"}"#, 400, "InvalidToken", "Invalid Token: 'Invalid token'", "InvalidToken"),
    row("ListExecutions", r#"{"nextToken": ""}"#, 400, VAL, "Member must have length greater than or equal to 1", "ValidationException (SDKs refuse it first)"),
    // GetExecutionHistory
    row("GetExecutionHistory", r#"{"executionArn": "$exec", "maxResults": 1001}"#, 400, VAL, "Member must have value less than or equal to 1000", "ValidationException, same words"),
    row("GetExecutionHistory", r#"{"executionArn": "$exec", "reverseOrder": "yes"}"#, 400, SER, "Cannot read 'reverseOrder': expected a boolean, found a string", "SerializationException"),
    row("GetExecutionHistory", r#"{"executionArn": "$exec", "nextToken": "x"}"#, 400, "InvalidToken", "Invalid Token: 'Invalid token'", "InvalidToken"),
    row("GetExecutionHistory", r#"{"executionArn": "invalid_state_machine_arn"}"#, 400, ARN, "Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'", "InvalidArn, same words"),
    row("GetExecutionHistory", r#"{"executionArn": "$missing"}"#, 400, "ExecutionDoesNotExist", "Execution Does Not Exist: '", "ExecutionDoesNotExist, same words"),
    // StopExecution, RedriveExecution
    row("StopExecution", r#"{"executionArn": "$exec", "error": "$n257"}"#, 400, VAL, "Value at 'error' failed to satisfy constraint: Member must have length less than or equal to 256", "ValidationException (the value is not echoed)"),
    row("StopExecution", r#"{"executionArn": "$sm"}"#, 400, ARN, "Resource type not valid in this context: stateMachine", "InvalidArn"),
    row("StopExecution", r#"{"executionArn": "$missing"}"#, 400, "ExecutionDoesNotExist", "Execution Does Not Exist: '", "ExecutionDoesNotExist"),
    row("RedriveExecution", r#"{"executionArn": "$exec"}"#, 400, "ExecutionNotRedrivable", "Execution Not Redrivable: '", "ExecutionNotRedrivable (the execution SUCCEEDED)"),
    row("RedriveExecution", r#"{"executionArn": "$missing"}"#, 400, "ExecutionDoesNotExist", "Execution Does Not Exist: '", "ExecutionDoesNotExist"),
    row("RedriveExecution", r#"{"executionArn": "$exec", "clientToken": ""}"#, 400, VAL, "at 'clientToken' failed to satisfy constraint: Member must have length greater than or equal to 1", "ValidationException"),
    // SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat
    row("SendTaskSuccess", r#"{"taskToken": "not-a-token", "output": "{}"}"#, 400, "InvalidToken", "Invalid Token: 'Invalid token'", "InvalidToken"),
    row("SendTaskSuccess", r#"{"taskToken": "$spent", "output": "{}"}"#, 400, "TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'", "TaskTimedOut, same words (task already answered)"),
    row("SendTaskSuccess", r#"{"taskToken": "$expired", "output": "{}"}"#, 400, "TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'", "TaskTimedOut, same words (task timed out)"),
    row("SendTaskSuccess", r#"{"taskToken": "$live", "output": {"ok": true}}"#, 400, SER, "Cannot read 'output': expected a string, found an object", "SerializationException"),
    row("SendTaskSuccess", r#"{"taskToken": "$live"}"#, 400, VAL, "Value null at 'output' failed to satisfy constraint: Member must not be null", "ValidationException, same words"),
    row("SendTaskSuccess", r#"{"taskToken": "$live", "output": "{oops"}"#, 400, "InvalidOutput", "Invalid Output: '", "InvalidOutput"),
    row("SendTaskSuccess", r#"{"taskToken": "$n2049", "output": "{}"}"#, 400, VAL, "at 'taskToken' failed to satisfy constraint: Member must have length less than or equal to 2048", "ValidationException, same words"),
    row("SendTaskFailure", r#"{"taskToken": "$spent", "error": "Card.Declined"}"#, 400, "TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'", "TaskTimedOut, same words"),
    row("SendTaskFailure", r#"{"taskToken": "$live", "cause": "$n32769"}"#, 400, VAL, "Value at 'cause' failed to satisfy constraint: Member must have length less than or equal to 32768", "ValidationException (the value is not echoed)"),
    row("SendTaskHeartbeat", r#"{"taskToken": "$expired"}"#, 400, "TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'", "TaskTimedOut, same words"),
    row("SendTaskHeartbeat", r#"{"taskToken": 12}"#, 400, SER, "Cannot read 'taskToken': expected a string, found a number", "SerializationException"),
    row("SendTaskHeartbeat", r#"{"taskToken": "$live"}"#, 200, "", "{}", "200"),
    // CreateStateMachine, UpdateStateMachine, DescribeStateMachine, DeleteStateMachine
    row("CreateStateMachine", r#"{"name": "m", "definition": {"StartAt": "P"}, "roleArn": "r"}"#, 400, SER, "Cannot read 'definition': expected a string, found an object", "SerializationException"),
    row("CreateStateMachine", r#"{"name": "m", "definition": "$pass"}"#, 400, VAL, "Value null at 'roleArn' failed to satisfy constraint: Member must not be null", "ValidationException, same words"),
    row("CreateStateMachine", r#"{"name": "$n81", "definition": "", "roleArn": "r"}"#, 400, VAL, "2 validation errors detected: ", "ValidationException listing both"),
    row("CreateStateMachine", r#"{"name": "m", "definition": "$pass", "roleArn": "r", "type": "FAST"}"#, 400, VAL, "Value 'FAST' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]", "ValidationException, same words"),
    row("CreateStateMachine", r#"{"name": "bad name", "definition": "$pass", "roleArn": "r"}"#, 400, "InvalidName", "Invalid Name: 'bad name'", "InvalidName, same words"),
    row("CreateStateMachine", r#"{"name": "broken", "definition": "{\"StartAt\": \"X\", \"States\": {}}", "roleArn": "r"}"#, 400, "InvalidDefinition", "Invalid State Machine Definition: '", "InvalidDefinition, same words"),
    row("UpdateStateMachine", r#"{"stateMachineArn": "$sm"}"#, 400, "MissingRequiredParameter", "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified", "MissingRequiredParameter, same words"),
    row("UpdateStateMachine", r#"{"stateMachineArn": "nope", "definition": "$pass"}"#, 400, ARN, "Invalid Arn: 'Invalid ARN prefix: nope'", "InvalidArn"),
    row("DescribeStateMachine", r#"{"stateMachineArn": "not_a_valid_arn"}"#, 400, ARN, "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'", "InvalidArn, same words"),
    row("DescribeStateMachine", r#"{"stateMachineArn": "$activity"}"#, 400, ARN, "Invalid Arn: 'Resource type not valid in this context: activity'", "InvalidArn, same words"),
    row("DescribeStateMachine", r#"{"stateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:nope"}"#, 400, "StateMachineDoesNotExist", "State Machine Does Not Exist: '", "StateMachineDoesNotExist, same words"),
    row("DeleteStateMachine", r#"{"stateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:never-made"}"#, 200, "", "{}", "200: deleting is idempotent"),
    row("DeleteStateMachine", r#"{"stateMachineArn": "x"}"#, 400, ARN, "Invalid Arn: 'Invalid ARN prefix: x'", "InvalidArn"),
    row("ListStateMachines", r#"{"maxResults": 1001}"#, 400, VAL, "Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000", "ValidationException, same words"),
    row("ListStateMachines", r#"{"maxResults": 1}"#, 200, "", "\"nextToken\"", "200: one machine and a nextToken"),
    row("ListStateMachines", r#"{"nextToken": "garbage"}"#, 400, "InvalidToken", "Invalid Token: 'Invalid token'", "InvalidToken"),
    row("ListActivities", r#"{"nextToken": "$activity"}"#, 200, "", "{\"activities\":[]}", "200: the page after the last activity"),
    row("ListStateMachines", r#"{"nextToken": "$n1025"}"#, 400, VAL, "at 'nextToken' failed to satisfy constraint: Member must have length less than or equal to 1024", "ValidationException, same words"),
    // ValidateStateMachineDefinition
    row("ValidateStateMachineDefinition", r#"{"definition": "not a definition"}"#, 200, "", "INVALID_JSON_DESCRIPTION", "200, result FAIL with an INVALID_JSON_DESCRIPTION diagnostic"),
    row("ValidateStateMachineDefinition", r#"{"definition": "$pass", "maxResults": 101}"#, 400, VAL, "Member must have value less than or equal to 100", "ValidationException, same words"),
    row("ValidateStateMachineDefinition", r#"{"definition": 5}"#, 400, SER, "Cannot read 'definition'", "SerializationException"),
    // Activities
    row("CreateActivity", r#"{"name": "TestActivity InvalidName$"}"#, 400, "InvalidName", "Invalid Name: 'TestActivity InvalidName$'", "InvalidName, same words"),
    row("CreateActivity", r#"{}"#, 400, VAL, "Value null at 'name' failed to satisfy constraint: Member must not be null", "ValidationException, same words"),
    row("DescribeActivity", r#"{"activityArn": "arn:aws:states:us-east-1:000000000000:activity:never-made"}"#, 400, "ActivityDoesNotExist", "Activity Does Not Exist: 'arn:aws:states:us-east-1:000000000000:activity:never-made'", "ActivityDoesNotExist, same words"),
    row("DescribeActivity", r#"{"activityArn": "$sm"}"#, 400, ARN, "Invalid Arn: 'Resource type not valid in this context: stateMachine'", "InvalidArn"),
    row("DeleteActivity", r#"{"activityArn": "bad"}"#, 400, ARN, "Invalid Arn: 'Invalid ARN prefix: bad'", "InvalidArn"),
    row("ListActivities", r#"{"maxResults": 5000}"#, 400, VAL, "Member must have value less than or equal to 1000", "ValidationException, same words"),
    row("GetActivityTask", r#"{"activityArn": "arn:aws:states:us-east-1:000000000000:activity:never-made"}"#, 400, "ActivityDoesNotExist", "Activity Does Not Exist: '", "ActivityDoesNotExist at once (no 60 s poll)"),
    row("GetActivityTask", r#"{"activityArn": "$sm"}"#, 400, ARN, "Invalid Arn: 'Resource type not valid in this context: stateMachine'", "InvalidArn"),
    row("GetActivityTask", r#"{"activityArn": "$activity", "workerName": "$n81"}"#, 400, VAL, "at 'workerName' failed to satisfy constraint: Member must have length less than or equal to 80", "ValidationException, same words"),
    // TestState
    row("TestState", r#"{"definition": "{\"Type\": \"Pass\"}", "input": 42}"#, 400, SER, "Cannot read 'input'", "SerializationException"),
    row("TestState", r#"{"definition": "{\"Type\": \"Pass\"}", "inspectionLevel": "ALL"}"#, 400, VAL, "Value 'ALL' at 'inspectionLevel' failed to satisfy constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]", "ValidationException, same words"),
    row("TestState", r#"{"definition": "{\"Type\": \"Pass\"}", "mock": {"result": 1}}"#, 400, SER, "Cannot read 'mock.result': expected a string, found a number", "SerializationException"),
    // No such operation; Stepline's own operations
    row("DescribeEverything", r#"{}"#, 400, "UnknownOperationException", "The operation 'DescribeEverything' is not supported", "UnknownOperationException"),
    row("SearchExecutions", r#"{"retrying": "yes"}"#, 400, SER, "Cannot read 'retrying': expected a boolean, found a string", "(Stepline's own operation)"),
    row("ReplayExecution", r#"{"executionArn": "x"}"#, 400, ARN, "Invalid Arn: 'Invalid ARN prefix: x'", "(Stepline's own operation)"),
    row("ListPendingTasks", r#"{"maxResults": 1001}"#, 400, VAL, "Member must have value less than or equal to 1000", "(Stepline's own operation)"),
];

const MACHINE: &str = r#"{"StartAt": "Charge", "States": {
  "Charge": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:charge", "End": true}}}"#;
const SLOW: &str = r#"{"StartAt": "Wait", "States": {
  "Wait": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:slow", "TimeoutSeconds": 1, "End": true}}}"#;
const QUICK: &str = r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#;

/// An engine on a fresh redb file with the HTTP API on a free loopback port, and what the
/// rows refer to: machines, an activity, and tokens in each state.
struct Rig {
    engine: Engine,
    rt: tokio::runtime::Runtime,
    addr: SocketAddr,
    vars: Vec<(&'static str, String)>,
    dir: PathBuf,
}

impl Drop for Rig {
    fn drop(&mut self) {
        self.engine.shutdown();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A raw HTTP/1.1 POST, as an AWS SDK sends it; the status and the JSON answer.
fn post(addr: SocketAddr, op: &str, body: &[u8]) -> (u16, Value) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: AWSStepFunctions.{op}\r\n\
         Content-Type: application/x-amz-json-1.0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    read_reply(s)
}

fn read_reply(mut s: TcpStream) -> (u16, Value) {
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no HTTP answer: {text}"));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap();
    (status, serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}")))
}

impl Rig {
    fn new(name: &str) -> Rig {
        let mut rig = Rig::bare(name, EngineConfig::default());
        rig.setup();
        rig
    }

    /// The engine and its HTTP API, nothing made yet.
    fn bare(name: &str, config: EngineConfig) -> Rig {
        let dir = std::env::temp_dir().join(format!("stepline-api-errors-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let engine = stepline_bridge::embedded::open(EngineConfig { data_dir: dir.clone(), ..config }).unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let listener = rt.block_on(stepline_bridge::http::bind("127.0.0.1:0".parse().unwrap())).unwrap();
        let addr = listener.local_addr().unwrap();
        rt.spawn(stepline_bridge::http::serve(engine.clone(), listener));
        Rig { engine, rt, addr, vars: Vec::new(), dir }
    }

    fn ok(&self, op: &str, body: Value) -> Value {
        let (status, v) = post(self.addr, op, body.to_string().as_bytes());
        assert_eq!(status, 200, "{op}: {v}");
        v
    }

    fn status_of(&self, arn: &str) -> String {
        self.ok("DescribeExecution", json!({"executionArn": arn}))["status"].as_str().unwrap().to_string()
    }

    /// Machines `orders` (a task of `charge`), `slow` (a task timing out after 1 s) and
    /// `quick` (EXPRESS); a token already answered, one timed out and one waiting.
    fn setup(&mut self) {
        let create = |name: &str, def: &str, kind: &str| {
            self.ok("CreateStateMachine", json!({"name": name, "definition": def, "roleArn": "r", "type": kind}))
                ["stateMachineArn"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let sm = create("orders", MACHINE, "STANDARD");
        let slow = create("slow", SLOW, "STANDARD");
        let express = create("quick", QUICK, "EXPRESS");
        let activity =
            self.ok("CreateActivity", json!({"name": "charge"}))["activityArn"].as_str().unwrap().to_string();
        let start = |machine: &str, name: &str| {
            self.ok("StartExecution", json!({"stateMachineArn": machine, "name": name, "input": "{}"}))["executionArn"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let take = |activity: &str| {
            self.ok("GetActivityTask", json!({"activityArn": activity, "workerName": "t"}))["taskToken"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let exec = start(&sm, "answered");
        let spent = take(&activity);
        self.ok("SendTaskSuccess", json!({"taskToken": spent, "output": "{}"}));
        start(&sm, "live");
        let live = take(&activity);
        // `slow` was never created as an activity: a stored definition naming it is enough.
        let timed_out = start(&slow, "timed-out");
        let expired = take("arn:aws:states:us-east-1:000000000000:activity:slow");
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.status_of(&timed_out) == "RUNNING" {
            assert!(Instant::now() < deadline, "the task did not time out");
            std::thread::sleep(Duration::from_millis(50));
        }
        let n = |k: usize| "n".repeat(k);
        self.vars = vec![
            ("$sm", sm),
            ("$express", express),
            ("$activity", activity),
            ("$exec", exec),
            ("$missing", MISSING_EXECUTION.into()),
            ("$spent", spent),
            ("$expired", expired),
            ("$live", live),
            ("$pass", PASS.into()),
            ("$big", "x".repeat(262_145)),
            ("$n81", n(81)),
            ("$n257", n(257)),
            ("$n1025", n(1025)),
            ("$n2049", n(2049)),
            ("$n32769", n(32_769)),
        ];
    }

    /// `body` with every `$placeholder` replaced.
    fn expand(&self, body: &str) -> String {
        let mut vars: Vec<_> = self.vars.iter().collect();
        vars.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
        vars.iter().fold(body.to_string(), |b, (k, v)| b.replace(k, v))
    }

    /// Nothing a refused request asked for exists: the executions, machines and
    /// activities are exactly those the set-up and the accepted rows made.
    fn assert_nothing_half_written(&self) {
        let names = |v: &Value, list: &str| -> BTreeSet<String> {
            v[list].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap().to_string()).collect()
        };
        let sm = self.expand("$sm");
        let orders = self.ok("ListExecutions", json!({"stateMachineArn": sm}));
        assert_eq!(names(&orders, "executions"), set(&["answered", "live", "extra-member", "null-input"]));
        let quick = self.ok("ListExecutions", json!({"stateMachineArn": self.expand("$express")}));
        assert_eq!(names(&quick, "executions"), set(&[]), "a refused StartSyncExecution ran nothing");
        let all = self.ok("ListExecutions", json!({}));
        assert_eq!(all["executions"].as_array().unwrap().len(), 5);
        let machines = self.ok("ListStateMachines", json!({}));
        assert_eq!(names(&machines, "stateMachines"), set(&["orders", "slow", "quick"]));
        let activities = self.ok("ListActivities", json!({}));
        assert_eq!(names(&activities, "activities"), set(&["charge"]));
        // No refused SendTask* request was applied: only the set-up's answer counts, and
        // the waiting task (heartbeat accepted) still waits, beside the accepted rows' ones.
        assert_eq!(
            self.status_of(&self.expand("$sm").replace("stateMachine:orders", "execution:orders:live")),
            "RUNNING"
        );
        let pending = self.ok("ListPendingTasks", json!({"activity": "charge"}));
        assert_eq!(pending["activities"][0]["answered"], 1, "{pending}");
        let waiting: BTreeSet<String> = pending["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["executionArn"].as_str().unwrap().rsplit(':').next().unwrap().to_string())
            .collect();
        assert_eq!(waiting, set(&["live", "extra-member", "null-input"]));
    }
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// The `__type` and message of an answer, or `""` and the whole answer for a success.
fn outcome(v: &Value) -> (String, String) {
    match v.get("__type").and_then(Value::as_str) {
        Some(kind) => (kind.to_string(), v["message"].as_str().unwrap_or_default().to_string()),
        None => (String::new(), v.to_string()),
    }
}

fn check(row: &Row, transport: &str, status: Option<u16>, v: &Value, took: Duration) -> Option<String> {
    let (kind, message) = outcome(v);
    let status_ok = status.is_none_or(|s| s == row.status);
    if status_ok && kind == row.kind && message.contains(row.says) {
        // An unknown activity is refused at once, not after a long poll.
        if row.op == "GetActivityTask" && took > Duration::from_secs(5) {
            return Some(format!("{transport} {} {}: took {took:?}", row.op, row.body));
        }
        return None;
    }
    let short: String = message.chars().take(300).collect();
    Some(format!(
        "{transport} {} {}\n    expected {} {} ~ {:?}\n    got      {status:?} {kind} {short:?}",
        row.op, row.body, row.status, row.kind, row.says
    ))
}

#[test]
fn every_operation_refuses_what_aws_refuses_over_http() {
    let rig = Rig::new("http");
    let failures: Vec<String> = ROWS
        .iter()
        .filter_map(|row| {
            let started = Instant::now();
            let (status, v) = post(rig.addr, row.op, rig.expand(row.body).as_bytes());
            check(row, "HTTP", Some(status), &v, started.elapsed())
        })
        .collect();
    assert!(failures.is_empty(), "{} of {} rows differ:\n{}", failures.len(), ROWS.len(), failures.join("\n"));
    rig.assert_nothing_half_written();
}

#[test]
fn every_operation_refuses_what_aws_refuses_over_nats() {
    let rig = Rig::new("nats");
    let url = std::env::var("STEPLINE_TEST_NATS").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
    let mut settings = NatsSettings::with_url(&url);
    let prefix = format!("apierr{}", std::process::id());
    settings.bus.prefix = prefix.clone();
    let bridge = rig.rt.block_on(NatsBridge::connect(settings)).expect("NATS with JetStream is running");
    let client = bridge.client.clone();
    rig.rt.spawn(bridge.run(rig.engine.clone()));
    let failures: Vec<String> = ROWS
        .iter()
        .filter_map(|row| {
            let started = Instant::now();
            let subject = format!("{prefix}.api.{}", row.op);
            let reply = rig.rt.block_on(client.request(subject, rig.expand(row.body).into())).unwrap();
            let v: Value = serde_json::from_slice(&reply.payload).unwrap();
            check(row, "NATS", None, &v, started.elapsed())
        })
        .collect();
    rig.rt.block_on(async move { Names { prefix }.delete_streams(&async_nats::jetstream::new(client)).await });
    assert!(failures.is_empty(), "{} of {} rows differ:\n{}", failures.len(), ROWS.len(), failures.join("\n"));
    rig.assert_nothing_half_written();
}

/// A valid (or quickly refused) request of every operation, for [`no_request_panics_or_fails_the_server`].
#[rustfmt::skip]
const BASES: &[(&str, &str)] = &[
    ("StartExecution", r#"{"stateMachineArn": "$sm", "input": "{}"}"#),
    ("StartSyncExecution", r#"{"stateMachineArn": "$express", "input": "{}"}"#),
    ("DescribeExecution", r#"{"executionArn": "$exec"}"#),
    ("ListExecutions", r#"{"stateMachineArn": "$sm"}"#),
    ("GetExecutionHistory", r#"{"executionArn": "$exec"}"#),
    ("StopExecution", r#"{"executionArn": "$missing"}"#),
    ("RedriveExecution", r#"{"executionArn": "$exec"}"#),
    ("SendTaskSuccess", r#"{"taskToken": "$spent", "output": "{}"}"#),
    ("SendTaskFailure", r#"{"taskToken": "$spent"}"#),
    ("SendTaskHeartbeat", r#"{"taskToken": "$spent"}"#),
    ("CreateStateMachine", r#"{"name": "swept", "definition": "$pass", "roleArn": "r"}"#),
    ("UpdateStateMachine", r#"{"stateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:never-made", "definition": "$pass"}"#),
    ("DescribeStateMachine", r#"{"stateMachineArn": "$sm"}"#),
    ("ListStateMachines", r#"{}"#),
    ("DeleteStateMachine", r#"{"stateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:never-made"}"#),
    ("ValidateStateMachineDefinition", r#"{"definition": "$pass"}"#),
    ("CreateActivity", r#"{"name": "swept"}"#),
    ("DescribeActivity", r#"{"activityArn": "$activity"}"#),
    ("ListActivities", r#"{}"#),
    ("DeleteActivity", r#"{"activityArn": "arn:aws:states:us-east-1:000000000000:activity:never-made"}"#),
    ("GetActivityTask", r#"{"activityArn": "arn:aws:states:us-east-1:000000000000:activity:never-made"}"#),
    ("TestState", r#"{"definition": "{\"Type\": \"Pass\"}", "input": "{}"}"#),
    ("ReplayExecution", r#"{"executionArn": "$missing"}"#),
    ("SearchExecutions", r#"{}"#),
    ("GetExecutionCounts", r#"{}"#),
    ("ListPendingTasks", r#"{}"#),
];

/// Every member of every operation given every kind of wrong value: the server answers
/// each with a 200 or a 400 in AWS's error shape, never a 500 (a panic in a handler) and
/// never no answer, and the execution waiting on a task still waits.
#[test]
fn no_request_panics_or_fails_the_server() {
    let rig = Rig::new("sweep");
    let odd = [
        json!(null),
        json!(true),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(1e300),
        json!(""),
        json!("x".repeat(3000)),
        json!("arn:aws:states:us-east-1:000000000000:stateMachine:"),
        json!([]),
        json!({}),
        json!({"a": [1]}),
    ];
    let mut bad = Vec::new();
    let mut sent = 0;
    for (op, base) in BASES {
        let members = stepline_bridge::api::params::members(op).unwrap_or_else(|| panic!("{op} has no members"));
        let base: Value = serde_json::from_str(&rig.expand(base)).unwrap();
        for member in members {
            for value in &odd {
                let mut body = base.clone();
                body[member] = value.clone();
                let (status, v) = post(rig.addr, op, body.to_string().as_bytes());
                sent += 1;
                let shaped = status == 200 && v.is_object()
                    || status == 400 && v["__type"].is_string() && v["message"].as_str().is_some_and(|m| !m.is_empty());
                if !shaped {
                    bad.push(format!("{op} {member}={value}: {status} {v}"));
                }
            }
        }
    }
    assert!(sent > 500, "only {sent} requests");
    assert!(bad.is_empty(), "{} answers out of shape:\n{}", bad.len(), bad.join("\n"));
    let live = rig.expand("$sm").replace("stateMachine:orders", "execution:orders:live");
    assert_eq!(rig.status_of(&live), "RUNNING");
}

/// `maxResults` pages `ListStateMachines`; following `nextToken` reads each machine once.
#[test]
fn list_pages_follow_next_token() {
    let rig = Rig::new("pages");
    let mut seen = Vec::new();
    let mut body = json!({"maxResults": 1});
    for _ in 0..10 {
        let page = rig.ok("ListStateMachines", body.clone());
        let machines = page["stateMachines"].as_array().unwrap();
        assert!(machines.len() <= 1, "{page}");
        seen.extend(machines.iter().map(|m| m["name"].as_str().unwrap().to_string()));
        match page["nextToken"].as_str() {
            Some(t) => body["nextToken"] = json!(t),
            None => break,
        }
    }
    assert_eq!(seen, ["orders", "quick", "slow"]);
}

/// A body over the limit is refused with 413 before it is read, and the answer says the
/// limit.
#[test]
fn a_body_over_the_limit_is_413_and_says_the_limit() {
    let rig = Rig::new("limit");
    let mut s = TcpStream::connect(rig.addr).unwrap();
    let declared = stepline_bridge::http::MAX_BODY + 1;
    let head = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: AWSStepFunctions.StartExecution\r\n\
         Content-Type: application/x-amz-json-1.0\r\nContent-Length: {declared}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(head.as_bytes()).unwrap();
    let (status, v) = read_reply(s);
    assert_eq!(status, 413, "{v}");
    assert_eq!(v["__type"], "RequestTooLargeException");
    let message = v["message"].as_str().unwrap();
    assert!(message.contains(&stepline_bridge::http::MAX_BODY.to_string()), "{message}");
    assert!(message.contains("StartExecution") && message.contains("262144"), "{message}");
    // Under the limit, the same server answers as usual.
    let (status, _) = post(rig.addr, "ListStateMachines", b"{}");
    assert_eq!(status, 200);
}

/// An engine configured for payloads over AWS's 256 KiB takes them through the API too,
/// and reads bodies big enough to carry them.
#[test]
fn a_larger_payload_limit_is_the_apis_limit_too() {
    let rig = Rig::bare("payload", EngineConfig { max_payload: 3 * 1024 * 1024, ..EngineConfig::default() });
    let sm = rig.ok("CreateStateMachine", json!({"name": "big", "definition": QUICK, "roleArn": "r"}));
    let input = json!({"blob": "x".repeat(400_000)}).to_string();
    let started = rig.ok("StartExecution", json!({"stateMachineArn": sm["stateMachineArn"], "input": input}));
    assert!(started["executionArn"].is_string(), "{started}");
    let mut s = TcpStream::connect(rig.addr).unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: AWSStepFunctions.StartExecution\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        7 * 1024 * 1024
    );
    s.write_all(head.as_bytes()).unwrap();
    let (status, v) = read_reply(s);
    assert_eq!(status, 413);
    let message = v["message"].as_str().unwrap();
    assert!(message.contains("6291456 bytes") && message.contains("3145728 characters"), "{message}");
}

/// `docs/api-errors.md` is the table above: every row appears there as written by
/// [`markdown`].
#[test]
fn the_documented_table_is_the_tested_one() {
    let doc = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/api-errors.md")).unwrap();
    let missing: Vec<String> = ROWS.iter().map(markdown).filter(|line| !doc.contains(line.as_str())).collect();
    assert!(missing.is_empty(), "docs/api-errors.md lacks these rows:\n{}", missing.join("\n"));
}

/// A row of the documentation's table.
fn markdown(r: &Row) -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let stepline = if r.kind.is_empty() {
        format!("{}", r.status)
    } else {
        format!("{} `{}`: {}", r.status, r.kind, cell(r.says))
    };
    format!("| {} | `{}` | {} | {} |", r.op, cell(r.body), cell(r.aws), stepline)
}

/// Prints the documentation's table (`cargo test --test api_errors print_table -- --ignored --nocapture`).
#[test]
#[ignore]
fn print_table() {
    for r in ROWS {
        println!("{}", markdown(r));
    }
}
