#!/usr/bin/env python3
"""Generate a large gazette site, and the same pages as a Hugo site, for benchmarks.

usage: gen_site.py OUT_DIR [PROVISIONS]

OUT_DIR/gazette: one order, PROVISIONS provisions (each with two deadlines, a
version pair, wikilinks and citations), PROVISIONS/100 agencies, PROVISIONS/10
sources, and one event per 100 provisions. OUT_DIR/hugo holds one Markdown
page per gazette entity and version page, with the same body text and minimal
layouts, as a peer to measure against. Output is deterministic.
"""
import os
import sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
agencies = max(1, n // 100)
sources = max(1, n // 10)
events = max(1, n // 100)

def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)

g = os.path.join(out, "gazette")
h = os.path.join(out, "hugo")
write(f"{g}/site.yaml", "title: Benchmark\nbase_url: https://example.org/\nas_of: 2026-07-01\n")
write(f"{g}/content/_index.md", "A generated site for benchmarks. See [[eo]].\n")
write(f"{g}/content/orders/eo.md", "---\ntitle: The order\nissuer: The President\nsigned: 2026-06-02\nstatus: signed\nsources: [s0]\n---\n\nThe order [@s0].\n")
write(f"{h}/hugo.toml", 'baseURL = "https://example.org/"\ntitle = "Benchmark"\ndisableKinds = ["taxonomy", "term", "RSS"]\n')
write(f"{h}/layouts/_default/single.html", "<!doctype html><html><head><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1>{{ .Content }}</body></html>\n")
write(f"{h}/layouts/_default/list.html", "<!doctype html><html><head><title>{{ .Title }}</title></head><body><ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul></body></html>\n")
write(f"{h}/layouts/index.html", "<!doctype html><html><body>{{ .Content }}</body></html>\n")

for a in range(agencies):
    write(f"{g}/content/agencies/agency-{a}.md", f"---\ntitle: Agency {a}\nacronym: A{a}\n---\n\nAn agency.\n")
    write(f"{h}/content/agencies/agency-{a}.md", f"---\ntitle: Agency {a}\n---\n\nAn agency.\n")
for s in range(sources):
    write(f"{g}/content/sources/s{s}.md", f"---\ntitle: Source {s}\npublisher: Publisher {s % 17}\nkind: news\ndate: 2026-06-{(s % 28) + 1:02d}\n---\n")
    write(f"{h}/content/sources/s{s}.md", f"---\ntitle: Source {s}\n---\n")
for e in range(events):
    write(f"{g}/content/events/event-{e}.md", f"---\ntitle: Event {e}\ndate: {{ within_days: {e % 90}, of: d{e * 100}-a }}\nkind: other\nsources: [s{e % sources}]\n---\n\nSomething happened [@s{e % sources}].\n")
    write(f"{h}/content/events/event-{e}.md", f"---\ntitle: Event {e}\n---\n\nSomething happened.\n")

body = (
    "The provision directs [[agency/agency-{a}]] to act, with [[agency-{b}|another agency]] [@s{s1}].\n\n"
    "## Details\n\nIt sets two deadlines and changes a review window from 90 to 30 days [@s{s2}; @s{s1}, p. 3].\n"
    "Agencies must report within 30 days; see also [[p{prev}]].\n\n"
    "| Item | Days |\n|---|---|\n| Review | 30 |\n| Report | 60 |\n"
)
for i in range(n):
    a, b = i % agencies, (i * 7 + 3) % agencies
    s1, s2 = i % sources, (i * 13 + 5) % sources
    prev = (i - 1) % n
    text = body.format(a=a, b=b, s1=s1, s2=s2, prev=prev)
    front = (
        f"---\ntitle: Provision {i}\norder: eo\nweight: {i}\nagencies: [agency-{a}, agency-{b}]\n"
        f"summary: Provision {i} tasks two agencies.\nsources: [s{s1}]\n"
        "deadlines:\n"
        f"  - id: d{i}-a\n    action: Report\n    agency: agency-{a}\n    due: {{ within_days: {30 + i % 60}, of: signing }}\n    sources: [s{s1}]\n"
        f"  - id: d{i}-b\n    action: Follow up\n    agency: agency-{b}\n    due: {{ within_days: 30, of: d{i}-a }}\n    sources: [s{s2}]\n"
        "versions:\n"
        f"  - id: draft\n    label: Draft\n    text: Review within 90 days.\n    sources: [s{s2}]\n"
        f"  - id: final\n    label: Final\n    text: Review within 30 days.\n    sources: [s{s1}]\n"
        "---\n\n"
    )
    write(f"{g}/content/provisions/p{i}.md", front + text)
    plain = text.replace("[[", "").replace("]]", "")
    write(f"{h}/content/provisions/p{i}.md", f"---\ntitle: Provision {i}\n---\n\n{plain}")
    # gazette writes a page per version; give Hugo the same pages.
    for v, days in (("draft", 90), ("final", 30)):
        write(f"{h}/content/versions/p{i}-{v}.md", f"---\ntitle: Provision {i}, {v}\n---\n\nReview within {days} days.\n")
print(f"generated {n} provisions, {agencies} agencies, {sources} sources, {events} events in {out}")
