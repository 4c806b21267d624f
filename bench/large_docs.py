#!/usr/bin/env python3
"""The measuring half of bench/large-docs (which builds, then execs this).

For each document shape, (a) 100 operations over a graph of 1,000 component
schemas, (b) SoftwareOne-like 450 operations over 600 components with a
recursive ring and 900 media types, (c) bench/gen_spec.py's 2,000
operations, (d) the bundled specs, it measures `specmock serve`:

- time to first answer: from the spawn to the first 200 of
  `GET /__specmock/health` (median of --launches launches);
- RSS (VmRSS of /proc/PID/status) once health answers, after a 1 s settle;
- the slowest first request to each operation: one valid request to every
  operation right after that, the largest latency;
- RSS after --requests more requests, round-robin over every operation;
- instructions to load: `specmock validate DOC` under valgrind's callgrind
  (total Ir), unless --no-callgrind or valgrind is missing;

and prints a table with the targets, PASS/FAIL each, and writes everything
to bench/results/large-docs-<UTC date-time>.json. The documents and their
request lists (bench/gen_large.py) go to target/large-docs/.

Exit status: 0 when the measurement completed, whatever the targets say
(a server that does not answer within --startup-timeout, or crashes, is a
FAIL in the table, not a harness failure); 1 when the harness failed (no
binary, a generator error, a bug here); 130 on Ctrl-C. Every server listens
on 127.0.0.1 and is killed (its process group, by pid) on the way out.

Python 3.11, standard library only.
"""

import argparse
import datetime as dt
import gc
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
ALL_SHAPES = ("a", "b", "c", "d")
MIB = 1024  # kB per MiB

SHAPES = {
    "a": {"title": "100 ops, inline wrappers over 1,000 $ref'd components",
          "first_answer_ms": 1000, "rss_mib": 150, "first_request_ms": 5},
    "b": {"title": "SoftwareOne-like: 450 ops, 600 components, recursive ring, 900 media types",
          "first_answer_ms": 500, "rss_mib": 100, "first_request_ms": 5},
    "c": {"title": "bench/gen_spec.py: 2,000 ops, 367 components",
          "first_answer_ms": 500, "rss_mib": 100, "first_request_ms": 5},
    "d": {"title": "the bundled specs (no document given)",
          "first_answer_ms": 50, "rss_mib": 20, "first_request_ms": None},
}

# (d): requests known to be valid against the bundled specs (as in bench/run.py);
# every other bundled route gets a request with its variables filled in, and
# any answer but a 5xx is fine for those.
UNLEASH_AUTH = "*:*.964a287e1b728cb5f4f3e0120df92cb5"
AXIOM_AUTH = "Bearer xaat-3f9c2e71-5a4b-4d8e-b6c1-0e2f7a9d8b35"
AXIOM_BODY = {
    "existingTokenExpiresAt": "2025-03-08T12:00:00Z",
    "newToken": {
        "name": "ingest-production",
        "description": "Ships production logs from the collectors.",
        "expiresAt": "2026-03-01T12:00:00Z",
        "datasetCapabilities": {"http-logs": {"ingest": ["create"], "query": ["read"]}},
        "orgCapabilities": {
            "annotations": ["create", "read"], "apiTokens": ["read"], "auditLog": ["read"],
            "billing": ["read"], "dashboards": ["read"], "datasets": ["read"],
            "endpoints": ["read"], "flows": ["read"], "integrations": ["read"],
            "monitors": ["read"], "notifiers": ["read"], "rbac": ["read"],
            "sharedAccessKeys": ["read"], "users": ["read"], "views": ["read"],
        },
        "viewCapabilities": {"errors-last-24h": {"query": ["read"]}},
    },
    "newTokenExpiresAt": "2026-03-01T12:00:00Z",
}
BUNDLED_VALID = {
    ("GET", "/api/v2/{username}/tokens/{id}"):
        {"path": "/api/v2/alice/tokens/1", "headers": {"X-AIO-Key": "k"}, "body": None},
    ("GET", "/api/v2/{username}/tokens"):
        {"path": "/api/v2/alice/tokens", "headers": {"X-AIO-Key": "k"}, "body": None},
    ("PUT", "/api/admin/api-tokens/{token}"):
        {"path": "/api/admin/api-tokens/bench-token",
         "headers": {"Authorization": UNLEASH_AUTH, "Content-Type": "application/json"},
         "body": '{"expiresAt":"2023-09-04T11:26:24+02:00"}'},
    ("POST", "/v2/tokens/{id}/regenerate"):
        {"path": "/v2/tokens/bench-token/regenerate",
         "headers": {"Authorization": AXIOM_AUTH, "Content-Type": "application/json"},
         "body": json.dumps(AXIOM_BODY, separators=(",", ":"))},
    ("PUT", "/public/v1/accounts/api-tokens/{id}"):
        {"path": "/public/v1/accounts/api-tokens/TKN-5645-5250",
         "headers": {"Content-Type": "application/json"}, "body": '{"name":"Billing export"}'},
}
BUNDLED_VARS = {"username": "alice", "id": "1", "feed_key": "temperature", "token": "bench-token"}


