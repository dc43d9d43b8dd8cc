"""LLM-judged faithfulness (eval --llm) against a real local OpenAI-compatible server."""

from __future__ import annotations

from eval.judge import cited_sentences, faithfulness
from fake_openai import FakeOpenAI


def test_cited_sentences_split_an_answer_by_its_markers():
    got = cited_sentences("催收骚扰违法[1][3]。可以报警。依据第五十条[2]！")
    assert got == [("催收骚扰违法。", [1, 3]), ("依据第五十条！", [2])]


def test_faithfulness_asks_the_judge_once_per_cited_sentence(built):
    settings, service = built
    r = service.retriever()
    refs = [c.ref for c in r.chunks[:2]]
    rows = [{"answer": "第一句有依据[1]。第二句也有[2]。没有标注的句子不评。", "passages": refs}]
    verdicts = iter(["支持", "不支持"])
    with FakeOpenAI(lambda body: next(verdicts)) as fake:
        s = settings.with_(llm_base_url=fake.base_url, llm_model="fake-model", llm_timeout=5.0)
        result = faithfulness(rows, r, s)
        asked = [b["messages"][-1]["content"] for b in fake.requests]
    assert result == {"sentences": 2, "supported": 1, "score": 0.5, "errors": 0}
    assert "第一句有依据" in asked[0] and r.chunks[0].text[:20] in asked[0]
