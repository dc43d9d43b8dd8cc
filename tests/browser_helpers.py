"""Small helpers for driving the real Streamlit app with Playwright (see test_browser.py).

Everything here waits on locators with bounded timeouts; nothing sleeps for long.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
ANSWER_TIMEOUT = 90_000  # ms: retrieval + offline composition on a cold process
FEEDBACK = '[data-testid="stFeedback"], [data-testid="stButtonGroup"]'
SOURCE_SUMMARY = '[data-testid="stExpander"] summary'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    """Poll Streamlit's health endpoint until it answers "ok" (or the process dies)."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                last = r.read().decode().strip()
                if last == "ok":
                    return
        except OSError as err:
            last = repr(err)
        time.sleep(0.5)
    raise TimeoutError(f"streamlit not healthy after {timeout:.0f}s: {last}")


def stop(proc: subprocess.Popen) -> None:
    """Stop the process group this test started (by its own id), politely then firmly."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def body_text(page) -> str:
    return page.locator("body").inner_text()


def assert_no_traceback(page) -> None:
    text = body_text(page)
    assert "Traceback" not in text, text[-3000:]
    assert page.locator('[data-testid="stException"]').count() == 0, text[-3000:]


def wait_idle(page, timeout: float = ANSWER_TIMEOUT) -> None:
    """Wait until Streamlit reports no script run in progress (the 'running' status widget is gone)."""
    page.wait_for_timeout(700)  # small settle: the status widget appears only ~500 ms into a run
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=timeout)


def chat_messages(page):
    return page.locator('[data-testid="stChatMessage"]')


def ask(page, text: str, expect_reply: bool = True) -> None:
    """Type into the chat input and press Enter; by default wait for the new assistant turn."""
    before = chat_messages(page).count()
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(text)
    box.press("Enter")
    if expect_reply:
        # the finished turn is redrawn after st.rerun() with its feedback (thumbs) widget: only then is it complete
        reply = chat_messages(page).nth(before + 1)
        reply.locator(FEEDBACK).first.wait_for(state="visible", timeout=ANSWER_TIMEOUT)
        wait_idle(page)


def source_summaries(page, contains: str | re.Pattern | None = None):
    """The collapsed "来源（n 条）" sections (one per answer), optionally those naming `contains`."""
    loc = page.locator(SOURCE_SUMMARY).filter(has_text=re.compile(r"来源（\d+ 条）"))
    return loc.filter(has_text=contains) if contains is not None else loc


def open_sources(page, summary) -> str:
    """Open one answer's sources and return their visible text."""
    summary.click()
    details = summary.locator("xpath=ancestor::*[@data-testid='stExpander'][1]").get_by_test_id("stExpanderDetails")
    details.wait_for(state="visible")
    return details.inner_text()


def links_and_images_to(page, host: str) -> list[str]:
    """Every <a href> and <img src> (and srcset) in the page, main document and iframes, that names `host`."""
    found = []
    for frame in page.frames:
        found += frame.evaluate(
            """host => [...document.querySelectorAll('a[href], img, source, [srcset]')]
                 .map(el => el.getAttribute('href') || el.getAttribute('src') || el.getAttribute('srcset') || '')
                 .filter(u => u.toLowerCase().includes(host))""",
            host,
        )
    return found


def go_to(page, title: str) -> None:
    """Switch page through the sidebar navigation (keeps the browser session)."""
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    wait_idle(page)


def scroll_to_top_of(locator, margin: int = 70) -> None:
    """Scroll the element to the top of its scroll container, leaving room for Streamlit's fixed header."""
    locator.evaluate(
        """(el, margin) => {
            el.scrollIntoView({block: 'start'});
            let box = el.parentElement;
            while (box && !(box.scrollHeight > box.clientHeight && /auto|scroll/.test(getComputedStyle(box).overflowY)))
                box = box.parentElement;
            (box || document.scrollingElement).scrollTop -= margin;
        }""",
        margin,
    )
    locator.page.wait_for_timeout(300)


def shot(page, name: str, locator=None) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"browser-{name}.png"
    if locator is not None:
        locator.scroll_into_view_if_needed()
        page.wait_for_timeout(200)
    page.screenshot(path=str(path))
    return path
