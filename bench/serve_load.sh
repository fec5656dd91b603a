#!/usr/bin/env bash
# Load and abuse test of `gazette serve` (see bench/serve_load.py for what it
# measures). Builds nothing: it tests $GAZETTE, default target/release/gazette.
#
#   bench/serve_load.sh [--quick] [--site DIR] [--port N] [--nofile N] [--idle N] [--only LIST] ...
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${GAZETTE:-target/release/gazette}
if [ ! -x "$bin" ] && [[ " $* " != *" -h "* && " $* " != *" --help "* ]]; then
  echo "error: no gazette binary at $bin: run \`cargo build --release\` first (or set GAZETTE=/path/to/gazette)" >&2
  exit 2
fi
GAZETTE=$bin exec python3 bench/serve_load.py "$@"
