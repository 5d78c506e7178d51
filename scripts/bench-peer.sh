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
out="$work/rounds.txt"
for round in 1 2 3 4 5; do
  echo "== round $round"
  (cd "$work/npm" && node bench.mjs 20000 30)
  ./target/release/stepline bench fixtures/bench/pass_chain.json --input '{"hello":"world"}' --executions 200000 --json
  ./target/release/stepline bench fixtures/bench/map_pass.json --input @fixtures/bench/map_input.json --executions 300 --json
  ./target/release/stepline bench fixtures/bench/pass_chain_jsonata.json --input '{"hello":"world"}' --executions 200000 --json
  ./target/release/stepline bench fixtures/bench/map_pass_jsonata.json --input @fixtures/bench/map_input.json --executions 300 --json
  # The same workloads as EXPRESS executions through the engine's API (StartSyncExecution).
  ./target/release/stepline bench fixtures/bench/pass_chain.json --input '{"hello":"world"}' --executions 200000 \
    --standard --express --data "$work/express" --concurrency 2 --json | sed 's/"definition":"[^"]*\//&express:/'
  ./target/release/stepline bench fixtures/bench/map_pass.json --input @fixtures/bench/map_input.json --executions 300 \
    --standard --express --data "$work/express" --concurrency 2 --json | sed 's/"definition":"[^"]*\//&express:/'
done | tee "$out"
# Per-round ratios and their medians: the machine is noisy, the ratio within a round is not.
python3 - "$out" <<'PY'
import json, statistics, sys
rounds, cur = [], {}
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("=="):
        if cur:
            rounds.append(cur)
        cur = {}
        continue
    try:
        d = json.loads(line)
    except ValueError:
        continue
    key = "peer " + d["workload"] if "peer" in d else d["definition"].split("/")[-1]
    cur[key] = d["state_transitions_per_s"]
if cur:
    rounds.append(cur)
pairs = [("pass_chain.json", "peer pass_chain_10"), ("pass_chain_jsonata.json", "peer pass_chain_10"),
         ("map_pass.json", "peer map_1000_pass"), ("map_pass_jsonata.json", "peer map_1000_pass"),
         ("express:pass_chain.json", "peer pass_chain_10"), ("express:map_pass.json", "peer map_1000_pass")]
for ours, peer in pairs:
    ratios = [r[ours] / r[peer] for r in rounds]
    print(f"{ours:26} median {statistics.median(r[ours] for r in rounds):>12,.0f} transitions/s; "
          f"x peer per round {[round(x, 1) for x in ratios]}, median {statistics.median(ratios):.1f}")
PY
rm -rf "$work"
