"""One frozen Settings, read from the environment once per process."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "builtin:multilingual-e5-small-q4"


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _int(name: str, default: int) -> int:
    raw = _env(name)
    try:
        return int(raw) if raw else default
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from None


def _float(name: str, default: float) -> float:
    raw = _env(name)
    try:
        return float(raw) if raw else default
    except ValueError:
        raise SystemExit(f"{name} must be a number, got {raw!r}") from None


def _positive(name: str, value: float) -> float:
    if value <= 0:
        raise SystemExit(f"{name} must be greater than 0, got {value:g}")
    return value


def _cache_root() -> Path:
    base = _env("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(_env("YUQI_CACHE_DIR") or Path(base) / "yuqi")


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path
    index_dir: Path
    cache_dir: Path
    data_dir: Path  # local user data (feedback, eval runs); never the index
    embed_model: str
    reranker: str
    chunk_size: int
    chunk_overlap: int
    min_score: float
    llm_api_key: str
    llm_base_url: str
    llm_model: str
    llm_timeout: float
    privacy_mask: str  # "auto" (mask for non-local endpoints), "on", "off"
    max_input_chars: int
    max_upload_mb: int
    llm_deadline: float = 60.0  # seconds for a whole answer, however the server drips
    llm_max_chars: int = 12000  # an answer is cut (with a notice) after this many characters

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_model and (self.llm_api_key or self.llm_base_url))

    @property
    def endpoint(self):
        """Where the LLM lives (yuqi.endpoint.EndpointClass): by parsed host and resolved address."""
        from .endpoint import classify_endpoint

        return classify_endpoint(self.llm_base_url)

    @property
    def llm_is_local(self) -> bool:
        return bool(self.llm_base_url) and self.endpoint.is_local

    @property
    def mask_personal_data(self) -> bool:
        if self.privacy_mask == "on":
            return True
        if self.privacy_mask == "off":
            return False
        return not self.llm_is_local

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)


def load_settings() -> Settings:
    base_url = _env("OPENAI_BASE_URL")
    key = _env("OPENAI_API_KEY")
    model = _env("YUQI_LLM_MODEL") or _env("OPENAI_MODEL")
    if not model and key and not base_url:
        model = "gpt-4o-mini"  # a key alone means the OpenAI API itself
    return Settings(
        corpus_dir=Path(_env("YUQI_CORPUS_DIR") or ROOT / "corpus"),
        index_dir=Path(_env("YUQI_INDEX_DIR") or ROOT / "index"),
        cache_dir=_cache_root(),
        data_dir=Path(_env("YUQI_DATA_DIR") or ROOT / ".yuqi-data"),
        embed_model=_env("YUQI_EMBED_MODEL") or DEFAULT_MODEL,
        reranker=_env("YUQI_RERANKER"),
        chunk_size=_int("YUQI_CHUNK_SIZE", 360),
        chunk_overlap=_int("YUQI_CHUNK_OVERLAP", 80),
        min_score=_float("YUQI_MIN_SCORE", 0.87),
        llm_api_key=key,
        llm_base_url=base_url,
        llm_model=model,
        llm_timeout=_float("YUQI_LLM_TIMEOUT", 60.0),
        privacy_mask=(_env("YUQI_PRIVACY_MASK") or "auto").lower(),
        max_input_chars=_int("YUQI_MAX_INPUT_CHARS", 4000),
        max_upload_mb=_int("YUQI_MAX_UPLOAD_MB", 20),
        llm_deadline=_positive("YUQI_LLM_DEADLINE", _float("YUQI_LLM_DEADLINE", 60.0)),
        llm_max_chars=int(_positive("YUQI_LLM_MAX_CHARS", _int("YUQI_LLM_MAX_CHARS", 12000))),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
