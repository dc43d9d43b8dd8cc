"""Caches of the offline answer's corpus-side work (yuqi/answer/support.py, basis.py): keyed by the
text itself, so a changed passage or article is read afresh, and the support check embeds only
sentences whose outcome a cosine could change. No model: the fake encoder counts its passes."""

from __future__ import annotations

from fake_embed import FakeEmbedder
from yuqi.answer import sentvec
from yuqi.answer.basis import key_sentences
from yuqi.answer.support import AUTO, lexical, repair
from yuqi.answer.types import Passage
from yuqi.documents import Chunk


def passage(text: str, n: int = 1, encoder=None) -> Passage:
    vec = encoder.encode_passages([text])[0] if encoder is not None else None
    return Passage(n, Chunk(chunk_id="d:0", ref="d", doc_id="d", title="资料", kind="article", text=text, path="a.md",
                            start=0, end=len(text)), vec=vec)


class Counting(FakeEmbedder):
    def __init__(self):
        super().__init__()
        self.passes: list[list[str]] = []

    @property
    def fingerprint(self) -> str:
        return "fake-hash-64|caches"

    def encode_queries(self, texts):
        self.passes.append(list(texts))
        return super().encode_queries(texts)


def test_a_passage_whose_text_changed_is_scored_on_its_new_text():
    claim = "催收不得向借款人以外的人透露欠款信息"
    old = passage("天气预报说明天有雨，出门记得带伞。")
    assert lexical(claim, old) == 0.0
    new = passage("催收不得向借款人以外的人透露欠款信息。")  # same chunk id, ref and label
    assert lexical(claim, new) == 1.0
    assert lexical(claim, old) == 0.0


def test_an_article_whose_text_changed_is_quoted_at_its_new_best_sentence():
    question = "催收打电话给我同事合法吗"
    first = "出借人应当按照约定提供借款，不得预先扣除利息。借款人应当按照约定的期限返还借款，逾期应当支付利息。"
    assert key_sentences(first, question, 1) == ["出借人应当按照约定提供借款，不得预先扣除利息。"]
    changed = "出借人应当按照约定提供借款，不得预先扣除利息。催收不得骚扰借款人的同事，不得打电话威胁。"
    assert key_sentences(changed, question, 1) == ["催收不得骚扰借款人的同事，不得打电话威胁。"]


def test_a_sentence_no_passage_reaches_the_floor_of_is_not_embedded_and_nothing_else_changes():
    sentvec.forget()
    enc = Counting()
    ps = [passage("征信中心提供个人信用报告查询服务，信息主体认为有错误的，可以提出异议。", 1, enc)]
    far = f"保存催收短信和通话录音作为证据{AUTO}"  # shares no bigram with the passage
    with_model = repair(far, ps, enc, "一条信息")
    assert enc.passes == []
    assert with_model == repair(far, ps, None, "一条信息")
    near = f"可以查询个人信用报告，认为有错误的可以申请更正{AUTO}"  # above the floor, under the bar: weighed by meaning
    repair(near, ps, enc, "一条信息")
    assert len(enc.passes) == 1
    sentvec.forget()
