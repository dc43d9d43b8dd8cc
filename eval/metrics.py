"""Retrieval metrics on reference strings, kept apart from answer-level metrics.

A gold reference matches a retrieved chunk when it equals the chunk's reference
string; a gold document id (an article's id, or a statute's title) matches any
chunk of that document.
"""

from __future__ import annotations

import math
from statistics import median


def matches(gold: str, ref: str, doc_id: str) -> bool:
    return gold == ref or gold == doc_id


def unique_ranked(hits: list[tuple[str, str]], k: int = 10) -> list[tuple[str, str]]:
    """(ref, doc_id) pairs in rank order with repeated refs dropped, top k."""
    seen: set[str] = set()
    out = []
    for ref, doc in hits:
        if ref not in seen:
            seen.add(ref)
            out.append((ref, doc))
        if len(out) == k:
            break
    return out


def first_rank(gold: list[str], ranked: list[tuple[str, str]]) -> int | None:
    for i, (ref, doc) in enumerate(ranked, 1):
        if any(matches(g, ref, doc) for g in gold):
            return i
    return None


def item_metrics(gold: list[str], ranked: list[tuple[str, str]]) -> dict[str, float]:
    """hit@5, recall@10, MRR@10 and nDCG@10 (binary relevance) for one item."""
    top10 = ranked[:10]
    found = {g for g in gold for ref, doc in top10 if matches(g, ref, doc)}
    rank = first_rank(gold, top10)
    dcg, credited = 0.0, set()
    for i, (ref, doc) in enumerate(top10, 1):
        for g in gold:
            if g not in credited and matches(g, ref, doc):
                credited.add(g)
                dcg += 1.0 / math.log2(i + 1)
                break
    idcg = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(gold), 10) + 1))
    return {
        "hit@5": 1.0 if rank is not None and rank <= 5 else 0.0,
        "recall@10": len(found) / len(gold) if gold else 0.0,
        "mrr@10": 1.0 / rank if rank else 0.0,
        "ndcg@10": dcg / idcg if idcg else 0.0,
    }


def mean_metrics(rows: list[dict[str, float]]) -> dict[str, float]:
    if not rows:
        return {"hit@5": 0.0, "recall@10": 0.0, "mrr@10": 0.0, "ndcg@10": 0.0, "n": 0}
    keys = rows[0].keys()
    out = {k: round(sum(r[k] for r in rows) / len(rows), 4) for k in keys}
    out["n"] = len(rows)
    return out


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    pos = (len(s) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def latency(values_ms: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(median(values_ms), 1) if values_ms else 0.0,
        "p95_ms": round(percentile(values_ms, 0.95), 1),
        "n": len(values_ms),
    }