class HarnessError(Exception):
    """The harness itself failed: exit 1."""


def log(msg=""):
    print(msg, flush=True)


# --------------------------------------------------------------------------- processes


def proc_status(pid):
    """VmRSS and VmHWM of a process, in kB (None when it is gone)."""
    out = {"rss_kb": None, "hwm_kb": None}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    out["rss_kb"] = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    out["hwm_kb"] = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return out


class Server:
    """`specmock serve ... --port 0 --host 127.0.0.1` in its own process group."""

    live = []

    def __init__(self, argv, tmp, label):
        self.argv, self.label = argv, label
        n = len(list(Path(tmp).glob(f"{label}.*.out")))
        self.out_path = Path(tmp) / f"{label}.{n}.out"
        self.log_path = Path(tmp) / f"{label}.{n}.log"
        self.tmp = tmp
        self.proc = None
        self.host = self.port = None

    def start(self, timeout_s):
        """Spawn; wait for the URL on stdout, then for a 200 from /__specmock/health.

        Returns seconds from the spawn to that 200. Raises StartFailed when the
        process exits or does not answer within timeout_s.
        """
        out = open(self.out_path, "wb")
        err = open(self.log_path, "wb")
        env = {k: v for k, v in os.environ.items() if k != "RUST_LOG"}
        try:
            t0 = time.perf_counter()
            self.proc = subprocess.Popen(self.argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                         cwd=self.tmp, env=env, start_new_session=True)
        finally:
            out.close()
            err.close()
        Server.live.append(self)
        end = t0 + timeout_s
        url = self._wait_url(end, timeout_s)
        self.host, port = url.rsplit("//", 1)[1].split(":")
        self.port = int(port)
        raw = b"GET /__specmock/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        while True:
            now = time.perf_counter()
            if now > end:
                raise StartFailed(f"no 200 from /__specmock/health after {timeout_s:g} s")
            if self.proc.poll() is not None:
                raise StartFailed(f"exited with {self.proc.returncode} before answering: {self.log_tail()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=max(0.05, end - now)) as s:
                    s.sendall(raw)
                    first = s.recv(64)
                    t1 = time.perf_counter()
                    m = re.match(rb"HTTP/1\.[01] (\d{3})", first)
                    if m and m.group(1) == b"200":
                        return t1 - t0
            except OSError:
                pass
            time.sleep(0.001)

    def _wait_url(self, end, timeout_s):
        while True:
            try:
                text = self.out_path.read_text()
            except OSError:
                text = ""
            if "\n" in text:
                line = text.split("\n", 1)[0].strip()
                if not re.match(r"^http://127\.0\.0\.1:\d+/?$", line):
                    raise HarnessError(f"{self.label}: first stdout line is not a loopback URL: {line!r}")
                return line.rstrip("/")
            if self.proc.poll() is not None:
                raise StartFailed(f"exited with {self.proc.returncode} before printing its address: "
                                  f"{self.log_tail()}")
            if time.perf_counter() > end:
                raise StartFailed(f"printed no address within {timeout_s:g} s")
            time.sleep(0.0005)

    def log_tail(self, n=4):
        try:
            lines = self.log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "(no log)"
        lines = [re.sub(r"\x1b\[[0-9;]*m", "", line)[:300] for line in lines]
        return " | ".join(lines[-n:]) or "(empty log)"

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def status(self):
        return proc_status(self.proc.pid) if self.alive() else {"rss_kb": None, "hwm_kb": None}

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 8), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self in Server.live:
            Server.live.remove(self)

    @classmethod
    def stop_all(cls):
        for s in list(cls.live):
            s.stop()


