#!/usr/bin/env python3
"""The measuring half of bench/run (which installs and builds, then execs this).

Measures specmock, a bare hyper server (the ceiling) and Prism, one load at a
time on loopback, with the same wrk settings, and prints a table, the startup
and RSS figures and the issue's targets (PASS/FAIL with the figure). Writes
everything as JSON to bench/results/<UTC date-time>.json.

Exit status: 0 when the measurement completed (whatever the targets say); 1
when the harness failed (a server would not start, a check request got the
wrong status, a tool is missing); 130 on Ctrl-C. Every server it starts
listens on 127.0.0.1 and is killed on the way out.

Python 3.11, standard library only.
"""

import argparse
import datetime as dt
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
SPECS = ROOT / "specs"
RESULTS = BENCH / "results"

ALL_SERVERS = ("specmock", "hyper", "prism")
ALL_CASES = ("a", "b", "c", "d", "e", "f", "g")
# Issue 25: specmock's req/s as a share of bare hyper's, by case.
HYPER_SHARE = {"a": 0.70, "b": 0.70, "f": 0.70, "c": 0.50, "d": 0.50, "e": 0.40}
MIB = 1024  # kB per MiB: RSS targets are in MiB (20 MiB = 20,480 kB)


class HarnessError(Exception):
    """The harness itself failed: exit 1."""


def log(msg=""):
    print(msg, flush=True)


# --------------------------------------------------------------------------- requests


class Req:
    def __init__(self, method, path, headers=(), body=None):
        self.method = method
        self.path = path
        self.headers = list(headers)
        self.body = body.encode() if isinstance(body, str) else body

    def key(self):
        return (self.method, self.path, tuple(self.headers), self.body)

    def raw(self, close=True):
        lines = [f"{self.method} {self.path} HTTP/1.1", "Host: 127.0.0.1"]
        lines += [f"{k}: {v}" for k, v in self.headers]
        if self.body is not None:
            lines.append(f"Content-Length: {len(self.body)}")
        if close:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + (self.body or b"")

    def with_path(self, path):
        return Req(self.method, path, self.headers, self.body)

    def with_header(self, name, value):
        return Req(self.method, self.path, self.headers + [(name, value)], self.body)

    def describe(self):
        return {"method": self.method, "path": self.path,
                "headers": [f"{k}: {v}" for k, v in self.headers],
                "body": self.body.decode() if self.body is not None else None}


UNLEASH_AUTH = ("Authorization", "*:*.964a287e1b728cb5f4f3e0120df92cb5")
AXIOM_AUTH = ("Authorization", "Bearer xaat-3f9c2e71-5a4b-4d8e-b6c1-0e2f7a9d8b35")
JSON_CT = ("Content-Type", "application/json")
# The request example of specs/axiom.yaml (rotate-ingest-token).
AXIOM_BODY = json.dumps({
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
}, separators=(",", ":"))

REQ_A = Req("GET", "/api/v2/alice/tokens/1", [("X-AIO-Key", "k")])
REQ_B = Req("PUT", "/api/admin/api-tokens/bench-token", [UNLEASH_AUTH, JSON_CT],
            '{"expiresAt":"2023-09-04T11:26:24+02:00"}')
REQ_C = Req("PUT", "/api/admin/api-tokens/bench-token", [UNLEASH_AUTH, JSON_CT], '{"expiresAt":5}')
REQ_D = Req("POST", "/v2/tokens/bench-token/regenerate", [AXIOM_AUTH, JSON_CT], AXIOM_BODY)
REQ_E = REQ_D.with_header("Prefer", "dynamic=true")
# Matches fixtures/softwareone/put-public-v1-accounts-api-tokens-id/TKN-0042-0042.json.
REQ_F = Req("PUT", "/public/v1/accounts/api-tokens/TKN-0042-0042", [JSON_CT], '{"name":"Billing export"}')
REQ_SOFTWAREONE = Req("PUT", "/public/v1/accounts/api-tokens/TKN-5645-5250", [JSON_CT],
                      '{"name":"Billing export"}')
# Prism serves every document at its root: it drops the server base paths
# (Swagger basePath /api/v2 of Adafruit, /v2 of Axiom's server URL).
REQ_A_PRISM = REQ_A.with_path("/alice/tokens/1")
REQ_D_PRISM = REQ_D.with_path("/tokens/bench-token/regenerate")
REQ_E_PRISM = REQ_E.with_path("/tokens/bench-token/regenerate")


class Case:
    def __init__(self, key, title, req, expect, prism_doc, prism_req, prism_expect, prism_note=""):
        self.key, self.title, self.req, self.expect = key, title, req, expect
        self.prism_doc, self.prism_req, self.prism_expect = prism_doc, prism_req, prism_expect
        self.prism_note = prism_note


CASES = {
    "a": Case("a", "GET with an example (Adafruit getToken)", REQ_A, 200,
              "adafruit-io", REQ_A_PRISM, 200),
    "b": Case("b", "valid Unleash PUT (JSON body)", REQ_B, 200, "unleash", REQ_B, 200),
    "c": Case("c", "invalid Unleash PUT (error path)", REQ_C, 422, "unleash", REQ_C, 422),
    "d": Case("d", "valid Axiom regenerate (nested, allOf)", REQ_D, 200, "axiom", REQ_D_PRISM, 200),
    "e": Case("e", "Prefer: dynamic=true (Axiom regenerate)", REQ_E, 200, "axiom", REQ_E_PRISM, 200),
    "f": Case("f", "fixture hit (SoftwareOne TKN-0042-0042)", REQ_F, 200, "adafruit-io", REQ_A_PRISM, 200,
              prism_note="Prism has no fixtures: its example GET of (a)"),
}
PRISM_PROBE = {"adafruit-io": REQ_A_PRISM, "unleash": REQ_B, "axiom": REQ_D_PRISM,
               "softwareone": REQ_SOFTWAREONE}


