"""Run items through every retrieval configuration and the full answer path."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from eval.metrics import item_metrics, latency, mean_metrics, unique_ranked
from yuqi.errors import YuqiError

MAIN = "hybrid+expansion"  # what the app uses; the README says why, from these numbers


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


class BadEvalFile(YuqiError):
    pass


def load_items(path: Path) -> list[Item]:
    items: list[Item] = []
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise BadEvalFile(f"cannot read eval set {path}: {exc}") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            items.append(Item(
                id=str(d["id"]), query=str(d["query"]), gold=[str(g) for g in d.get("gold") or []],
                threats=list(d["threats"]) if d.get("threats") is not None else None,
                verdict=d.get("verdict"), has_verdict="verdict" in d, set=path.stem, topic=d.get("topic", ""),
            ))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise BadEvalFile(f"{path}:{n}: not an eval item ({exc}); expected {{\"id\", \"query\", \"gold\"}}") from None
    return items


def modes_for(retriever) -> list[str]:
    modes = ["bm25", "dense", "hybrid", "hybrid+expansion"]
    return modes + (["hybrid+rerank"] if retriever.reranker else [])


def known_refs(retriever) -> set[str]:
    return {c.ref for c in retriever.chunks} | {c.doc_id for c in retriever.chunks}


@dataclass
class ModeResult:
    ranked: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    ms: list[float] = field(default_factory=list)


def run_retrieval(items: list[Item], retriever, modes: list[str], progress=None) -> dict[str, ModeResult]:
    from yuqi.analysis import analyze

    out = {m: ModeResult() for m in modes}
    for item in items:
        analysis = analyze(item.query)
        for m in modes:
            t0 = time.perf_counter()
            hits = retriever.search(item.query, k=30, mode=m, expansion=analysis.expansion, boost=analysis.refs)
            out[m].ms.append((time.perf_counter() - t0) * 1000)
            out[m].ranked[item.id] = unique_ranked([(h.chunk.ref, h.chunk.doc_id) for h in hits], 10)
        if progress:
            progress()
    return out


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


def missing_gold(items: list[Item], known: set[str]) -> dict[str, list[str]]:
    return {i.id: [g for g in i.gold if g not in known] for i in items if any(g not in known for g in i.gold)}
