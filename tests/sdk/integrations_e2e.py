#!/usr/bin/env python3
"""The built-in integrations end to end: `stepline serve` driven by boto3 against HTTP
servers of this script's own on loopback (plain and TLS with a test CA that asks for a
client certificate), an OAuth token endpoint that expires its tokens, and a
Lambda-compatible invoke endpoint.

Usage: integrations_e2e.py PATH_TO_STEPLINE. Checks the requests the endpoints receive
(method, query encoding, URL-encoded bodies, headers, credentials), the results, the
error names with Retry and Catch, TLS, each kind of connection, TestState on an HTTP
Task, that no secret reaches GetExecutionHistory or the logs, and that a kill -9 with
HTTP Tasks in flight ends with each task answered once in its history.
Prints 'N passed, M failed' and exits non-zero on failure.
"""
import base64
import json
import os
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(__file__))
from serve_helpers import free_port, run_tests, sdk_client, start_serve, wait_status  # noqa: E402

STEPLINE = sys.argv[1]
ROLE = "arn:aws:iam::000000000000:role/r"
API_KEY = "key-7f3a9c1e5b"
PASSWORD = "pw-2b8d4e6f0a"
CLIENT_SECRET = "cs-9e1c3a5b7d"
SECRETS = [API_KEY, PASSWORD, CLIENT_SECRET]
CONN = "arn:aws:events:us-east-1:000000000000:connection/{}/0f1e2d3c"
NATS_URL = os.environ.get("STEPLINE_TEST_NATS", "nats://127.0.0.1:4222")
AMQP_URI = os.environ.get("STEPLINE_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672/%2f")
QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/000000000000/orders"
TOPIC_ARN = "arn:aws:sns:us-east-1:000000000000:alerts"


