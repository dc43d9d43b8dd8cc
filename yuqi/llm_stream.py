"""Reading an OpenAI-style SSE stream under an overall deadline.

The SDK's own stream iterator neither bounds the total time (a server sending
`: keepalive` every few seconds never trips a read timeout) nor types a
malformed chunk (it raises a bare JSONDecodeError). So the body is read here,
line by line, on a worker thread; the caller waits on a queue with the time
left, which holds even when a read blocks.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import openai

from .errors import LLMError

try:  # the SDK's HTTP library (a renamed httpx in some builds)
    from openai._base_client import httpx2 as httpx  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import httpx  # type: ignore[no-redef]

CUT_NOTICE = "\n\n（回答超过 {limit} 字，已截断。）"
MAX_LINE_BYTES = 1 << 20  # one SSE line larger than this is not a chat chunk


class StreamBroken(LLMError):
    """The stream ended early or carried data that is not a chat chunk."""

    def __init__(self, message: str):
        super().__init__("stream", message)


class DeadlineExceeded(LLMError):
    """The whole answer took longer than settings.llm_deadline."""

    def __init__(self, seconds: float):
        super().__init__("deadline", f"模型回答超过时限（{seconds:g} 秒）")


class Deadline:
    def __init__(self, seconds: float):
        self.seconds = max(0.1, float(seconds))
        self.ends = time.monotonic() + self.seconds

    def left(self) -> float:
        return max(0.0, self.ends - time.monotonic())

    def exceeded(self) -> DeadlineExceeded:
        return DeadlineExceeded(self.seconds)


def guarded(make: Callable[[], Iterator[str]], deadline: Deadline) -> Iterator[str]:
    """Run the iterator `make()` on a worker thread; raise DeadlineExceeded when time is up."""
    items: queue.Queue[tuple[str, Any]] = queue.Queue()
    stop = threading.Event()

    def work() -> None:
        try:
            source = make()
            try:
                for item in source:
                    if item:  # "" marks a keep-alive: nothing to hand over, but a chance to stop
                        items.put(("item", item))
                    if stop.is_set():
                        break
            finally:
                source.close()  # closes the HTTP response
            items.put(("end", None))
        except BaseException as err:  # handed to the caller's thread, re-raised there
            items.put(("error", err))

    threading.Thread(target=work, daemon=True, name="llm-stream").start()
    try:
        while True:
            try:
                kind, value = items.get(timeout=deadline.left())
            except queue.Empty:
                raise deadline.exceeded() from None
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()  # the worker stops at its next line; a blocked read ends with its own timeout


def sse_deltas(client: openai.OpenAI, request: dict, finished: list[str]) -> Iterator[str]:
    """Content deltas of one streamed chat completion; finish reasons go to `finished`."""
    with client.chat.completions.with_streaming_response.create(**request) as response:
        raw = response.http_response
        try:
            for data in _events(raw.iter_bytes()):
                if data is None:
                    yield ""  # keep-alive
                    continue
                if data.strip() == "[DONE]":
                    return
                yield from _chunk_contents(data, finished)
        except httpx.TimeoutException as err:
            raise openai.APITimeoutError(request=raw.request) from err
        except httpx.HTTPError as err:  # connection cut, bad chunked encoding …
            raise openai.APIConnectionError(request=raw.request) from err


def _events(chunks: Iterator[bytes]) -> Iterator[str | None]:
    """The `data:` payload of each server-sent event; None for a comment (`: keepalive`),
    so the worker notices a stop request between keep-alives."""
    buffer, data = b"", []
    for chunk in chunks:
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        if len(buffer) > MAX_LINE_BYTES:
            raise StreamBroken("模型返回了异常的数据（单行过长）")
        for line in lines:
            text = line.rstrip(b"\r").decode("utf-8", errors="replace")
            if not text:
                if data:
                    yield "\n".join(data)
                data = []
            elif text.startswith("data:"):
                data.append(text[5:].removeprefix(" "))
            elif text.startswith(":"):
                yield None
    if data:
        yield "\n".join(data)


def _chunk_contents(data: str, finished: list[str]) -> Iterator[str]:
    try:
        chunk = json.loads(data)
    except ValueError:
        raise StreamBroken("模型返回了无法解析的数据") from None
    if not isinstance(chunk, dict):
        raise StreamBroken("模型返回了格式错误的数据")
    if chunk.get("error"):
        raise StreamBroken("模型服务在回答中途报错")
    choices = chunk.get("choices") or []
    if not isinstance(choices, list):
        raise StreamBroken("模型返回了格式错误的数据")
    for choice in choices:
        delta = choice.get("delta") if isinstance(choice, dict) else None
        content = delta.get("content") if isinstance(delta, dict) else None
        if not isinstance(choice, dict) or not isinstance(delta, (dict, type(None))) \
                or not isinstance(content, (str, type(None))):
            raise StreamBroken("模型返回了格式错误的数据")
        if content:
            yield content
        if choice.get("finish_reason"):
            finished.append(str(choice["finish_reason"]))
