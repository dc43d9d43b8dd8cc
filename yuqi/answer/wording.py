"""The answer's fixed wording and check thresholds, read once from wording.json."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def wording() -> dict:
    return json.loads((HERE / "wording.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=32)
def pattern(text: str) -> re.Pattern:
    return re.compile(text)


MD_SPECIAL = re.compile(r"([\\`*_\[\]()<>!#|~])")


def inert(text: str) -> str:
    """User text quoted in an answer: no markdown, no autolinks, no HTML."""
    text = MD_SPECIAL.sub(r"\\\1", text)
    return text.replace("://", ":∕∕").replace("www.", "www․")
