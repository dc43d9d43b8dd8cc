"""The API's own settings, from the environment once per process (yuqi.settings holds the rest).

Defaults are the safe ones: loopback only, message text never logged, a body limit,
a per-client rate limit, an answer timeout, CORS closed, document admin off.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from yuqi.settings import _env, _float, _int

LOOPBACK = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True)
class ApiConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    admin_token: str = ""  # empty: the document endpoints refuse every request
    max_body_kb: int = 64  # JSON bodies; uploads are bounded by YUQI_MAX_UPLOAD_MB
    rate_per_minute: int = 60  # per client address; 0 turns the limit off
    timeout: float = 90.0  # seconds for one answer, queueing included (an LLM has its own deadline)
    concurrency: int = 0  # answers computed at once; 0: one per CPU core
    cors_origins: tuple[str, ...] = ()
    log_text: bool = False  # YUQI_API_LOG_TEXT=1 logs message text (never by default: it is personal data)

    @property
    def workers_at_once(self) -> int:
        return self.concurrency or max(1, os.cpu_count() or 1)

    def with_(self, **changes) -> ApiConfig:
        return replace(self, **changes)


def load_config() -> ApiConfig:
    origins = tuple(o.strip() for o in _env("YUQI_API_CORS_ORIGINS").split(",") if o.strip())
    return ApiConfig(
        host=_env("YUQI_API_HOST") or "127.0.0.1",
        port=_int("YUQI_API_PORT", 8000),
        admin_token=_env("YUQI_ADMIN_TOKEN"),
        max_body_kb=_int("YUQI_API_MAX_BODY_KB", 64),
        rate_per_minute=_int("YUQI_API_RATE_LIMIT", 60),
        timeout=_float("YUQI_API_TIMEOUT", 90.0),
        concurrency=_int("YUQI_API_CONCURRENCY", 0),
        cors_origins=origins,
        log_text=_env("YUQI_API_LOG_TEXT").lower() in ("1", "true", "yes", "on"),
    )
