#!/usr/bin/env python3
"""A Step Functions Local mock-mode suite, unchanged, against `stepline serve`: the
MockConfigFile from AWS's guide (Lambda and SQS mocked), loaded with SFN_MOCK_CONFIG,
and executions started on `<stateMachineArn>#<TestCase>` with boto3.

Usage: mock_config_e2e.py PATH_TO_STEPLINE. Prints 'N passed, M failed'.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import boto3
from botocore.config import Config
from serve_helpers import free_port

STEPLINE = sys.argv[1]

# The state machine and mock config of AWS's "Using mocked service integrations" guide.
DEFINITION = {
    "Comment": "Calls Lambda, retrying when it is not ready, then sends the result to SQS",
    "StartAt": "LambdaState",
    "States": {
        "LambdaState": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"Payload.$": "$", "FunctionName": "HelloWorldFunction"},
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 1}],
            "Next": "SQSState",
        },
        "SQSState": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/myQueue",
                           "MessageBody.$": "$"},
            "End": True,
        },
    },
}

MOCK_CONFIG = {
    "StateMachines": {
        "LambdaSQSIntegration": {
            "TestCases": {
                "HappyPath": {"LambdaState": "MockedLambdaSuccess", "SQSState": "MockedSQSSuccess"},
                "RetryPath": {"LambdaState": "MockedLambdaRetry", "SQSState": "MockedSQSSuccess"},
                "HybridPath": {"LambdaState": "MockedLambdaSuccess"},
            }
        }
    },
    "MockedResponses": {
        "MockedLambdaSuccess": {"0": {"Return": {"StatusCode": 200, "Payload": {"StatusCode": 200, "body": "Hello from Lambda!"}}}},
        "MockedSQSSuccess": {"0": {"Return": {"MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
                                               "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"}}},
        "MockedLambdaRetry": {
            "0": {"Throw": {"Error": "Lambda.ResourceNotReadyException", "Cause": "Lambda resource is not ready."}},
            "1-2": {"Throw": {"Error": "Lambda.TimeoutException", "Cause": "Lambda timed out."}},
            "3": {"Return": {"StatusCode": 200, "Payload": {"StatusCode": 200, "body": "Hello from Lambda!"}}},
        },
    },
}


def wait_status(sfn, arn, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        d = sfn.describe_execution(executionArn=arn)
        if d["status"] != "RUNNING":
            return d
        time.sleep(0.1)
    raise AssertionError(f"{arn} still running")


def test_state(sfn):
    """boto3's test_state: AWS's request and response shapes."""
    role = "arn:aws:iam::123456789012:role/DummyRole"
    pass_state = {"Type": "Pass", "InputPath": "$.initialData",
                  "Parameters": {"staticValue": "some value", "inputValue.$": "$.fieldFromInput"},
                  "ResultPath": "$.modifiedData", "Next": "NextState"}
    r = sfn.test_state(definition=json.dumps(pass_state), roleArn=role, inspectionLevel="DEBUG",
                       input=json.dumps({"initialData": {"fieldFromInput": "value from input"}}))
    assert r["status"] == "SUCCEEDED" and r["nextState"] == "NextState", r
    assert json.loads(r["output"])["modifiedData"] == {"staticValue": "some value", "inputValue": "value from input"}, r
    assert json.loads(r["inspectionData"]["afterInputPath"]) == {"fieldFromInput": "value from input"}, r

    # A Task of a whole machine, its result mocked: the steps after the result are shown.
    r = sfn.test_state(definition=json.dumps(DEFINITION), stateName="LambdaState", inspectionLevel="DEBUG",
                       input=json.dumps({"who": "me"}),
                       mock={"result": json.dumps({"StatusCode": 200, "Payload": {"body": "hi"}})})
    assert r["status"] == "SUCCEEDED" and r["nextState"] == "SQSState", r
    assert json.loads(r["inspectionData"]["afterParameters"]) == {"Payload": {"who": "me"}, "FunctionName": "HelloWorldFunction"}, r
    assert json.loads(r["output"])["Payload"] == {"body": "hi"}, r

    # Its error mocked: the Retry takes it.
    r = sfn.test_state(definition=json.dumps(DEFINITION), stateName="LambdaState", inspectionLevel="DEBUG",
                       mock={"errorOutput": {"error": "Lambda.TimeoutException", "cause": "slow"}})
    assert r["status"] == "RETRIABLE" and r["error"] == "Lambda.TimeoutException", r
    assert r["inspectionData"]["errorDetails"]["retryIndex"] == 0, r

    # No mock: the task goes to its worker (here `cat`, which answers with its input).
    echo = {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:echo",
            "ResultPath": "$.echoed", "End": True}
    r = sfn.test_state(definition=json.dumps(echo), roleArn=role, input=json.dumps({"x": 1}), inspectionLevel="DEBUG")
    assert r["status"] == "SUCCEEDED" and json.loads(r["output"]) == {"x": 1, "echoed": {"x": 1}}, r
    assert json.loads(r["inspectionData"]["result"]) == {"x": 1}, r

    try:
        sfn.test_state(definition=json.dumps(pass_state), mock={"result": "{}"})
        raise AssertionError("a mock on a Pass state was accepted")
    except sfn.exceptions.ValidationException as e:
        assert "not supported when a mock is specified" in str(e), e


def main():
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "MockConfigFile.json")
        with open(config, "w") as f:
            json.dump(MOCK_CONFIG, f)
        env = dict(os.environ, SFN_MOCK_CONFIG=config)
        server = subprocess.Popen([STEPLINE, "serve", "--data", os.path.join(tmp, "data"),
                                   "--listen", f"127.0.0.1:{port}", "--worker", "echo=cat"],
                                  env=env, stderr=subprocess.PIPE)
        try:
            sfn = boto3.client("stepfunctions", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                               aws_access_key_id="test", aws_secret_access_key="test",
                               # TestState, like StartSyncExecution, gets a "sync-" host prefix
                               # meant for AWS's own endpoints.
                               config=Config(retries={"max_attempts": 1}, inject_host_prefix=False))
            deadline = time.time() + 20
            while True:
                try:
                    sfn.list_state_machines()
                    break
                except Exception:
                    if time.time() > deadline or server.poll() is not None:
                        raise RuntimeError("stepline serve did not start: " + server.stderr.read().decode())
                    time.sleep(0.1)
            arn = sfn.create_state_machine(name="LambdaSQSIntegration", definition=json.dumps(DEFINITION),
                                           roleArn="arn:aws:iam::123456789012:role/DummyRole")["stateMachineArn"]

            happy = sfn.start_execution(stateMachineArn=arn + "#HappyPath", name="happy")["executionArn"]
            assert happy.endswith(":execution:LambdaSQSIntegration:happy"), happy
            d = wait_status(sfn, happy)
            assert d["status"] == "SUCCEEDED", d
            assert json.loads(d["output"])["MessageId"] == "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51", d
            events = sfn.get_execution_history(executionArn=happy)["events"]
            types = [e["type"] for e in events]
            assert "TaskSucceeded" in types and types[-1] == "ExecutionSucceeded", types

            # Three failures (calls 0, 1-2), then the fourth call returns.
            retry = sfn.start_execution(stateMachineArn=arn + "#RetryPath")["executionArn"]
            d = wait_status(sfn, retry)
            assert d["status"] == "SUCCEEDED", d
            types = [e["type"] for e in sfn.get_execution_history(executionArn=retry)["events"]]
            assert types.count("TaskFailed") == 3 and types.count("TaskSucceeded") == 2, types

            # SQSState has no mock: it goes out as a task nobody answers here.
            hybrid = sfn.start_execution(stateMachineArn=arn + "#HybridPath")["executionArn"]
            time.sleep(0.5)
            d = sfn.describe_execution(executionArn=hybrid)
            assert d["status"] == "RUNNING", d
            sfn.stop_execution(executionArn=hybrid)

            try:
                sfn.start_execution(stateMachineArn=arn + "#NoSuchCase")
                raise AssertionError("an unknown test case was accepted")
            except sfn.exceptions.ClientError as e:
                assert "NoSuchCase" in str(e), e
            test_state(sfn)
            print("ok SFN_MOCK_CONFIG -> #HappyPath, #RetryPath, #HybridPath, unknown test case refused; TestState")
            print("1 passed, 0 failed")
        except Exception as e:
            print(f"FAIL: {e!r}")
            print("0 passed, 1 failed")
            sys.exit(1)
        finally:
            server.kill()


main()
