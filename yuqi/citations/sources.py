"""What citations are checked against, and who owns which title.

A national law's title and short forms belong to laws.db; a shipped
regulation's to its file in corpus/regulations/. A statute file a user uploaded
can never take either identity: it is consulted only for titles no trusted
source holds, and what it confirms is reported as 依据上传文本核对, never as
verified. The source is built in one place (`statute_source`, `from_sources`)
from the index's statute documents plus laws.db.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from functools import lru_cache
from pathlib import PurePath
from typing import Protocol

import yuqi.citations.lawsdb as lawsdb
from yuqi.citations.lawsdb import is_current
from yuqi.citations.names import alias_table, normalize_name, resolve_name
from yuqi.citations.numerals import canonical_article

TRUSTED = ("lawsdb", "regulation", "knowledge")  # knowledge: the team's own shipped files


class StatuteSource(Protocol):
    def resolve(self, name: str) -> str | None:
        """Written law name -> official title this source holds, or None."""

    def status(self, title: str) -> str | None:
        """Status of the version we'd check against (现行有效 / 已废止 / 历史版本 …); None if not held."""

    def articles(self, title: str) -> dict[str, str] | None:
        """{canonical 第X条: text} of that version, or None if not held."""


def origin_of(source: StatuteSource, title: str) -> str:
    """Who vouches for `title` in this source: lawsdb / regulation / upload …"""
    fn = getattr(source, "origin", None)
    return fn(title) if fn else "lawsdb"


def _canon_keys(articles: dict[str, str]) -> dict[str, str]:
    return {canonical_article(k) or k: v for k, v in articles.items()}


def strip_header(number: str, text: str) -> str:
    return text[len(number):].lstrip() if text.startswith(number) else text


class MemoryStatutes:
    """Statute texts held in memory: shipped regulation files, or uploads (origin "upload")."""

    def __init__(self, articles: dict[str, dict[str, str]], status: dict[str, str] | None = None,
                 origin: str = "regulation"):
        self._articles = {normalize_name(t): _canon_keys(a) for t, a in articles.items()}
        self._status = {normalize_name(t): s for t, s in (status or {}).items()}
        self._origin = origin

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

    def origin(self, title: str) -> str:
        return self._origin

    def titles(self) -> list[str]:
        return list(self._articles)


class LawsDb:
    """laws.db: every law, current or not, so that status can be reported."""

    def __init__(self) -> None:
        lawsdb.path()  # raises LawsDbMissing (a FileNotFoundError) with an install hint
        self._status = {t: row.status for t in lawsdb.titles() if (row := lawsdb.held_law(t))}
        for title in alias_table()["repealed"]:
            self._status.setdefault(title, "已废止")  # repealed before laws.db was built

    def resolve(self, name: str) -> str | None:
        title = resolve_name(name, frozenset(self._status))
        return title if title in self._status else None

    def status(self, title: str) -> str | None:
        return self._status.get(title)

    def articles(self, title: str) -> dict[str, str] | None:
        row = lawsdb.held_law(title)
        return _law_articles(row.law_id) if row else None

    def origin(self, title: str) -> str:
        return "lawsdb"


@lru_cache(maxsize=64)
def _law_articles(law_id: str) -> dict[str, str]:
    # one dict per law version, so the quote matcher's per-dict index is reused
    return _canon_keys({no: text for no, text, _ in lawsdb.article_rows(law_id)})


class CombinedSource:
    """Trusted sources first (the first holding a current version wins); uploads only
    for titles no trusted source holds, so an upload never shadows a law or regulation."""

    def __init__(self, sources: Iterable[StatuteSource]):
        sources = list(sources)
        self.trusted = [s for s in sources if _source_origin(s) != "upload"]
        self.uploads = [s for s in sources if _source_origin(s) == "upload"]
        self.sources = self.trusted + self.uploads

    def _holder(self, title: str) -> StatuteSource | None:
        for group in (self.trusted, self.uploads):
            holders = [s for s in group if s.status(title) is not None]
            current = [s for s in holders if is_current(s.status(title))]
            if holders:
                return (current or holders)[0]
        return None

    def resolve(self, name: str) -> str | None:
        for group in (self.trusted, self.uploads):
            titles = [t for s in group if (t := s.resolve(name))]
            current = [t for t in titles if is_current(self.status(t))]
            if titles:
                return (current or titles)[0]
        return None

    def status(self, title: str) -> str | None:
        holder = self._holder(title)
        return holder.status(title) if holder else None

    def articles(self, title: str) -> dict[str, str] | None:
        holder = self._holder(title)
        return holder.articles(title) if holder else None

    def origin(self, title: str) -> str:
        holder = self._holder(title)
        return origin_of(holder, title) if holder else ""


