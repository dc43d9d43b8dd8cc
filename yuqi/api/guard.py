"""The request guard, in front of every route: body size, per-client rate, one log line.

A plain ASGI middleware (not Starlette's BaseHTTPMiddleware) so streamed answers pass
through untouched. The log line names the method, path, status and time, never the
body or the query string: a pasted message carries names and phone numbers.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time

from yuqi.api.errors import ApiError, body, log_crash

log = logging.getLogger("yuqi.api")
UNLIMITED_PATHS = ("/healthz", "/readyz")


class RateLimiter:
    """A token bucket per client address: `per_minute` requests a minute, bursts up to the same number."""

    def __init__(self, per_minute: int, max_clients: int = 10_000):
        self.rate, self.capacity, self.max_clients = per_minute / 60.0, float(per_minute), max_clients
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, client: str, now: float | None = None) -> float:
        """0 when the request may go on, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if len(self._buckets) >= self.max_clients and client not in self._buckets:
                self._buckets.clear()  # a flood of addresses: forget them all rather than grow without bound
            if tokens >= 1:
                self._buckets[client] = (tokens - 1, now)
                return 0.0
            self._buckets[client] = (tokens, now)
            return (1 - tokens) / self.rate


class Guard:
    def __init__(self, app, max_body: int, max_upload: int, limiter: RateLimiter | None):
        self.app, self.max_body, self.max_upload, self.limiter = app, max_body, max_upload, limiter

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, status = time.perf_counter(), [0]

        async def logged_send(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            refusal = self._rate(scope)
            if refusal is None and scope["method"] in ("POST", "PUT", "PATCH"):
                receive, refusal = await self._bounded_body(scope, receive)
            if refusal is not None:
                await _send_error(logged_send, refusal)
            else:
                await self.app(scope, receive, logged_send)
        except Exception as err:  # noqa: BLE001 - a crash is one JSON error and one log line, no traceback
            log_crash(err)
            if not status[0]:
                await _send_error(logged_send, ApiError("internal"))
        finally:
            ms = (time.perf_counter() - started) * 1000
            log.info("%s %s %s %.0fms", scope["method"], scope["path"], status[0] or "-", ms)

    def _rate(self, scope) -> ApiError | None:
        if self.limiter is None or scope["path"] in UNLIMITED_PATHS:
            return None
        client = (scope.get("client") or ("?", 0))[0]
        wait = self.limiter.take(client)
        if not wait:
            return None
        retry = str(max(1, math.ceil(wait)))
        return ApiError("rate_limited", headers={"Retry-After": retry}, retry=retry)

    async def _bounded_body(self, scope, receive):
        """Read the whole body up to the limit (a Content-Length over it is refused unread), then replay it."""
        limit = self.max_upload if scope["path"].startswith("/v1/documents") else self.max_body
        too_large = ApiError("too_large", limit=_size(limit))
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return receive, too_large
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return receive, too_large
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return receive, too_large
            chunks.append(chunk)
            more = message.get("more_body", False)
        data, sent = b"".join(chunks), [False]

        async def replay():
            if sent[0]:
                return await receive()  # after the body: wait for a disconnect, as the server would
            sent[0] = True
            return {"type": "http.request", "body": data, "more_body": False}

        return replay, None


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


async def _send_error(send, err: ApiError) -> None:
    payload = json.dumps(body(err.code, err.status, err.message), ensure_ascii=False).encode("utf-8")
    headers = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(payload)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in err.headers.items()]
    await send({"type": "http.response.start", "status": err.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
