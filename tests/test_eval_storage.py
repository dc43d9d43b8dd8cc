"""Eval outputs keep masked text by default (issue 25)."""

from __future__ import annotations

import json

from eval.__main__ import parse
from eval.report import save_run

ROW = {"id": "x1", "set": "s", "query": "我叫王小明，手机13912345678，催收说要起诉",
       "answer": "王小明您好，号码13912345678。![t](http://evil.example/track.png)", "gold": ["刑法#第一条"]}


def test_results_are_masked_and_images_inert_by_default(tmp_path):
    save_run(tmp_path, {"n_items": 1}, [ROW])
    text = (tmp_path / "results.jsonl").read_text(encoding="utf-8")
    for secret in ("13912345678", "王小明", "evil.example"):
        assert secret not in text
    row = json.loads(text)
    assert row["gold"] == ["刑法#第一条"] and "〔手机号1〕" in row["query"] and "〔手机号1〕" in row["answer"]


def test_keep_raw_keeps_text(tmp_path):
    save_run(tmp_path, {"n_items": 1}, [ROW], keep_raw=True)
    assert json.loads((tmp_path / "results.jsonl").read_text(encoding="utf-8"))["query"] == ROW["query"]
    assert parse(["--keep-raw"]).keep_raw and not parse([]).keep_raw
