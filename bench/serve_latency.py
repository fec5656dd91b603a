#!/usr/bin/env python3
"""Time from a file's save to the dev server's reload event.

usage: serve_latency.py GAZETTE_BINARY SITE_ROOT PROVISION_FILE [RUNS]

Starts `gazette serve` on SITE_ROOT, listens to its Server-Sent Events, then
RUNS times appends a word to PROVISION_FILE and measures (a) the time from the
write to the `build` event, end to end, which includes the watcher's debounce
delay, and (b) the rebuild time the server reports, which excludes it.
Prints medians. The file is restored at the end.
"""
import re
import socket
import statistics
import subprocess
import sys
import time

binary, root, target = sys.argv[1], sys.argv[2], sys.argv[3]
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5
proc = subprocess.Popen([binary, "serve", "--port", "0", "--root", root], stdout=subprocess.PIPE, text=True)
reported = []
try:
    port = None
    while port is None:
        line = proc.stdout.readline()
        if not line:
            sys.exit("server did not start")
        m = re.match(r"Serving at http://127\.0\.0\.1:(\d+)/", line)
        if m:
            port = int(m.group(1))
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"GET /__gazette/events HTTP/1.1\r\nHost: x\r\n\r\n")
    stream = sock.makefile("r")

    def next_build():
        name = None
        for line in stream:
            line = line.rstrip("\n")
            if line.startswith("event: "):
                name = line[7:]
            elif line == "" and name:
                if name == "build":
                    return
                name = None

    next_build()  # the state sent on connect
    original = open(target, encoding="utf-8").read()
    totals = []
    for i in range(runs):
        with open(target, "w", encoding="utf-8") as f:
            f.write(original + f"\nEdit {i}.\n")
        t0 = time.monotonic()
        next_build()
        totals.append(time.monotonic() - t0)
        out = proc.stdout.readline()
        m = re.search(r"in (\d+) ms", out)
        if m:
            reported.append(int(m.group(1)) / 1000)
        time.sleep(0.3)
    with open(target, "w", encoding="utf-8") as f:
        f.write(original)
    print(f"save to reload event: median {statistics.median(totals) * 1000:.0f} ms end to end "
          f"(includes the 100 ms debounce); rebuild as reported by the server: median "
          f"{statistics.median(reported) * 1000:.0f} ms")
finally:
    proc.kill()
    proc.wait()
