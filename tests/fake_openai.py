"""A real OpenAI-compatible HTTP server on 127.0.0.1 for tests.

Speaks `POST /v1/chat/completions` (JSON and `stream: true` SSE) and
`GET /v1/models`, records every request body, and can misbehave on demand
so the client's retry and error mapping is exercised over real sockets.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_REPLY = "这是测试回答：短信里说的“已立案”不实[1]，可拨打 12378 投诉[2]。"
ENGLISH_REPLY = "This is an English answer. The threat is not real [1]."
MODES = ("ok", "timeout", "401", "404", "429", "500", "503-then-ok", "break", "empty", "english", "refused",
         "no-finish",  # no-finish: a cut stream that a proxy ended cleanly with [DONE]
         "keepalive",  # keepalive: `: keepalive` comments every `drip` seconds, forever, no content
         "endless",  # endless: content pieces every `drip` seconds, forever
         "malformed",  # malformed: half the answer, then a `data:` line that is not JSON
         "huge")  # huge: a HUGE_CHARS-character answer in one fast stream
HUGE_CHARS = 200_000
_THEN_OK = re.compile(r"(\d{3})-then-ok")
_ERRORS = {
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    404: ("invalid_request_error", "model_not_found", "The model `{model}` does not exist."),
    429: ("requests", "rate_limit_exceeded", "Rate limit reached, please retry."),
    500: ("server_error", None, "The server had an error while processing your request."),
    503: ("server_error", None, "The engine is currently overloaded."),
}

Reply = str | Callable[[dict], str]


class FakeOpenAI:
    """Context manager: `with FakeOpenAI("你好") as fake: ... fake.base_url`."""

    def __init__(
        self,
        reply: Reply = DEFAULT_REPLY,
        mode: str = "ok",
        chunk_size: int = 4,
        delay: float = 0.0,
        *,
        fail_times: int = 1,
        hang: float = 30.0,
        drip: float = 2.0,
        models: tuple[str, ...] = ("fake-model",),
    ):
        self.reply, self.chunk_size, self.delay = reply, chunk_size, delay
        self.hang, self.models, self.drip = hang, models, drip
        self.requests: list[dict] = []  # chat bodies exactly as they left the client
        self.headers: list[dict[str, str]] = []  # lower-cased names
        self.port = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()  # wakes sleeping handlers on close
        self._server: ThreadingHTTPServer | None = None
        self._mode, self._fail_times, self._failed = "ok", fail_times, 0
        self.set(mode=mode)

    # -- lifecycle -------------------------------------------------------
    def __enter__(self) -> FakeOpenAI:
        self._start()  # even "refused" needs a port that nobody listens on
        if self._mode == "refused":
            self._shutdown()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._shutdown()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def mode(self) -> str:
        return self._mode

    def set(self, *, mode: str | None = None, reply: Reply | None = None, fail_times: int | None = None,
            delay: float | None = None, chunk_size: int | None = None) -> None:
        """Change behaviour between calls; resets the failure counter."""
        if reply is not None:
            self.reply = reply
        if delay is not None:
            self.delay = delay
        if chunk_size is not None:
            self.chunk_size = chunk_size
        with self._lock:
            if fail_times is not None:
                self._fail_times = fail_times
            self._failed = 0
            if mode is not None:
                if mode not in MODES and not _THEN_OK.fullmatch(mode):
                    raise ValueError(f"unknown mode {mode!r}")
                self._mode = mode
        if mode == "refused":
            self._shutdown()
        elif mode is not None and self._server is None and self.port:
            self._start()  # back from "refused": listen on the same port again

    def _start(self) -> None:
        server = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def _shutdown(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()  # the port now refuses connections
            self._server = None

    # -- behaviour -------------------------------------------------------
    def action(self) -> str | int:
        """What to do with the next chat request: a behaviour name or an HTTP status."""
        with self._lock:
            mode = self._mode
            then_ok = _THEN_OK.fullmatch(mode)
            if then_ok:
                if self._failed >= self._fail_times:
                    return "ok"
                self._failed += 1
                return int(then_ok.group(1))
        return int(mode) if mode.isdigit() else mode

    def text_for(self, body: dict, action: str) -> str:
        if action == "empty":
            return ""
        if action == "huge":
            return ("逾期" * (HUGE_CHARS // 2 + 1))[:HUGE_CHARS]
        if action == "english" and self.reply == DEFAULT_REPLY:
            return ENGLISH_REPLY
        return self.reply(body) if callable(self.reply) else self.reply

    def pieces(self, text: str) -> list[str]:
        size = max(1, self.chunk_size)
        return [text[i : i + size] for i in range(0, len(text), size)]

    def pause(self, seconds: float) -> bool:
        """Sleep that ends early when the server closes; True if closing."""
        return self._stop.wait(seconds) if seconds > 0 else self._stop.is_set()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # needed for chunked SSE

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output clean

    @property
    def fake(self) -> FakeOpenAI:
        return self.server.fake  # type: ignore[attr-defined]

    def do_GET(self) -> None:
        if self.path.rstrip("/") != "/v1/models":
            return self._send_json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
        data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in self.fake.models]
        self._send_json(200, {"object": "list", "data": data})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path.rstrip("/") != "/v1/chat/completions":
            return self._send_json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
        body = json.loads(raw or b"{}")
        self.fake.requests.append(body)
        self.fake.headers.append({k.lower(): v for k, v in self.headers.items()})
        try:
            self._dispatch(body, self.fake.action())
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test); nothing to tell it

    def _dispatch(self, body: dict, action: str | int) -> None:
        if isinstance(action, int):
            return self._send_error(action, body.get("model", ""))
        if action == "timeout":
            self.fake.pause(self.fake.hang)
            self.close_connection = True
            return
        text = self.fake.text_for(body, action)
        if body.get("stream") and action in ("keepalive", "endless"):
            return self._drip(body, text, content=action == "endless")
        if body.get("stream"):
            self._stream(body, text, broken=action == "break", finish=action != "no-finish",
                         malformed=action == "malformed")
        else:
            self._complete(body, text, broken=action == "break")

    # -- responses -------------------------------------------------------
    def _send_json(self, status: int, payload: dict, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_error(self, status: int, model: str) -> None:
        kind, code, message = _ERRORS.get(status, ("server_error", None, "error"))
        error = {"message": message.format(model=model), "type": kind, "param": None, "code": code}
        headers = {"Retry-After": "0"} if status == 429 else None
        self._send_json(status, {"error": error}, headers)

    def _complete(self, body: dict, text: str, *, broken: bool) -> None:
        message = {"role": "assistant", "content": text}
        payload = _envelope(body, "chat.completion", {"index": 0, "message": message, "finish_reason": "stop"})
        payload["usage"] = {"prompt_tokens": 1, "completion_tokens": len(text), "total_tokens": 1 + len(text)}
        if not broken:
            return self._send_json(200, payload)
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self._cut()

    def _start_sse(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()

    def _drip(self, body: dict, text: str, *, content: bool) -> None:
        """Never finish: keep-alive comments (or content pieces) every `drip` seconds until closed."""
        self._start_sse()
        self._event(_chunk(body, {"role": "assistant", "content": ""}, None))
        pieces = self.fake.pieces(text) or ["。"]
        n = 0
        while not self.fake.pause(self.fake.drip):
            if content:
                self._event(_chunk(body, {"content": pieces[n % len(pieces)]}, None))
            else:
                self._write_chunk(b": keepalive\n\n")
            n += 1
        self._cut()

    def _stream(self, body: dict, text: str, *, broken: bool, finish: bool = True, malformed: bool = False) -> None:
        self._start_sse()
        pieces = self.fake.pieces(text)
        if malformed:
            half = pieces[: max(1, len(pieces) // 2)]
            for piece in half:
                self._event(_chunk(body, {"content": piece}, None))
            self._write_chunk(b'data: {"id": "chatcmpl-fake", "choices": [{"delta": {"content": "\xe6\x88\x91\n\n')
            self._event(_chunk(body, {}, "stop"))
            self._write_chunk(b"data: [DONE]\n\n")
            self._write_chunk(b"")
            return
        if broken:
            pieces = pieces[: max(1, len(pieces) // 2)]
        self._event(_chunk(body, {"role": "assistant", "content": ""}, None))
        for piece in pieces:
            if self.fake.pause(self.fake.delay):
                return self._cut()
            self._event(_chunk(body, {"content": piece}, None))
        if broken:
            return self._cut()
        if finish:
            self._event(_chunk(body, {}, "stop"))
        self._write_chunk(b"data: [DONE]\n\n")
        self._write_chunk(b"")  # the zero-length chunk ends the body

    def _event(self, payload: dict) -> None:
        self._write_chunk(f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode())

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _cut(self) -> None:
        """Drop the connection mid-body, like a proxy or server crash would."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _envelope(body: dict, kind: str, choice: dict) -> dict:
    return {"id": "chatcmpl-fake", "object": kind, "created": int(time.time()),
            "model": body.get("model", "fake-model"), "choices": [choice]}


def _chunk(body: dict, delta: dict, finish: str | None) -> dict:
    return _envelope(body, "chat.completion.chunk", {"index": 0, "delta": delta, "finish_reason": finish})
