"""Answer-level evaluation: threats, verdicts, citation validity, declines, latency."""

from __future__ import annotations

import time

from eval.metrics import latency


def run_answers(items, service, use_llm: bool, progress=None) -> list[dict]:
    from eval.support import support_row
    from yuqi.analysis.similar import hidden_from_bank
    from yuqi.answer import answer as ask_answer
    from yuqi.citations.ground import citation_validity

    settings = service.settings if use_llm else service.settings.with_(llm_model="", llm_api_key="", llm_base_url="")
    rows = []
    for item in items:
        t0 = time.perf_counter()
        # The front door the chat page uses; a bank case from the item's own page (or the same text) is hidden,
        # so a dev item in the bank is not judged on its own label.
        with hidden_from_bank(getattr(item, "source", ""), item.query):
            answer = ask_answer(service, item.query, settings=settings)
        prepared = answer.prepared
        ms = (time.perf_counter() - t0) * 1000
        rows.append({
            "id": item.id, "answer": answer.text, "used_llm": answer.used_llm, "notice": answer.notice,
            "threats": list(prepared.analysis.threats), "verdict": prepared.analysis.verdict,
            "declined": prepared.declined, "latency_ms": round(ms, 1),
            "citations": [
                {"raw": r.citation.raw, "ref": r.citation.ref, "status": r.status, "current_ref": r.current_ref,
                 "grounded": (r.citation.ref in prepared.allowed) if r.citation.ref else False}
                for r in answer.checks
            ],
            "citation_validity": citation_validity(answer),
            "passages": [p.chunk.ref for p in prepared.passages],
            "passage_ids": [p.chunk.chunk_id for p in prepared.passages],
            "support": support_row(answer),
            # the copyable texts the page offers (to whom, what), so their addressing can be checked on any set
            "texts": [{"title": t.title, "body": t.body} for t in answer.texts],
        })
        if progress:
            progress()
    return rows


def answer_metrics(items, rows: list[dict]) -> dict:
    from eval.support import support_metrics
    from yuqi.analysis.score import threat_scores, verdict_scores

    by_id = {r["id"]: r for r in rows}
    threat_pairs = [(i.threats, by_id[i.id]["threats"]) for i in items if i.threats is not None]
    verdict_pairs = [(i.verdict, by_id[i.id]["verdict"]) for i in items if i.has_verdict]
    cites = {"answers": len(rows), "total": 0, "invalid": 0, "not_found": 0, "outdated": 0, "ungrounded": 0,
             "flagged": 0, "bad_markers": 0}
    for r in rows:
        for k, v in r["citation_validity"].items():
            cites[k] = cites.get(k, 0) + v
    return {
        "threats": threat_scores(threat_pairs) if threat_pairs else None,
        "verdict": verdict_scores(verdict_pairs) if verdict_pairs else None,
        "citations": cites,
        "declined": {"n": sum(r["declined"] for r in rows), "share": round(sum(r["declined"] for r in rows) / max(len(rows), 1), 4)},
        "answer_latency": latency([r["latency_ms"] for r in rows]),
        "used_llm": any(r["used_llm"] for r in rows),
        "support": support_metrics(rows),
    }
