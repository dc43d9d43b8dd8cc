"""The optional semantic layer: one batched encode per message, cached prototypes, exact clause spans."""

from __future__ import annotations

import numpy as np
import pytest

from yuqi.analysis import analyze
from yuqi.analysis.semantic import MAX_CLAUSES, clauses, prototypes, semantic_cues


class MarkerEncoder:
    """Plumbing fake: a text is 'near' threat_safety when it holds the marker; counts encode calls."""

    def __init__(self, marker: str):
        self.marker, self.calls, self.batches = marker, 0, []
        self.threat_rows = set(prototypes()["threat_safety"])
        self.all_rows = {t for ts in prototypes().values() for t in ts}

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.batches.append(len(texts))
        out = np.zeros((len(texts), 3), dtype=np.float32)
        for i, t in enumerate(texts):
            near = t in self.threat_rows or self.marker in t
            out[i] = (1.0, 0.0, 0.0) if near else (0.0, 1.0, 0.0) if t in self.all_rows else (0.0, 0.0, 1.0)
        return out


def test_semantic_cue_spans_the_clause_and_moves_the_verdict() -> None:
    text = "你的欠款已经逾期了，今晚让你尝尝苦头滋味，自己看着办"
    enc = MarkerEncoder("尝尝苦头")
    assert analyze(text).verdict != "illegal"  # the rule layer has no entry for this wording
    a = analyze(text, encoder=enc)
    cue = next(c for c in a.cues if c.value.startswith("semantic:"))
    assert cue.kind == "fact:threat_safety" and text[cue.start:cue.end] == cue.text == "今晚让你尝尝苦头滋味"
    assert a.verdict == "illegal" and any(cue.text in r.text for r in a.reasons)


def test_one_encode_call_per_message_and_prototypes_cached() -> None:
    enc = MarkerEncoder("不存在的标记")
    long = "，".join(f"第{i}句话内容比较长一些" for i in range(40))
    semantic_cues(long, (), enc)
    semantic_cues(long, (), enc)
    assert enc.calls == 3  # prototypes once, then one call per message
    assert enc.batches[1] == MAX_CLAUSES and len(clauses(long)) == MAX_CLAUSES


def test_no_encoder_means_rules_only_and_empty_text_costs_nothing() -> None:
    enc = MarkerEncoder("x")
    assert semantic_cues("", (), enc) == () and enc.calls == 0


@pytest.mark.model
def test_real_model_catches_a_paraphrased_disclosure_threat(embedder) -> None:
    enc = embedder
    text = "我们会让你身边所有人都知道你是个欠钱不还的人"  # no lexicon word for disclosure
    assert analyze(text).verdict is None
    a = analyze(text, encoder=enc)
    assert "contacts" in a.threats and a.verdict == "illegal"



def test_real_model_keeps_a_plain_bill_reminder_out_of_scam(embedder) -> None:
    """Was a low-confidence scam (P 0.36) until the bank held real platform reminders (round 3)."""
    plain = analyze("您好，本期账单将于3日后到期，请按时还款。", encoder=embedder)
    assert plain.verdict in (None, "plausible")


@pytest.mark.parametrize("question", ["没交物业费，物业给我家停水停电，这合法吗？", "公司拖欠工资三个月，可以去哪里投诉？",
                                      "网购的衣服质量有问题，商家不给退货怎么办？"])
def test_real_model_leaves_a_general_legal_question_without_a_verdict(embedder, question) -> None:
    """Some bank question sits within 0.88 of nearly any legal question; judged, these were scam/illegal."""
    a = analyze(question, encoder=embedder)
    assert a.verdict is None and not a.learned
