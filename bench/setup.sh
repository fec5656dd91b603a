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
