#!/usr/bin/env python3
"""Load and abuse test of the dev server (`gazette serve`).

What it measures
----------------
Starts `gazette serve --root SITE --port PORT` under a file-descriptor limit
(`bash -c 'ulimit -n NOFILE; exec gazette serve ...'`, default 1024), reads
the address it prints ("Serving at http://127.0.0.1:PORT/"; the server may
take the next free port), then runs these scenarios against 127.0.0.1 only:

  1. sequential  500 GETs over a few pages, one at a time, a new connection each.
  2. concurrent  200 client threads doing 10 GETs each, started together.
  3. idle flood  3,000 TCP connections that send nothing or half a request
                 line (--idle-send), held ~10 s. Connections the server
                 refuses, never completes or closes count as "shed", not as
                 errors. While they are held, 50 GETs on fresh connections
                 are timed ("idle flood: during"); then the flood is closed
                 and 50 more GETs must succeed ("idle flood: after").
  4. oversized   a 1 MB request line and a 1 MB header on GET /, and a header
                 streamed up to 50 MB: each must get 400/413/414/431 or a
                 closed connection within --timeout, before 50 MB are taken.
  5. bad Host    `Host: evil.example` (on / and on the event stream) must get
                 400/403/421; `Host: localhost:PORT` and `127.0.0.1:PORT` 200.
  6. SSE         100 /__gazette/events streams held open while 200 GETs run.
                 A stream refused or closed is shed; one that gets no answer
                 within --timeout is an error.

Each scenario reports requests, errors, shed connections, p50/p99 latency of
the successful requests (ms, connect to last byte) and whether the server
still answers a plain GET / afterwards. If it does not (or it exited), the
server's output tail is printed and a fresh server is started for the next
scenario, so each row is measured on its own. A Markdown table is printed at
the end. Exit status: 0 all expectations met; 1 a scenario failed or the
server died or stopped answering; 2 the test could not run (no binary, the
server did not start).

Rerunning
---------
    bench/serve_load.sh                 # full run; builds nothing
    bench/serve_load.sh --quick         # small counts, about a minute
    GAZETTE=/path/to/gazette python3 bench/serve_load.py --idle 5000 --nofile 1024
    python3 bench/serve_load.py --only idle,sse --quick

The binary is $GAZETTE, default target/release/gazette of the repository
(build it with `cargo build --release`). Every loop is bounded in count and
time, every socket has a timeout, and the server is always killed at the end
(also on Ctrl-C or SIGTERM). The script raises its own RLIMIT_NOFILE to hold
the idle connections. Latencies on a busy machine vary between runs: compare
within one run, and read errors and "alive" first.
"""
import argparse
import errno
import http.client
import math
import os
import re
import resource
import select
import selectors
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PAGES = ["/", "/orders/", "/provisions/", "/deadlines/", "/style.css"]
OVERSIZE_OK = {400, 413, 414, 431}
BAD_HOST_OK = {400, 403, 421}


# --------------------------------------------------------------------------
# The server under test


