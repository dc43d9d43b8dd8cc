"""`python -m bench --api`: the HTTP API under load from the loopback interface.

A real `python -m yuqi.api` in a subprocess (one worker, then two sharing one index on
disk), driven by 1, 8 and 32 concurrent clients for a bounded time each. Every client
keeps one connection and asks the eval queries in turn; a request counts as an error
unless it comes back 200 with an answer. The rate limit is off for the run (one address
plays every client) and each figure waits for every worker to report ready. The server's CPU time per answer
is printed too: on a machine shared with other work it is the figure that says what a quiet one would hold.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench.app_start import free_port, stop
from bench.common import Env, pctl
from yuqi.settings import ROOT

LEVELS = (1, 8, 32)
WORKERS = (1, 2)


@dataclass
class Load:
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # ms, successful requests
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def start(env: Env, workers: int, ready_timeout: float = 300.0) -> tuple[subprocess.Popen, str]:
    port = free_port()
    environ = {**env.environ(), "YUQI_API_RATE_LIMIT": "0", "YUQI_API_TIMEOUT": "60", "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "yuqi.api", "--port", str(port), "--workers", str(workers), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    wait_workers(base, proc, workers, ready_timeout)
    return proc, base


def wait_workers(base: str, proc: subprocess.Popen, workers: int, timeout: float) -> None:
    """Until /readyz has answered ready from `workers` distinct processes."""
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while len(seen) < workers:
        if proc.poll() is not None:
            raise RuntimeError(f"yuqi.api exited early with code {proc.returncode}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(seen)} of {workers} workers ready after {timeout:.0f}s")
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=5) as r:
                seen.add(json.loads(r.read())["pid"])
        except OSError:
            time.sleep(0.3)


def worker_pids(proc: subprocess.Popen) -> list[int]:
    """The processes that serve: uvicorn's children with several workers, else the process itself."""
    try:
        kids = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    except OSError:
        kids = []
    # with several workers uvicorn also forks a resource tracker; a serving worker holds the model (large RSS)
    pids = [int(k) for k in kids if (rss_mb(int(k)) or 0) > 100]
    return pids or [proc.pid]


def rss_mb(pid: int, key: str = "VmRSS:") -> float | None:
    try:
        for row in Path(f"/proc/{pid}/status").read_text().splitlines():
            if row.startswith(key):
                return int(row.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used (all their threads), from /proc."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        except (OSError, ValueError, IndexError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def drive(base: str, clients: int, seconds: float, queries: list[str]) -> Load:
    host, port = base.removeprefix("http://").split(":")
    load, lock = Load(clients, seconds), threading.Lock()
    end = time.monotonic() + seconds

    def client(i: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=90)
        n = i
        while time.monotonic() < end:
            q = queries[n % len(queries)]
            n += clients
            t0 = time.perf_counter()
            kind = _ask(conn, q)
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                if kind is None:
                    load.latencies.append(ms)
                else:
                    load.errors += 1
                    load.error_kinds[kind] = load.error_kinds.get(kind, 0) + 1
            if kind is not None:
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=90)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    load.seconds = time.monotonic() - t0  # the last requests finish after `end`
    return load


def _ask(conn: http.client.HTTPConnection, text: str) -> str | None:
    """None for a good answer, else what went wrong."""
    try:
        conn.request("POST", "/v1/ask", body=json.dumps({"text": text}).encode(),
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        body = r.read()
    except (OSError, http.client.HTTPException) as err:
        return type(err).__name__
    if r.status != 200:
        try:
            return json.loads(body)["error"]["code"]
        except (ValueError, KeyError, TypeError):
            return str(r.status)
    return None if json.loads(body).get("answer") else "empty answer"


def run(env: Env, queries: list[str], seconds: float, line) -> list[dict]:
    """Figures for each worker count and client level; `line(label, value)` prints one."""
    rows = []
    for workers in WORKERS:
        t0 = time.perf_counter()
        proc, base = start(env, workers)
        try:
            line(f"{workers} worker(s): start → all ready", f"{time.perf_counter() - t0:.1f} s")
            drive(base, 4, 10.0, queries)  # warm-up (untimed): first answers fill lazy caches in every worker
            for clients in LEVELS:
                pids = worker_pids(proc)
                cpu0 = cpu_seconds(pids)
                load = drive(base, clients, seconds, queries)
                cpu_ms = (cpu_seconds(pids) - cpu0) * 1000 / max(1, len(load.latencies) + load.errors)
                rss = [rss_mb(p) or 0 for p in pids]
                hwm = [rss_mb(p, "VmHWM:") or 0 for p in pids]
                row = {"workers": workers, "clients": clients, "rps": load.throughput, "n": len(load.latencies),
                       "p50": pctl(load.latencies, 50) if load.latencies else 0.0,
                       "p95": pctl(load.latencies, 95) if load.latencies else 0.0,
                       "errors": load.errors, "error_kinds": load.error_kinds, "rss_mb": rss, "hwm_mb": hwm,
                       "cpu_ms": cpu_ms}
                rows.append(row)
                line(f"{workers}w × {clients:>2} clients: req/s · p50 / p95",
                     f"{row['rps']:.1f} · {row['p50']:.0f} / {row['p95']:.0f} ms")
                kinds = ", ".join(f"{k} {v}" for k, v in load.error_kinds.items())
                line("   errors · RSS per worker (peak)", f"{load.errors}{' (' + kinds + ')' if kinds else ''} · "
                     + " + ".join(f"{r:.0f} ({h:.0f})" for r, h in zip(rss, hwm)) + " MB")
                line("   server CPU per answer · load average (1 min)", f"{cpu_ms:.0f} ms · {os.getloadavg()[0]:.2f}")
        finally:
            stop(proc)
    return rows
