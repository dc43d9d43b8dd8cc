"""The app's learned ranker: one row of features per candidate chunk, one dot product.

`features` turns the signals of one query (dense and BM25 scores of every chunk,
the statutes the analysis points to) into the columns FEATURES names; the weights
(yuqi/data/ranker.json) come from `python -m eval.tune_ranker`, fitted on the
tuning halves of the real dev sets only.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from yuqi.documents import Chunk

POOL = 60  # candidates taken from each signal before fusion
RANKER_FILE = Path(__file__).resolve().parent / "data" / "ranker.json"
# The order of the columns `features` returns; ranker.json names them, so a stale file is caught.
FEATURES = ("dense", "dense_gap", "bm25", "bm25_exp", "pointed", "chapter_gap",
            "rank_dense", "rank_bm25", "rank_bm25_exp", "official")


@lru_cache(maxsize=1)
def ranker_weights() -> np.ndarray:
    data = json.loads(RANKER_FILE.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{RANKER_FILE} was trained on other features; run python -m eval.tune_ranker")
    return np.asarray(data["weights"], dtype=np.float32)


def official_prior() -> float:
    """What the ranker adds to a passage of a law or regulation over an article or card otherwise alike."""
    return float(ranker_weights()[FEATURES.index("official")])


def is_official(chunk: Chunk) -> bool:
    """Official legal text (a law's or regulation's 条, or a short regulation kept whole), not an
    article or knowledge card written about the law."""
    return chunk.kind == "statute" or chunk.meta.get("origin") == "regulation"


def top_scores(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    k = min(k, len(scores))
    if k <= 0:
        return []
    part = np.argpartition(-scores, k - 1)[:k]
    part = part[np.lexsort((part, -scores[part]))]  # by score, ties by position: deterministic
    return [(int(i), float(scores[i])) for i in part]


def chapters(chunks: list[Chunk]) -> np.ndarray:
    """A group id per chunk: its chapter (document + heading)."""
    chap: dict[tuple[str, str], int] = {}
    return np.asarray([chap.setdefault((c.doc_id, c.heading), len(chap)) for c in chunks], dtype=np.int64)


def official_flags(chunks: list[Chunk]) -> np.ndarray:
    return np.asarray([is_official(c) for c in chunks], dtype=np.float32)


def _group_max(x: np.ndarray, groups: np.ndarray) -> np.ndarray:
    out = np.full(int(groups.max()) + 1 if len(groups) else 0, -np.inf, dtype=np.float32)
    np.maximum.at(out, groups, x)
    return out[groups]


def _rank_weight(x: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(x), dtype=np.float32)
    ranks[np.argsort(-x, kind="stable")] = np.arange(len(x), dtype=np.float32)
    return 1.0 / np.log2(ranks + 2.0)


def features(sig: dict, chapter_of: np.ndarray, official: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(candidate chunk ids, one row of FEATURES each).

    Scores are taken relative to the query's best (cosines of one query sit in a
    narrow band whose level varies per query; BM25 is unbounded). The chapter
    feature carries the neighbourhood: the right 条 usually sits in the chapter
    whose best article the question matches. A whole-law version of it was
    dropped: it learned "stay in the law of the best match" from STARD (mostly
    民法典) and pushed a regulation's article (the interest cap) out of the top 5.
    `official` lets the ranker prefer the law's own text over an article or card that
    paraphrases it (real questions' gold is the 条; cards still reach the answer, see
    `yuqi.answer.prepare`).
    """
    d, b, be = sig["dense"], sig["bm25"], sig["bm25_exp"]
    cand = {i for s in (d, b, be) for i, _ in top_scores(s, POOL)} | set(sig["pointed"])
    cand = np.fromiter(sorted(cand), dtype=np.int64)
    pointed = np.zeros(len(d), dtype=np.float32)
    pointed[sig["pointed"]] = 1.0
    top_d = float(d.max())
    cols = [
        d, d - top_d, b / max(float(b.max()), 1e-9), be / max(float(be.max()), 1e-9), pointed,
        _group_max(d, chapter_of) - top_d,
        _rank_weight(d), _rank_weight(b), _rank_weight(be), official,
    ]
    return cand, np.stack([c[cand] for c in cols], axis=1).astype(np.float32)
