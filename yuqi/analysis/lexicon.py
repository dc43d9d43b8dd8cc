"""Loads the JSON data files (cue lexicons, patterns, advice) once.

The data lives in `data/` so the team can extend word lists without code changes.
Patterns may write `{cjk}` for the shared Chinese-character class and `{article}` for
the shared article-number grammar (yuqi.textnorm), so no data file spells either out.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from yuqi.textnorm import ARTICLE, CJK

# {2,20}-style quantifiers never look like these, so plain replacement is safe.
_PLACEHOLDERS = {"{cjk}": CJK, "{article}": ARTICLE}


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
    for name, value in _PLACEHOLDERS.items():
        pattern = pattern.replace(name, value)
    return re.compile(pattern)


def rule(section: str, key: str) -> re.Pattern[str]:
    """A named wording rule from a section of structure.json."""
    return compiled(structure()[section][key])


def reading_rule(key: str) -> re.Pattern[str]:
    """How facts.py reads a cue's context: a pattern from facts.json's `reading`."""
    return compiled(facts_data()["reading"][key])


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
