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
    from yuqi.llm import complete_chat
    from yuqi.answer.llm import defuse, fill, prompt

    by_ref = {c.ref: c for c in retriever.chunks}
    supported = judged = errors = 0
    for row in rows:
        for sent, nums in cited_sentences(row["answer"]):
            if judged >= limit:
                break
            texts = [by_ref[row["passages"][n - 1]].text for n in nums if 0 < n <= len(row["passages"]) and row["passages"][n - 1] in by_ref]
            if not texts:
                continue
            msg = fill(prompt("judge.md"), {"passage": defuse("\n\n".join(texts)), "sentence": defuse(sent)})
            try:
                verdict = complete_chat([{"role": "user", "content": msg}], settings)
            except LLMError:
                errors += 1
                continue
            judged += 1
            supported += verdict.strip().startswith("支持")
    return {"sentences": judged, "supported": supported, "score": supported / judged if judged else 0.0, "errors": errors}
