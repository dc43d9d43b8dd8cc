"""App cold start to first answer, and peak memory while serving.

Two measurements, both against an index that is already built:
- script: a fresh Python process imports yuqi, loads model + index, answers one question;
- browser: `streamlit run app.py` in a subprocess, headless Chromium opens the page,
  asks one question and waits for the finished answer (skipped without Playwright/Chromium).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.common import Env, vm_hwm_mb
from yuqi.settings import ROOT

QUESTION = "催收说明天要上门找我，还要通知我家人和单位，这是真的吗？"
CHROMIUM = Path("/usr/bin/chromium")
SCRIPT = f"""
import json, time
t0 = time.perf_counter()
from yuqi.settings import get_settings
from yuqi.service import Service
from yuqi.answer import answer
t_import = time.perf_counter()
s = get_settings().with_(llm_model="", llm_api_key="", llm_base_url="")
service = Service(s)
service.retriever()
t_index = time.perf_counter()
a = answer(service, {QUESTION!r}, settings=s)  # the front door: a declined question stays declined
t_answer = time.perf_counter()
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({{"import": t_import - t0, "index": t_index - t_import, "answer": t_answer - t_index,
                  "hwm_mb": hwm / 1024, "chars": len(a.text), "declined": a.declined}}))
"""


def script_first_answer(env: Env) -> dict:
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env.environ(), capture_output=True,
                         text=True, timeout=600)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return {**json.loads(out.stdout.strip().splitlines()[-1]), "wall": wall}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"streamlit not healthy after {timeout:.0f}s")


def stop(proc: subprocess.Popen) -> None:
    """Stop the process group we started (by its id), politely then firmly."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def browser_available() -> bool:
    try:
        import playwright  # noqa: F401  (optional: the test extra)
    except ImportError:
        return False
    return CHROMIUM.exists()


def streamlit_first_answer(env: Env, use_browser: bool) -> dict:
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
           "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env.environ(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc)
        out = {"healthy": time.perf_counter() - t0}
        if use_browser:
            out.update(_ask_in_browser(f"http://127.0.0.1:{port}", t0))
        out["hwm_mb"] = vm_hwm_mb(proc.pid)
        return out
    finally:
        stop(proc)


def _ask_in_browser(url: str, t0: float) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.goto(url)
            box = page.get_by_test_id("stChatInputTextArea")
            box.wait_for(state="visible", timeout=300_000)  # the page draws it after model + index are loaded
            ready = time.perf_counter() - t0
            t1 = time.perf_counter()
            box.fill(QUESTION)
            box.press("Enter")
            reply = page.locator('[data-testid="stChatMessage"]').nth(1)
            reply.locator('[data-testid="stFeedback"], [data-testid="stButtonGroup"]').first.wait_for(
                state="visible", timeout=300_000)
            done = time.perf_counter()
        finally:
            browser.close()
    return {"page_ready": ready, "first_answer": done - t1, "total": done - t0}
