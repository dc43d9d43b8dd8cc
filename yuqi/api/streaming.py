"""Blocking event generators (the front door) as async streams, within the answer slots and timeout.

The generator runs in a worker thread and hands events over a queue; a client that goes
away stops it at the next event. Errors become one last `error` event with the JSON
error body, since the HTTP status has already been sent.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator

from starlette.concurrency import run_in_threadpool

from yuqi.api.answering import pump
from yuqi.api.errors import ApiError, body, from_yuqi, log_crash
from yuqi.errors import YuqiError


def as_api_error(err: BaseException) -> ApiError:
    if isinstance(err, ApiError):
        return err
    if isinstance(err, YuqiError):
        return from_yuqi(err)
    log_crash(err)
    return ApiError("internal")


async def events(runtime, make: Callable[[], Iterator]) -> AsyncIterator[object]:
    """Items of make() as they come; raises ApiError (busy, timeout, or the generator's own error)."""
    timeout = runtime.config.timeout
    deadline = time.monotonic() + timeout
    try:
        await asyncio.wait_for(runtime.slots.acquire(), timeout=timeout)
    except TimeoutError:
        raise ApiError("busy") from None
    loop, queue, stop = asyncio.get_running_loop(), asyncio.Queue(), threading.Event()
    put = lambda item: loop.call_soon_threadsafe(queue.put_nowait, item)  # noqa: E731
    done = asyncio.ensure_future(run_in_threadpool(pump, make, put, stop))  # the slot frees when it ends
    done.add_done_callback(lambda _: runtime.slots.release())
    try:
        while True:
            try:
                kind, item = await asyncio.wait_for(queue.get(), timeout=max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                raise ApiError("timeout", seconds=f"{timeout:g}") from None
            if kind == "end":
                return
            if kind == "error":
                raise as_api_error(item)
            yield item
    finally:
        stop.set()


def sse(name: str, payload: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"


def sse_error(err: ApiError) -> str:
    return sse("error", body(err.code, err.status, err.message))
