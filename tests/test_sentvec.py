"""The support check's sentence vectors: our wording encoded once, the person's words every time.

Plumbing with the fake encoder (tests/fake_embed.py); each test starts from an empty memo.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from fake_embed import FakeEmbedder
from yuqi.answer import known, sentvec
from yuqi.answer.support import AUTO, repair
from yuqi.answer.types import Passage
from yuqi.documents import Chunk
from yuqi.embed import Embedder, EmbeddingCache, cache_path, query_key
from yuqi.textnorm import normalize_for_search

ROOT = Path(__file__).resolve().parent.parent

ADVICE = "登录中国人民银行征信中心（www.pbccrc.org.cn）查询本人信用报告，发现错误可提出征信异议"
HOTLINE = "可拨打96110咨询反诈"
MESSAGE = "您有一张法院传票，请尽快联系领取，如需人工咨询请按9"
HEAD = "信息让你“按9”，法院传票不会用语音群呼送达"


class Counting(FakeEmbedder):
    """The fake encoder, recording each forward pass (one encode_queries call) and its texts."""

    def __init__(self, fingerprint: str = "fake-hash-64|v1"):
        super().__init__()
        self._fp = fingerprint
        self.passes: list[list[str]] = []

    @property
    def fingerprint(self) -> str:
        return self._fp

    def encode_queries(self, texts):
        self.passes.append(list(texts))
        return super().encode_queries(texts)


@pytest.fixture(autouse=True)
def empty_memo():
    sentvec.forget()
    yield
    sentvec.forget()


def passages(encoder) -> list[Passage]:
    texts = ["征信中心提供个人信用报告查询服务，信息主体认为有错误的，可以提出异议。", "反诈专线96110接受咨询。"]
    vecs = encoder.encode_passages(texts)
    return [Passage(i + 1, Chunk(chunk_id=f"d{i}:0", ref=f"d{i}", doc_id=f"d{i}", title="资料", kind="article", text=t,
                                 path="a.md", start=0, end=len(t)), vec=vecs[i]) for i, t in enumerate(texts)]


def near(encoder, *sentences: str) -> Passage:
    """A passage sharing part of each sentence's wording: above the lexical floor, under the lexical
    bar, so the support check must weigh each sentence by meaning (below the floor it embeds none)."""
    from yuqi.answer.support import grams

    parts = []
    for s in sentences:
        g = grams(s)
        cut = next(i for i in range(1, len(s) + 1) if len(grams(s[:i]) & g) / len(g) >= 0.35)
        parts.append(s[:cut])
    text = "；".join(parts)
    return Passage(3, Chunk(chunk_id="n:0", ref="n", doc_id="n", title="资料", kind="article", text=text, path="a.md",
                            start=0, end=len(text)), vec=encoder.encode_passages([text])[0])


def test_known_sentences_are_not_encoded_again_and_a_changed_one_is():
    enc = Counting()
    first = sentvec.sentence_vectors(enc, [ADVICE, HOTLINE])
    again = sentvec.sentence_vectors(enc, [HOTLINE, ADVICE])
    assert enc.passes == [[ADVICE, HOTLINE]]  # one pass for both, none the second time
    assert np.array_equal(again, first[::-1])
    changed = ADVICE.replace("征信异议", "更正申请")
    out = sentvec.sentence_vectors(enc, [ADVICE, changed])
    assert enc.passes[1:] == [[changed]]
    assert np.allclose(out[1], enc._encode([changed])[0]) and not np.allclose(out[1], out[0])


def test_vectors_of_one_model_are_never_read_for_another():
    a, b = Counting("model-a|1"), Counting("model-b|1")
    sentvec.sentence_vectors(a, [ADVICE])
    sentvec.sentence_vectors(b, [ADVICE])
    assert b.passes == [[ADVICE]]


def test_an_encoder_that_cannot_name_its_model_keeps_nothing():
    class Bare:
        def __init__(self):
            self.inner, self.calls = FakeEmbedder(), 0

        def encode_queries(self, texts):
            self.calls += 1
            return self.inner.encode_queries(texts)

    enc = Bare()
    sentvec.sentence_vectors(enc, [ADVICE])
    sentvec.sentence_vectors(enc, [ADVICE])
    assert enc.calls == 2


def test_a_sentence_quoting_the_person_is_encoded_every_time():
    enc = Counting()
    for _ in range(2):
        sentvec.sentence_vectors(enc, [HEAD, ADVICE], own=MESSAGE)
    assert enc.passes == [[HEAD, ADVICE], [HEAD]]
    # a long run of their words without quotation marks counts too; without their text any quotation does
    assert sentvec.carries_own_words("对方说请尽快联系领取，这不是法院的做法", MESSAGE)
    assert not sentvec.carries_own_words(ADVICE, MESSAGE)
    assert sentvec.carries_own_words("信息里“冻结”：冻结只能由法院裁定", None)
    assert not sentvec.carries_own_words("以“免息延期”招揽付费代理", MESSAGE)


def test_an_answer_of_known_sentences_costs_no_forward_pass_in_the_support_check():
    enc = Counting()
    ps = [*passages(enc), near(enc, ADVICE, HOTLINE, "保存短信作为证据", HEAD)]
    text = f"**{ADVICE}**{AUTO}\n- {HOTLINE}{AUTO}\n- 保存短信作为证据{AUTO}"
    first = repair(text, ps, enc, MESSAGE)
    assert len(enc.passes) == 1 and len(enc.passes[0]) == 3  # all new sentences in one pass
    second = repair(text, ps, enc, "另一条信息")
    assert len(enc.passes) == 1 and second == first  # same result, nothing encoded
    quoting = f"**{HEAD}**{AUTO}\n" + text
    repair(quoting, ps, enc, MESSAGE)
    assert enc.passes[1:] == [["**" + HEAD + "**"]]  # only the sentence with the person's words


def test_the_support_result_is_the_same_with_the_memo_as_without():
    enc = Counting()
    ps = passages(enc)
    text = f"{ADVICE}{AUTO}。{HOTLINE}[1]。今天天气很好{AUTO}。"
    cold = repair(text, ps, enc, MESSAGE)
    warm = repair(text, ps, enc, MESSAGE)
    sentvec.forget()
    plain = repair(text, ps, Counting(), MESSAGE)
    assert cold == warm == plain


class Stored(Counting):
    """A counting fake that reads ingest's store the way the real Embedder does."""

    known_queries = Embedder.known_queries

    def __init__(self, cache_dir, fingerprint: str = "fake-hash-64|v1"):
        super().__init__(fingerprint)
        self.cache_dir, self._lock, self._known = cache_dir, threading.Lock(), None


