"""`python -m eval --set FILE --out DIR`: the contract other tools rely on."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT
from eval.metrics import item_metrics, unique_ranked

pytestmark = pytest.mark.slow


def test_item_metrics_on_a_hand_made_ranking():
    ranked = [("a#1", "a"), ("doc2", "doc2"), ("b#3", "b"), ("c#4", "c")]
    m = item_metrics(["b#3", "doc2"], ranked)
    assert m["hit@5"] == 1.0 and m["recall@10"] == 1.0 and m["mrr@10"] == 0.5
    assert 0 < m["ndcg@10"] < 1
    assert item_metrics(["a"], ranked)["mrr@10"] == 1.0  # a document id matches any of its chunks
    assert item_metrics(["zzz"], ranked) == {"hit@5": 0.0, "recall@10": 0.0, "mrr@10": 0.0, "ndcg@10": 0.0}
    assert unique_ranked([("x", "x"), ("x", "x"), ("y", "y")]) == [("x", "x"), ("y", "y")]


def run_eval(args, settings, timeout=600):
    env = {**os.environ, "YUQI_INDEX_DIR": str(settings.index_dir), "YUQI_CORPUS_DIR": str(settings.corpus_dir),
           "YUQI_DATA_DIR": str(settings.data_dir), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "eval", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_external_set_writes_metrics_and_results_in_the_contract_shape(built, tmp_path):
    settings, _ = built
    items = [
        {"id": "a", "query": "催收骚扰我的家人违法吗", "gold": ["中华人民共和国治安管理处罚法#第五十条"],
         "threats": ["contacts"], "verdict": "illegal"},
        {"id": "b", "query": "催收发来的律师函是律师写的吗",  # a law the default index does not hold
         "gold": ["中华人民共和国律师法#第二十八条"]},
        {"id": "c", "query": "【XX】您已被列为失信被执行人，请立即转账到个人账户解除", "gold": ["hecha_qudao"],
         "threats": ["enforcement"], "verdict": "scam"},
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    out = tmp_path / "out"
    proc = run_eval(["--set", str(path), "--out", str(out)], settings)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    for mode in ("bm25", "dense", "hybrid", "hybrid+expansion"):
        assert set(metrics["retrieval"][mode]) >= {"hit@5", "recall@10", "mrr@10", "ndcg@10", "latency"}
    assert metrics["configuration"]["embed_model"] and metrics["main_mode"] == "hybrid+expansion"
    assert metrics["missing_gold"] == {"b": ["中华人民共和国律师法#第二十八条"]}
    assert metrics["verdict"]["n"] == 2 and metrics["threats"]["micro"]["f1"] >= 0
    assert metrics["citations"]["answers"] == 3
    rows = [json.loads(x) for x in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    a = rows[0]
    assert 0 < len(a["retrieved"]) <= 10 and len(set(a["retrieved"])) == len(a["retrieved"])
    assert {"threats", "verdict", "answer", "citations"} <= set(a)
    assert a["verdict"] == "illegal" and "contacts" in a["threats"] and a["answer"]
    assert all({"raw", "ref", "status"} <= set(c) for c in a["citations"])
    assert rows[1]["missing_gold"] and "hit@5" not in rows[1]
    assert (settings.data_dir / "eval-runs").is_dir()

    again = run_eval(["--set", str(path), "--out", str(tmp_path / "out2"), "--no-answers"], settings)
    assert again.returncode == 0
    cmp = run_eval(["--compare", str(out), str(tmp_path / "out2")], settings)
    assert cmp.returncode == 0 and "hybrid+expansion hit@5" in cmp.stdout


def test_bad_eval_set_is_a_one_line_error(built, tmp_path):
    settings, _ = built
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\nnot json\n', encoding="utf-8")
    proc = run_eval(["--set", str(bad)], settings)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "bad.jsonl:1" in proc.stderr
    missing = run_eval(["--set", str(tmp_path / "nope.jsonl")], settings)
    assert missing.returncode == 2 and "no such eval set" in missing.stderr