class Endpoint:
    """What the endpoints saw, shared by every handler thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seen = []  # (path, method, headers, body)
        self.counts = {}
        self.tokens = {}  # token -> expiry (server side)
        self.token_requests = 0
        self.in_flight = {}  # key -> (now, most)

    def count(self, key):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1
            return self.counts[key]


STATE = Endpoint()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/json", headers=()):
        data = body if isinstance(body, bytes) else (json.dumps(body) if content_type == "application/json" else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the caller gave up (a timeout, a stopped execution, a kill -9)

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        headers = {k.lower(): v for k, v in self.headers.items()}
        with STATE.lock:
            STATE.seen.append((url.path, self.command, headers, body))
        path, q = url.path, urllib.parse.parse_qs(url.query)
        if path == "/echo":
            return self.reply(200, {"method": self.command, "query": url.query, "headers": headers, "body": body})
        if path == "/text":
            return self.reply(200, "hello", "text/plain")
        if path.startswith("/status/"):
            return self.reply(int(path.split("/")[2]), {"why": "as asked"})
        if path == "/flaky":
            n = STATE.count("flaky-" + q["key"][0])
            return self.reply(503, {"n": n}) if n <= 2 else self.reply(200, {"n": n})
        if path == "/slow":
            time.sleep(int(q["ms"][0]) / 1000)
            STATE.count("slow-done-" + q.get("id", ["-"])[0])
            return self.reply(200, {"id": q.get("id", ["-"])[0]})
        if path == "/concurrent":
            key = q["key"][0]
            with STATE.lock:
                now, most = STATE.in_flight.get(key, (0, 0))
                STATE.in_flight[key] = (now + 1, max(most, now + 1))
            time.sleep(0.3)
            with STATE.lock:
                now, most = STATE.in_flight[key]
                STATE.in_flight[key] = (now - 1, most)
            return self.reply(200, {"key": key})
        if path == "/apikey":
            ok = headers.get("x-api-key") == API_KEY
            return self.reply(200 if ok else 403, {"auth": "api_key"})
        if path == "/basic":
            want = "Basic " + base64.b64encode(f"robot:{PASSWORD}".encode()).decode()
            return self.reply(200 if headers.get("authorization") == want else 401, {"auth": "basic"})
        if path == "/oauth/token":
            want = "Basic " + base64.b64encode(f"client-1:{CLIENT_SECRET}".encode()).decode()
            form = urllib.parse.parse_qs(body)
            if headers.get("authorization") != want or form.get("grant_type") != ["client_credentials"] or form.get("scope") != ["orders"]:
                return self.reply(401, {"error": "invalid_client"})
            with STATE.lock:
                STATE.token_requests += 1
                token = f"tok-{STATE.token_requests}"
                # Announced for an hour, refused after a second: a refresh on 401.
                STATE.tokens[token] = time.time() + 1
            return self.reply(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600})
        if path == "/protected":
            auth = headers.get("authorization", "")
            with STATE.lock:
                good = auth.startswith("Bearer ") and STATE.tokens.get(auth[7:], 0) > time.time()
            return self.reply(200 if good else 401, {"auth": "oauth"})
        if path.startswith("/2015-03-31/functions/"):
            name = path.split("/")[3]
            payload = json.loads(body or "null")
            if name == "double":
                return self.reply(200, {"n": payload["n"] * 2}, headers=[("X-Amz-Executed-Version", "$LATEST")])
            if name == "boom":
                return self.reply(200, {"errorType": "OutOfStock", "errorMessage": "no stock"},
                                  headers=[("X-Amz-Function-Error", "Unhandled")])
            return self.reply(404, {"Type": "User", "message": f"Function not found: {name}"},
                              headers=[("x-amzn-ErrorType", "ResourceNotFoundException"), ("x-amzn-RequestId", "r-404")])
        return self.reply(404, {"no": path})

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any


def serve_http(port, tls=None):
    srv = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    srv.daemon_threads = True
    if tls:
        srv.socket = tls.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def make_certs(d):
    """A test CA, a server certificate for 127.0.0.1 and a client certificate, by openssl."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{d}/ca.key", "-out", f"{d}/ca.pem",
        "-days", "2", "-subj", "/CN=Stepline Test CA")
    for name, ext in (("server", "subjectAltName=IP:127.0.0.1,DNS:localhost"), ("client", "extendedKeyUsage=clientAuth")):
        run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{d}/{name}.key", "-out", f"{d}/{name}.csr",
            "-subj", f"/CN={name}")
        with open(f"{d}/{name}.ext", "w") as f:
            f.write(ext + "\n")
        run("x509", "-req", "-in", f"{d}/{name}.csr", "-CA", f"{d}/ca.pem", "-CAkey", f"{d}/ca.key",
            "-CAcreateserial", "-out", f"{d}/{name}.pem", "-days", "2", "-extfile", f"{d}/{name}.ext")


def machine(sfn, name, definition):
    return sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]


def run(sfn, name, definition, input=None, status="SUCCEEDED", timeout=20):
    arn = machine(sfn, name, definition)
    ex = sfn.start_execution(stateMachineArn=arn, input=json.dumps(input or {}))["executionArn"]
    d = wait_status(sfn, ex, status, timeout)
    assert d["status"] == status, (name, d)
    return ex, d


