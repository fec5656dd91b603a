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

cargo test "$@"
