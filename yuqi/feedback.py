"""👍/👎 on answers, kept in one local SQLite file under the data directory.

What a user types stays in memory unless they submit feedback: the question and
the answer are written only as part of a record they chose to save, and then
with personal data masked (〔手机号1〕…) unless `keep_raw` (or YUQI_STORE_RAW=1)
asks for clear text. Reading
never creates the file. Every call opens its own connection (with a timeout),
so several Streamlit sessions can write at once.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from .privacy import mask_record, store_raw_default

FILE_NAME = "feedback.sqlite"
SCHEMA = """CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (1, -1)),
    reason TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    refs TEXT NOT NULL DEFAULT '[]',
    verdict TEXT,
    threats TEXT NOT NULL DEFAULT '[]'
)"""
COLUMNS = ("id", "created_at", "rating", "reason", "question", "answer", "refs", "verdict", "threats")


def db_path(data_dir: Path) -> Path:
    return Path(data_dir) / FILE_NAME


@contextmanager
def _connect(data_dir: Path) -> Iterator[sqlite3.Connection]:
    path = db_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path, timeout=30)) as db:
        db.execute(SCHEMA)
        with db:  # commit on success, roll back on error
            yield db


def save_feedback(
    data_dir: Path, *, question: str, answer: str, rating: int, reason: str = "",
    refs: list[str] | None = None, verdict: str | None = None, threats: list[str] | None = None,
    keep_raw: bool | None = None,
) -> int:
    """Store one rated answer and return its id."""
    if rating not in (1, -1):
        raise ValueError(f"rating must be 1 or -1, got {rating!r}")
    raw = store_raw_default() if keep_raw is None else keep_raw
    text = mask_record({"question": question, "answer": answer, "reason": (reason or "").strip()}, keep_raw=raw)
    row = (
        time.strftime("%Y-%m-%d %H:%M:%S"), rating, text["reason"], text["question"], text["answer"],
        json.dumps(list(refs or []), ensure_ascii=False), verdict, json.dumps(list(threats or []), ensure_ascii=False),
    )
    with _connect(data_dir) as db:
        cur = db.execute(
            "INSERT INTO feedback (created_at, rating, reason, question, answer, refs, verdict, threats) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row,
        )
        return int(cur.lastrowid)


def list_feedback(data_dir: Path) -> list[dict]:
    """Every saved record, oldest first; [] (and no file created) when nothing was saved."""
    if not db_path(data_dir).exists():
        return []
    with _connect(data_dir) as db:
        rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id").fetchall()
    return [_record(row) for row in rows]


def _record(row: tuple) -> dict:
    rec = dict(zip(COLUMNS, row))
    rec["refs"] = json.loads(rec["refs"] or "[]")
    rec["threats"] = json.loads(rec["threats"] or "[]")
    return rec


def delete_feedback(data_dir: Path, ids: list[int] | None = None) -> int:
    """Remove the given records (all of them when ids is None); returns how many went."""
    if not db_path(data_dir).exists():
        return 0
    with _connect(data_dir) as db:
        if ids is None:
            return db.execute("DELETE FROM feedback").rowcount
        marks = ",".join("?" * len(ids))
        return db.execute(f"DELETE FROM feedback WHERE id IN ({marks})", list(ids)).rowcount if ids else 0


def eval_item(rec: dict) -> dict:
    """One record in the eval-set contract.

    A 👍 means the user accepted the answer, so the references it rested on and
    its threats/verdict become gold. A 👎 says only that something was wrong: gold
    stays empty and no verdict key is written (it would be scored as gold); the
    reason and what the answer said go along for whoever labels the item.
    """
    item = {"id": f"fb-{rec['id']}", "query": rec["question"]}
    if rec["rating"] > 0:
        return {**item, "gold": list(rec["refs"]), "threats": list(rec["threats"]), "verdict": rec["verdict"]}
    return {
        **item, "gold": [], "threats": None, "note": rec["reason"],
        "answer_refs": list(rec["refs"]), "answer_threats": list(rec["threats"]), "answer_verdict": rec["verdict"],
    }


def export_eval_items(data_dir: Path, only_negative: bool = False) -> str:
    """Saved feedback as JSONL eval items (one per line), ready for `python -m eval --set`."""
    recs = [r for r in list_feedback(data_dir) if not only_negative or r["rating"] < 0]
    return "".join(json.dumps(eval_item(r), ensure_ascii=False) + "\n" for r in recs)