# --------------------------------------------------------------------------- processes


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def group_rss_kb(pgid):
    """VmRSS summed over the processes of a process group (the server and any child)."""
    total = 0
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
            if int(stat[stat.rindex(")") + 2:].split()[2]) != pgid:
                continue
            with open(f"/proc/{d}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total


class Server:
    """One server process in its own session (process group), on 127.0.0.1."""

    live = []

    def __init__(self, label, argv, tmp, url_on_stdout, port=None, env=None, cwd=None):
        self.label, self.argv, self.url_on_stdout, self.port = label, argv, url_on_stdout, port
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", label)
        n = len(list(Path(tmp).glob(f"{safe}.*.out")))
        self.out_path = Path(tmp) / f"{safe}.{n}.out"
        self.log_path = Path(tmp) / f"{safe}.{n}.log"
        self.env, self.cwd = env, cwd or tmp
        self.proc = None
        self.url = f"http://127.0.0.1:{port}" if port else None

    def start(self, probe, deadline_s):
        """Spawn and wait for the first HTTP answer to `probe`.

        Returns (seconds from spawn to first answer, status of that answer).
        Raises HarnessError when the process exits or does not answer in time.
        """
        out = open(self.out_path, "wb")
        err = open(self.log_path, "wb")
        try:
            t0 = time.perf_counter()
            self.proc = subprocess.Popen(self.argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                         cwd=self.cwd, env=self.env, start_new_session=True)
        finally:
            out.close()
            err.close()
        Server.live.append(self)
        end = t0 + deadline_s
        if self.url_on_stdout:
            self.url = self._wait_url(end)
        host, port = self.url.rsplit("//", 1)[1].split(":")
        self.port = int(port)
        raw = probe.raw(close=True)
        while True:
            now = time.perf_counter()
            if now > end:
                raise HarnessError(f"{self.label}: no answer after {deadline_s:g} s")
            if self.proc.poll() is not None:
                raise HarnessError(f"{self.label}: exited with {self.proc.returncode} before answering: "
                                   f"{self.log_tail()}")
            try:
                with socket.create_connection((host, self.port), timeout=max(0.05, end - now)) as s:
                    s.sendall(raw)
                    first = s.recv(64)
                    t1 = time.perf_counter()
                    if first:
                        m = re.match(rb"HTTP/1\.[01] (\d{3})", first)
                        return t1 - t0, int(m.group(1)) if m else None
            except (ConnectionRefusedError, ConnectionResetError, socket.timeout, OSError):
                pass
            time.sleep(0.001)

    def _wait_url(self, end):
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
                raise HarnessError(f"{self.label}: exited with {self.proc.returncode} before printing "
                                   f"its URL: {self.log_tail()}")
            if time.perf_counter() > end:
                raise HarnessError(f"{self.label}: printed no URL in time")
            time.sleep(0.0005)

    def log_tail(self, n=6):
        try:
            lines = self.log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "(no log)"
        lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in lines]
        return " | ".join(lines[-n:]) or "(empty log)"

    def rss_kb(self):
        return group_rss_kb(self.proc.pid) if self.proc and self.proc.poll() is None else None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=6)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=5)
        else:
            # the leader is gone; make sure nothing of its group is left
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self in Server.live:
            Server.live.remove(self)

    @classmethod
    def stop_all(cls):
        for s in list(cls.live):
            try:
                s.stop()
            except Exception as e:  # keep stopping the others
                print(f"warning: stopping {s.label}: {e}", file=sys.stderr)


def http_check(url, req, timeout=30):
    """Send req once (keep-alive off); return (status, headers dict, body bytes)."""
    host, port = url.rsplit("//", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(req.raw(close=True))
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
    data = b"".join(chunks)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0]) if lines else None
    if not m:
        raise HarnessError(f"not an HTTP answer from {url}: {data[:200]!r}")
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    if "chunked" in headers.get("transfer-encoding", ""):
        body = dechunk(body)
    return int(m.group(1)), headers, body


def dechunk(b):
    out, i = [], 0
    while True:
        j = b.find(b"\r\n", i)
        if j < 0:
            break
        size = int(b[i:j].split(b";")[0], 16)
        if size == 0:
            break
        out.append(b[j + 2:j + 2 + size])
        i = j + 2 + size + 2
    return b"".join(out)


# --------------------------------------------------------------------------- wrk


def lua_str(s):
    out = ['"']
    for ch in s.encode():
        c = chr(ch)
        if c in '"\\':
            out.append("\\" + c)
        elif 32 <= ch < 127:
            out.append(c)
        else:
            out.append(f"\\{ch:03d}")
    out.append('"')
    return "".join(out)


def lua_script(req, path):
    lines = [f"-- generated by bench/run.py: {req.method} {req.path}",
             f"wrk.method = {lua_str(req.method)}",
             f"wrk.path = {lua_str(req.path)}"]
    for k, v in req.headers:
        lines.append(f"wrk.headers[{lua_str(k)}] = {lua_str(v)}")
    if req.body is not None:
        lines.append(f"wrk.body = {lua_str(req.body.decode())}")
    Path(path).write_text("\n".join(lines) + "\n")
    return path


UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}


def parse_time_ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not m:
        raise ValueError(f"bad wrk time {text!r}")
    return float(m.group(1)) * UNIT_MS[m.group(2)]


def parse_wrk(out):
    r = {"rps": None, "p50_ms": None, "p75_ms": None, "p90_ms": None, "p99_ms": None,
         "requests": None, "seconds": None, "non_2xx_3xx": 0,
         "socket_errors": {"connect": 0, "read": 0, "write": 0, "timeout": 0}}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if m:
        r["rps"] = float(m.group(1))
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)\s*$", out, re.M)
        if m:
            r[f"p{pct}_ms"] = parse_time_ms(m.group(1))
    m = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m|h)", out)
    if m:
        r["requests"] = int(m.group(1))
        r["seconds"] = parse_time_ms(m.group(2) + m.group(3)) / 1000
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        r["socket_errors"] = dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups())))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        r["non_2xx_3xx"] = int(m.group(1))
    if r["rps"] is None or r["p99_ms"] is None:
        raise HarnessError(f"could not parse wrk's output:\n{out}")
    return r


