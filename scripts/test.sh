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
  ./target/release/stepline conformance "$corpus" --category base --category choice --category context_object \
    --category error_handling --category express --category inputoutput --category intrinsic_functions \
    --category map --category parallel --category task_lambda --category task_services --category timeouts \
    --category validation --category wait --min-pass-rate "${STEPLINE_MIN_PASS_RATE:-0.95}" | tail -25
else
  echo "== conformance skipped: no corpus at $corpus"
fi
