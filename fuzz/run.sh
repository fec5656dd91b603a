#!/usr/bin/env bash
# Run each fuzz target for SECONDS (default 600) on the seeded corpus.
# Needs nightly Rust and cargo-fuzz (`cargo install cargo-fuzz`).
# Crashes land in fuzz/artifacts/TARGET/; copy each into
# tests/fuzz-regressions/TARGET/ so that `cargo test` replays it.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-600}"
./seed.sh
for target in document site; do
  echo "== $target for $secs s"
  cargo +nightly fuzz run "$target" "corpus/$target" -- -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=4096 2>&1 | tail -n 12
done