def run_wrk(opts, url, script, seconds, latency=True):
    argv = ["wrk", f"-t{opts.threads}", f"-c{opts.connections}", f"-d{seconds}s", "-s", str(script)]
    if latency:
        argv.append("--latency")
    argv.append(url)
    p = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    if p.returncode != 0:
        raise HarnessError(f"wrk failed ({p.returncode}): {p.stderr.strip() or p.stdout.strip()}")
    return p.stdout


# --------------------------------------------------------------------------- info


def cmd_out(argv, **kw):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=30, **kw)
        return (p.stdout.strip() or p.stderr.strip()).splitlines()[0] if (p.stdout or p.stderr) else None
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return None


def machine_info():
    cpu = None
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1])
    except OSError:
        pass
    return {"nproc": len(os.sched_getaffinity(0)), "cpu_count": os.cpu_count(), "cpu_model": cpu,
            "kernel": platform.release(), "uname": " ".join(platform.uname()), "mem_total_kb": mem,
            "python": platform.python_version()}


def versions(opts):
    git = lambda *a: cmd_out(["git", "-C", str(ROOT), *a])  # noqa: E731
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True)
    v = {"wrk": cmd_out(["wrk", "-v"]), "node": cmd_out(["node", "--version"]),
         "prism": cmd_out(["node", str(opts.prism_bin), "--version"]) if opts.prism_bin.exists() else None,
         "rustc": cmd_out(["rustc", "--version"]), "cargo": cmd_out(["cargo", "--version"]),
         "specmock": cmd_out([str(opts.specmock_bin), "--version"]),
         "git_commit": git("rev-parse", "HEAD"), "git_describe": git("describe", "--always", "--dirty"),
         "git_dirty": bool(dirty.stdout.strip()) if dirty.returncode == 0 else None}
    try:
        st = opts.specmock_bin.stat()
        v["specmock_binary"] = {"path": str(opts.specmock_bin), "bytes": st.st_size,
                                "mtime_utc": dt.datetime.fromtimestamp(st.st_mtime, dt.timezone.utc).isoformat()}
    except OSError:
        pass
    return v


# --------------------------------------------------------------------------- formatting


def fmt_rps(x):
    return "n/a" if x is None else f"{x:,.0f}"


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


def fmt_ratio(x):
    if x is None:
        return "n/a"
    return f"{x:.1f}x" if x >= 10 else f"{x:.2f}x"


def ratio(a, b):
    return a / b if a is not None and b else None


def table(headers, rows):
    widths = [max(len(str(r[i])) for r in [headers] + rows) for i in range(len(headers))]
    line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), sep] + [line(r) for r in rows])