class Server:
    """`gazette serve` in a child process whose output is drained by threads."""

    def __init__(self, binary, site, port, nofile, startup_timeout):
        self.binary, self.site, self.want_port = binary, site, port
        self.nofile, self.startup_timeout = nofile, startup_timeout
        self.proc = None
        self.port = None
        self.out = deque(maxlen=40)
        self.err = deque(maxlen=40)
        self.starts = 0

    def start(self):
        self.starts += 1
        self.out.clear()
        self.err.clear()
        cmd = [
            "bash", "-c", 'ulimit -n "$1" || exit 97; shift; exec "$@"', "bash",
            str(self.nofile), self.binary, "serve", "--root", self.site, "--port", str(self.want_port),
        ]
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=REPO, start_new_session=True,  # Ctrl-C goes to us; we stop it ourselves
        )
        found = threading.Event()
        port_box = []

        def drain(stream, tail):
            for raw in iter(stream.readline, b""):
                line = raw.decode("utf-8", "replace").rstrip()
                tail.append(line)
                m = re.search(r"https?://(?:127\.0\.0\.1|localhost|\[::1\]):(\d+)", line)
                if m and not found.is_set():
                    port_box.append(int(m.group(1)))
                    found.set()
            stream.close()

        for stream, tail in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            threading.Thread(target=drain, args=(stream, tail), daemon=True).start()
        deadline = time.monotonic() + self.startup_timeout
        while not found.wait(0.2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                why = (f"exited with status {self.proc.returncode}" if self.proc.poll() is not None
                       else f"printed no address within {self.startup_timeout:.0f} s")
                self.stop()
                raise RuntimeError(f"server {why}\n{self.tail()}")
        self.port = port_box[0]
        # The address is printed before the accept thread may be fully up; wait for an answer.
        for _ in range(50):
            if get(self.port, "/", timeout=2).ok:
                break
            time.sleep(0.1)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def pid(self):
        return self.proc.pid if self.proc else None

    def stats(self):
        """Threads, open fds and resident memory of the server, from /proc."""
        pid = self.pid()
        if not self.alive():
            return "exited"
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            threads = re.search(r"^Threads:\s+(\d+)", status, re.M).group(1)
            rss = int(re.search(r"^VmRSS:\s+(\d+)", status, re.M).group(1)) // 1024
            fds = len(os.listdir(f"/proc/{pid}/fd"))
            return f"{fds} fds, {threads} threads, {rss} MB RSS"
        except (OSError, AttributeError):
            return "no /proc data"

    def fd_limit(self):
        try:
            for line in Path(f"/proc/{self.pid()}/limits").read_text().splitlines():
                if line.startswith("Max open files"):
                    return line.split()[3]
        except OSError:
            pass
        return "?"

    def tail(self, n=15):
        parts = []
        if self.proc is not None and self.proc.poll() is not None:
            parts.append(f"  (exit status {self.proc.returncode})")
        for name, t in (("stderr", self.err), ("stdout", self.out)):
            lines = list(t)[-n:]
            if lines:
                parts.append(f"  server {name} tail:")
                parts.extend("    | " + line for line in lines)
        return "\n".join(parts) if parts else "  (server printed nothing)"

    def stop(self):
        p = self.proc
        if p is None or p.poll() is not None:
            return
        try:
            p.terminate()
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=5)
        except ProcessLookupError:
            pass


# --------------------------------------------------------------------------
# Client helpers


class Reply:
    __slots__ = ("status", "secs", "error")

    def __init__(self, status=None, secs=0.0, error=None):
        self.status, self.secs, self.error = status, secs, error

    @property
    def ok(self):
        return self.error is None and self.status == 200


def get(port, path="/", host=None, timeout=5.0):
    """One GET on a fresh connection; latency from connect to the last body byte."""
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        headers = {"Host": host} if host else {}
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        r.read()
        return Reply(r.status, time.perf_counter() - t0, None if r.status == 200 else f"HTTP {r.status}")
    except (OSError, http.client.HTTPException) as e:
        return Reply(None, time.perf_counter() - t0, type(e).__name__)
    finally:
        conn.close()


def check_alive(port, timeout):
    for attempt in range(2):
        if get(port, "/", timeout=timeout).ok:
            return True
        if attempt == 0:
            time.sleep(1)
    return False


def run_gets(port, paths, total, workers, timeout, deadline):
    """`total` GETs cycling over `paths` with `workers` threads; GETs not
    started by `deadline` (monotonic) count as errors ("not run")."""
    replies = []
    lock = threading.Lock()
    counter = iter(range(total))

    def work():
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            if time.monotonic() > deadline:
                r = Reply(None, 0.0, "not run (time budget)")
            else:
                r = get(port, paths[i % len(paths)], timeout=timeout)
            with lock:
                replies.append(r)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(max(1, min(workers, total)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.1, deadline - time.monotonic() + timeout + 2))
    return replies


def pct(values, p):
    if not values:
        return None
    v = sorted(values)
    return v[max(0, math.ceil(p / 100 * len(v)) - 1)]


