#!/usr/bin/env bash
# The project's test command: formatting, lints, every crate's tests, and the conformance
# corpus (when ../shared/conformance, or $STEPLINE_CONFORMANCE, is present).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/services.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== structure (import cycles between files, files over 600 lines)"
python3 scripts/check_structure.py .
if command -v node >/dev/null && command -v npm >/dev/null; then
  echo "== JSONata fixtures are what the reference gives (npm jsonata, the version AWS runs)"
  if (cd scripts/jsonata-reference && npm ci --silent --no-audit --no-fund); then
    (cd scripts/jsonata-reference && TZ=UTC node generate.js --check)
  else
    echo "   not re-checked: npm could not install the reference (offline?)"
  fi
else
  echo "== JSONata fixtures not re-checked: no node"
fi
echo "== cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== cargo build --release"
cargo build --release --quiet
echo "== example workers' libraries (nats-py, pika, the nats and amqplib npm packages)"
python3 -c "import nats" 2>/dev/null || python3 -m pip install --quiet nats-py
python3 -c "import pika" 2>/dev/null || python3 -m pip install --quiet pika
[ -d fixtures/workers/node_modules/nats ] && [ -d fixtures/workers/node_modules/amqplib ] ||
  (cd fixtures/workers && npm install --silent --no-audit --no-fund)
echo "== cargo test"
# Bounded, so a test that hangs fails the run in half an hour instead of stalling it.
timeout --kill-after=10 1800 cargo test --workspace --release --quiet

echo "== stepline test: the fixtures' state machine tests (mocked tasks, virtual time)"
./target/release/stepline test fixtures/tests/*.test.yaml --coverage --junit target/stepline-test.xml

echo "== AWS SDK and CLI against stepline serve"
python3 -c "import boto3" 2>/dev/null && command -v aws >/dev/null || python3 -m pip install --quiet boto3 awscli
python3 tests/sdk/boto3_e2e.py ./target/release/stepline
echo "== versions, aliases, tags, region and account with boto3 and the AWS CLI, and Terraform's call sequences"
python3 tests/sdk/catalog_e2e.py ./target/release/stepline
echo "== metrics scraped by a real Prometheus, /healthz and /readyz"
command -v prometheus >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null)
python3 tests/sdk/operations_e2e.py ./target/release/stepline
echo "== execution logs at each level (file, NATS subject, AMQP exchange; EXPRESS too)"
python3 tests/sdk/execution_logs_e2e.py ./target/release/stepline
echo "== backup of a live store and restore, WAIT_TIME_SCALE, shell completions"
python3 tests/sdk/store_e2e.py ./target/release/stepline
echo "== child executions with boto3 (every pattern, both query languages, stop, kill -9)"
python3 tests/sdk/children_e2e.py ./target/release/stepline
echo "== Distributed Map with boto3 (a real S3-compatible server: moto; redrive, UpdateMapRun, kill -9)"
python3 -c "import moto.server, flask" 2>/dev/null || python3 -m pip install --quiet "moto[server]"
python3 tests/sdk/map_runs_e2e.py ./target/release/stepline
echo "== built-in integrations with boto3 (HTTP Task with TLS and connections, a Lambda endpoint, SQS/SNS/EventBridge on RabbitMQ and NATS, kill -9)"
command -v openssl >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null)
python3 tests/sdk/integrations_e2e.py ./target/release/stepline
echo "== Step Functions Local's mock mode (SFN_MOCK_CONFIG, #TestCase executions) with boto3"
python3 tests/sdk/mock_config_e2e.py ./target/release/stepline
command -v tmux >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >/dev/null)
echo "== stepline serve with NATS (trigger, Python worker, status event, the dashboard over NATS)"
python3 tests/sdk/nats_serve_e2e.py ./target/release/stepline
echo "== the dashboard in a real terminal (tmux: stepline dev, redrive a failed execution)"
python3 tests/tui/tmux_e2e.py ./target/release/stepline
echo "== stepline serve with AMQP (trigger queue, Python worker, status event, dead letter)"
python3 tests/sdk/amqp_serve_e2e.py ./target/release/stepline
echo "== the README's NATS, RabbitMQ and sync- prefix walk-throughs, run as written"
python3 tests/sdk/readme_sections.py ./target/release/stepline

corpus="${STEPLINE_CONFORMANCE:-../shared/conformance}"
if [ -d "$corpus" ]; then
  echo "== conformance ($corpus)"
  # Thresholds: see docs/conformance.md.
  bin=./target/release/stepline
  rate="${STEPLINE_MIN_PASS_RATE:-0.95}"
  "$bin" conformance "$corpus" --min-pass-rate "$rate" | tail -22
  for category in jsonata variables; do
    echo "== conformance, category $category"
    "$bin" conformance "$corpus" --category "$category" --min-pass-rate "$rate" | tail -1
  done
else
  echo "== conformance skipped: no corpus at $corpus"
fi