def task(args, **extra):
    return {"StartAt": "Call", "States": {"Call": dict({"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                                                        "Parameters": args, "End": True}, **extra)}}


def history(sfn, ex):
    return sfn.get_execution_history(executionArn=ex, maxResults=1000)["events"]


def test_request_shapes_and_results(ctx):
    sfn, base = ctx["sfn"], ctx["base"]
    ex, d = run(sfn, "shapes", task({
        "ApiEndpoint": f"{base}/echo", "Method": "POST",
        "Headers": {"X-Trace": "t-1"},
        "QueryParameters": {"ids": ["a b", "c"], "page.$": "$.page"},
        "RequestBody": {"order.$": "$.order"}}), {"page": 2, "order": 7})
    out = json.loads(d["output"])
    assert out["StatusCode"] == 200 and out["StatusText"] == "OK", out
    assert out["Headers"]["content-type"] == ["application/json"], out["Headers"]
    got = out["ResponseBody"]
    assert got["method"] == "POST", got
    assert urllib.parse.parse_qs(got["query"]) == {"ids[0]": ["a b"], "ids[1]": ["c"], "page": ["2"]}, got["query"]
    assert json.loads(got["body"]) == {"order": 7}, got
    assert got["headers"]["x-trace"] == "t-1" and got["headers"]["content-type"].startswith("application/json"), got
    # A URL-encoded body in each array format.
    for fmt, want in (("REPEAT", {"tags": ["x", "y"], "name": ["Jo Ann"]}), ("BRACKETS", {"tags[]": ["x", "y"], "name": ["Jo Ann"]}),
                      ("COMMAS", {"tags": ["x,y"], "name": ["Jo Ann"]}), ("INDICES", {"tags[0]": ["x"], "tags[1]": ["y"], "name": ["Jo Ann"]})):
        _, d = run(sfn, "form-" + fmt.lower(), task({
            "ApiEndpoint": f"{base}/echo", "Method": "PUT", "RequestBody": {"tags": ["x", "y"], "name": "Jo Ann"},
            "Transform": {"RequestBodyEncoding": "URL_ENCODED", "RequestEncodingOptions": {"ArrayFormat": fmt}}}))
        got = json.loads(d["output"])["ResponseBody"]
        assert got["method"] == "PUT" and got["headers"]["content-type"] == "application/x-www-form-urlencoded", got
        assert urllib.parse.parse_qs(got["body"]) == want, (fmt, got["body"])


def test_jsonata_and_text_bodies(ctx):
    sfn, base = ctx["sfn"], ctx["base"]
    _, d = run(sfn, "jsonata", {"QueryLanguage": "JSONata", "StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "arn:aws:states:::http:invoke",
        "Arguments": {"ApiEndpoint": "{% $states.input.base & '/text' %}", "Method": "GET"},
        "Output": "{% {'said': $states.result.ResponseBody, 'code': $states.result.StatusCode} %}", "End": True}}},
        {"base": base})
    assert json.loads(d["output"]) == {"said": "hello", "code": 200}, d["output"]


def test_errors_retry_and_catch(ctx):
    sfn, base = ctx["sfn"], ctx["base"]
    # A 404 caught, with AWS's error name and the status text as the cause.
    _, d = run(sfn, "caught", {"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                 "Parameters": {"ApiEndpoint": f"{base}/status/404", "Method": "GET"},
                 "Catch": [{"ErrorEquals": ["States.Http.StatusCode.404"], "Next": "Handled"}], "End": True},
        "Handled": {"Type": "Pass", "End": True}}})
    assert json.loads(d["output"]) == {"Error": "States.Http.StatusCode.404", "Cause": "Not Found"}, d["output"]
    # Two 503s retried, then a 200.
    ex, d = run(sfn, "retried", task({"ApiEndpoint": f"{base}/flaky?key=r1", "Method": "GET"},
                                     Retry=[{"ErrorEquals": ["States.Http.StatusCode.503"], "IntervalSeconds": 1,
                                             "MaxAttempts": 3, "BackoffRate": 1.0}]), timeout=30)
    assert json.loads(d["output"])["ResponseBody"] == {"n": 3}, d["output"]
    failed = [e for e in history(sfn, ex) if e["type"] == "TaskFailed"]
    assert [e["taskFailedEventDetails"]["error"] for e in failed] == ["States.Http.StatusCode.503"] * 2, failed
    # Nothing listens: States.Http.Socket.
    closed = f"http://127.0.0.1:{ctx['closed_port']}/x"
    _, d = run(sfn, "refused", task({"ApiEndpoint": closed, "Method": "GET"}), status="FAILED")
    assert d["error"] == "States.Http.Socket" and "cannot connect" in d["cause"], d
    # Slower than TimeoutSeconds: States.Timeout, as any Task.
    _, d = run(sfn, "slow", task({"ApiEndpoint": f"{base}/slow?ms=3000", "Method": "GET"}, TimeoutSeconds=1), status="FAILED")
    assert d["error"] == "States.Timeout", d
    # Arguments the HTTP Task refuses: States.Runtime naming what is wrong.
    _, d = run(sfn, "bad-header", task({"ApiEndpoint": f"{base}/echo", "Method": "GET", "Headers": {"Host": "x"}}), status="FAILED")
    assert d["error"] == "States.Runtime" and "Host cannot be set" in d["cause"], d
    _, d = run(sfn, "no-conn", task({"ApiEndpoint": f"{base}/echo", "Method": "GET",
                                     "Authentication": {"ConnectionArn": CONN.format("nope")}}), status="FAILED")
    assert d["error"] == "Events.ConnectionResource.ResourceNotFound" and "nope" in d["cause"], d


