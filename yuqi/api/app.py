"""The ASGI application: `create_app()` (uvicorn's factory) wires the guard, the routes and the errors.

Why FastAPI on uvicorn: the ecosystem's default ASGI pair, typed request and response
models (pydantic) that are also the generated OpenAPI schema and docs page (/docs),
and Server-Sent Events without another dependency.
"""

from __future__ import annotations

import logging
import threading
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from yuqi.api import admin, errors, openai_facade, routes
from yuqi.api.config import ApiConfig, load_config
from yuqi.api.guard import Guard, RateLimiter
from yuqi.api.state import Runtime
from yuqi.settings import Settings, get_settings

DESCRIPTION = ("网贷逾期催收信息核实助手的 HTTP 接口：核实催收短信、回答问题、核验法条引用。"
               "错误一律为 JSON：`{\"error\": {\"code\", \"message\"}}`，code 稳定，message 为中文。"
               "本工具提供法律信息，不构成法律意见。")


def create_app(settings: Settings | None = None, config: ApiConfig | None = None, service=None) -> FastAPI:
    """`service` lets a caller hand in a loaded Service (tests, the bench); else one is loaded at start-up."""
    settings, config = settings or get_settings(), config or load_config()
    runtime = Runtime(settings, config, service)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        _quiet_loggers()
        threading.Thread(target=runtime.load, daemon=True, name="yuqi-api-load").start()
        yield

    app = FastAPI(title="yuqi API", version="1", description=DESCRIPTION, lifespan=lifespan)
    app.state.runtime = runtime
    errors.install(app)
    for router in (routes.router, openai_facade.router, admin.router):
        app.include_router(router)
    if config.cors_origins:  # closed unless configured
        app.add_middleware(CORSMiddleware, allow_origins=list(config.cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type", "Authorization"])
    limiter = RateLimiter(config.rate_per_minute) if config.rate_per_minute > 0 else None
    app.add_middleware(Guard, max_body=config.max_body_kb * 1024, max_upload=settings.max_upload_mb * 1024 * 1024,
                       limiter=limiter)
    return app


def _quiet_loggers() -> None:
    """Our log line per request replaces uvicorn's access log; the model libraries stay at warnings."""
    logging.getLogger("uvicorn.access").disabled = True
    api = logging.getLogger("yuqi.api")
    if not api.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        api.addHandler(handler)
        api.setLevel(logging.INFO)
