"""Loads the JSON data files (cue lexicons, patterns, advice) once.

The data lives in `data/` so the team can extend word lists without code changes.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any


@cache
def _load(name: str) -> dict[str, Any]:
    path = Path(__file__).parent / "data" / name
    return json.loads(path.read_text(encoding="utf-8"))


def threats_data() -> dict[str, Any]:
    return _load("threats.json")


def conduct_data() -> dict[str, Any]:
    return _load("conduct.json")


def structure() -> dict[str, Any]:
    return _load("structure.json")


def advice() -> dict[str, Any]:
    return _load("advice.json")


@cache
def compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@cache
def cue_patterns() -> tuple[tuple[str, re.Pattern[str], str], ...]:
    """(kind, regex, label) for every lexicon entry; threats become kind 'threat:<id>'."""
    out: list[tuple[str, re.Pattern[str], str]] = []
    for tid, entries in threats_data().items():
        if not tid.startswith("_"):
            out += [(f"threat:{tid}", compiled(e["pattern"]), e["label"]) for e in entries]
    for kind, entries in conduct_data().items():
        if not kind.startswith("_"):
            out += [(kind, compiled(e["pattern"]), e["label"]) for e in entries]
    for e in facts_data()["entries"]:
        out.append((f"fact:{e['kind']}", compiled(e["pattern"]), e["label"]))
    return tuple(out)


def facts_data() -> dict[str, Any]:
    return _load("facts.json")


def lawful() -> dict[str, Any]:
    return _load("lawful.json")


def court_hosts() -> tuple[str, ...]:
    return tuple(h["host"] for h in _load("court_hosts.json")["hosts"])