def median_or_none(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


# --------------------------------------------------------------------------- the run


class Bench:
    def __init__(self, opts):
        self.opts = opts
        self.tmp = tempfile.mkdtemp(prefix="specmock-bench-")
        self.env = dict(os.environ)
        self.env.pop("RUST_LOG", None)  # specmock's defaults: info-level logging
        self.env["SCARF_ANALYTICS"] = "false"
        self.servers = {}  # id -> Server (kept across cases and repeats)
        self.n_scripts = 0
        self.res = {
            "cases": {},
            "servers": {},   # id -> {startup_s, probe_status, rss_idle_kb, rss_after_kb: {case: kb}}
            "unavailable": {},  # id -> reason (Prism n/a)
            "checks": {},
            "startup": {},
            "big_spec": {},
        }

    # ---- servers

    def specmock_server(self, label, extra_args=()):
        return Server(label, [str(self.opts.specmock_bin), "serve", "--port", "0", *extra_args],
                      self.tmp, url_on_stdout=True, env=self.env)

    def hyper_server(self, label="hyper"):
        return Server(label, [str(self.opts.hyper_bin), "0"], self.tmp, url_on_stdout=True, env=self.env)

    def prism_server(self, label, spec):
        port = free_port()
        return Server(label, ["node", str(self.opts.prism_bin), "mock", "-p", str(port), "-h", "127.0.0.1",
                              "-v", "silent", str(spec)],
                      self.tmp, url_on_stdout=False, port=port, env=self.env, cwd=str(ROOT))

    def get_server(self, sid):
        """The long-lived server `sid` (specmock, hyper, prism:DOC), started on first use."""
        if sid in self.res["unavailable"]:
            return None
        s = self.servers.get(sid)
        if s is not None:
            if not s.alive():
                raise HarnessError(f"{sid} died during the run: {s.log_tail()}")
            return s
        if sid == "specmock":
            s, probe, deadline = self.specmock_server("specmock"), REQ_A, 30
        elif sid == "hyper":
            s, probe, deadline = self.hyper_server(), REQ_A, 30
        else:
            doc = sid.split(":", 1)[1]
            s, probe, deadline = self.prism_server(sid, SPECS / f"{doc}.yaml"), PRISM_PROBE[doc], self.opts.prism_deadline
        log(f"  starting {sid} ...")
        try:
            secs, status = s.start(probe, deadline)
        except HarnessError as e:
            s.stop()
            if sid.startswith("prism:"):
                reason = str(e)
                log(f"  {sid}: n/a: {reason}")
                self.res["unavailable"][sid] = reason
                return None
            raise
        time.sleep(0.2)
        info = {"url": s.url, "startup_s": secs, "probe_status": status, "rss_idle_kb": s.rss_kb(),
                "rss_after_kb": {}, "argv": s.argv}
        self.res["servers"][sid] = info
        log(f"  {sid}: {s.url} answered {status} {secs * 1000:.0f} ms after spawn; RSS idle "
            f"{info['rss_idle_kb']:,} kB")
        self.servers[sid] = s
        return s

    # ---- one measurement

    def script(self, req):
        self.n_scripts += 1
        return lua_script(req, Path(self.tmp) / f"req{self.n_scripts}.lua")

    def check(self, sid, server, case_key, req, expect, must, extra=None):
        """One request with curl's eyes: print the status; fail when `must` and it is wrong."""
        status, headers, body = http_check(server.url, req)
        ok = status == expect
        notes = []
        if extra:
            notes += extra(status, headers, body)
            ok = ok and not notes
        rec = {"status": status, "expected": expect, "ok": ok, "content_type": headers.get("content-type"),
               "body_bytes": len(body), "body_head": body[:300].decode("utf-8", "replace"), "notes": notes}
        self.res["checks"].setdefault(case_key, {})[sid] = rec
        mark = "ok" if ok else ("WRONG" if must else "unexpected")
        log(f"  check ({case_key}) {sid}: {req.method} {req.path} -> {status} "
            f"{headers.get('content-type', '')} {len(body)} B [{mark}]" + (f" {'; '.join(notes)}" if notes else ""))
        if must and not ok:
            raise HarnessError(f"({case_key}) {sid}: {req.method} {req.path} answered {status}, expected "
                               f"{expect}{': ' + '; '.join(notes) if notes else ''}\n{body[:500]!r}")
        return rec

    def measure(self, server, req, seconds=None):
        seconds = seconds or self.opts.duration
        script = self.script(req)
        if self.opts.warmup > 0:
            run_wrk(self.opts, server.url, script, self.opts.warmup, latency=False)
        out = run_wrk(self.opts, server.url, script, seconds)
        r = parse_wrk(out)
        r["raw"] = out
        r["load1"] = os.getloadavg()[0]
        return r

    # ---- phases

    def case_checks(self, case, sid, server):
        specmock_extra = None
        if case.key == "c":
            def specmock_extra(status, headers, body):
                ct = headers.get("content-type", "")
                return [] if ct.startswith("application/problem+json") else [f"content-type {ct!r}, not problem+json"]
        elif case.key == "f":
            def specmock_extra(status, headers, body):
                return [] if headers.get("x-specmock-fixture") else ["no x-specmock-fixture header: not a fixture hit"]
        elif case.key == "e":
            def specmock_extra(status, headers, body):
                try:
                    json.loads(body)
                except ValueError:
                    return ["body is not JSON"]
                return [] if len(body) > 20 else [f"generated body is trivial ({len(body)} B)"]
        if sid == "specmock":
            self.check(sid, server, case.key, case.req, case.expect, must=True, extra=specmock_extra)
        elif sid == "hyper":
            self.check(sid, server, case.key, case.req, 200, must=True)
        else:
            self.check(sid, server, case.key, case.prism_req, case.prism_expect, must=False,
                       extra=specmock_extra if case.key in ("c", "e") else None)

    def run_cases(self):
        opts = self.opts
        cases = [CASES[k] for k in opts.cases if k in CASES]
        for rep in range(opts.repeat):
            measured = {}  # (sid, request key) -> result, to reuse Prism's (a) for (f)
            for case in cases:
                log(f"\n({case.key}) {case.title}" + (f"  [repeat {rep + 1}/{opts.repeat}]" if opts.repeat > 1 else ""))
                crec = self.res["cases"].setdefault(case.key, {
                    "title": case.title,
                    "request": case.req.describe(),
                    "prism_request": case.prism_req.describe(),
                    "prism_document": case.prism_doc,
                    "prism_note": case.prism_note,
                    "expected_status": {"specmock": case.expect, "hyper": 200, "prism": case.prism_expect},
                    "runs": {},
                })
                for name in opts.servers:
                    sid = f"prism:{case.prism_doc}" if name == "prism" else name
                    server = self.get_server(sid)
                    if server is None:
                        crec.setdefault("unavailable", {})[name] = self.res["unavailable"][sid]
                        continue
                    req = case.prism_req if name == "prism" else case.req
                    if rep == 0:
                        self.case_checks(case, sid, server)
                    key = (sid, req.key())
                    if key in measured:
                        r = dict(measured[key], reused_from=measured[key]["case"])
                        log(f"  {name:8s} (same request as ({r['reused_from']}), same run)")
                    else:
                        r = self.measure(server, req)
                        r["case"] = case.key
                        measured[key] = r
                    expect = crec["expected_status"][name]
                    r["unexpected_status"] = (r["non_2xx_3xx"] if expect < 300
                                              else (r["requests"] or 0) - r["non_2xx_3xx"])
                    if "reused_from" in r:
                        rss = r["rss_after_kb"]  # no load ran: keep the figure after the real run
                    else:
                        rss = server.rss_kb()
                        r["rss_after_kb"] = rss
                        self.res["servers"][sid]["rss_after_kb"][case.key] = rss
                    crec["runs"].setdefault(name, []).append(r)
                    errs = sum(r["socket_errors"].values())
                    log(f"  {name:8s} {fmt_rps(r['rps']):>9s} req/s  p50 {fmt_ms(r['p50_ms']):>9s}  "
                        f"p99 {fmt_ms(r['p99_ms']):>9s}  unexpected status {r['unexpected_status']}, "
                        f"socket errors {errs}, RSS {rss:,} kB")
        if "specmock" in self.servers:
            self.res["servers"]["specmock"]["rss_after_run_kb"] = self.servers["specmock"].rss_kb()

    def stop_long_lived(self):
        for sid, s in list(self.servers.items()):
            s.stop()
        self.servers.clear()

    def run_big(self):
        opts = self.opts
        big = Path(self.tmp) / "big.yaml"
        p = subprocess.run([sys.executable, str(BENCH / "gen_spec.py"), str(big),
                            "--operations", str(opts.big_operations)], capture_output=True, text=True)
        if p.returncode != 0:
            raise HarnessError(f"gen_spec.py failed: {p.stderr}")
        rec = self.res["big_spec"]
        rec.update({"operations": opts.big_operations, "bytes": big.stat().st_size,
                    "generator": p.stderr.strip(), "request": REQ_B.describe()})
        log(f"\n(g) generated spec: {p.stderr.strip()}")
        if "specmock" in opts.servers:
            s = self.specmock_server("specmock-big", [str(big)])
            try:
                secs, status = s.start(REQ_B, 60)
                time.sleep(0.2)
                sm = {"startup_s": secs, "probe_status": status, "rss_idle_kb": s.rss_kb(), "runs": []}
                rec["specmock"] = sm
                log(f"  specmock-big: answered {status} {secs * 1000:.0f} ms after spawn; RSS idle "
                    f"{sm['rss_idle_kb']:,} kB")
                self.check("specmock-big", s, "g", REQ_B, 200, must=True)
                for rep in range(opts.repeat):
                    r = self.measure(s, REQ_B)
                    r["unexpected_status"] = r["non_2xx_3xx"]
                    r["rss_after_kb"] = s.rss_kb()
                    sm["runs"].append(r)
                    log(f"  specmock {fmt_rps(r['rps']):>9s} req/s  p50 {fmt_ms(r['p50_ms']):>9s}  "
                        f"p99 {fmt_ms(r['p99_ms']):>9s}  unexpected status {r['unexpected_status']}, "
                        f"RSS {r['rss_after_kb']:,} kB")
                sm["rss_after_kb"] = s.rss_kb()
            finally:
                s.stop()
        if "prism" in opts.servers:
            if not opts.prism_bin.exists():
                rec["prism"] = {"available": False, "reason": "Prism is not installed"}
            else:
                s = self.prism_server("prism-big", big)
                log(f"  starting Prism on it (deadline {opts.prism_big_deadline:g} s) ...")
                try:
                    try:
                        secs, status = s.start(REQ_B, opts.prism_big_deadline)
                    except HarnessError as e:
                        reason = str(e)
                        if "no answer after" in reason:
                            reason = f"no answer after {opts.prism_big_deadline:g} s"
                        rss = s.rss_kb()
                        rec["prism"] = {"available": False, "reason": reason, "rss_at_deadline_kb": rss}
                        log(f"  prism-big: {reason}" + (f" (RSS then {rss:,} kB)" if rss else ""))
                    else:
                        time.sleep(0.2)
                        pr = {"available": True, "startup_s": secs, "probe_status": status,
                              "rss_idle_kb": s.rss_kb(), "runs": []}
                        rec["prism"] = pr
                        log(f"  prism-big: answered {status} {secs:.1f} s after spawn; RSS idle {pr['rss_idle_kb']:,} kB")
                        self.check("prism-big", s, "g", REQ_B, 200, must=False)
                        r = self.measure(s, REQ_B)
                        r["unexpected_status"] = r["non_2xx_3xx"]
                        r["rss_after_kb"] = s.rss_kb()
                        pr["runs"].append(r)
                        log(f"  prism    {fmt_rps(r['rps']):>9s} req/s  p50 {fmt_ms(r['p50_ms']):>9s}  "
                            f"p99 {fmt_ms(r['p99_ms']):>9s}  RSS {r['rss_after_kb']:,} kB")
                finally:
                    s.stop()
        return big

    def startup_series(self, key, make, probe, n, deadline, soft=False):
        samples, statuses = [], []
        for i in range(n):
            s = make()
            try:
                secs, status = s.start(probe, deadline)
            except HarnessError as e:
                s.stop()
                if soft:
                    self.res["startup"][key] = {"samples_ms": [x * 1000 for x in samples],
                                                "median_ms": None, "error": str(e)}
                    log(f"  {key}: n/a: {e}")
                    return
                raise
            s.stop()
            samples.append(secs)
            statuses.append(status)
        med = statistics.median(samples)
        self.res["startup"][key] = {"samples_ms": [round(x * 1000, 2) for x in samples],
                                    "median_ms": round(med * 1000, 2), "probe_statuses": statuses,
                                    "launches": n, "probe": f"{probe.method} {probe.path}"}
        if n == 1:
            log(f"  {key:28s} {fmt_ms(med * 1000):>16s}  (one launch)")
        else:
            log(f"  {key:28s} median {fmt_ms(med * 1000):>9s}  (min {fmt_ms(min(samples) * 1000)}, "
                f"max {fmt_ms(max(samples) * 1000)}, {n} launches)")

    def run_startup(self, big):
        opts = self.opts
        n = opts.startup_launches
        if n <= 0:
            return
        log(f"\nStartup to first answer (spawn -> first HTTP answer, median of {n})")
        if "specmock" in opts.servers:
            self.startup_series("specmock bundled", lambda: self.specmock_server("startup-specmock"),
                                REQ_A, n, 30)
        if "hyper" in opts.servers:
            self.startup_series("hyper", lambda: self.hyper_server("startup-hyper"), REQ_A, n, 30)
        if "prism" in opts.servers and opts.prism_bin.exists():
            for doc in ("adafruit-io", "unleash", "softwareone", "axiom"):
                launches = n if doc == "adafruit-io" else 1
                self.startup_series(f"prism {doc}", lambda d=doc: self.prism_server(f"startup-prism-{d}", SPECS / f"{d}.yaml"),
                                    PRISM_PROBE[doc], launches, opts.prism_deadline, soft=True)
        if big is not None and "specmock" in opts.servers:
            self.startup_series(f"specmock {opts.big_operations}-op spec",
                                lambda: self.specmock_server("startup-specmock-big", [str(big)]),
                                REQ_B, opts.big_startup_launches, 60)

    # ---- summary

    def summarize(self):
        opts = self.opts
        summary = {}
        for key, crec in self.res["cases"].items():
            med = {}
            for name, runs in crec["runs"].items():
                med[name] = {
                    "rps": median_or_none([r["rps"] for r in runs]),
                    "p50_ms": median_or_none([r["p50_ms"] for r in runs]),
                    "p99_ms": median_or_none([r["p99_ms"] for r in runs]),
                    "unexpected_status": sum(r["unexpected_status"] for r in runs),
                    "socket_errors": sum(sum(r["socket_errors"].values()) for r in runs),
                    "runs": len(runs),
                }
            crec["median"] = med
            sm, hy, pr = med.get("specmock"), med.get("hyper"), med.get("prism")
            crec["ratios"] = {
                "specmock_over_prism_rps": ratio(sm and sm["rps"], pr and pr["rps"]),
                "specmock_over_hyper_rps": ratio(sm and sm["rps"], hy and hy["rps"]),
                "specmock_over_hyper_p99": ratio(sm and sm["p99_ms"], hy and hy["p99_ms"]),
            }
            summary[key] = crec
        big = self.res["big_spec"].get("specmock")
        if big and big.get("runs"):
            big["median"] = {"rps": median_or_none([r["rps"] for r in big["runs"]]),
                             "p50_ms": median_or_none([r["p50_ms"] for r in big["runs"]]),
                             "p99_ms": median_or_none([r["p99_ms"] for r in big["runs"]])}
        pbig = self.res["big_spec"].get("prism")
        if pbig and pbig.get("runs"):
            pbig["median"] = {"rps": median_or_none([r["rps"] for r in pbig["runs"]]),
                              "p50_ms": median_or_none([r["p50_ms"] for r in pbig["runs"]]),
                              "p99_ms": median_or_none([r["p99_ms"] for r in pbig["runs"]])}
        return summary

    def render_table(self):
        rows = []
        for key in ALL_CASES:
            crec = self.res["cases"].get(key)
            if crec is None:
                continue
            med, rat = crec["median"], crec["ratios"]
            first = True
            for name in ALL_SERVERS:
                if name not in self.opts.servers:
                    continue
                m = med.get(name)
                label = f"({key}) {crec['title']}" if first else ""
                first = False
                srv = name + (" *" if name == "prism" and crec.get("prism_note") else "")
                if m is None:
                    why = crec.get("unavailable", {}).get(name, "not run")
                    rows.append([label, srv, "n/a", "n/a", "n/a", "", "", "", why[:60]])
                    continue
                bad = m["unexpected_status"] + m["socket_errors"]
                note = "" if not bad else f"{m['unexpected_status']} unexpected status, {m['socket_errors']} socket err"
                if name == "specmock":
                    rows.append([label, srv, fmt_rps(m["rps"]), fmt_ms(m["p50_ms"]), fmt_ms(m["p99_ms"]),
                                 fmt_ratio(rat["specmock_over_prism_rps"]), fmt_ratio(rat["specmock_over_hyper_rps"]),
                                 fmt_ratio(rat["specmock_over_hyper_p99"]), note])
                else:
                    rows.append([label, srv, fmt_rps(m["rps"]), fmt_ms(m["p50_ms"]), fmt_ms(m["p99_ms"]),
                                 "", "", "", note])
        big = self.res["big_spec"]
        if big.get("specmock", {}).get("median"):
            m = big["specmock"]["median"]
            b = self.res["cases"].get("b", {}).get("median", {}).get("specmock")
            rows.append([f"(g) case (b) on the {big['operations']}-op spec", "specmock", fmt_rps(m["rps"]),
                         fmt_ms(m["p50_ms"]), fmt_ms(m["p99_ms"]), "", "", "",
                         f"{fmt_ratio(ratio(m['rps'], b and b['rps']))} of bundled (b)" if b else ""])
        if "prism" in big:
            pm = big["prism"].get("median")
            if pm:
                rows.append(["", "prism", fmt_rps(pm["rps"]), fmt_ms(pm["p50_ms"]), fmt_ms(pm["p99_ms"]), "", "", "", ""])
            else:
                rows.append(["", "prism", "n/a", "n/a", "n/a", "", "", "", big["prism"].get("reason", "")[:60]])
        headers = ["case", "server", "req/s", "p50", "p99", "specmock/prism", "specmock/hyper",
                   "p99 vs hyper", "notes"]
        return table(headers, rows)

    def render_startup_rss(self):
        lines = []
        st = self.res["startup"]
        for key, v in st.items():
            if v.get("median_ms") is None:
                lines.append(f"startup {key}: n/a ({v.get('error')})")
            elif v["launches"] == 1:
                lines.append(f"startup {key}: {fmt_ms(v['median_ms'])} (one launch)")
            else:
                lines.append(f"startup {key}: median {fmt_ms(v['median_ms'])} of {v['launches']} launches "
                             f"(min {fmt_ms(min(v['samples_ms']))}, max {fmt_ms(max(v['samples_ms']))})")
        for sid, info in self.res["servers"].items():
            after = info.get("rss_after_kb", {})
            parts = ", ".join(f"({k}) {v:,}" for k, v in after.items() if v is not None)
            extra = f"; after the run {info['rss_after_run_kb']:,} kB" if info.get("rss_after_run_kb") else ""
            lines.append(f"RSS {sid}: idle {info['rss_idle_kb']:,} kB; after each case {parts} kB{extra}")
        big = self.res["big_spec"]
        if big.get("specmock"):
            sm = big["specmock"]
            lines.append(f"RSS specmock {big['operations']}-op spec: idle {sm['rss_idle_kb']:,} kB; after case (b) "
                         f"{(sm.get('rss_after_kb') or 0):,} kB")
        if big.get("prism"):
            p = big["prism"]
            if p.get("available"):
                lines.append(f"Prism on the {big['operations']}-op spec: first answer after {p['startup_s']:.1f} s; "
                             f"RSS idle {p['rss_idle_kb']:,} kB")
            else:
                lines.append(f"Prism on the {big['operations']}-op spec: {p.get('reason')}")
        for sid, reason in self.res["unavailable"].items():
            lines.append(f"{sid}: n/a: {reason}")
        return "\n".join(lines)

    def targets(self):
        T = []

        def add(tid, desc, measured, passed, detail):
            T.append({"id": tid, "target": desc, "pass": passed, "measured": measured, "detail": detail})

        cases = self.res["cases"]
        for key in ("a", "b", "c", "d", "e", "f"):
            c = cases.get(key)
            if c is None:
                continue
            med, rat = c["median"], c["ratios"]
            sm, hy, pr = med.get("specmock"), med.get("hyper"), med.get("prism")
            # Issue 25's targets: the share of bare hyper's req/s by case.
            share = HYPER_SHARE[key]
            r = rat["specmock_over_hyper_rps"]
            add(f"{key}-vs-hyper", f"({key}) specmock req/s >= {share * 100:.0f}% of bare hyper's", r,
                None if r is None else r >= share,
                "n/a" if r is None else f"{fmt_rps(sm['rps'])} vs {fmt_rps(hy['rps'])} = {r * 100:.0f}%")
            r = rat["specmock_over_prism_rps"]
            add(f"{key}-vs-prism", f"({key}) specmock req/s >= 20x Prism's", r,
                None if r is None else r >= 20,
                "n/a" if r is None else f"{fmt_rps(sm['rps'])} vs {fmt_rps(pr['rps'])} = {r:.1f}x")
            r = rat["specmock_over_hyper_p99"]
            add(f"{key}-p99", f"({key}) specmock p99 <= 2x bare hyper's", r,
                None if r is None else r <= 2.0,
                "n/a" if r is None else f"{fmt_ms(sm['p99_ms'])} vs {fmt_ms(hy['p99_ms'])} = {r:.2f}x")
        st = self.res["startup"]
        v = st.get("specmock bundled", {}).get("median_ms")
        if "specmock bundled" in st:
            add("startup-bundled", "startup with the bundled specs < 50 ms", v,
                None if v is None else v < 50, fmt_ms(v))
        key = f"specmock {self.opts.big_operations}-op spec"
        if key in st:
            v = st[key].get("median_ms")
            add("startup-big", f"startup with the {self.opts.big_operations}-op spec < 500 ms", v,
                None if v is None else v < 500, fmt_ms(v))
        sm = self.res["servers"].get("specmock")
        if sm and sm.get("rss_after_run_kb"):
            v = sm["rss_after_run_kb"]
            add("rss-bundled", "RSS with the bundled specs after the run < 20 MiB (20,480 kB)", v,
                v < 20 * MIB, f"{v:,} kB = {v / MIB:.1f} MiB")
        big = self.res["big_spec"].get("specmock")
        if big and big.get("rss_after_kb"):
            v = max(big["rss_after_kb"], big.get("rss_idle_kb") or 0)
            add("rss-big", f"RSS with the {self.opts.big_operations}-op spec < 100 MiB (102,400 kB)", v,
                v < 100 * MIB, f"{v:,} kB = {v / MIB:.1f} MiB (after case (b) on it)")
        b = cases.get("b", {}).get("median", {}).get("specmock")
        if big and big.get("median") and b:
            r = ratio(big["median"]["rps"], b["rps"])
            add("throughput-big", f"case (b) req/s on the {self.opts.big_operations}-op spec >= 90% of bundled",
                r, r >= 0.9, f"{fmt_rps(big['median']['rps'])} vs {fmt_rps(b['rps'])} = {r * 100:.0f}%")
        return T


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="bench/run",
        description="Benchmark specmock against a bare hyper server and Prism (see bench/RUN.md).")
    ap.add_argument("--duration", type=int, default=8, help="seconds of each measured wrk run (default 8)")
    ap.add_argument("--warmup", type=int, default=2, help="seconds of wrk warm-up before each run (default 2)")
    ap.add_argument("--repeat", type=int, default=1, help="measure every case N times, report medians (default 1)")
    ap.add_argument("--servers", default="specmock,hyper,prism",
                    help="comma-separated subset of specmock,hyper,prism (default all)")
    ap.add_argument("--cases", default="a,b,c,d,e,f,g", help="comma-separated subset of a-g (default all)")
    ap.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    ap.add_argument("--connections", type=int, default=50, help="wrk connections (default 50)")
    ap.add_argument("--startup-launches", type=int, default=10,
                    help="launches per startup median (default 10; 0 skips the startup section)")
    ap.add_argument("--big-startup-launches", type=int, default=None,
                    help="launches for the 2,000-op spec's startup median (default: --startup-launches)")
    ap.add_argument("--big-operations", type=int, default=2000, help="operations in the generated spec (default 2000)")
    ap.add_argument("--prism-deadline", type=float, default=60,
                    help="seconds Prism gets to answer on a bundled document (default 60)")
    ap.add_argument("--prism-big-deadline", type=float, default=120,
                    help="seconds Prism gets to answer on the generated spec (default 120)")
    ap.add_argument("--skip-build", action="store_true", help="use the existing binaries (bench/run builds nothing)")
    ap.add_argument("--specmock-bin", type=Path, default=None,
                    help="specmock binary to measure (default: $CARGO_TARGET_DIR or target, /release/specmock); "
                         "bench/run then skips building specmock")
    ap.add_argument("--hyper-bin", type=Path, default=BENCH / "hyper-bare/target/release/hyper-bare",
                    help="bare hyper binary (default bench/hyper-bare/target/release/hyper-bare)")
    ap.add_argument("--prism-bin", type=Path, default=BENCH / "prism/node_modules/.bin/prism",
                    help="Prism's CLI script, run with node (default bench/prism/node_modules/.bin/prism)")
    ap.add_argument("--results-dir", type=Path, default=RESULTS, help="where the JSON goes (default bench/results)")
    opts = ap.parse_args(argv)
    opts.servers = [s.strip() for s in opts.servers.split(",") if s.strip()]
    bad = [s for s in opts.servers if s not in ALL_SERVERS]
    if bad or not opts.servers:
        ap.error(f"--servers: unknown {bad}; choose from {','.join(ALL_SERVERS)}")
    opts.servers = [s for s in ALL_SERVERS if s in opts.servers]
    opts.cases = [c.strip().lower() for c in opts.cases.split(",") if c.strip()]
    bad = [c for c in opts.cases if c not in ALL_CASES]
    if bad or not opts.cases:
        ap.error(f"--cases: unknown {bad}; choose from {','.join(ALL_CASES)}")
    opts.cases = [c for c in ALL_CASES if c in opts.cases]
    if opts.repeat < 1 or opts.duration <= 0 or opts.warmup < 0:
        ap.error("--repeat >= 1, --duration > 0, --warmup >= 0")
    if opts.big_startup_launches is None:
        opts.big_startup_launches = opts.startup_launches
    if opts.specmock_bin is None:
        target = Path(os.environ.get("CARGO_TARGET_DIR") or "target")
        if not target.is_absolute():
            target = ROOT / target
        opts.specmock_bin = target / "release" / "specmock"
    opts.specmock_bin = opts.specmock_bin.resolve()
    opts.hyper_bin = opts.hyper_bin.resolve()
    opts.prism_bin = opts.prism_bin.absolute()
    return opts


