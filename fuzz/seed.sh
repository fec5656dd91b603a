#!/usr/bin/env bash
# Seed corpora from the shipped content: each file as a `document` input
# (first byte = its kind), and groups of files as `site` inputs.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/document corpus/site
i=0
for kind in orders provisions agencies sources events pages; do
  for f in ../content/"$kind"/*; do
    [ -f "$f" ] || continue
    { printf "\\x$(printf %02x $i)"; cat "$f"; } > "corpus/document/$kind-$(basename "$f")"
  done
  i=$((i + 1))
done
n=0
for p in ../content/provisions/*.md; do
  { cat ../content/orders/ai-innovation-and-security.md; printf '\xff'; cat "$p"; printf '\xff'
    cat ../content/agencies/treasury.md; printf '\xff'; cat ../content/sources/ai-news-frontier-framework.md; } > "corpus/site/site-$n"
  n=$((n + 1))
done
echo "seeded: $(ls corpus/document | wc -l) documents, $(ls corpus/site | wc -l) sites"
