"""Several sessions asking while an ingest swaps the index: one complete build per answer."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest

from conftest import small_index
from ingest.pipeline import add
from yuqi.answer import offline_answer, prepare
from yuqi.service import Service

QUESTIONS = ["催收骚扰我的家人违法吗", "泄露我的通讯录合法吗", "网贷逾期第二天就发短信，合法吗？", "收到律师函怎么办"]


@pytest.fixture()
def small(tmp_path, fake_embedder):
    laws = ("中华人民共和国个人信息保护法", "中华人民共和国治安管理处罚法")
    settings = small_index(tmp_path, fake_embedder, laws, with_articles=True)
    return settings, Service(settings, fake_embedder)


def test_answers_during_an_ingest_each_come_from_one_complete_build(small, tmp_path):
    settings, service = small
    first = service.retriever()
    errors: list[BaseException] = []
    seen_builds: set[str] = set()
    stop = threading.Event()

    def session(q: str) -> None:
        while not stop.is_set():
            try:
                r = service.retriever()
                prepared = prepare(q, r, settings)
                answer = offline_answer(prepared, settings)
                ids = {c.chunk_id for c in r.chunks}
                assert all(p.chunk.chunk_id in ids for p in answer.passages)
                seen_builds.add(r.index.build_id)
                stop.wait(0.05)  # a person reads between questions; nonstop asking starved the ingest of the GIL
            except BaseException as err:  # noqa: BLE001 - collected and re-raised below
                errors.append(err)
                return

    threads = [threading.Thread(target=session, args=(q,)) for q in QUESTIONS]
    for t in threads:
        t.start()
    doc = tmp_path / "new_rule.md"
    doc.write_text("# 测试催收管理办法\n\n第一条 催收人员不得在晚上十点以后拨打借款人电话。\n", encoding="utf-8")
    report = add([doc], settings, service.embedder)
    new = service.retriever()
    stop.set()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[0]
    assert report.added == ["测试催收管理办法"]
    assert new.index.build_id == report.build_id != first.index.build_id
    assert "测试催收管理办法#第一条" in new.index.by_ref
    assert first.index.build_id in seen_builds


def test_one_model_and_one_index_in_memory(small):
    settings, service = small
    a, b = service.retriever(), service.retriever()
    assert a is b and a.embedder is service.embedder
    ref = weakref.ref(a.index)
    doc = settings.corpus_dir / "user"
    doc.mkdir(exist_ok=True)
    extra = doc.parent / "extra.md"
    extra.write_text("# 测试规定\n\n第一条 测试条文内容足够长。\n", encoding="utf-8")
    add([extra], settings, service.embedder)
    c = service.retriever()
    assert c is not a and c.embedder is a.embedder  # the model is shared across builds
    del a, b
    gc.collect()
    assert ref() is None  # the old build is released once nobody answers from it
