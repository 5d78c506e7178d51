#!/usr/bin/env bash
# The project's test command: formatting, lints, every crate's tests, and the conformance
# corpus (when ../shared/conformance, or $STEPLINE_CONFORMANCE, is present).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/services.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== cargo build --release"
cargo build --release --quiet
echo "== cargo test"
cargo test --workspace --release --quiet

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