def test_connections_authorize_without_leaking_secrets(ctx):
    sfn, base = ctx["sfn"], ctx["base"]
    for name, path in (("apikey", "/apikey"), ("basic", "/basic"), ("oauth", "/protected")):
        ex, d = run(sfn, "auth-" + name, task({"ApiEndpoint": f"{base}{path}", "Method": "GET",
                                              "Authentication": {"ConnectionArn": CONN.format(name)}}))
        assert json.loads(d["output"])["StatusCode"] == 200, (name, d["output"])
        ctx["executions"].append(ex)
    first = STATE.token_requests
    assert first >= 1
    # The token is refused after a second: the next call fetches another and succeeds.
    time.sleep(1.2)
    _, d = run(sfn, "auth-oauth-again", task({"ApiEndpoint": f"{base}/protected", "Method": "GET",
                                             "Authentication": {"ConnectionArn": CONN.format("oauth")}}))
    assert json.loads(d["output"])["StatusCode"] == 200 and STATE.token_requests == first + 1, (STATE.token_requests, d)
    # The connection's parameters reached the endpoint.
    seen = [h for (p, _, h, _) in STATE.seen if p == "/apikey"]
    assert seen and seen[-1].get("x-tenant") == "acme", seen
    for ex in ctx["executions"]:
        text = json.dumps(history(sfn, ex), default=str)
        for s in SECRETS + ["tok-"]:
            assert s not in text, f"{s} in the history of {ex}"
    logs = os.path.join(ctx["data"], "logs")
    for f in os.listdir(logs):
        with open(os.path.join(logs, f), errors="replace") as fh:
            text = fh.read()
        for s in SECRETS:
            assert s not in text, f"{s} in {f}"


def test_a_connection_caps_its_requests_in_flight(ctx):
    sfn, base = ctx["sfn"], ctx["base"]
    def fan(name, key, auth):
        params = {"ApiEndpoint": f"{base}/concurrent", "Method": "GET", "QueryParameters": {"key": key}}
        if auth:
            params["Authentication"] = {"ConnectionArn": CONN.format("serial")}
        began = time.time()
        run(sfn, name, {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "End": True,
            "ItemProcessor": {"StartAt": "Call", "States": {"Call": {"Type": "Task",
                "Resource": "arn:aws:states:::http:invoke", "Parameters": params, "End": True}}}}}}, {"items": [1, 2, 3, 4]})
        return STATE.in_flight[key][1], time.time() - began
    most, took = fan("capped", "capped", True)
    assert most == 1 and took >= 1.2, (most, took)
    most, _ = fan("uncapped", "uncapped", False)
    assert most >= 2, most


def test_tls_with_a_test_ca_and_a_client_certificate(ctx):
    sfn, tls = ctx["sfn"], ctx["tls_base"]
    _, d = run(sfn, "mtls", task({"ApiEndpoint": f"{tls}/echo", "Method": "GET",
                                  "Authentication": {"ConnectionArn": CONN.format("mtls")}}))
    assert json.loads(d["output"])["ResponseBody"]["method"] == "GET", d
    # Without the CA (and the client certificate) the handshake fails: States.Http.Socket.
    _, d = run(sfn, "untrusted", task({"ApiEndpoint": f"{tls}/echo", "Method": "GET"}), status="FAILED")
    assert d["error"] == "States.Http.Socket" and "TLS" in d["cause"], d


