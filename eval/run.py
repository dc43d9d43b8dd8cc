"""One eval run: retrieval under every configuration, then the answer path."""

from __future__ import annotations

import time
from pathlib import Path

from tqdm import tqdm

from eval.answers import answer_metrics, run_answers
from eval.metrics import item_metrics
from eval.runner import (
    MAIN, known_refs, missing_gold, modes_for, retrieval_by_set, retrieval_table, run_retrieval,
)
from eval.sets import load_sets
from yuqi.settings import Settings


def evaluate(
    sets: list[Path], settings: Settings, use_llm: bool = False, answers: bool = True, service=None
) -> tuple[dict, list[dict]]:
    """`service` (or a function returning one) lets the app's eval page reuse its loaded model
    and index instead of loading a second copy."""
    from yuqi.service import Service

    items = load_sets(sets)  # strict: a bad line is one clear error before anything runs
    if not items:
        from eval.runner import BadEvalFile

        raise BadEvalFile("the eval sets contain no items")
    if callable(service):
        service = service()
    if service is None:
        service = Service(settings)
        service.ensure_index()
    retriever = service.retriever()
    known = known_refs(retriever)
    modes = modes_for(retriever)
    with tqdm(total=len(items) * (2 if answers else 1), desc="eval", unit="item", file=_stderr()) as bar:
        by_mode = run_retrieval(items, retriever, modes, bar.update)
        rows = run_answers(items, service, use_llm, bar.update) if answers else []
    metrics = {
        "created_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "sets": [s.name for s in sets], "n_items": len(items), "main_mode": MAIN,
        "configuration": _config(settings, retriever, use_llm),
        "retrieval": retrieval_table(items, by_mode, known),
        "retrieval_by_set": retrieval_by_set(items, by_mode, known),
        "missing_gold": missing_gold(items, known),
    }
    if rows:
        metrics.update(answer_metrics(items, rows))
        if use_llm and settings.llm_enabled:
            from eval.judge import faithfulness

            metrics["faithfulness"] = faithfulness(rows, retriever, settings)
    return metrics, _results(items, by_mode[MAIN].ranked, rows, known)


def _stderr():
    import sys

    return sys.stderr


def _config(settings: Settings, retriever, use_llm: bool) -> dict:
    m = retriever.index.manifest
    return {
        "embed_model": m.embed_model, "dim": m.dim, "chunk_size": m.chunk_size, "chunk_overlap": m.chunk_overlap,
        "index_build": retriever.index.build_id, "corpus_hash": m.corpus_hash, "counts": m.counts,
        "retrieval": MAIN, "reranker": settings.reranker or None,
        "llm": settings.llm_model if (use_llm and settings.llm_enabled) else None,
    }


def _results(items, ranked: dict, rows: list[dict], known: set[str]) -> list[dict]:
    by_id = {r["id"]: r for r in rows}
    out = []
    for it in items:
        gold = [g for g in it.gold if g in known]
        scores = item_metrics(gold, ranked[it.id]) if gold else {}
        row = {
            "id": it.id, "set": it.set, "query": it.query, "gold": it.gold,
            "retrieved": [ref for ref, _ in ranked[it.id]],
            "missing_gold": [g for g in it.gold if g not in known],
            **scores,
            "gold_threats": it.threats, "gold_verdict": it.verdict if it.has_verdict else None,
        }
        a = by_id.get(it.id)
        if a:
            row.update({k: a[k] for k in ("threats", "verdict", "answer", "citations", "declined", "used_llm", "latency_ms", "passages", "passage_ids", "support", "texts")})
        out.append(row)
    return out
