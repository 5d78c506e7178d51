#!/usr/bin/env bash
# Runs the interpreter workloads on Stepline and on the npm peer (aws-local-stepfunctions)
# in one go, so the two figures come from the same machine at the same time.
# Needs node/npm and the peer folder (default ../shared/peers).
set -euo pipefail
cd "$(dirname "$0")/.."
peers="${STEPLINE_PEERS:-../shared/peers}"
work="$(mktemp -d)"
cp -r "$peers/npm" "$work/npm" && cp -r "$peers/workloads" "$work/workloads"
(cd "$work/npm" && npm install --silent >/dev/null 2>&1)
cargo build --release --quiet
for round in 1 2 3; do
  echo "== round $round"
  (cd "$work/npm" && node bench.mjs 20000 30)
  ./target/release/stepline bench fixtures/bench/pass_chain.json --input '{"hello":"world"}' --executions 200000 --json
  ./target/release/stepline bench fixtures/bench/map_pass.json --input @fixtures/bench/map_input.json --executions 300 --json
  ./target/release/stepline bench fixtures/bench/pass_chain_jsonata.json --input '{"hello":"world"}' --executions 200000 --json
  ./target/release/stepline bench fixtures/bench/map_pass_jsonata.json --input @fixtures/bench/map_input.json --executions 300 --json
done
rm -rf "$work"
