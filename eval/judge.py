"""LLM-judged faithfulness: is each cited answer sentence supported by its passage?

Kept apart from the retrieval metrics; only run with --llm and a configured LLM.
"""

from __future__ import annotations

import re

from yuqi.errors import LLMError

CITED = re.compile(r"[^。！？\n]*?\[(\d+)\][^。！？\n]*[。！？]?")


def cited_sentences(answer: str) -> list[tuple[str, list[int]]]:
    out = []
    for m in CITED.finditer(answer):
        sent = m.group(0).strip()
        nums = [int(n) for n in re.findall(r"\[(\d+)\]", sent)]
        if sent and nums:
            out.append((re.sub(r"\[\d+\]", "", sent), nums))
    return out


def faithfulness(rows: list[dict], retriever, settings, limit: int = 200) -> dict:
    """Judge each cited sentence. All sentences of one answer share one LLM deadline
    (settings.llm_deadline): a slow or dripping server costs at most that per item, not per
    sentence; sentences left when it runs out count as errors."""
    from yuqi.llm_stream import Deadline

    by_ref = {c.ref: c for c in retriever.chunks}
    counts = {"judged": 0, "supported": 0, "errors": 0}
    for row in rows:
        deadline = Deadline(settings.llm_deadline)
        for sent, nums in cited_sentences(row["answer"]):
            if counts["judged"] >= limit:
                break
            texts = [by_ref[row["passages"][n - 1]].text for n in nums if 0 < n <= len(row["passages"]) and row["passages"][n - 1] in by_ref]
            if texts:
                _judge_one(sent, texts, settings, deadline, counts)
    judged, supported = counts["judged"], counts["supported"]
    return {"sentences": judged, "supported": supported, "score": supported / judged if judged else 0.0,
            "errors": counts["errors"]}


def _judge_one(sent: str, texts: list[str], settings, deadline, counts: dict) -> None:
    from yuqi.answer.llm import defuse, fill, prompt
    from yuqi.llm import complete_chat

    if deadline.left() < 0.1:
        counts["errors"] += 1
        return
    msg = fill(prompt("judge.md"), {"passage": defuse("\n\n".join(texts)), "sentence": defuse(sent)})
    try:
        verdict = complete_chat([{"role": "user", "content": msg}], settings.with_(llm_deadline=deadline.left()))
    except LLMError:
        counts["errors"] += 1
        return
    counts["judged"] += 1
    counts["supported"] += verdict.strip().startswith("支持")
