"""Feedback storage: nothing on disk until a user saves, round trip, eval export, concurrent writers."""

from __future__ import annotations

import json
import threading

import pytest

from eval.sets import load_items
from yuqi.feedback import db_path, delete_feedback, export_eval_items, list_feedback, save_feedback

Q = "催收说明天上门，是真的吗？我叫王强，电话13812345678"
STORED_Q = "催收说明天上门，是真的吗？我叫〔姓名1〕，电话〔手机号1〕"  # stored masked by default
A = "结论：夸大恐吓。依据《中华人民共和国治安管理处罚法》第五十条……"
REFS = ["中华人民共和国治安管理处罚法#第五十条", "hecha_qudao"]


def test_nothing_is_written_before_a_save(tmp_path):
    data = tmp_path / "data"
    assert list_feedback(data) == []
    assert export_eval_items(data) == ""
    assert delete_feedback(data) == 0
    assert not data.exists()  # reading created neither the directory nor the database


def test_save_and_list_round_trip(tmp_path):
    first = save_feedback(tmp_path, question=Q, answer=A, rating=1, refs=REFS, verdict="exaggerated", threats=["visit"])
    second = save_feedback(tmp_path, question="能起诉我吗", answer="……", rating=-1, reason="  没回答时效问题 ")
    assert db_path(tmp_path).is_file() and second > first
    records = list_feedback(tmp_path)
    assert [r["id"] for r in records] == [first, second]
    up, down = records
    assert (up["question"], up["answer"], up["rating"]) == (STORED_Q, A, 1)
    assert up["refs"] == REFS and up["threats"] == ["visit"] and up["verdict"] == "exaggerated"
    assert down["reason"] == "没回答时效问题" and down["refs"] == [] and down["verdict"] is None
    assert up["created_at"][:2] == "20"


@pytest.mark.parametrize("rating", [0, 2, "1", -5])
def test_rating_must_be_plus_or_minus_one(tmp_path, rating):
    with pytest.raises(ValueError):
        save_feedback(tmp_path, question=Q, answer=A, rating=rating)
    assert list_feedback(tmp_path) == []


def test_export_follows_the_eval_contract(tmp_path):
    up = save_feedback(tmp_path, question=Q, answer=A, rating=1, refs=REFS, verdict="exaggerated", threats=["visit"])
    down = save_feedback(tmp_path, question="网贷三年没还还能起诉吗", answer="……", rating=-1, reason="引用的条文不对",
                         refs=["中华人民共和国民法典#第五百六十三条"], verdict="plausible", threats=["lawsuit"])
    lines = export_eval_items(tmp_path).splitlines()
    items = [json.loads(line) for line in lines]
    assert [i["id"] for i in items] == [f"fb-{up}", f"fb-{down}"]
    good, bad = items
    assert good == {"id": f"fb-{up}", "query": STORED_Q, "gold": REFS, "threats": ["visit"], "verdict": "exaggerated"}
    assert bad["gold"] == [] and bad["note"] == "引用的条文不对"
    # a 👎 verdict is not gold: no verdict key, so the eval does not score it
    assert "verdict" not in bad and bad["threats"] is None and bad["answer_verdict"] == "plausible"
    only_bad = [json.loads(line) for line in export_eval_items(tmp_path, only_negative=True).splitlines()]
    assert [i["id"] for i in only_bad] == [f"fb-{down}"]


def test_export_loads_as_an_eval_set(tmp_path):
    save_feedback(tmp_path, question=Q, answer=A, rating=1, refs=REFS, verdict=None, threats=[])
    save_feedback(tmp_path, question="那我该怎么办", answer="……", rating=-1, reason="太笼统")
    path = tmp_path / "fb.jsonl"
    path.write_text(export_eval_items(tmp_path), encoding="utf-8")
    good, bad = load_items(path)
    assert good.gold == REFS and good.has_verdict and good.verdict is None and good.threats == []
    assert bad.gold == [] and not bad.has_verdict and bad.threats is None


def test_delete_some_or_all(tmp_path):
    ids = [save_feedback(tmp_path, question=f"问题{i}", answer="答", rating=1) for i in range(3)]
    assert delete_feedback(tmp_path, [ids[0]]) == 1
    assert [r["id"] for r in list_feedback(tmp_path)] == ids[1:]
    assert delete_feedback(tmp_path, []) == 0
    assert delete_feedback(tmp_path) == 2 and list_feedback(tmp_path) == []


def test_concurrent_writers_lose_nothing(tmp_path):
    errors: list[Exception] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                save_feedback(tmp_path, question=f"w{n}-{i}", answer="答", rating=1 if i % 2 else -1)
        except Exception as exc:  # surfaced by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    records = list_feedback(tmp_path)
    assert len(records) == 90 and len({r["id"] for r in records}) == 90
    assert {r["question"] for r in records} == {f"w{n}-{i}" for n in range(6) for i in range(15)}


# --- issue 25: personal data is not stored in clear by default ---

SECRET_Q = "我叫王小明，手机13912345678，身份证110101199003071234，催收说要上门"


def test_feedback_is_stored_masked_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("YUQI_STORE_RAW", raising=False)
    save_feedback(tmp_path, question=SECRET_Q, answer="王小明您好 ![x](http://evil.example/t.png)", rating=-1,
                  reason="我的电话13912345678")
    raw = db_path(tmp_path).read_bytes().decode("utf-8", "ignore")
    for secret in ("13912345678", "110101199003071234", "王小明", "evil.example"):
        assert secret not in raw
    rec = list_feedback(tmp_path)[0]
    assert "〔手机号1〕" in rec["question"] and "〔手机号1〕" in rec["reason"]


def test_feedback_keeps_raw_text_when_asked(tmp_path, monkeypatch):
    save_feedback(tmp_path, question=SECRET_Q, answer="答", rating=1, keep_raw=True)
    monkeypatch.setenv("YUQI_STORE_RAW", "1")
    save_feedback(tmp_path, question=SECRET_Q, answer="答", rating=1)
    assert [r["question"] for r in list_feedback(tmp_path)] == [SECRET_Q, SECRET_Q]
