"""Retrieval and offline-answer latency over the eval queries, on a loaded index."""

from __future__ import annotations

import time

from bench.common import pctl
from yuqi.settings import ROOT

MODES = ("dense", "bm25", "hybrid", "rrf+expansion", "hybrid+expansion")


def eval_queries() -> list[str]:
    from eval.sets import load_items

    return [it.query for path in sorted((ROOT / "eval").glob("*.jsonl")) for it in load_items(path)]


def retrieval_ms(retriever, queries: list[str], modes=MODES) -> dict[str, dict[str, float]]:
    """p50/p95 per mode; the message analysis (which feeds +expansion) is not timed.

    Modes take turns on each query, so a burst of other work on the machine hits
    them all alike instead of skewing whichever mode happened to be running.
    """
    from yuqi.analysis import analyze

    analyses = [analyze(q) for q in queries]
    for m in modes:  # first calls load lazy state (tokenizer, jieba dictionary)
        retriever.search(queries[0], k=10, mode=m, expansion=analyses[0].expansion, boost=analyses[0].refs)
    times: dict[str, list[float]] = {m: [] for m in modes}
    for q, a in zip(queries, analyses):
        for m in modes:
            forget(retriever.embedder)  # each mode pays its own encoding, as a first query would
            t0 = time.perf_counter()
            retriever.search(q, k=10, mode=m, expansion=a.expansion, boost=a.refs)
            times[m].append((time.perf_counter() - t0) * 1000)
    return {m: {"p50": pctl(t, 50), "p95": pctl(t, 95), "n": len(t)} for m, t in times.items()}


def analysis_retrieval_ms(service, queries: list[str]) -> dict[str, float]:
    """Message analysis (rules and the semantic layer, with the loaded model) plus the app's search,
    the query encoded once: what stands between a pasted message and its passages."""
    from yuqi.answer.prepare import analyse, search

    retriever = service.retriever()

    def one(q: str) -> None:
        search(retriever, q, analyse(q, None, retriever.embedder))

    return _timed(one, queries, retriever.embedder)


def answer_ms(service, queries: list[str]) -> dict[str, float]:
    """The front door end to end (analysis, retrieval, offline answer, checks), as the app runs it
    without an LLM; declined questions get the decline, as in the app."""
    from yuqi.answer import answer

    settings = service.settings.with_(llm_model="", llm_api_key="", llm_base_url="")
    embedder = service.retriever().embedder

    def one(q: str) -> None:
        answer(service, q, settings=settings)

    with Passes(embedder) as passes:
        out = _timed(one, queries, embedder)
    out["passes"] = passes.n / (len(queries) + 1)  # the warm-up answer is counted too
    return out


class Passes:
    """Counts the model's forward passes (calls of the embedder's `_encode`, yuqi/embed.py) in a block."""

    def __init__(self, embedder):
        self.embedder, self.n = embedder, 0

    def __enter__(self) -> "Passes":
        inner = getattr(self.embedder, "_encode", None)
        if inner is not None:
            def counted(*args, **kw):
                self.n += 1
                return inner(*args, **kw)

            self.embedder._encode = counted  # an instance attribute over the method, removed on exit
        return self

    def __exit__(self, *exc) -> None:
        vars(self.embedder).pop("_encode", None)


def encode_ms(service, queries: list[str]) -> dict[str, float]:
    """One query encoding (the unit the answer's cost is read against: issue 22 asks ≤ 3×)."""
    from yuqi.textnorm import normalize_for_search

    embedder = service.retriever().embedder
    return _timed(lambda q: embedder.encode_queries([normalize_for_search(q)]), queries, embedder)


def forget(embedder) -> None:
    """Drop the embedder's memo of recent query vectors (yuqi/embed.py), so a timing includes the encoding."""
    recent = getattr(embedder, "_recent", None)
    if recent is not None:
        recent.clear()


def _timed(one, queries: list[str], embedder=None) -> dict[str, float]:
    """p50/p95 of `one` over the queries, after one warm-up call (lazy imports, prototype vectors)."""
    one(queries[0])
    times = []
    for q in queries:
        forget(embedder)
        t0 = time.perf_counter()
        one(q)
        times.append((time.perf_counter() - t0) * 1000)
    return {"p50": pctl(times, 50), "p95": pctl(times, 95), "n": len(times)}
