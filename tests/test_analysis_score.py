"""Scoring helpers and the eval files they are used on."""

from __future__ import annotations

import json
import pathlib

import pytest

from yuqi.analysis import THREAT_IDS, VERDICT_IDS, analyze, threat_scores, verdict_scores

ROOT = pathlib.Path(__file__).resolve().parents[1]
FILES = [ROOT / "eval" / "sms.jsonl", ROOT / "tests" / "data" / "sms_holdout.jsonl"]


def test_threat_scores_counts() -> None:
    pairs = [(["lawsuit"], ["lawsuit", "visit"]), (["visit", "credit"], ["visit"]), ([], [])]
    s = threat_scores(pairs)
    assert s["micro"]["precision"] == pytest.approx(2 / 3)
    assert s["micro"]["recall"] == pytest.approx(2 / 3)
    assert s["per_type"]["visit"]["precision"] == pytest.approx(0.5)
    assert s["per_type"]["visit"]["recall"] == pytest.approx(1.0)
    assert s["per_type"]["credit"]["recall"] == 0.0 and s["per_type"]["lawsuit"]["f1"] == 1.0


def test_threat_scores_empty_is_zero_not_error() -> None:
    assert threat_scores([])["micro"]["f1"] == 0.0


def test_verdict_scores_confusion() -> None:
    s = verdict_scores([("scam", "scam"), ("illegal", "exaggerated"), (None, None), (None, "plausible")])
    assert s["accuracy"] == 0.5 and s["n"] == 4
    assert s["confusion"]["illegal"]["exaggerated"] == 1
    assert s["confusion"]["none"]["plausible"] == 1 and s["confusion"]["none"]["none"] == 1
    assert verdict_scores([])["accuracy"] == 0.0


def load(path: pathlib.Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("path,minimum", [(FILES[0], 64), (FILES[1], 30)])
def test_eval_files_are_well_formed(path: pathlib.Path, minimum: int) -> None:
    from test_analysis_verdict import valid_refs
    items, known = load(path), valid_refs()
    assert len(items) >= minimum and len({i["id"] for i in items}) == len(items)
    for item in items:
        assert 1 <= len(item["gold"]) <= 3 and set(item["gold"]) <= known, item["id"]
        assert set(item["threats"]) <= set(THREAT_IDS) and item["verdict"] in (*VERDICT_IDS, None)


def test_dev_set_quality_floor() -> None:
    """Guards against regressions on the tuning set (the held-out set is only reported)."""
    items = load(FILES[0])
    preds = [analyze(i["query"]) for i in items]
    assert threat_scores([(i["threats"], p.threats) for i, p in zip(items, preds)])["micro"]["f1"] >= 0.9
    assert verdict_scores([(i["verdict"], p.verdict) for i, p in zip(items, preds)])["accuracy"] >= 0.9