def error_summary(replies):
    counts = {}
    for r in replies:
        if not r.ok:
            counts[r.error] = counts.get(r.error, 0) + 1
    return ", ".join(f"{n}x {e}" for e, n in sorted(counts.items(), key=lambda kv: -kv[1]))


# --------------------------------------------------------------------------
# Results


class Row:
    def __init__(self, name, replies=None, *, requests=None, errors=None, shed=0, lat=None,
                 passed=True, note=""):
        self.name = name
        replies = replies or []
        self.requests = len(replies) if requests is None else requests
        self.errors = sum(not r.ok for r in replies) if errors is None else errors
        lat = [r.secs for r in replies if r.ok] if lat is None else lat
        self.p50, self.p99 = pct(lat, 50), pct(lat, 99)
        self.shed = shed
        self.passed = passed
        self.alive = None
        self.notes = [note] if note else []


def ms(x):
    return "-" if x is None else f"{x * 1000:.1f}"


# --------------------------------------------------------------------------
# Scenarios: each takes (server, args, counts) and returns a list of Rows.


def sc_sequential(srv, a, c):
    deadline = time.monotonic() + 120  # GETs not started within 2 minutes count as errors
    replies = run_gets(srv.port, a.pages, c["seq"], 1, a.timeout, deadline)
    row = Row("sequential", replies)
    row.passed = row.errors == 0
    if row.errors:
        row.notes.append(error_summary(replies))
    return [row]


def sc_concurrent(srv, a, c):
    n_threads, per = c["conc_threads"], c["conc_each"]
    replies, lock = [], threading.Lock()
    barrier = threading.Barrier(n_threads)
    deadline = time.monotonic() + 60 + per * a.timeout

    def client(k):
        try:
            barrier.wait(timeout=30)
        except threading.BrokenBarrierError:
            pass
        for j in range(per):
            r = (get(srv.port, a.pages[(k + j) % len(a.pages)], timeout=a.timeout)
                 if time.monotonic() < deadline else Reply(None, 0, "not run (time budget)"))
            with lock:
                replies.append(r)

    threads = []
    for k in range(n_threads):
        t = threading.Thread(target=client, args=(k,), daemon=True)
        t.start()
        threads.append(t)
    for t in threads:
        t.join(max(0.1, deadline - time.monotonic() + a.timeout + 2))
    missing = n_threads * per - len(replies)
    row = Row(f"concurrent ({n_threads}x{per})", replies)
    row.requests += missing
    row.errors += missing
    row.passed = row.errors == 0
    if row.errors:
        row.notes.append(error_summary(replies) + (f", {missing} unfinished" if missing else ""))
    return [row]


