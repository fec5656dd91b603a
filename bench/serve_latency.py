#!/usr/bin/env python3
"""Time from a file's save to the edited page being served, for `gazette
serve` or `hugo server` alike.

usage: serve_latency.py gazette|hugo BINARY SITE_ROOT FILE PAGE_PATH [RUNS]

Starts the server on SITE_ROOT, waits for PAGE_PATH to be served, then makes
RUNS edits of each of two kinds to FILE, a second apart, and polls PAGE_PATH
(every 5 ms) until the page shows each:

  body  - a sentence appended to the body (shows on the page itself);
  title - the `title:` line changed (shows on the page, and on every list,
          index and page that links to it).

Prints the median and the worst time of each, in milliseconds, including
each tool's own file-watching delay (gazette's 30 ms debounce; Hugo's
watcher). FILE is restored at the end. Polling the page, rather than
listening for a reload event, measures both tools the same way.
"""
import re
import socket
import statistics
import subprocess
import sys
import time

tool, binary, root, target, page = sys.argv[1:6]
runs = int(sys.argv[6]) if len(sys.argv) > 6 else 5


def start():
    if tool == "gazette":
        cmd = [binary, "serve", "--port", "0", "--root", root]
    else:
        port = free_port()
        cmd = [binary, "server", "--source", root, "--port", str(port), "--bind", "127.0.0.1",
               "--disableLiveReload", "--renderToMemory"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if tool == "gazette":
        while True:
            line = proc.stdout.readline()
            if not line:
                sys.exit("gazette serve did not start")
            m = re.match(r"Serving at http://127\.0\.0\.1:(\d+)/", line)
            if m:
                port = int(m.group(1))
                break
    # Keep draining the server's output so that it never blocks on a full pipe.
    import threading
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    return proc, port


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def get(port, path):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
        s.close()
        return b"".join(chunks).decode("utf-8", "replace")
    except OSError:
        return ""


def wait_for(port, text, limit=120):
    t0 = time.monotonic()
    while text not in get(port, page):
        if time.monotonic() - t0 > limit:
            sys.exit(f"{tool}: {text!r} never showed on {page}")
        time.sleep(0.005)


proc, port = start()
original = open(target, encoding="utf-8").read()
try:
    title_line = re.search(r"^title: .*$", original, re.M).group(0)
    title = title_line[len("title: "):].strip().strip('"')
    wait_for(port, title, limit=600)
    times = {"body": [], "title": []}
    # All body edits first: each keeps the original front matter, as a save
    # that touches only the text does.
    for kind in ("body", "title"):
        for i in range(runs):
            marker = f"Edited{kind}{i}x{int(time.time() * 1000) % 100000}"
            if kind == "body":
                text = original + f"\n{marker}.\n"
            else:
                text = original.replace(title_line, f'title: "{title} {marker}"', 1)
            with open(target, "w", encoding="utf-8") as f:
                f.write(text)
            t0 = time.monotonic()
            wait_for(port, marker)
            times[kind].append(time.monotonic() - t0)
            time.sleep(1)
    for kind, t in times.items():
        print(f"{tool} {kind} edit, save to page: median {statistics.median(t) * 1000:.0f} ms, "
              f"worst {max(t) * 1000:.0f} ms ({runs} runs)")
finally:
    with open(target, "w", encoding="utf-8") as f:
        f.write(original)
    proc.kill()
    proc.wait()
