"""Old article numbers: which laws were renumbered, and what an old number said.

Two sources of old text: laws.db's 历史版本 rows, and data/renumbered.json for
revisions laws.db does not keep (治安管理处罚法 2025). The current article that
holds an old text is found by matching the text, never by a mapping table.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yuqi.citations.lawsdb as lawsdb
from yuqi.citations.numerals import canonical_article

DATA = Path(__file__).resolve().parent / "data" / "renumbered.json"
_DATE = re.compile(r"(\d{4})\s*[年\-./]\s*(\d{1,2})\s*[月\-./]\s*(\d{1,2})")
AS_OF_NOW = "9999-12-31"  # a text written against the law in force today (our own answers)


@dataclass(frozen=True)
class OldVersion:
    title: str
    label: str  # how a reader is told which version: "2012年修正本" / "2017-09-01 版本"
    since: str  # date the numbering changed (the current version's date)
    articles: dict[str, str]  # {canonical 第X条: old text}; may be empty (number changed, text not held)


@lru_cache(maxsize=1)
def _table() -> dict[str, dict]:
    return json.loads(DATA.read_text(encoding="utf-8"))["laws"]


@lru_cache(maxsize=256)
def old_versions(title: str) -> tuple[OldVersion, ...]:
    """Older numberings of `title`, newest first."""
    out: list[OldVersion] = []
    entry = _table().get(title)
    if entry:
        arts = {canonical_article(k) or k: v for k, v in entry.get("old_articles", {}).items()}
        out.append(OldVersion(title, entry.get("old_version", "旧版本"), entry["since"], arts))
    if lawsdb.available():
        current = lawsdb.current_law(title)
        for row in lawsdb.historical_laws(title):
            arts = {canonical_article(no) or no: text for no, text, _ in lawsdb.article_rows(row.law_id)}
            out.append(OldVersion(title, f"{row.version_date} 版本", current.version_date if current else "", arts))
    return tuple(out)


def renumbered_since(title: str) -> str | None:
    """Date after which a citation of `title` uses today's numbering, if it was ever renumbered."""
    dates = [v.since for v in old_versions(title) if v.since]
    return max(dates) if dates else None


def version_date(version: str, text: str) -> str | None:
    """The date a document's numbering follows: its recorded version line, else its header."""
    dates = [f"{y}-{int(m):02d}-{int(d):02d}" for y, m, d in _DATE.findall(version or "")]
    return max(dates) if dates else text_date(text)


def text_date(text: str) -> str | None:
    """The latest adoption/revision date a statute-like text states in its header (发布/修订 …),
    as YYYY-MM-DD: the numbering its cross-references follow."""
    head = "\n".join(line for line in text.splitlines()[:12] if re.match(r"\s*(发布|修订|发布/修订|施行)\s*[:：]", line))
    dates = [f"{y}-{int(m):02d}-{int(d):02d}" for y, m, d in _DATE.findall(head)]
    return max(dates) if dates else None
