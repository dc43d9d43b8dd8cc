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


_DB_TITLES: list[frozenset[str]] = []  # laws.db's titles once found (the file check costs ~1 ms a call)


def db_titles() -> frozenset[str]:
    if not _DB_TITLES and lawsdb.available():
        _DB_TITLES.append(lawsdb.titles())
    return _DB_TITLES[0] if _DB_TITLES else frozenset()


def resolve_name(name: str, titles: frozenset[str] | set[str] = frozenset()) -> str | None:
    """Written law name -> official title, using the alias file, laws.db titles and `titles`."""
    name = normalize_name(name)
    db = db_titles()  # no union per call: that copied every title for every citation
    for cand in (name, re.sub(r"[(（][^()（）]*[)）]$", "", name)):
        if cand in db or cand in titles:
            return cand
        if cand in alias_map():
            return alias_map()[cand]
        full = "中华人民共和国" + cand
        if full in db or full in titles:
            return full
    return None


@lru_cache(maxsize=1)
def unbracketed_names() -> tuple[str, ...]:
    """Names recognised without 《》, longest first so 劳动合同法 beats 合同法."""
    names = set(alias_map()) | {t for t in db_titles() if "《" not in t}
    return tuple(sorted(names, key=len, reverse=True))
