#!/usr/bin/env bash
# Dev-server rebuild benchmark: the time from a provision's save to the reload
# event, on the shipped site and on a generated site of PROVISIONS provisions
# (default 10,000), with a full build of each as the peer to compare against.
#
#   bench/serve.sh [PROVISIONS] [RUNS]
set -euo pipefail
n=${1:-10000}
runs=${2:-5}
source "$(dirname "$0")/setup.sh"

full() { # median seconds of 3 full builds
  for _ in 1 2 3; do /usr/bin/time -f "%e" "$bin" build --quiet --root "$1" 2>&1 >/dev/null | tail -1; done | sort -g | sed -n 2p
}

echo "shipped site: full build $(full "$work/shipped") s"
python3 bench/serve_latency.py "$bin" "$work/shipped" "$work/shipped/content/provisions/ai-cybersecurity-clearinghouse.md" "$runs"
echo "generated site ($n provisions): full build $(full "$work/gazette") s"
python3 bench/serve_latency.py "$bin" "$work/gazette" "$work/gazette/content/provisions/p$((n / 2)).md" "$runs"
