"""Run items through every retrieval configuration and the full answer path."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field

from eval.metrics import item_metrics, latency, mean_metrics, unique_ranked
from yuqi.errors import YuqiError

MAIN = "hybrid+expansion"  # what the app uses; the README says why, from these numbers
HALVES = ("tune", "held-out")


@dataclass
class Item:
    id: str
    query: str
    gold: list[str]
    threats: list[str] | None = None
    verdict: str | None = None
    has_verdict: bool = False
    set: str = ""
    topic: str = ""
    source: str = ""


class BadEvalFile(YuqiError):
    pass


def modes_for(retriever) -> list[str]:
    # rrf+expansion is the app's previous mode (equal-weight RRF), kept as a baseline.
    modes = ["bm25", "dense", "hybrid", "rrf+expansion", "hybrid+expansion"]
    return modes + (["hybrid+rerank"] if retriever.reranker else [])


def known_refs(retriever) -> set[str]:
    return {c.ref for c in retriever.chunks} | {c.doc_id for c in retriever.chunks}


@dataclass
class ModeResult:
    ranked: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    ms: list[float] = field(default_factory=list)


def run_retrieval(items: list[Item], retriever, modes: list[str], progress=None) -> dict[str, ModeResult]:
    from yuqi.analysis import analyze
    from yuqi.analysis.similar import hidden_from_bank

    out = {m: ModeResult() for m in modes}
    for item in items:
        # The analysis the app makes (its learned layer points retrieval at the statutes of the nearest real
        # cases); the item's own page and text are hidden from the bank, as in the answers' run.
        with hidden_from_bank(getattr(item, "source", ""), item.query):
            analysis = analyze(item.query, encoder=getattr(retriever, "embedder", None))
        t0 = time.perf_counter()
        # Encoded once per item, as the answer path does; its time is charged to every mode using it.
        vec = retriever.encode(item.query)
        encode_ms = (time.perf_counter() - t0) * 1000
        scorer = retriever.with_adapter(unseen_adapter(retriever, item))
        for m in modes:
            t0 = time.perf_counter()
            hits = scorer.search(item.query, k=30, mode=m, expansion=analysis.expansion, boost=analysis.refs,
                                 query_vec=None if m == "bm25" else vec)
            out[m].ms.append((time.perf_counter() - t0) * 1000 + (0.0 if m == "bm25" else encode_ms))
            out[m].ranked[item.id] = unique_ranked([(h.chunk.ref, h.chunk.doc_id) for h in hits], 10)
        if progress:
            progress()
    return out


def unseen_adapter(retriever, item: Item):
    """The query adapter to score `item` with: for a dev set's item, the map fitted without its half."""
    served = getattr(retriever, "adapter", None)
    return served.for_unseen(item.set, half(item)) if served is not None else None


def retrieval_table(items: list[Item], results: dict[str, ModeResult], known: set[str]) -> dict:
    table = {}
    for mode, res in results.items():
        rows = []
        for item in items:
            gold = [g for g in item.gold if g in known]
            if gold:
                rows.append(item_metrics(gold, res.ranked[item.id]))
        table[mode] = {**mean_metrics(rows), "latency": latency(res.ms)}
    return table


def retrieval_by_set(items: list[Item], results: dict[str, ModeResult], known: set[str]) -> dict[str, dict]:
    """The retrieval table per eval set; a dev set (`*_dev`) also per half, tuning and held-out."""
    groups: dict[str, list[Item]] = {}
    for it in items:
        groups.setdefault(it.set, []).append(it)
        if it.set.endswith("_dev"):
            groups.setdefault(f"{it.set} · {half(it)}", []).append(it)
    return {name: _table_rows(group, results, known) for name, group in sorted(groups.items())}


def _table_rows(items: list[Item], results: dict[str, ModeResult], known: set[str]) -> dict:
    out = {}
    for mode, res in results.items():
        rows = [item_metrics([g for g in it.gold if g in known], res.ranked[it.id])
                for it in items if any(g in known for g in it.gold)]
        out[mode] = mean_metrics(rows)
    return out


def missing_gold(items: list[Item], known: set[str]) -> dict[str, list[str]]:
    return {i.id: [g for g in i.gold if g not in known] for i in items if any(g not in known for g in i.gold)}


def source_key(item: Item) -> str:
    """What keeps related items on one side of a split: the source's web domain, else the item id.

    Several messages quote one page, or pages of one site copying each other: split by
    domain, a held-out item never shares its source with a tuning item.
    """
    m = re.search(r"https?://([^/\s]+)", item.source)
    if not m:
        return item.source.split("(")[0].strip() or item.id
    parts = m.group(1).lower().split(".")
    keep = 3 if len(parts) > 2 and parts[-2] in ("com", "gov", "org", "net", "edu") else 2
    return ".".join(parts[-keep:])


def half(item: Item) -> str:
    """"tune" or "held-out", stable across runs (a hash, not a random draw)."""
    digest = hashlib.sha1(source_key(item).encode("utf-8")).hexdigest()
    return HALVES[int(digest, 16) % 2]
