#!/usr/bin/env bash
# Build-time and peak-memory benchmark: gazette against Hugo on the same pages.
#
#   bench/run.sh [PROVISIONS] [RUNS]
#
# Builds gazette in release mode, generates a site of PROVISIONS provisions
# (default 10,000) with bench/gen_site.py, then times RUNS (default 3) builds
# of: the shipped site, the generated site, and the same pages with Hugo
# (Debian's `hugo`, if installed) as a peer. Prints the median wall time and
# peak RSS of each, and the ratios gazette/Hugo. The machine is shared, so
# compare ratios within one run, not seconds across runs.
set -euo pipefail
n=${1:-10000}
runs=${2:-3}
source "$(dirname "$0")/setup.sh"

# median wall seconds and peak KiB of RUNS runs of a command
measure() {
  local times=() mems=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null 2>&1
    read -r t m <"$work/t"
    times+=("$t"); mems+=("$m")
  done
  local mt mm
  mt=$(printf '%s\n' "${times[@]}" | sort -g | sed -n "$(( (runs + 1) / 2 ))p")
  mm=$(printf '%s\n' "${mems[@]}" | sort -g | sed -n "$(( (runs + 1) / 2 ))p")
  echo "$mt $mm"
}

read -r st sm < <(measure "$bin" build --quiet --root "$work/shipped")
read -r gt gm < <(measure "$bin" build --quiet --root "$work/gazette")
pages=$(find "$work/gazette/public" -name '*.html' | wc -l)
printf 'shipped site:        %6.2f s  %7d KiB peak\n' "$st" "$sm"
printf 'generated (%d provisions, %d pages): %6.2f s  %7d KiB peak\n' "$n" "$pages" "$gt" "$gm"
if command -v hugo >/dev/null; then
  read -r ht hm < <(measure hugo --quiet --source "$work/hugo" --destination "$work/hugo/public")
  hpages=$(find "$work/hugo/public" -name '*.html' | wc -l)
  printf 'hugo, same pages (%d pages):  %6.2f s  %7d KiB peak\n' "$hpages" "$ht" "$hm"
  python3 -c "print(f'ratio gazette/hugo: time {$gt/$ht:.2f}x, peak memory {$gm/$hm:.2f}x')"
else
  echo "hugo not installed (apt-get install hugo): no peer measured"
fi
