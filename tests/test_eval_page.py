"""The eval page (AppTest over fabricated runs) and the shaping functions behind it."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from eval.report import save_run
from ui import evalviews as ev
from yuqi.errors import YuqiError
from yuqi.feedback import save_feedback

OLD, NEW = "20260101-090000", "20260102-100000"
MODES = ("bm25", "dense", "hybrid", "hybrid+expansion")


def fake_metrics(created: str, hit: float, answers: bool = True) -> dict:
    lat = {"p50_ms": 20.0, "p95_ms": 35.0, "n": 3}
    m = {
        "created_at": created, "sets": ["questions.jsonl", "sms.jsonl"], "n_items": 3, "main_mode": "hybrid+expansion",
        "configuration": {"embed_model": "builtin:multilingual-e5-small-q4", "index_build": "b1"},
        "retrieval": {mode: {"hit@5": hit - 0.1 * (3 - i), "recall@10": 0.5, "mrr@10": 0.6, "ndcg@10": 0.55,
                             "n": 3, "latency": lat} for i, mode in enumerate(MODES)},
        "missing_gold": {},
    }
    if answers:
        m |= {
            "threats": {"per_type": {"lawsuit": {"precision": 1.0, "recall": 0.5, "f1": 0.667, "support": 2},
                                     "visit": {"precision": 0.5, "recall": 1.0, "f1": 0.667, "support": 1}},
                        "micro": {"precision": 0.75, "recall": 0.667, "f1": 0.706}},
            "verdict": {"accuracy": 0.5, "n": 2, "labels": ["scam", "plausible", "none"],
                        "confusion": {"scam": {"scam": 1, "plausible": 0, "none": 0},
                                      "plausible": {"scam": 1, "plausible": 0, "none": 0},
                                      "none": {"scam": 0, "plausible": 0, "none": 0}}},
            "citations": {"answers": 3, "total": 8, "invalid": 2, "not_found": 1, "outdated": 1, "ungrounded": 0,
                          "bad_markers": 0},
            "declined": {"n": 1, "share": 0.3333}, "answer_latency": {"p50_ms": 120.0, "p95_ms": 250.0, "n": 3},
            "used_llm": False,
        }
    return m


def row(iid: str, hit: float | None, verdict=None, gold_verdict=None, threats=(), gold_threats=None, **extra) -> dict:
    r = {"id": iid, "set": "sms", "query": f"{iid} 催收说要起诉我", "gold": ["中华人民共和国民法典#第一百八十八条"],
         "retrieved": ["hecha_qudao", "中华人民共和国民法典#第一百八十八条"], "missing_gold": [],
         "gold_threats": gold_threats, "gold_verdict": gold_verdict, "threats": list(threats), "verdict": verdict,
         "answer": f"回答 {iid}", "citations": [], "declined": False, "used_llm": False, "latency_ms": 100.0}
    if hit is not None:
        r |= {"hit@5": hit, "recall@10": hit, "mrr@10": hit, "ndcg@10": hit}
    return r | extra


RESULTS = [
    row("ok-1", 1.0, verdict="scam", gold_verdict="scam", threats=["lawsuit"], gold_threats=["lawsuit"]),
    row("miss-1", 0.0),
    row("verdict-1", 1.0, verdict="scam", gold_verdict="plausible"),
    row("threat-1", None, threats=["visit"], gold_threats=["lawsuit", "visit"]),
]


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    from yuqi.settings import get_settings

    data = tmp_path / "data"
    monkeypatch.setenv("YUQI_DATA_DIR", str(data))
    monkeypatch.setenv("YUQI_INDEX_DIR", str(tmp_path / "index"))  # never the repo's index/
    get_settings.cache_clear()
    yield data
    get_settings.cache_clear()


@pytest.fixture()
def two_runs(data_dir):
    save_run(data_dir / "eval-runs" / OLD, fake_metrics("2026-01-01 09:00:00", 0.7), RESULTS)
    save_run(data_dir / "eval-runs" / NEW, fake_metrics("2026-01-02 10:00:00", 0.9), RESULTS)
    return data_dir


def page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "ui" / "eval_page.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    return "\n".join(parts + [w.value for w in at.warning] + [e.value for e in at.error])


def test_page_shows_latest_run_with_charts_and_failures(two_runs):
    at = page()
    select = at.selectbox[0]
    assert select.label == "选择评测运行"
    assert [o.split(" · ")[0] for o in select.options] == [NEW, OLD]
    assert select.value == NEW
    assert len(at.get("plotly_chart")) >= 4  # baselines, latency, threats, confusion
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["引用有效"] == "75.0%" and metrics["不作答"] == "33.3%" and metrics["判断正确"] == "50.0%"
    labels = [e.label for e in at.expander]
    failed = [lab for lab in labels if lab.split(" · ")[0] in {"miss-1", "verdict-1", "threat-1", "ok-1"}]
    assert [lab.split(" · ")[0] for lab in failed] == ["miss-1", "verdict-1", "threat-1"]
    assert "检索未命中" in failed[0] and "结论错误" in failed[1] and "威胁类型错误" in failed[2]
    assert "疑似诈骗" in texts(at) and "可能属实" in texts(at)  # predicted vs gold verdict, in Chinese


def test_selecting_the_older_run(two_runs):
    at = page()
    at.selectbox[0].select(at.selectbox[0].options[1]).run()
    assert not at.exception
    assert "2026-01-01 09:00:00" in texts(at)


def test_empty_data_dir_says_no_runs_and_offers_the_button(data_dir):
    at = page()
    assert any("还没有评测结果" in i.value for i in at.info)
    assert [b.label for b in at.button] == ["运行评测"]
    assert not at.selectbox and not at.get("plotly_chart")
    assert not data_dir.exists()  # looking at the page writes nothing


def test_corrupt_run_is_skipped_with_a_warning(two_runs):
    bad = two_runs / "eval-runs" / "20260103-000000"
    bad.mkdir()
    (bad / "metrics.json").write_text("{not json", encoding="utf-8")
    at = page()
    assert any("20260103-000000" in w.value and "已损坏" in w.value for w in at.warning)
    assert [o.split(" · ")[0] for o in at.selectbox[0].options] == [NEW, OLD]


def test_run_button_saves_and_shows_a_new_run(data_dir, monkeypatch):
    import eval.run

    calls = []

    def fake_evaluate(sets, settings, use_llm=False, answers=True, service=None):
        calls.append(([s.name for s in sets], use_llm))
        return fake_metrics("2026-02-02 12:00:00", 0.8), RESULTS

    monkeypatch.setattr(eval.run, "evaluate", fake_evaluate)
    at = page()
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert calls and "sms.jsonl" in calls[0][0] and calls[0][1] is False
    saved = list((data_dir / "eval-runs").iterdir())
    assert len(saved) == 1 and (saved[0] / "results.jsonl").is_file()
    assert at.selectbox[0].value.startswith(saved[0].name)
    assert at.get("plotly_chart")


def test_eval_failure_is_shown_in_chinese(data_dir, monkeypatch):
    import eval.run

    def broken(*a, **k):
        raise YuqiError("评测集为空：eval/*.jsonl 中没有题目。")

    monkeypatch.setattr(eval.run, "evaluate", broken)
    at = page()
    at.button[0].click().run()
    assert not at.exception
    assert any("评测集为空" in e.value for e in at.error)


def test_feedback_listed_with_download(data_dir):
    save_feedback(data_dir, question="催收说要上门", answer="……", rating=-1, reason="结论不对")
    at = page()
    assert len(at.dataframe) == 1 and at.dataframe[0].value.iloc[0]["原因"] == "结论不对"
    assert "下载为评测题" in json.dumps([b.proto.label for b in at.get("download_button")], ensure_ascii=False)


# --- shaping -------------------------------------------------------------------------------------

def test_retrieval_frame_keeps_baseline_order_and_marks_main():
    m = fake_metrics("x", 0.9)
    m["retrieval"] = {"hybrid+rerank": m["retrieval"]["bm25"], **m["retrieval"]}
    df = ev.retrieval_frame(m)
    # set-ups and figures named in plain Chinese, not bm25 / hybrid+expansion / nDCG
    assert list(dict.fromkeys(df["配置"])) == ["只按关键词", "只按语义", "关键词+语义", "关键词+语义+补充词 ★",
                                               "关键词+语义+重新排序"]
    assert list(dict.fromkeys(df["指标"])) == ["前5条命中率", "前10条找全率", "第一条对的排位", "排序质量"]
    main_hit = df[(df["配置"] == "关键词+语义+补充词 ★") & (df["指标"] == "前5条命中率")]["数值"].item()
    assert main_hit == pytest.approx(0.9)


def test_threat_and_confusion_frames():
    m = fake_metrics("x", 0.9)
    threats = ev.threat_frame(m, {"lawsuit": "起诉/立案"})
    assert list(threats["威胁类型"]) == ["起诉/立案", "visit"] and threats["召回率"].tolist() == [0.5, 1.0]
    conf = ev.confusion_frame(m, {"scam": "疑似诈骗", "plausible": "可能属实"})
    assert list(conf.index) == ["疑似诈骗", "可能属实", "无结论"] and list(conf.columns) == list(conf.index)
    assert conf.loc["可能属实", "疑似诈骗"] == 1 and int(conf.values.sum()) == 2
    assert ev.threat_frame(fake_metrics("x", 0.9, answers=False)).empty
    assert ev.confusion_frame(fake_metrics("x", 0.9, answers=False)) is None


def test_summary_handles_retrieval_only_runs():
    s = ev.summary(fake_metrics("x", 0.9))
    assert s["citation_valid"] == pytest.approx(0.75) and s["declined_share"] == pytest.approx(0.3333)
    assert s["hit@5"] == pytest.approx(0.9) and s["answer_p50"] == 120.0
    bare = ev.summary(fake_metrics("x", 0.9, answers=False))
    assert bare["citation_valid"] is None and bare["verdict_accuracy"] is None and bare["hit@5"] == pytest.approx(0.9)


def test_failure_reasons():
    assert [ev.failure_reasons(r) for r in RESULTS] == [[], ["retrieval"], ["verdict"], ["threats"]]
    # a retrieval-only row (no predicted verdict/threats) fails only on retrieval
    bare = {"id": "r", "hit@5": 1.0, "gold_verdict": "scam", "gold_threats": ["visit"]}
    assert ev.failure_reasons(bare) == []
    df = ev.failures_frame(ev.failures(RESULTS))
    assert df["编号"].tolist() == ["miss-1", "verdict-1", "threat-1"]


def test_list_runs_newest_first_and_history(two_runs):
    (two_runs / "eval-runs" / "20250101-000000").mkdir()  # no files at all
    runs, problems = ev.list_runs(two_runs)
    assert [r.name for r in runs] == [NEW, OLD]
    assert len(problems) == 1 and "20250101-000000" in problems[0]
    hist = ev.history_frame(runs)
    assert hist["运行"].tolist() == [OLD, NEW] and hist["前5条命中率"].tolist() == pytest.approx([0.7, 0.9])
    run = ev.load_run(runs[0])
    assert [r["id"] for r in run.results] == [r["id"] for r in RESULTS]


def test_truncated_results_file_is_reported(two_runs):
    runs, _ = ev.list_runs(two_runs)
    (runs[0].path / "results.jsonl").write_text('{"id": "a"}\n{"id": ', encoding="utf-8")
    with pytest.raises(ev.CorruptRun, match="已损坏"):
        ev.load_run(runs[0])
    assert ev.list_runs(two_runs / "nothing-here") == ([], [])


def test_an_eval_run_ends_when_its_page_is_closed():
    """The run asks before each answer whether the page is still open; a closed tab stops it, nothing saved."""
    from ui.evalviews import RunAbandoned, WhileOpen

    class Svc:
        settings = "s"

        def __init__(self):
            self.calls = 0

        def retriever(self):
            self.calls += 1
            return "r"

    open_now = [True]
    svc = Svc()
    wrapped = WhileOpen(svc, lambda: open_now[0])
    assert wrapped.retriever() == "r" and wrapped.settings == "s"
    open_now[0] = False
    with pytest.raises(RunAbandoned, match="已停止"):
        wrapped.retriever()
    assert svc.calls == 1