def sc_idle(srv, a, c):
    n = c["idle"]
    addr = (HOST, srv.port)
    sel = selectors.DefaultSelector()
    pending, connected = {}, []
    shed = {"refused": 0, "timed out": 0, "closed by server": 0, "answered": 0}
    client_errors = {}
    t0 = time.monotonic()
    # Open all connections without blocking, then wait for the handshakes.
    for _ in range(n):
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        except OSError as e:
            client_errors[e.strerror] = client_errors.get(e.strerror, 0) + 1
            break
        s.setblocking(False)
        rc = s.connect_ex(addr)
        if rc in (0, errno.EINPROGRESS):
            pending[s.fileno()] = s
            sel.register(s, selectors.EVENT_WRITE)
        elif rc in (errno.ECONNREFUSED, errno.ECONNRESET):
            shed["refused"] += 1
            s.close()
        else:
            client_errors[os.strerror(rc)] = client_errors.get(os.strerror(rc), 0) + 1
            s.close()
    connect_deadline = time.monotonic() + a.timeout
    while pending and time.monotonic() < connect_deadline:
        for key, _ in sel.select(timeout=0.2):
            s = key.fileobj
            sel.unregister(s)
            del pending[s.fileno()]
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                connected.append(s)
            else:
                shed["refused"] += 1
                s.close()
    shed["timed out"] += len(pending)
    for s in pending.values():
        sel.unregister(s)
        s.close()
    open_secs = time.monotonic() - t0
    half = b"GET /ind" if a.idle_send == "half" else b""
    held = set()
    for s in connected:
        try:
            if half:
                s.send(half)
            sel.register(s, selectors.EVENT_READ)
            held.add(s)
        except OSError:
            shed["closed by server"] += 1
            s.close()
    srv_during = srv.stats()

    # While the flood is held: watch for connections the server drops, and time fresh GETs.
    replies = []

    def during():
        replies.extend(run_gets(srv.port, a.pages, c["idle_gets"], 5, a.timeout,
                                time.monotonic() + c["hold"] + 30))

    g = threading.Thread(target=during, daemon=True)
    hold_until = time.monotonic() + c["hold"]
    g.start()
    hard_stop = hold_until + 30 + 2 * a.timeout + 5
    while (time.monotonic() < hold_until or g.is_alive()) and time.monotonic() < hard_stop:
        for key, _ in sel.select(timeout=0.2):
            s = key.fileobj
            try:
                data = s.recv(4096)
                shed["answered" if data else "closed by server"] += 1
            except OSError:
                shed["closed by server"] += 1
            sel.unregister(s)
            held.discard(s)
            s.close()
    held_to_end = len(held)
    for s in held:
        sel.unregister(s)
        s.close()
    sel.close()
    hold_secs = time.monotonic() - t0 - open_secs
    time.sleep(1)  # let the server notice the closes
    srv_after = srv.stats()
    after = run_gets(srv.port, a.pages, c["idle_gets"], 5, a.timeout, time.monotonic() + 60)

    total_shed = sum(shed.values())
    row1 = Row(f"idle flood: during ({n} idle)", replies, shed=total_shed)
    allowed = math.floor(a.flood_max_errors * len(replies))
    row1.passed = row1.errors <= allowed
    row1.notes.append(
        f"opened {n} in {open_secs:.1f} s: {len(connected)} connected, {held_to_end} still held after "
        f"{hold_secs:.1f} s; shed: " + (", ".join(f"{v} {k}" for k, v in shed.items() if v) or "none")
        + (f"; client-side errors: {client_errors}" if client_errors else "")
    )
    row1.notes.append(f"server while flooded: {srv_during}; after closing: {srv_after}")
    if row1.errors:
        row1.notes.append(f"GETs during flood: {error_summary(replies)} (allowed: {allowed})")
    row2 = Row("idle flood: after", after)
    row2.passed = row2.errors == 0
    if row2.errors:
        row2.notes.append(error_summary(after))
    return [row1, row2]


