"""Support rate of cited sentences: is every [n] true to its passage?

Per answer (`support_row`): the markers the composer or LLM wrote and how many
the support check found supported (raw), how many it moved or removed, and the
cited claims of the shown answer with their support. `support_metrics` sums
them for metrics.json; `format_support` is the report table's line.
`python -m eval.support RESULTS.jsonl` re-scores a saved run (e.g. one made
before the check existed) with the same check.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def support_row(answer) -> dict:
    s = answer.support_stats
    shown = answer.support
    return {"raw_markers": s.raw_markers, "raw_supported": s.raw_supported, "moved": s.moved, "removed": s.removed,
            "added": s.added, "claims": len(shown), "supported": sum(x.supported for x in shown)}


def support_metrics(rows: list[dict]) -> dict:
    keys = ("raw_markers", "raw_supported", "moved", "removed", "added", "claims", "supported")
    tot = {k: sum(r.get("support", {}).get(k, 0) for r in rows) for k in keys}
    tot["rate"] = round(tot["supported"] / tot["claims"], 4) if tot["claims"] else 1.0
    tot["raw_rate"] = round(tot["raw_supported"] / tot["raw_markers"], 4) if tot["raw_markers"] else 1.0
    tot["answers_with_markers"] = sum(1 for r in rows if r.get("support", {}).get("claims"))
    return tot


def format_support(metrics: dict) -> str:
    s = metrics.get("support")
    if not s:
        return ""
    return (f"support of cited sentences: {s['rate']:.3f} ({s['supported']}/{s['claims']} shown claims); "
            f"as written {s['raw_rate']:.3f} ({s['raw_supported']}/{s['raw_markers']} markers), "
            f"moved {s['moved']}, removed {s['removed']}, product wording cited {s['added']}")


def rescore(results: Path, retriever) -> dict:
    """The same check on a saved results.jsonl, without repairing anything. Runs saved before
    `passage_ids` existed name an article passage by its document: any chunk of it may support."""
    from yuqi.answer.prepare import with_vectors
    from yuqi.answer.support import Scorer, claims
    from yuqi.answer.types import Passage

    by_id = {c.chunk_id: c for c in retriever.chunks}
    total = ok = 0
    for line in results.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if not row.get("answer"):
            continue
        groups = [[i] for i in row["passage_ids"]] if row.get("passage_ids") else _doc_chunks(row.get("passages", []), retriever)
        flat = [(n, cid) for n, ids in enumerate(groups, 1) for cid in ids if cid in by_id]
        passages = with_vectors([Passage(k, by_id[cid]) for k, (_, cid) in enumerate(flat, 1)], retriever)
        owner = {k: n for k, (n, _) in enumerate(flat, 1)}
        found = [c for c in claims(row["answer"]) if c.numbers]
        cited = [tuple(k for k, n in owner.items() if n in c.numbers) for c in found]
        table = Scorer(passages, retriever.embedder).judge([row["answer"][c.start:c.end] for c in found], cited)
        for c, judged in zip(found, table):
            for n in c.numbers:
                total += 1
                ok += any(judged[k].supported for k, m in owner.items() if m == n)
    return {"markers": total, "supported": ok, "rate": round(ok / total, 4) if total else 1.0}


def _doc_chunks(refs: list[str], retriever) -> list[list[str]]:
    return [[retriever.chunks[i].chunk_id for i in retriever.index.by_ref.get(r, [])] for r in refs]


if __name__ == "__main__":
    from yuqi.service import Service
    from yuqi.settings import get_settings

    print(json.dumps(rescore(Path(sys.argv[1]), Service(get_settings()).retriever()), ensure_ascii=False))