class StartFailed(Exception):
    """specmock did not come up: a FAIL for that shape, not a harness failure."""


# --------------------------------------------------------------------------- requests


class Client:
    """One keep-alive connection; reconnects after an error."""

    def __init__(self, host, port, timeout_s):
        self.host, self.port, self.timeout_s = host, port, timeout_s
        self.conn = None

    def send(self, req):
        """(status or None, latency in ms, response headers, body head, error or None)."""
        body = req["body"].encode() if req.get("body") is not None else None
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout_s)
                self.conn.connect()
            t0 = time.perf_counter()
            try:
                self.conn.request(req["method"], req["path"], body=body, headers=req["headers"])
                r = self.conn.getresponse()
                data = r.read()
                ms = (time.perf_counter() - t0) * 1000
                if r.getheader("connection", "").lower() == "close":
                    self.close()
                return r.status, ms, dict(r.getheaders()), data[:400], None
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as e:
                # a keep-alive connection the server closed between two requests: once more
                self.close()
                if attempt == 1:
                    return None, (time.perf_counter() - t0) * 1000, {}, b"", f"{type(e).__name__}: {e}"
            except (OSError, http.client.HTTPException) as e:
                self.close()
                return None, (time.perf_counter() - t0) * 1000, {}, b"", f"{type(e).__name__}: {e}"
        return None, 0.0, {}, b"", "unreachable"

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def acceptable(req, status):
    want = req.get("expect")
    if status is None:
        return False
    if want == "non-5xx":
        return status < 500
    if want is None:
        return 200 <= status < 300
    return status == want


class Tally:
    def __init__(self):
        self.statuses = {}
        self.unexpected = 0
        self.errors = 0
        self.samples = []

    def add(self, req, status, headers, head, err):
        key = str(status) if status is not None else "error"
        self.statuses[key] = self.statuses.get(key, 0) + 1
        if err:
            self.errors += 1
        if not acceptable(req, status):
            self.unexpected += 1
            if len(self.samples) < 6:
                self.samples.append({
                    "method": req["method"], "path": req["path"][:200], "expect": req.get("expect"),
                    "status": status, "error": err,
                    "operation": headers.get("x-specmock-operation"),
                    "violations": (headers.get("x-specmock-violations") or "")[:400] or None,
                    "body_head": head.decode(errors="replace")[:300]})

    def as_dict(self):
        return {"statuses": dict(sorted(self.statuses.items())), "unexpected": self.unexpected,
                "errors": self.errors, "unexpected_samples": self.samples}


# --------------------------------------------------------------------------- the benchmark


