"""Law names as people write them -> official titles.

Short forms and repealed laws come from yuqi/data/law_aliases.json; the titles
laws.db holds are official by definition.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import yuqi.citations.lawsdb as lawsdb

ALIASES_PATH = Path(__file__).resolve().parent.parent / "data" / "law_aliases.json"


def _to_ascii(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


def normalize_name(name: str) -> str:
    name = _to_ascii(name).strip().strip("《》<>")
    name = re.sub(r"\s+", "", name)
    return name.replace("〈", "《").replace("〉", "》").replace("<", "《").replace(">", "》")


@lru_cache(maxsize=1)
def alias_table() -> dict:
    return json.loads(ALIASES_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def alias_map() -> dict[str, str]:
    """Every written form (short or full) -> official title, current and repealed."""
    table = alias_table()
    out: dict[str, str] = {}
    for title, aliases in table["titles"].items():
        out[title] = title
        out.update({a: title for a in aliases})
    for title, info in table["repealed"].items():
        out[title] = title
        out.update({a: title for a in info["aliases"]})
    return out


def db_titles() -> frozenset[str]:
    return lawsdb.titles() if lawsdb.available() else frozenset()


def resolve_name(name: str, titles: frozenset[str] | set[str] = frozenset()) -> str | None:
    """Written law name -> official title, using the alias file, laws.db titles and `titles`."""
    name = normalize_name(name)
    known = db_titles() | titles
    for cand in (name, re.sub(r"[(（][^()（）]*[)）]$", "", name)):
        if cand in known:
            return cand
        if cand in alias_map():
            return alias_map()[cand]
        if "中华人民共和国" + cand in known:
            return "中华人民共和国" + cand
    return None


@lru_cache(maxsize=1)
def unbracketed_names() -> tuple[str, ...]:
    """Names recognised without 《》, longest first so 劳动合同法 beats 合同法."""
    names = set(alias_map()) | {t for t in db_titles() if "《" not in t}
    return tuple(sorted(names, key=len, reverse=True))
