"""Copyable texts for the common next steps, filled with what the message says (templates: next_steps.json)."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TEMPLATES = Path(__file__).with_name("next_steps.json")
QUOTE_LIMIT = 160


@dataclass(frozen=True)
class StepText:
    id: str
    title: str
    text: str


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(TEMPLATES.read_text(encoding="utf-8"))


def _platform(analysis, default: str) -> str:
    sender = next((c for c in analysis.cues if c.kind == "sender"), None)
    name = re.sub(r"[【】\[\]]", "", sender.text).strip() if sender else ""
    return name or default


def _numbers(analysis, default: str) -> str:
    seen: list[str] = []
    for c in analysis.cues:
        if c.kind.startswith(("bank", "phone", "url", "account", "wechat", "qq")) and c.text not in seen:
            seen.append(f"{c.label}：{c.text}" if c.kind != "account_name" else f"收款户名：{c.text}")
    return "；".join(dict.fromkeys(seen)) or default


def fields(analysis, today: dt.date | None = None) -> dict[str, str]:
    from yuqi.analysis import THREAT_LABELS

    d = _data()["defaults"]
    today = today or dt.date.today()
    # Only a pasted message is quoted as "the message I received": a question about a threat
    # ("网贷逾期会坐牢吗") is the person's own words, so the draft asks for the message instead.
    quote = re.sub(r"\s+", " ", analysis.text).strip() if analysis.is_message else ""
    quote = quote if len(quote) <= QUOTE_LIMIT else quote[:QUOTE_LIMIT] + "……"
    return {
        "platform": _platform(analysis, d["platform"]),
        "claims": "、".join(THREAT_LABELS.get(t, t) for t in analysis.threats) or d["claims"],
        "quote": quote or d["quote"],
        "numbers": _numbers(analysis, d["numbers"]),
        "date": f"{today.year}年{today.month}月{today.day}日",
    }


def _applies(when: list[str], analysis) -> bool:
    tags = set(analysis.threats) | {analysis.verdict or ""}
    if analysis.is_message:
        tags.add("any_message")
    if analysis.threats:
        tags.add("any_threat")
    return bool(tags & set(when))


def step_texts(analysis, today: dt.date | None = None) -> list[StepText]:
    """The templates that fit this analysis, filled in; none for a plain question without a threat."""
    if analysis is None or not (analysis.is_message or analysis.threats):
        return []
    values = fields(analysis, today)
    return [StepText(t["id"], t["title"], t["text"].format(**values))
            for t in _data()["templates"] if _applies(t["when"], analysis)]
