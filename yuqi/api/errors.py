"""Every error leaves the API as JSON: a stable English code and a Chinese sentence, never a traceback.

The codes and their messages are data (data/errors.json). The body is shaped so that
the official OpenAI client reads it too (`error.message`, `error.type`, `error.code`).
"""

from __future__ import annotations

import json
import logging
import traceback
from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from yuqi.errors import IndexCorrupt, IndexMismatch, IndexMissing, IngestBusy, LLMError, YuqiError

log = logging.getLogger("yuqi.api")


@lru_cache(maxsize=1)
def _table() -> dict[str, list]:
    data = json.loads(Path(__file__).with_name("data").joinpath("errors.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


class ApiError(Exception):
    def __init__(self, code: str, headers: dict[str, str] | None = None, **values):
        status, template = _table()[code]
        self.code, self.status, self.headers = code, status, headers or {}
        self.message = template.format_map(_Blank(values)).rstrip("：: ") or "请求有误。"
        super().__init__(self.message)


def body(code: str, status: int, message: str) -> dict:
    return {"error": {"code": code, "message": message, "type": code, "status": status}}


def error_response(err: ApiError) -> JSONResponse:
    return JSONResponse(body(err.code, err.status, err.message), status_code=err.status, headers=err.headers)


def from_yuqi(err: YuqiError) -> ApiError:
    """A domain error (its text is already a complete Chinese sentence) as an API error."""
    if isinstance(err, (IndexMissing, IndexCorrupt, IndexMismatch)):
        return ApiError("index_error", detail=str(err))
    if isinstance(err, IngestBusy):
        return ApiError("ingest_busy", detail=str(err))
    if isinstance(err, LLMError):
        return ApiError("llm_error", detail=str(err))
    return ApiError("ingest_failed", detail=str(err))


def _validation_detail(err: RequestValidationError) -> tuple[str, str]:
    """Field paths only: the default detail echoes the input, which may hold personal data."""
    problems = err.errors()
    if any(p.get("type") == "json_invalid" for p in problems):
        return "malformed_json", ""
    where = "；".join(".".join(str(x) for x in p.get("loc", ()) if x != "body") + f"（{p.get('type', '')}）"
                     for p in problems[:5])
    return "invalid_request", where


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(request: Request, err: ApiError):
        return error_response(err)

    @app.exception_handler(YuqiError)
    async def _yuqi(request: Request, err: YuqiError):
        return error_response(from_yuqi(err))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, err: RequestValidationError):
        code, detail = _validation_detail(err)
        return error_response(ApiError(code, detail=detail) if detail else ApiError(code))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, err: StarletteHTTPException):
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(err.status_code, "invalid_request")
        mapped = ApiError(code, detail="没有这个接口。" if code == "not_found" else "")
        return JSONResponse(body(code, err.status_code, mapped.message), status_code=err.status_code)


def log_crash(err: BaseException) -> None:
    """The exception's type and where it happened, never its message (it may quote the user's text)."""
    frames = traceback.extract_tb(err.__traceback__)
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno}" for f in reversed(frames[-4:]))
    log.error("internal error %s at %s", type(err).__name__, where or "?")