class Bench:
    def __init__(self, opts):
        self.opts = opts
        self.tmp = tempfile.mkdtemp(prefix="specmock-large-docs.")
        self.res = {}

    def bin(self):
        return str(self.opts.specmock_bin)

    # ---- documents and requests

    def prepare(self, shape):
        out = self.opts.out_dir
        if shape == "d":
            reqs = self.bundled_requests()
            req_path = out / "large-d.requests.json"
            out.mkdir(parents=True, exist_ok=True)
            req_path.write_text(json.dumps(reqs, indent=1) + "\n")
            return None, reqs, {"requests_file": str(req_path)}
        t0 = time.perf_counter()
        p = subprocess.run([sys.executable, str(BENCH / "gen_large.py"), shape, str(out)],
                           capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            raise HarnessError(f"gen_large.py {shape} failed: {p.stderr.strip()[-2000:]}")
        doc = out / f"large-{shape}.yaml"
        req_path = out / f"large-{shape}.requests.json"
        reqs = json.loads(req_path.read_text())
        if not reqs:
            raise HarnessError(f"gen_large.py {shape}: no requests")
        summary = p.stderr.strip().splitlines()[-1]
        return doc, reqs, {"document": str(doc), "document_bytes": doc.stat().st_size,
                           "requests_file": str(req_path), "generator": summary,
                           "generate_s": round(time.perf_counter() - t0, 2)}

    def bundled_requests(self):
        p = subprocess.run([self.bin(), "routes"], capture_output=True, text=True, timeout=120, cwd=self.tmp)
        if p.returncode != 0:
            raise HarnessError(f"specmock routes failed ({p.returncode}): {p.stderr.strip()[-1000:]}")
        reqs = []
        for line in p.stdout.splitlines():
            parts = line.split()
            if len(parts) < 3 or parts[0] not in ("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"):
                continue
            method, template, op = parts[0], parts[1], parts[2]
            known = BUNDLED_VALID.get((method, template))
            if known:
                reqs.append({"operation": op, "method": method, "expect": None, **known})
                continue
            path = re.sub(r"\{([^}]+)\}", lambda m: BUNDLED_VARS.get(m.group(1), "bench"), template)
            headers = {"X-AIO-Key": "k"} if template.startswith("/api/v2/") else {}
            body = None
            if method in ("POST", "PUT", "PATCH"):
                headers["Content-Type"] = "application/json"
                body = "{}"
            reqs.append({"operation": op, "method": method, "path": path, "headers": headers,
                         "body": body, "expect": "non-5xx"})
        if not reqs:
            raise HarnessError(f"specmock routes listed no route:\n{p.stdout[:500]}")
        missing = [k for k in BUNDLED_VALID if not any(r["expect"] is None and
                                                       (r["method"], r["path"]) == (k[0], BUNDLED_VALID[k]["path"])
                                                       for r in reqs)]
        if missing:
            log(f"  note: bundled routes not listed by `specmock routes`: {missing}")
        return reqs

    # ---- one shape

    def run_shape(self, shape):
        opts = self.opts
        spec = SHAPES[shape]
        r = {"title": spec["title"]}
        self.res[shape] = r
        log(f"\n== ({shape}) {spec['title']}")
        doc, reqs, info = self.prepare(shape)
        r.update(info)
        r["operations"] = len(reqs)
        if doc is not None:
            log(f"  {info['generator']} ({info['generate_s']:.1f} s)")
        else:
            log(f"  {len(reqs)} bundled routes (`specmock routes`), "
                f"{sum(1 for q in reqs if q['expect'] is None)} with a request known to be valid")
        doc_args = [str(doc)] if doc is not None else []

        # validate
        t0 = time.perf_counter()
        try:
            p = subprocess.run([self.bin(), "validate", *doc_args], capture_output=True, text=True,
                               timeout=opts.startup_timeout * 2, cwd=self.tmp)
            r["validate"] = {"exit": p.returncode, "seconds": round(time.perf_counter() - t0, 3),
                             "output_tail": (p.stdout + p.stderr).strip()[-3000:]}
        except subprocess.TimeoutExpired:
            r["validate"] = {"exit": None, "seconds": None,
                             "output_tail": f"timed out after {opts.startup_timeout * 2:g} s"}
        v = r["validate"]
        log(f"  specmock validate: exit {v['exit']}"
            + (f" in {v['seconds']:.2f} s" if v["seconds"] is not None else f" ({v['output_tail']})"))
        if v["exit"] not in (0, None):
            for line in v["output_tail"].splitlines()[:6]:
                log(f"    {line[:200]}")

        # launches
        argv = [self.bin(), "serve", *doc_args, "--port", "0", "--host", "127.0.0.1"]
        r["serve_argv"] = ["specmock", *argv[1:]]
        samples = []
        r["startup_ms"] = samples
        server = None
        try:
            for k in range(opts.launches):
                server = Server(argv, self.tmp, f"serve-{shape}")
                try:
                    s = server.start(opts.startup_timeout)
                except StartFailed as e:
                    r["start_failure"] = f"launch {k + 1}: {e}"
                    log(f"  launch {k + 1}: FAILED: {e}")
                    server.stop()
                    server = None
                    break
                samples.append(round(s * 1000, 2))
                log(f"  launch {k + 1}/{opts.launches}: first answer after {fmt_ms(s * 1000)}")
                if k < opts.launches - 1:
                    server.stop()
                    server = None
            if samples:
                r["startup_median_ms"] = round(statistics.median(samples), 2)
            if server is not None:
                self.load(server, reqs, r)
        finally:
            if server is not None:
                r["log_tail"] = server.log_tail()
                server.stop()

        # instructions to load
        if opts.callgrind:
            r["callgrind"] = self.callgrind(shape, doc_args)
        return r

    def load(self, server, reqs, r):
        opts = self.opts
        time.sleep(1.0)
        r["rss_load"] = server.status()
        log(f"  RSS once answering (+1 s): {fmt_kb(r['rss_load']['rss_kb'])}")
        client = Client(server.host, server.port, opts.request_timeout)
        deadline = time.monotonic() + opts.load_deadline
        gc.disable()  # no collector pause of this client inside a timed request
        try:
            # warm the connection (and only it), then one request to every operation
            client.send({"method": "GET", "path": "/__specmock/health", "headers": {}, "body": None})
            first = []
            tally = Tally()
            for q in reqs:
                if time.monotonic() > deadline or not server.alive():
                    break
                status, ms, headers, head, err = client.send(q)
                tally.add(q, status, headers, head, err)
                first.append({"ms": round(ms, 3), "method": q["method"], "path": q["path"][:160],
                              "status": status, "operation": headers.get("x-specmock-operation")})
            r["first_pass"] = {"sent": len(first), "complete": len(first) == len(reqs), **tally.as_dict()}
            if first:
                lat = sorted(x["ms"] for x in first)
                r["first_pass"].update({
                    "max_ms": lat[-1], "p50_ms": statistics.median(lat),
                    "p90_ms": lat[min(len(lat) - 1, int(len(lat) * 0.9))],
                    "slowest": sorted(first, key=lambda x: -x["ms"])[:5]})
            fp = r["first_pass"]
            log(f"  first request to each of {fp['sent']} operations: max {fmt_ms(fp.get('max_ms'))}, "
                f"p50 {fmt_ms(fp.get('p50_ms'))}; statuses {fp['statuses']}"
                + (f"; {fp['unexpected']} unexpected" if fp["unexpected"] else ""))
            for s in fp["unexpected_samples"][:3]:
                log(f"    unexpected: {s['method']} {s['path'][:90]} -> {s['status'] or s['error']}"
                    f" (want {s['expect'] or '2xx'}) {s['violations'] or s['body_head'][:120]}")
            if fp.get("slowest"):
                s = fp["slowest"][0]
                log(f"    slowest: {s['method']} {s['path'][:90]} -> {s['status']} in {fmt_ms(s['ms'])}")
            r["rss_after_first_pass"] = server.status()

            # --requests more, round-robin
            tally = Tally()
            lat = []
            t0 = time.perf_counter()
            for i in range(opts.requests):
                if time.monotonic() > deadline or not server.alive():
                    break
                q = reqs[i % len(reqs)]
                status, ms, headers, head, err = client.send(q)
                tally.add(q, status, headers, head, err)
                lat.append(ms)
            elapsed = time.perf_counter() - t0
            r["round_robin"] = {"sent": len(lat), "complete": len(lat) == opts.requests,
                                "seconds": round(elapsed, 3), **tally.as_dict()}
            if lat:
                lat.sort()
                r["round_robin"].update({"p50_ms": round(statistics.median(lat), 3),
                                         "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))], 3),
                                         "max_ms": round(lat[-1], 3)})
            r["rss_after_requests"] = server.status()
            rr = r["round_robin"]
            log(f"  {rr['sent']} round-robin requests in {rr['seconds']:.1f} s: p50 {fmt_ms(rr.get('p50_ms'))}, "
                f"p99 {fmt_ms(rr.get('p99_ms'))}; statuses {rr['statuses']}; RSS after "
                f"{fmt_kb(r['rss_after_requests']['rss_kb'])} (peak {fmt_kb(r['rss_after_requests']['hwm_kb'])})")
            if not server.alive():
                r["load_failure"] = f"specmock exited ({server.proc.returncode}) during the requests: " \
                                    f"{server.log_tail()}"
                log(f"  FAILED: {r['load_failure']}")
            elif time.monotonic() > deadline:
                r["load_failure"] = f"requests stopped at the {opts.load_deadline:g} s deadline"
                log(f"  FAILED: {r['load_failure']}")
        finally:
            gc.enable()
            client.close()

    def callgrind(self, shape, doc_args):
        if shutil.which("valgrind") is None:
            log("  callgrind: skipped: valgrind is not installed (apt-get install -y valgrind)")
            return {"skipped": "valgrind is not installed"}
        out = Path(self.tmp) / f"callgrind.{shape}.out"
        argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", self.bin(), "validate", *doc_args]
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=self.tmp,
                             start_new_session=True, text=True)
        try:
            _, err = p.communicate(timeout=self.opts.callgrind_timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=10)
            log(f"  callgrind: no result: `specmock validate` under valgrind ran over "
                f"{self.opts.callgrind_timeout:g} s")
            return {"skipped": f"timed out after {self.opts.callgrind_timeout:g} s"}
        secs = time.perf_counter() - t0
        ir = None
        try:
            for line in out.read_text().splitlines():
                if line.startswith(("summary:", "totals:")):
                    ir = int(line.split()[1])
                    break
        except (OSError, ValueError, IndexError):
            pass
        if ir is None:
            raise HarnessError(f"callgrind ({shape}): no total in its output (exit {p.returncode}): "
                               f"{err.strip()[-800:]}")
        log(f"  callgrind `specmock validate`: {ir:,} instructions (exit {p.returncode}, {secs:.0f} s under valgrind)")
        return {"ir": ir, "exit": p.returncode, "seconds": round(secs, 1), "argv": ["valgrind", *argv[1:3],
                                                                                     "specmock", *argv[4:]]}

    # ---- targets and table

    def targets(self):
        T = []

        def add(shape, what, value, ok, detail):
            T.append({"shape": shape, "target": what, "value": value, "pass": ok, "detail": detail})

        for shape, r in self.res.items():
            spec = SHAPES[shape]
            lim = spec["first_answer_ms"]
            v = r.get("startup_median_ms")
            if v is None:
                add(shape, f"first answer < {fmt_limit(lim)}", None, False, r.get("start_failure", "no launch answered"))
            else:
                add(shape, f"first answer < {fmt_limit(lim)}", v, v < lim,
                    f"median {fmt_ms(v)} of {len(r['startup_ms'])}"
                    + (f"; {r['start_failure']}" if r.get("start_failure") else ""))
            lim = spec["rss_mib"]
            rr = r.get("round_robin")
            v = (r.get("rss_after_requests") or {}).get("rss_kb")
            what = f"RSS after {self.opts.requests:,} requests < {lim} MiB"
            if v is None or not rr:
                add(shape, what, None, False, r.get("load_failure") or r.get("start_failure") or "not measured")
            else:
                ok = v < lim * MIB and rr["complete"]
                add(shape, what, v, ok, f"{v:,} kB = {v / MIB:.1f} MiB"
                    + ("" if rr["complete"] else f" after only {rr['sent']} requests"))
            lim = spec["first_request_ms"]
            if lim is not None:
                fp = r.get("first_pass")
                what = f"slowest first request per operation < {lim} ms"
                if not fp or fp.get("max_ms") is None:
                    add(shape, what, None, False, r.get("start_failure") or "not measured")
                else:
                    s = fp["slowest"][0]
                    ok = fp["max_ms"] < lim and fp["complete"]
                    add(shape, what, fp["max_ms"], ok, f"{fmt_ms(fp['max_ms'])} ({s['method']} {s['path'][:60]})"
                        + ("" if fp["complete"] else f"; only {fp['sent']} of {r['operations']} sent"))
        return T

    def render_table(self, targets):
        mark = {}
        for t in targets:
            mark.setdefault(t["shape"], []).append("PASS" if t["pass"] else "FAIL")
        head = ["shape", "ops", "doc", "validate", "first answer", "RSS load", "RSS after N",
                "1st req max", "ok/sent", "Ir validate", "targets"]
        rows = [head]
        for shape, r in self.res.items():
            v = r.get("validate", {})
            val = "n/a" if not v else (f"exit {v['exit']}" if v["exit"] is not None else "timeout")
            if v.get("seconds") is not None:
                val += f" {v['seconds']:.2f}s"
            st = fmt_ms(r.get("startup_median_ms")) if r.get("startup_median_ms") is not None else "FAILED"
            fp, rr = r.get("first_pass") or {}, r.get("round_robin") or {}
            sent = fp.get("sent", 0) + rr.get("sent", 0)
            bad = fp.get("unexpected", 0) + rr.get("unexpected", 0)
            cg = r.get("callgrind") or {}
            ir = f"{cg['ir'] / 1e9:.2f} G" if cg.get("ir") else ("skipped" if cg else "-")
            rows.append([
                f"({shape})", str(r.get("operations", "")),
                fmt_bytes(r.get("document_bytes")) if r.get("document_bytes") else "bundled",
                val, st,
                fmt_kb((r.get("rss_load") or {}).get("rss_kb")),
                fmt_kb((r.get("rss_after_requests") or {}).get("rss_kb")),
                fmt_ms(fp.get("max_ms")) if fp.get("max_ms") is not None else "n/a",
                f"{sent - bad}/{sent}" if sent else "n/a",
                ir, " ".join(mark.get(shape, [])),
            ])
        widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
        lines = ["  ".join(c.ljust(w) if i in (0, 3, 10) else c.rjust(w)
                           for i, (c, w) in enumerate(zip(row, widths))).rstrip() for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)