def test_lambda_functions_through_the_invoke_endpoint(ctx):
    sfn = ctx["sfn"]
    fn = "arn:aws:lambda:us-east-1:000000000000:function:{}"
    _, d = run(sfn, "lambda-arn", {"StartAt": "L", "States": {"L": {"Type": "Task", "Resource": fn.format("double"), "End": True}}},
               {"n": 21})
    assert json.loads(d["output"]) == {"n": 42}, d["output"]
    _, d = run(sfn, "lambda-invoke", {"StartAt": "L", "States": {"L": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": fn.format("double") + ":$LATEST", "Payload": {"n.$": "$.n"}}, "End": True}}}, {"n": 4})
    out = json.loads(d["output"])
    assert out["Payload"] == {"n": 8} and out["StatusCode"] == 200, out
    _, d = run(sfn, "lambda-boom", {"StartAt": "L", "States": {
        "L": {"Type": "Task", "Resource": fn.format("boom"), "Catch": [{"ErrorEquals": ["OutOfStock"], "Next": "P"}], "End": True},
        "P": {"Type": "Pass", "End": True}}})
    out = json.loads(d["output"])
    assert out["Error"] == "OutOfStock" and json.loads(out["Cause"])["errorMessage"] == "no stock", out
    _, d = run(sfn, "lambda-missing", {"StartAt": "L", "States": {"L": {"Type": "Task", "Resource": fn.format("missing"), "End": True}}},
               status="FAILED")
    assert d["error"] == "Lambda.ResourceNotFoundException" and "Function not found: missing" in d["cause"], d


def test_test_state_runs_an_http_task(ctx):
    sfn, base = ctx["sfn"], ctx["base"]
    state = {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
             "Parameters": {"ApiEndpoint": f"{base}/echo", "Method": "GET", "QueryParameters": {"q.$": "$.q"}}, "End": True}
    r = sfn.test_state(definition=json.dumps(state), roleArn=ROLE, input=json.dumps({"q": "hi"}))
    assert r["status"] == "SUCCEEDED", r
    out = json.loads(r["output"])
    assert out["ResponseBody"]["query"] == "q=hi", out


def test_kill_with_http_tasks_in_flight_answers_each_once(ctx):
    sfn, base = ctx["sfn"], ctx["base"]
    arn = machine(sfn, "crash", {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.ids", "MaxConcurrency": 0,
        "ItemProcessor": {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
            "Parameters": {"ApiEndpoint": f"{base}/slow", "Method": "GET", "QueryParameters": {"ms": "1500", "id.$": "$"}},
            "ResultSelector": {"id.$": "$.ResponseBody.id"}, "End": True}}}, "End": True}}})
    runs = []
    for r in range(3):
        ids = [f"r{r}-{i}" for i in range(10)]
        runs.append((sfn.start_execution(stateMachineArn=arn, input=json.dumps({"ids": ids}))["executionArn"], ids))
    deadline = time.time() + 10
    while time.time() < deadline:
        with STATE.lock:
            started = sum(1 for (p, *_rest) in STATE.seen if p == "/slow")
        if started >= 30:
            break
        time.sleep(0.05)
    assert started >= 30, started
    server = ctx["server"]
    server.kill()
    server.wait()
    ctx["server"] = start_serve(STEPLINE, ctx["config"], ctx["port"])
    for ex, ids in runs:
        d = wait_status(sfn, ex, "SUCCEEDED", 30)
        assert d["status"] == "SUCCEEDED", d
        assert json.loads(d["output"]) == [{"id": i} for i in ids], d["output"]
        events = history(sfn, ex)
        succeeded = [e for e in events if e["type"] == "TaskSucceeded"]
        assert len(succeeded) == len(ids), (ex, len(succeeded))
        ids_answered = sorted(json.loads(e["taskSucceededEventDetails"]["output"])["ResponseBody"]["id"] for e in succeeded)
        assert ids_answered == sorted(ids), ids_answered


