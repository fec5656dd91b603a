#!/usr/bin/env bash
# The whole test suite: installs what the tests need, then runs them.
#
# Browser tests drive Debian's Chromium through chromedriver; they are
# installed here when missing (as root, or with sudo). Set
# GAZETTE_SKIP_BROWSER=1 to run everything else where no browser can be had.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${GAZETTE_SKIP_BROWSER:-}" ] && ! { command -v chromium >/dev/null && command -v chromedriver >/dev/null; }; then
  echo "Installing chromium and chromium-driver for the browser tests..." >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# The W3C Nu HTML checker (npm vnu-jar, run with Java) and axe-core, for the
# page-quality tests; kept under target/ so that `cargo clean` removes them.
tools=target/test-tools
if [ -z "${GAZETTE_SKIP_BROWSER:-}" ] && ! [ -f "$tools/node_modules/vnu-jar/build/dist/vnu.jar" -a -f "$tools/node_modules/axe-core/axe.min.js" ]; then
  echo "Installing vnu-jar and axe-core for the page-quality tests..." >&2
  mkdir -p "$tools"
  npm install --silent --no-audit --no-fund --prefix "$tools" vnu-jar@26 axe-core@4 >/dev/null
fi
if [ -z "${GAZETTE_SKIP_BROWSER:-}" ] && ! command -v java >/dev/null; then
  echo "Installing Java for the HTML checker..." >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq default-jre-headless >/dev/null
fi

cargo test "$@"