def oversized(port, head, fill, fill_len, tail, timeout, time_cap):
    """Send head + fill_len bytes of `fill` + tail. Returns (passed, secs, bytes_sent, what)."""
    t0 = time.perf_counter()
    try:
        s = socket.create_connection((HOST, port), timeout=timeout)
    except OSError as e:
        return False, time.perf_counter() - t0, 0, f"connect failed: {type(e).__name__}"
    chunk = fill * (65536 // len(fill))
    poller = select.poll()
    poller.register(s, select.POLLIN | select.POLLERR | select.POLLHUP)
    sent, outcome = 0, None
    with s:
        try:
            s.sendall(head)
            sent = len(head)
            while sent < len(head) + fill_len:
                if time.perf_counter() - t0 > time_cap:
                    outcome = "time cap reached while sending"
                    break
                if poller.poll(0):
                    break  # the server answered or closed early
                piece = chunk[: min(len(chunk), len(head) + fill_len - sent)]
                s.sendall(piece)
                sent += len(piece)
            else:
                s.sendall(tail)
                sent += len(tail)
        except socket.timeout:
            outcome = "server stopped reading"
        except OSError:
            return True, time.perf_counter() - t0, sent, "connection closed by server while sending"
        # Read the answer, if any.
        s.settimeout(timeout)
        data = b""
        try:
            while b"\r\n" not in data and len(data) < 65536:
                b = s.recv(65536)
                if not b:
                    break
                data += b
        except socket.timeout:
            return False, time.perf_counter() - t0, sent, (outcome or "all sent") + f"; no answer in {timeout:.0f} s"
        except OSError:
            return True, time.perf_counter() - t0, sent, "connection reset by server"
    secs = time.perf_counter() - t0
    if not data:
        return True, secs, sent, "connection closed by server, no answer"
    m = re.match(rb"HTTP/\d\.\d (\d{3})", data)
    if not m:
        return False, secs, sent, f"unparsable answer {data[:40]!r}"
    status = int(m.group(1))
    return status in OVERSIZE_OK, secs, sent, f"HTTP {status}"


def sc_oversized(srv, a, c):
    host = f"Host: {HOST}:{srv.port}\r\n".encode()
    mb = 1 << 20
    cases = [
        ("oversized: 1 MB request line", b"GET /?q=", b"a", mb, b" HTTP/1.1\r\n" + host + b"\r\n", mb),
        ("oversized: 1 MB header", b"GET / HTTP/1.1\r\n" + host + b"X-Big: ", b"a", mb, b"\r\n\r\n", mb),
        (f"oversized: header stream to {c['stream_mb']} MB", b"GET / HTTP/1.1\r\n" + host + b"X-Big: ",
         b"a", c["stream_mb"] * mb, b"\r\n\r\n", c["stream_mb"] * mb),
    ]
    rows = []
    for name, head, fill, n, tail, _ in cases:
        passed, secs, sent, what = oversized(srv.port, head, fill, n, tail, a.timeout, time_cap=20)
        if sent >= n and n > mb:
            passed, what = False, what + " after taking the whole stream"
        row = Row(name, requests=1, errors=0 if passed else 1, lat=[secs], passed=passed)
        row.notes.append(f"{what}; {sent / mb:.1f} MB sent in {secs:.2f} s")
        rows.append(row)
    return rows


def status_only(port, path, host, timeout):
    """Status of a GET read from the status line only (works for streams)."""
    t0 = time.perf_counter()
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            data = b""
            while b"\r\n" not in data and len(data) < 4096:
                b = s.recv(4096)
                if not b:
                    break
                data += b
    except OSError as e:
        return Reply(None, time.perf_counter() - t0, type(e).__name__)
    m = re.match(rb"HTTP/\d\.\d (\d{3})", data)
    if not m:
        return Reply(None, time.perf_counter() - t0, "closed" if not data else "unparsable")
    return Reply(int(m.group(1)), time.perf_counter() - t0)


def sc_host(srv, a, c):
    p = srv.port
    cases = [
        ("/", "evil.example", BAD_HOST_OK),
        ("/__gazette/events", "evil.example", BAD_HOST_OK),
        ("/", f"evil.example:{p}", BAD_HOST_OK),
        ("/", f"localhost:{p}", {200}),
        ("/", f"127.0.0.1:{p}", {200}),
    ]
    errors, lat, notes = 0, [], []
    for path, host, want in cases:
        r = status_only(p, path, host, a.timeout)
        good = r.status in want
        errors += not good
        if r.status is not None:
            lat.append(r.secs)
        got = r.status if r.status is not None else r.error
        notes.append(f"{host} {path} -> {got}{'' if good else ' (want ' + '/'.join(map(str, sorted(want))) + ')'}")
    row = Row("bad Host", requests=len(cases), errors=errors, lat=lat, passed=errors == 0)
    row.notes.append("; ".join(notes))
    return [row]


def sc_sse(srv, a, c):
    n = c["sse"]
    streams, shed, lock = [], 0, threading.Lock()
    t0 = time.monotonic()
    for _ in range(n):
        try:
            s = socket.create_connection((HOST, srv.port), timeout=a.timeout)
            s.sendall(f"GET /__gazette/events HTTP/1.1\r\nHost: {HOST}:{srv.port}\r\n\r\n".encode())
            streams.append(s)
        except OSError:
            shed += 1
    established, stalled = [], 0
    deadline = time.monotonic() + a.timeout
    for s in streams:
        data, answered = b"", True
        try:
            while b"event:" not in data or not data.endswith(b"\n\n"):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise socket.timeout
                s.settimeout(left)
                b = s.recv(4096)
                if not b:
                    break
                data += b
        except socket.timeout:
            answered = False
        except OSError:
            pass
        if data.startswith(b"HTTP/1.1 200") and b"event:" in data:
            established.append(s)
            continue
        if not answered and not data:
            stalled += 1  # connected, asked, and no answer at all: an error, not shedding
        else:
            shed += 1  # refused, closed or answered with something else
        s.close()
    setup = time.monotonic() - t0
    srv_during = srv.stats()
    replies = run_gets(srv.port, a.pages, c["sse_gets"], 10, a.timeout, time.monotonic() + 60)
    still_open = 0
    for s in established:
        try:
            s.setblocking(False)
            still_open += s.recv(65536) != b""  # data (a ping or event) means open
        except BlockingIOError:
            still_open += 1
        except OSError:
            pass
        s.close()
    row = Row(f"SSE ({n} streams + {len(replies)} GETs)", replies, shed=shed)
    row.requests += n
    row.errors += stalled
    row.passed = row.errors == 0
    row.notes.append(f"{len(established)}/{n} streams got their first event within {setup:.1f} s, "
                     f"{stalled} got no answer within {a.timeout:.0f} s (errors), {shed} shed, "
                     f"{still_open} still open after the GETs; server: {srv_during}")
    if error_summary(replies):
        row.notes.append("GETs: " + error_summary(replies))
    return [row]


SCENARIOS = [
    ("seq", sc_sequential),
    ("conc", sc_concurrent),
    ("idle", sc_idle),
    ("oversized", sc_oversized),
    ("host", sc_host),
    ("sse", sc_sse),
]


# --------------------------------------------------------------------------


def counts(a):
    c = dict(seq=500, conc_threads=200, conc_each=10, idle=3000, hold=10.0, idle_gets=50,
             stream_mb=50, sse=100, sse_gets=200)
    if a.quick:
        c.update(seq=100, conc_threads=50, conc_each=4, idle=500, hold=3.0, idle_gets=20,
                 stream_mb=10, sse=20, sse_gets=50)
    if a.idle is not None:
        c["idle"] = a.idle
    if a.hold is not None:
        c["hold"] = a.hold
    return c


def raise_own_nofile(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(soft, need)
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--site", default=str(REPO), help="site root to serve (default: the repository)")
    ap.add_argument("--port", type=int, default=0,
                    help="port to ask for (default 0: any free port; the printed one is used)")
    ap.add_argument("--nofile", type=int, default=1024, help="server's fd limit (ulimit -n), default 1024")
    ap.add_argument("--idle", type=int, help="idle connections to hold (default 3000; 500 with --quick)")
    ap.add_argument("--hold", type=float, help="seconds to hold them (default 10; 3 with --quick)")
    ap.add_argument("--idle-send", choices=["nothing", "half"], default="half",
                    help="idle connections send nothing or half a request line (default half)")
    ap.add_argument("--flood-max-errors", type=float, default=0.1, metavar="FRAC",
                    help="share of GETs allowed to fail while the flood is held (default 0.1)")
    ap.add_argument("--timeout", type=float, default=5.0, help="per-request timeout, seconds (default 5)")
    ap.add_argument("--startup-timeout", type=float, default=180.0,
                    help="seconds to wait for the server's address (default 180)")
    ap.add_argument("--only", help="comma-separated subset of: " + ",".join(k for k, _ in SCENARIOS))
    ap.add_argument("--quick", action="store_true", help="smaller counts, for a smoke run")
    a = ap.parse_args()

    binary = os.environ.get("GAZETTE") or str(REPO / "target/release/gazette")
    binary = str((REPO / binary).resolve()) if not os.path.isabs(binary) else binary
    if not os.access(binary, os.X_OK):
        print(f"error: no gazette binary at {binary} (cargo build --release, or set GAZETTE)", file=sys.stderr)
        return 2
    c = counts(a)
    only = set(a.only.split(",")) if a.only else {k for k, _ in SCENARIOS}
    unknown = only - {k for k, _ in SCENARIOS}
    if unknown:
        ap.error(f"unknown scenario(s) in --only: {', '.join(sorted(unknown))}")
    own = raise_own_nofile(max(4096, c["idle"] + 1024))
    if own < c["idle"] + 300:
        print(f"warning: own fd limit {own} is low for {c['idle']} idle connections", file=sys.stderr)

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_term)  # also when started in the background with SIGINT ignored
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)

    srv = Server(binary, os.path.abspath(a.site), a.port, a.nofile, a.startup_timeout)
    rows, incidents = [], []
    status = 0
    try:
        try:
            srv.start()
        except RuntimeError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        print(f"# gazette serve load test\n\nbinary {binary}\nsite {a.site}, port {srv.port}, "
              f"server fd limit {srv.fd_limit()}, own fd limit {own}, pid {srv.pid()}"
              f"{', quick' if a.quick else ''}")
        pages = [p for p in PAGES if get(srv.port, p, timeout=a.timeout).ok]
        if "/" not in pages:
            r = get(srv.port, "/", timeout=a.timeout)
            print(f"error: GET / answered {r.status or r.error}, not 200 (does the site build? "
                  f"try --site DIR)\n{srv.tail()}", file=sys.stderr)
            return 2
        missing = [p for p in PAGES if p not in pages]
        if missing:
            print(f"note: not 200, left out of the page mix: {' '.join(missing)}")
        a.pages = pages
        print(f"pages: {' '.join(pages)}; server at start: {srv.stats()}\n", flush=True)

        for key, fn in SCENARIOS:
            if key not in only:
                continue
            if not srv.alive() or not check_alive(srv.port, a.timeout):
                shown = incidents and incidents[-1].startswith("after ")
                incidents.append(f"before {key}: server not answering; restarted it"
                                 + ("" if shown else f"\n{srv.tail()}"))
                srv.stop()
                srv.start()
            print(f"running {key} ...", flush=True)
            t0 = time.monotonic()
            new = fn(srv, a, c)
            exited = not srv.alive()
            alive = not exited and check_alive(srv.port, a.timeout)
            for r in new:
                r.alive = alive
            if not alive:
                incidents.append(
                    f"after {key}: server {'exited' if exited else 'alive but not answering GET /'} "
                    f"({srv.stats()})\n{srv.tail()}")
            rows.extend(new)
            print(f"  done in {time.monotonic() - t0:.1f} s: "
                  + "; ".join(f"{r.name}: {r.errors}/{r.requests} errors" for r in new), flush=True)
    except KeyboardInterrupt:
        print("\ninterrupted; stopping the server", file=sys.stderr)
        status = 130
    finally:
        srv.stop()

    print("\n| scenario | requests | errors | shed | p50 ms | p99 ms | alive after | result |")
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for r in rows:
        ok = r.passed and r.alive
        print(f"| {r.name} | {r.requests} | {r.errors} | {r.shed} | {ms(r.p50)} | {ms(r.p99)} | "
              f"{'yes' if r.alive else 'NO'} | {'pass' if ok else 'FAIL'} |")
    print("\nNotes:")
    for r in rows:
        for n in r.notes:
            print(f"- {r.name}: {n}")
    for i in incidents:
        print(f"- {i}")
    if srv.starts > 1:
        print(f"- the server was started {srv.starts} times (restarted after it stopped answering)")
    failed = [r.name for r in rows if not (r.passed and r.alive)]
    if status:
        return status
    if failed or incidents:
        print(f"\nFAILED: {', '.join(failed) or 'server incidents'}")
        return 1
    print("\nall scenarios passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