# --------------------------------------------------------------------------- formatting


def fmt_ms(x):
    if x is None:
        return "n/a"
    if x < 1:
        return f"{x * 1000:.0f} us"
    if x < 10:
        return f"{x:.2f} ms"
    if x < 1000:
        return f"{x:.1f} ms"
    return f"{x / 1000:.2f} s"


def fmt_limit(ms):
    return f"{ms / 1000:g} s" if ms >= 1000 else f"{ms:g} ms"


def fmt_kb(kb):
    return "n/a" if kb is None else f"{kb / MIB:.1f} MiB"


def fmt_bytes(b):
    return f"{b / 1024 / 1024:.1f} MB" if b >= 1024 * 1024 else f"{b // 1024} KiB"


def cmd_out(argv):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        text = p.stdout.strip() or p.stderr.strip()
        return text.splitlines()[0] if text else None
    except (OSError, subprocess.TimeoutExpired):
        return None


def machine_info():
    cpu = mem = None
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                    if line.startswith("model name")), None)
        mem = next((int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal:")), None)
    except OSError:
        pass
    return {"nproc": len(os.sched_getaffinity(0)), "cpu_model": cpu, "kernel": platform.release(),
            "mem_total_kb": mem, "python": platform.python_version()}


def versions(opts):
    git = lambda *a: cmd_out(["git", "-C", str(ROOT), *a])  # noqa: E731
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True)
    v = {"specmock": cmd_out([str(opts.specmock_bin), "--version"]), "rustc": cmd_out(["rustc", "--version"]),
         "valgrind": cmd_out(["valgrind", "--version"]) if shutil.which("valgrind") else None,
         "git_commit": git("rev-parse", "HEAD"),
         "git_dirty": bool(dirty.stdout.strip()) if dirty.returncode == 0 else None}
    try:
        st = opts.specmock_bin.stat()
        v["specmock_binary"] = {"path": str(opts.specmock_bin), "bytes": st.st_size,
                                "mtime_utc": dt.datetime.fromtimestamp(st.st_mtime, dt.timezone.utc).isoformat()}
    except OSError:
        pass
    return v


# --------------------------------------------------------------------------- main


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="bench/large-docs",
                                 description="specmock's startup, memory and first-request latency on large "
                                             "documents (see bench/README.md).")
    ap.add_argument("--shapes", default="a,b,c,d", help="comma-separated subset of a,b,c,d (default all)")
    ap.add_argument("--launches", type=int, default=5, help="launches per first-answer median (default 5)")
    ap.add_argument("--requests", type=int, default=1000,
                    help="round-robin requests after the first pass (default 1000)")
    ap.add_argument("--no-callgrind", dest="callgrind", action="store_false",
                    help="do not count load instructions with valgrind")
    ap.add_argument("--skip-build", action="store_true", help="use the existing binary (bench/large-docs builds nothing)")
    ap.add_argument("--specmock-bin", type=Path, default=None,
                    help="binary to measure (default $CARGO_TARGET_DIR or target, /release/specmock)")
    ap.add_argument("--out-dir", type=Path, default=None,
                    help="where the documents go (default $CARGO_TARGET_DIR or target, /large-docs)")
    ap.add_argument("--results-dir", type=Path, default=RESULTS, help="where the JSON goes (default bench/results)")
    ap.add_argument("--startup-timeout", type=float, default=120, help="seconds per launch (default 120)")
    ap.add_argument("--request-timeout", type=float, default=30, help="seconds per request (default 30)")
    ap.add_argument("--load-deadline", type=float, default=600,
                    help="seconds for all the requests of one shape (default 600)")
    ap.add_argument("--callgrind-timeout", type=float, default=900,
                    help="seconds for one `specmock validate` under valgrind (default 900)")
    opts = ap.parse_args(argv)
    opts.shapes = [s.strip().lower() for s in opts.shapes.split(",") if s.strip()]
    bad = [s for s in opts.shapes if s not in ALL_SHAPES]
    if bad or not opts.shapes:
        ap.error(f"--shapes: unknown {bad}; choose from {','.join(ALL_SHAPES)}")
    opts.shapes = [s for s in ALL_SHAPES if s in opts.shapes]
    if opts.launches < 1 or opts.requests < 0:
        ap.error("--launches >= 1, --requests >= 0")
    target = Path(os.environ.get("CARGO_TARGET_DIR") or "target")
    if not target.is_absolute():
        target = ROOT / target
    opts.specmock_bin = (opts.specmock_bin or target / "release" / "specmock").resolve()
    opts.out_dir = (opts.out_dir or target / "large-docs").resolve()
    return opts


