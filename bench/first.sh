#!/usr/bin/env bash
# First-build benchmark: gazette against Hugo, each building into a new,
# empty folder, as a CI job that publishes from a clean checkout does.
#
#   bench/first.sh [PROVISIONS] [PAIRS]
#
# Uses the same generated site and peer as bench/run.sh (bench/setup.sh).
# The tools alternate (gazette, Hugo, gazette, ...), PAIRS times (default
# 3), each into a folder of its own; nothing is deleted until the end.
# On ext4 without a journal, the inode allocator passes over inodes freed
# in the last 60 s, or 360 s when their inode-table block is dirty, which
# it is as soon as a new file takes a neighbour: so creating files is far
# slower for six minutes after a large deletion, and deleting one build's
# output before the next penalised every build (`recently_deleted` in
# 10-16% of a first build's perf samples). The script first waits $QUIET
# seconds (default 360; set QUIET=0 when nothing large was deleted in the
# last six minutes), and before each build flushes the last one's writes
# and sets up the page cache alike for both: with CACHE=cold (the default;
# needs root) it is emptied, so that both read their files from the disk,
# as after a while idle on a machine that keeps little page cache (folder
# entries and inodes stay cached, as this one keeps them); with CACHE=warm
# both sites' files are read first, as right after a checkout. Prints each
# build's wall, user and system time, the medians (the lower middle one
# for an even PAIRS) and the gazette/Hugo ratio. Needs about 100 KiB of
# free disk and 16 free inodes per provision per pair (the outputs are kept
# until the end: at 10,000 provisions gazette's takes 660 MiB of disk and
# Hugo's 250 MiB, a block for each of its 62,000 files and folders).
set -euo pipefail
n=${1:-10000}
pairs=${2:-3}
quiet=${QUIET:-360}
cache=${CACHE:-cold}
case $pairs in '' | *[!0-9]* | 0) echo "PAIRS is a number of at least 1, not $pairs" >&2; exit 2 ;; esac
case $cache in cold | warm) ;; *) echo "CACHE is cold or warm, not $cache" >&2; exit 2 ;; esac
case $quiet in '' | *[!0-9]*) echo "QUIET is a number of seconds, not $quiet" >&2; exit 2 ;; esac
if [ "$cache" = cold ] && ! [ -w /proc/sys/vm/drop_caches ]; then
  echo "CACHE=cold empties the page cache, which needs root: run as root, or with CACHE=warm" >&2
  exit 2
fi
source "$(dirname "$0")/setup.sh"

# Before a build: flush the last one's writes, set up the cache.
settle() {
  sync
  case $cache in
    cold) echo 1 >/proc/sys/vm/drop_caches ;;
    warm) find "$work/gazette" "$work/hugo" -type f -exec cat {} + >/dev/null ;;
  esac
}

# One timed first build: "wall user system" (seconds).
once() {
  settle
  if ! /usr/bin/time -f "%e %U %S" -o "$work/t" "$@" >/dev/null 2>"$work/err"; then
    echo "failed: $*" >&2
    cat "$work/err" >&2
    exit 1
  fi
  cat "$work/t"
}

: >"$work/g"; : >"$work/h"
need=$((pairs * n * 100))
inodes=$((pairs * n * 16))
free=$(df --output=avail -k "$work" | tail -1 | tr -d ' ')
ifree=$(df --output=iavail "$work" | tail -1 | tr -d ' ')
case $free$ifree in '' | *[!0-9]*) echo "could not read the free disk under $work (df)" >&2; exit 2 ;; esac
if [ "$free" -lt "$need" ] || [ "$ifree" -lt "$inodes" ]; then
  echo "$((need / 1024)) MiB and $inodes inodes free needed under $work (the outputs are kept until the end); $((free / 1024)) MiB and $ifree free" >&2
  exit 2
fi
echo "waiting ${quiet} s for recent deletions to age (QUIET=0 to skip)" >&2
sleep "$quiet"
for i in $(seq "$pairs"); do
  once "$bin" build --quiet --root "$work/gazette" --output "$work/out-g$i" --allow-outside >>"$work/g"
  once "$hugo_bin" --quiet --source "$work/hugo" --destination "$work/out-h$i" >>"$work/h"
done
echo "gazette first builds (wall user sys, s): $(tr '\n' ',' <"$work/g" | sed 's/,$//; s/,/ | /g')"
echo "hugo first builds (wall user sys, s):    $(tr '\n' ',' <"$work/h" | sed 's/,$//; s/,/ | /g')"
gt=$(cut -d' ' -f1 "$work/g" | median)
ht=$(cut -d' ' -f1 "$work/h" | median)
python3 - "$cache" "$pairs" "$gt" "$ht" <<'PY'
import sys
cache, pairs, g, h = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
print(f"ratio gazette/hugo, first builds, {cache} cache ({pairs} alternating pairs, medians): time {g / h:.2f}x ({g} s against {h} s)")
PY