def _source_origin(source: StatuteSource) -> str:
    return getattr(source, "_origin", None) or ("lawsdb" if isinstance(source, LawsDb) else "regulation")


_UPLOAD_DIRS = {"user", "uploads", "upload"}


def document_origin(path: str, declared: str = "") -> str:
    """The origin a document was ingested with; inferred from its path for older indexes.
    Anything not provably shipped is an upload: trust is never the default."""
    if declared:
        return declared
    if path.startswith("laws.db:"):
        return "lawsdb"
    parts = PurePath(path).parts
    # a shipped file sits directly in the corpus' regulations/ or knowledge/ folder; uploads in user/
    if len(parts) >= 2 and parts[-2] in ("regulations", "knowledge") and not _UPLOAD_DIRS & set(parts):
        return "regulation" if parts[-2] == "regulations" else "knowledge"
    return "upload"


def _laws_db_or_none() -> list[StatuteSource]:
    try:
        return [LawsDb()]
    except FileNotFoundError:
        return []


def build(statutes: Iterable[tuple[str, str, str, dict[str, str]]]) -> CombinedSource:
    """(title, origin, status, {第X条: text}) of every statute document + laws.db -> one source."""
    groups: dict[str, tuple[dict[str, dict[str, str]], dict[str, str]]] = {}
    for title, origin, status, articles in statutes:
        if origin == "lawsdb":
            continue  # laws.db answers for its own laws
        group = "upload" if origin not in TRUSTED else "regulation"
        arts, stats = groups.setdefault(group, ({}, {}))
        arts[title] = articles
        stats[title] = status or "现行有效"
    mem = [MemoryStatutes(a, s, origin=g) for g, (a, s) in groups.items()]
    return CombinedSource([*_laws_db_or_none(), *mem])


def from_sources(sources) -> CombinedSource:
    """The source for an ingest run: laws.db plus the statute documents being ingested."""
    return build(
        (s.title, document_origin(s.path, getattr(s, "origin", "")), s.status,
         {a.number: strip_header(a.number, a.text) for a in s.articles})
        for s in sources if s.kind == "statute"
    )


# id(index) -> (weak reference to it, its source); indexes are unhashable dataclasses
_CACHE: dict[int, tuple[weakref.ref, CombinedSource]] = {}
_CACHE_LOCK = threading.Lock()


def statute_source(index) -> CombinedSource:
    """The source for a loaded index (its statute chunks + laws.db), built once per index."""
    with _CACHE_LOCK:
        hit = _CACHE.get(id(index))
        if hit is not None and hit[0]() is index:
            return hit[1]
        for key in [k for k, (ref, _) in _CACHE.items() if ref() is None]:
            del _CACHE[key]  # indexes replaced by a newer build
        source = build(_index_statutes(index))
        try:
            _CACHE[id(index)] = (weakref.ref(index), source)
        except TypeError:  # not weak-referenceable: build every time rather than leak
            pass
        return source


def _index_statutes(index) -> list[tuple[str, str, str, dict[str, str]]]:
    # keyed by (title, origin): an upload sharing a law's title must never merge into it
    by_title: dict[tuple[str, str], tuple[str, dict[str, str]]] = {}
    docs = getattr(index, "docs", {}) or {}
    for c in index.chunks:
        if c.kind != "statute" or not c.article_no:
            continue
        doc = docs.get(c.doc_id, {})
        origin = document_origin(c.path, doc.get("origin", "") or (c.meta or {}).get("origin", ""))
        _, arts = by_title.setdefault((c.title, origin), (doc.get("status", ""), {}))
        text = strip_header(c.article_no, c.text)
        # an article split by 款 comes back whole
        arts[c.article_no] = f"{arts[c.article_no]}\n{text}" if c.article_no in arts else text
    return [(t, o, s, a) for (t, o), (s, a) in by_title.items()]