def main(argv=None):
    opts = parse_args(sys.argv[1:] if argv is None else argv)

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    started = dt.datetime.now(dt.timezone.utc)
    t_start = time.monotonic()
    bench = None
    failure = None
    info = {}
    try:
        if not os.access(opts.specmock_bin, os.X_OK):
            raise HarnessError(f"no specmock binary at {opts.specmock_bin} (run bench/large-docs without --skip-build)")
        if opts.callgrind and shutil.which("valgrind") is None:
            log("note: valgrind is not installed: the instructions to load are skipped "
                "(apt-get install -y valgrind, or --no-callgrind)")
        bench = Bench(opts)
        info = {"machine": machine_info(), "versions": versions(opts)}
        info["machine"]["loadavg_before"] = os.getloadavg()
        log(f"large-docs: {info['machine']['nproc']} cores, load {info['machine']['loadavg_before'][0]:.2f}; "
            f"{info['versions'].get('specmock')} ({opts.specmock_bin}); shapes {','.join(opts.shapes)}; "
            f"{opts.launches} launches, {opts.requests} requests; callgrind "
            f"{'on' if opts.callgrind else 'off'}")
        for shape in opts.shapes:
            bench.run_shape(shape)
        info["machine"]["loadavg_after"] = os.getloadavg()
    except KeyboardInterrupt:
        Server.stop_all()
        log("\ninterrupted: every server stopped")
        return 130
    except HarnessError as e:
        failure = str(e)
    except Exception as e:  # a bug in the harness: still stop everything
        failure = f"{type(e).__name__}: {e}"
        import traceback
        traceback.print_exc()
    finally:
        Server.stop_all()
        if bench is not None:
            shutil.rmtree(bench.tmp, ignore_errors=True)
    if failure:
        print(f"\nbench/large-docs: FAILED: {failure}", file=sys.stderr)
        return 1

    targets = bench.targets()
    tbl = bench.render_table(targets)
    log("\n" + tbl)
    log(f"(first answer: median of {opts.launches} launches to the first 200 of /__specmock/health; RSS: VmRSS, "
        f"1 s after that and after {opts.requests:,} round-robin requests; 1st req max: the slowest first request "
        f"to an operation; ok/sent: answers with the expected status / requests sent)")
    log("\nTargets")
    for t in targets:
        log(f"  {'PASS' if t['pass'] else 'FAIL'}  ({t['shape']}) {t['target']}: {t['detail']}")
    finished = dt.datetime.now(dt.timezone.utc)
    doc = {
        "schema": 1,
        "benchmark": "large-docs",
        "started_utc": started.isoformat(timespec="seconds"),
        "finished_utc": finished.isoformat(timespec="seconds"),
        "elapsed_s": round(time.monotonic() - t_start, 1),
        "settings": {"shapes": opts.shapes, "launches": opts.launches, "requests": opts.requests,
                     "callgrind": opts.callgrind, "startup_timeout_s": opts.startup_timeout,
                     "request_timeout_s": opts.request_timeout, "load_deadline_s": opts.load_deadline,
                     "out_dir": str(opts.out_dir),
                     "rss": "VmRSS (and VmHWM, the peak) of /proc/PID/status, kB",
                     "client": "Python http.client, one keep-alive connection, sequential"},
        **info,
        "shapes": bench.res,
        "targets": targets,
        "table": tbl,
    }
    opts.results_dir.mkdir(parents=True, exist_ok=True)
    name = "large-docs-" + started.strftime("%Y-%m-%dT%H-%M-%SZ") + ".json"
    out = opts.results_dir / name
    tmp = opts.results_dir / (name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=2) + "\n")
    os.replace(tmp, out)
    try:
        shown = out.relative_to(Path.cwd())
    except ValueError:
        shown = out
    log(f"\nresults: {shown}  ({doc['elapsed_s']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