def test_aws_messaging_mapped_onto_rabbitmq_and_nats(ctx):
    import asyncio
    import nats
    import pika

    sfn, prefix = ctx["sfn"], ctx["prefix"]
    ch = pika.BlockingConnection(pika.URLParameters(AMQP_URI)).channel()
    ch.queue_declare(f"{prefix}.orders", durable=True)
    ch.exchange_declare(f"{prefix}.bus", "topic", durable=True)
    ch.queue_declare(f"{prefix}.placed", durable=True)
    ch.queue_bind(f"{prefix}.placed", f"{prefix}.bus", routing_key="OrderPlaced")

    def get(queue):
        deadline = time.time() + 10
        while time.time() < deadline:
            method, props, body = ch.basic_get(queue, auto_ack=True)
            if method:
                return props, body
            time.sleep(0.05)
        raise AssertionError(f"nothing on {queue}")

    # SQS onto a RabbitMQ queue, with AWS's answer.
    _, d = run(sfn, "sqs", {"StartAt": "S", "States": {"S": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"QueueUrl": QUEUE_URL, "MessageBody": {"order.$": "$.order"},
                       "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "new"}}}, "End": True}}}, {"order": 5})
    out = json.loads(d["output"])
    props, body = get(f"{prefix}.orders")
    assert json.loads(body) == {"order": 5} and props.headers["kind"] == "new", (body, props.headers)
    import hashlib
    assert out["MD5OfMessageBody"] == hashlib.md5(body).hexdigest() and out["MessageId"] == props.headers["MessageId"], out
    # .waitForTaskToken: the consumer of the queue answers with the token it was sent.
    arn = machine(sfn, "sqs-callback", {"StartAt": "S", "States": {"S": {"Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": QUEUE_URL, "MessageBody": {"token.$": "$$.Task.Token"}}, "End": True}}})
    ex = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    _, body = get(f"{prefix}.orders")
    sfn.send_task_success(taskToken=json.loads(body)["token"], output=json.dumps({"approved": True}))
    d = wait_status(sfn, ex, "SUCCEEDED")
    assert json.loads(d["output"]) == {"approved": True}, d
    # EventBridge onto a topic exchange, routed by DetailType, the execution in resources.
    ex, d = run(sfn, "events", {"StartAt": "E", "States": {"E": {"Type": "Task", "Resource": "arn:aws:states:::events:putEvents",
        "Parameters": {"Entries": [{"Source": "shop", "DetailType": "OrderPlaced", "Detail": {"id": 9}}]}, "End": True}}})
    out = json.loads(d["output"])
    _, body = get(f"{prefix}.placed")
    event = json.loads(body)
    assert out["FailedEntryCount"] == 0 and out["Entries"][0]["EventId"] == event["id"], (out, event)
    assert event["detail"] == {"id": 9} and ex in event["resources"] and event["source"] == "shop", event
    # SNS onto a NATS subject, read back by a subscriber.
    async def sns():
        nc = await nats.connect(NATS_URL)
        sub = await nc.subscribe(f"{prefix}.alerts")
        await nc.flush()
        loop = asyncio.get_running_loop()
        d = await loop.run_in_executor(None, lambda: run(sfn, "sns", {"StartAt": "P", "States": {"P": {"Type": "Task",
            "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"TopicArn": TOPIC_ARN, "Message": "disk full", "Subject": "ops"}, "End": True}}})[1])
        msg = await sub.next_msg(timeout=10)
        await nc.close()
        return d, msg
    d, msg = asyncio.run(sns())
    assert msg.data == b"disk full" and msg.headers["Subject"] == "ops", (msg.data, msg.headers)
    assert json.loads(d["output"])["MessageId"] == msg.headers["MessageId"], d
    # A queue not mapped stays a worker activity (here the command worker `cat`, which
    # answers with what it was given).
    other = QUEUE_URL.replace("orders", "unmapped")
    _, d = run(sfn, "sqs-worker", {"StartAt": "S", "States": {"S": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"QueueUrl": other, "MessageBody": "x"}, "End": True}}})
    assert json.loads(d["output"]) == {"QueueUrl": other, "MessageBody": "x"}, d
    ch.queue_delete(f"{prefix}.orders")
    ch.queue_delete(f"{prefix}.placed")
    ch.exchange_delete(f"{prefix}.bus")


def cleanup_buses(prefix):
    """The streams, queues and exchanges the engine made under PREFIX."""
    import asyncio
    import nats
    import pika

    async def streams():
        nc = await nats.connect(NATS_URL)
        js = nc.jetstream()
        for info in await js.streams_info():
            if info.config.name.startswith(prefix.upper() + "_"):
                await js.delete_stream(info.config.name)
        await nc.close()
    try:
        asyncio.run(streams())
    except Exception as e:
        print(f"cleanup of NATS streams: {e!r}")
    try:
        ch = pika.BlockingConnection(pika.URLParameters(AMQP_URI)).channel()
        for q in ("results", "dead-letter", "engine.holder", "tasks.itest-none"):
            ch.queue_delete(f"{prefix}.{q}")
        for x in ("tasks", "events", "dead-letter"):
            ch.exchange_delete(f"{prefix}.{x}")
    except Exception as e:
        print(f"cleanup of AMQP: {e!r}")


def main():
    tmp = tempfile.mkdtemp(prefix="stepline-integrations-")
    make_certs(tmp)
    http_port, tls_port, port, closed_port = free_port(), free_port(), free_port(), free_port()
    prefix = f"itest{os.getpid()}"
    serve_http(http_port)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(f"{tmp}/server.pem", f"{tmp}/server.key")
    tls.load_verify_locations(f"{tmp}/ca.pem")
    tls.verify_mode = ssl.CERT_REQUIRED
    serve_http(tls_port, tls)
    base, tls_base = f"http://127.0.0.1:{http_port}", f"https://127.0.0.1:{tls_port}"
    with open(f"{tmp}/password", "w") as f:
        f.write(PASSWORD + "\n")
    config = os.path.join(tmp, "stepline.toml")
    with open(config, "w") as f:
        f.write(f"""[server]
listen = "127.0.0.1:{port}"
data = "data"

[[connections]]
name = "apikey"
auth = "api_key"
api_key_name = "x-api-key"
api_key_value_env = "TEST_API_KEY"
invocation_parameters = {{ headers = {{ "x-tenant" = "acme" }} }}

[[connections]]
name = "basic"
auth = "basic"
username = "robot"
password_file = "{tmp}/password"

[[connections]]
name = "oauth"
auth = "oauth_client_credentials"
authorization_endpoint = "{base}/oauth/token"
client_id = "client-1"
client_secret_env = "TEST_CLIENT_SECRET"
oauth_parameters = {{ body = {{ scope = "orders" }} }}

[[connections]]
name = "serial"
auth = "none"
max_concurrency = 1

[[connections]]
name = "mtls"
auth = "none"
ca_file = "{tmp}/ca.pem"
cert_file = "{tmp}/client.pem"
key_file = "{tmp}/client.key"

[lambda]
endpoint = "{base}"

[nats]
urls = ["{NATS_URL}"]
prefix = "{prefix}"
activities = ["itest-none"]

[amqp]
uris = ["{AMQP_URI}"]
prefix = "{prefix}"
activities = ["itest-none"]

[[workers]]
activity = "sqs:sendMessage"
command = "cat"

[[messaging.sqs]]
aws = "{QUEUE_URL}"
amqp_queue = "{prefix}.orders"

[[messaging.sns]]
aws = "{TOPIC_ARN}"
nats_subject = "{prefix}.alerts"

[[messaging.events]]
aws = "default"
amqp_exchange = "{prefix}.bus"
""")
    os.environ["TEST_API_KEY"] = API_KEY
    os.environ["TEST_CLIENT_SECRET"] = CLIENT_SECRET
    server = start_serve(STEPLINE, config, port)
    ctx = {"sfn": sdk_client(port), "server": server, "base": base, "tls_base": tls_base, "closed_port": closed_port,
           "config": config, "port": port, "data": os.path.join(tmp, "data"), "executions": [], "prefix": prefix}
    run_tests([
        test_request_shapes_and_results,
        test_jsonata_and_text_bodies,
        test_errors_retry_and_catch,
        test_connections_authorize_without_leaking_secrets,
        test_a_connection_caps_its_requests_in_flight,
        test_tls_with_a_test_ca_and_a_client_certificate,
        test_lambda_functions_through_the_invoke_endpoint,
        test_test_state_runs_an_http_task,
        test_aws_messaging_mapped_onto_rabbitmq_and_nats,
        test_kill_with_http_tasks_in_flight_answers_each_once,
    ], ctx, after=lambda: cleanup_buses(prefix))


if __name__ == "__main__":
    main()