def test_ingest_stores_our_wording_once_per_model_and_answers_read_it(tmp_path):
    writer = Counting()
    cache = EmbeddingCache(cache_path(tmp_path), query_key(writer.fingerprint))
    listed = known.sentences(ROOT / "corpus" / "cases")
    assert normalize_for_search(f"- {ADVICE}") in listed  # an advice line as the answer lists it
    assert known.store(writer, cache, ROOT / "corpus" / "cases") == len(listed)
    assert known.store(writer, cache, ROOT / "corpus" / "cases") == 0  # a rebuild encodes nothing
    cache.close()
    reader = Stored(tmp_path)
    head = "**结论：这很可能是诈骗：信息让你“按9”，法院传票不会用语音群呼送达。**"
    text = f"{head}{AUTO}\n- {ADVICE}{AUTO}"
    repair(text, [*passages(reader), near(reader, ADVICE, head)], reader, MESSAGE)
    assert reader.passes == [[head]]  # the advice line came from the store
    other = Stored(tmp_path, "another-model|1")
    repair(text, [*passages(other), near(other, ADVICE, head)], other, MESSAGE)
    assert len(other.passes) == 1 and len(other.passes[0]) == 2  # another model reads none of it


def test_our_wording_lists_no_pattern_or_template():
    listed = known.sentences()
    assert listed and not any("{" in s or "(?" in s or "[^" in s for s in listed)


def test_a_repeated_answer_encodes_only_the_persons_words(tmp_path):
    """Built with the fake encoder: asked again, the answer runs the model on the question alone (the
    analysis and the search; the fake keeps no memo of recent queries, the real one does), and on
    nothing of ours: the wording, the headline and the article sentences the first answer encoded."""
    from conftest import small_index
    from yuqi.answer import answer
    from yuqi.service import Service

    enc = Stored(tmp_path / "cache")
    settings = small_index(tmp_path, enc, ("中华人民共和国民法典",), with_articles=True, cache_dir=tmp_path / "cache")
    service, question = Service(settings, enc), "征信报告上的记录有错误，怎么申请更正"
    first = answer(service, question, settings=settings)
    enc.passes.clear()
    again = answer(service, question, settings=settings)
    texts = [t for p in enc.passes for t in p]
    assert texts and all(question in t for t in texts), enc.passes
    assert again.text == first.text and again.support == first.support


def test_a_lone_surrogate_is_keyed_as_the_model_reads_it():
    """Chat input may carry a lone surrogate; hashing it as UTF-8 raised inside the offline answer."""
    from yuqi.normalizer import scrub

    class Scrubbing(Counting):  # the real Embedder scrubs before its tokenizer; the fake does not
        def encode_queries(self, texts):
            return super().encode_queries([scrub(t) for t in texts])

    enc = Scrubbing()
    out = sentvec.sentence_vectors(enc, ["是真的吗\udfff", "是真的吗\ufffd"])
    assert out.shape[0] == 2 and np.allclose(out[0], out[1])