def preflight(opts):
    if shutil.which("wrk") is None:
        raise HarnessError("wrk is not installed (apt-get install -y wrk; bench/run does it)")
    if "specmock" in opts.servers and not os.access(opts.specmock_bin, os.X_OK):
        raise HarnessError(f"no specmock binary at {opts.specmock_bin} (run bench/run without --skip-build)")
    if "hyper" in opts.servers and not os.access(opts.hyper_bin, os.X_OK):
        raise HarnessError(f"no bare hyper binary at {opts.hyper_bin} (run bench/run without --skip-build)")


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
    try:
        preflight(opts)
        prism_missing = "prism" in opts.servers and not (opts.prism_bin.exists() and shutil.which("node"))
        bench = Bench(opts)
        if prism_missing:
            why = "Prism is not installed (bench/run installs it with npm ci in bench/prism; needs node and npm)"
            for doc in PRISM_PROBE:
                bench.res["unavailable"][f"prism:{doc}"] = why
        info = {"machine": machine_info(), "versions": versions(opts)}
        info["machine"]["loadavg_before"] = os.getloadavg()
        log(f"bench: {info['machine']['nproc']} cores ({info['machine']['cpu_model']}), kernel "
            f"{info['machine']['kernel']}, load {info['machine']['loadavg_before'][0]:.2f}; "
            f"wrk -t{opts.threads} -c{opts.connections} -d{opts.duration:g}s after a {opts.warmup:g} s warm-up, "
            f"repeat {opts.repeat}; servers {','.join(opts.servers)}; cases {','.join(opts.cases)}")
        log(f"specmock {info['versions'].get('specmock')} ({opts.specmock_bin}); "
            f"{info['versions'].get('wrk')}; node {info['versions'].get('node')}; prism {info['versions'].get('prism')}")
        big = None
        try:
            if any(c in CASES for c in opts.cases):
                bench.run_cases()
            bench.stop_long_lived()
            if "g" in opts.cases:
                big = bench.run_big()
            bench.run_startup(big)
        finally:
            Server.stop_all()
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
        print(f"\nbench/run: FAILED: {failure}", file=sys.stderr)
        return 1

    bench.summarize()
    tbl = bench.render_table()
    sr = bench.render_startup_rss()
    targets = bench.targets()
    log("\n" + tbl)
    if any(c.get("prism_note") for c in bench.res["cases"].values()) and "prism" in opts.servers:
        log("* (f): Prism has no fixtures; its row is Prism's example GET of case (a)")
    log("")
    log(sr)
    log("\nTargets")
    for t in targets:
        mark = "n/a " if t["pass"] is None else ("PASS" if t["pass"] else "FAIL")
        log(f"  {mark}  {t['target']}: {t['detail']}")

    finished = dt.datetime.now(dt.timezone.utc)
    doc = {
        "schema": 1,
        "started_utc": started.isoformat(timespec="seconds"),
        "finished_utc": finished.isoformat(timespec="seconds"),
        "elapsed_s": round(time.monotonic() - t_start, 1),
        "settings": {"duration_s": opts.duration, "warmup_s": opts.warmup, "repeat": opts.repeat,
                     "threads": opts.threads, "connections": opts.connections,
                     "servers": opts.servers, "cases": opts.cases,
                     "startup_launches": opts.startup_launches,
                     "big_startup_launches": opts.big_startup_launches,
                     "prism_flags": "-v silent", "specmock_flags": "serve --port 0 (defaults: logging on to a "
                     "file, journal on; RUST_LOG unset)",
                     "rss": "VmRSS from /proc/PID/status summed over the server's process group, kB"},
        **info,
        "cases": bench.res["cases"],
        "servers": bench.res["servers"],
        "unavailable": bench.res["unavailable"],
        "checks": bench.res["checks"],
        "startup": bench.res["startup"],
        "big_spec": bench.res["big_spec"],
        "targets": targets,
        "table": tbl,
        "startup_and_rss": sr,
    }
    opts.results_dir.mkdir(parents=True, exist_ok=True)
    name = started.strftime("%Y-%m-%dT%H-%M-%SZ") + ".json"
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
