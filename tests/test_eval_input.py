"""Eval input validated before the run (issue 12, findings 13 and 14), and lone surrogates in
chat input answered, not crashed on.

The eval checks run `python -m eval` as a real subprocess; every one of them fails before any
index or model is touched (the index dir given does not even exist).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

GOOD = {"id": "a1", "query": "网贷逾期会坐牢吗", "gold": ["中华人民共和国刑法#第二百六十六条"]}


def run_eval(tmp_path: Path, *args: str, module: str = "eval", **env) -> subprocess.CompletedProcess:
    e = {**os.environ, "YUQI_INDEX_DIR": str(tmp_path / "no-index"), "YUQI_CORPUS_DIR": str(tmp_path / "no-corpus"),
         "YUQI_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", **env}
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "YUQI_LLM_MODEL"):
        if var not in env:
            e.pop(var, None)
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=e, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


def write_set(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def one_error(res, *words: str) -> str:
    assert res.returncode != 0
    assert "Traceback" not in res.stderr, res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith("error")]
    assert len(lines) == 1, res.stderr
    for w in words:
        assert w in lines[0], lines[0]
    assert not (Path(res.args[0]).parent / "no-index").exists()
    return lines[0]


def test_duplicate_ids_are_an_error_naming_both_lines(tmp_path):
    other = {**GOOD, "query": "会被起诉吗"}
    s = write_set(tmp_path, [json.dumps(GOOD, ensure_ascii=False), json.dumps(other, ensure_ascii=False)])
    one_error(run_eval(tmp_path, "--set", str(s)), "set.jsonl:2", "duplicate id 'a1'", "set.jsonl:1")


def test_duplicate_ids_across_two_sets(tmp_path):
    s1 = write_set(tmp_path, [json.dumps(GOOD, ensure_ascii=False)])
    s2 = tmp_path / "second.jsonl"
    s2.write_text(json.dumps(GOOD, ensure_ascii=False) + "\n", encoding="utf-8")
    one_error(run_eval(tmp_path, "--set", str(s1), "--set", str(s2)), "second.jsonl:1", "duplicate id")


@pytest.mark.parametrize("bad, words", [
    ({**GOOD, "gold": "中华人民共和国刑法#第二百六十六条"}, ('"gold" must be a list',)),
    ({**GOOD, "gold": [1, 2]}, ('"gold" must be a list',)),
    ({**GOOD, "query": 42}, ('"query" must be a non-empty string',)),
    ({**GOOD, "threats": "lawsuit"}, ('"threats" must be a list',)),
    ({"query": "缺少编号"}, ('"id"',)),
    ([1, 2], ("JSON object",)),
], ids=["gold-string", "gold-ints", "query-int", "threats-string", "no-id", "not-object"])
def test_wrong_types_are_an_error_naming_the_line(tmp_path, bad, words):
    s = write_set(tmp_path, [json.dumps(GOOD, ensure_ascii=False), json.dumps(bad, ensure_ascii=False)])
    one_error(run_eval(tmp_path, "--set", str(s)), "set.jsonl:2", *words)


def test_lone_surrogate_is_an_error_naming_the_line(tmp_path):
    s = write_set(tmp_path, [json.dumps(GOOD, ensure_ascii=False), '{"id": "s", "query": "已立案\\ud800", "gold": []}'])
    one_error(run_eval(tmp_path, "--set", str(s)), "set.jsonl:2", "lone surrogate", '"query"')


def test_out_pointing_at_a_file_is_refused_before_the_run(tmp_path):
    s = write_set(tmp_path, [json.dumps(GOOD, ensure_ascii=False)])
    f = tmp_path / "out.txt"
    f.write_text("keep me", encoding="utf-8")
    one_error(run_eval(tmp_path, "--set", str(s), "--out", str(f)), "is a file")
    assert f.read_text(encoding="utf-8") == "keep me"


def test_llm_without_an_llm_configured_is_an_error(tmp_path):
    s = write_set(tmp_path, [json.dumps(GOOD, ensure_ascii=False)])
    one_error(run_eval(tmp_path, "--set", str(s), "--llm"), "--llm needs a configured LLM")


@pytest.mark.parametrize("module", ["eval.tune_adapter", "eval.tune_ranker"])
def test_a_tuning_command_reads_the_set_it_is_given(tmp_path, module):
    """A bad --set stops the command before the model loads; the shipped fits stay as they were."""
    shipped = {p: p.read_bytes() for p in (ROOT / "yuqi" / "data").glob("*") if p.suffix in (".npz", ".json")}
    s = write_set(tmp_path, [json.dumps({**GOOD, "gold": "刑法"}, ensure_ascii=False)])
    one_error(run_eval(tmp_path, "--set", str(s), module=module), "set.jsonl:1", '"gold" must be a list')
    one_error(run_eval(tmp_path, "--set", str(tmp_path / "missing.jsonl"), module=module), "missing.jsonl")
    assert {p: p.read_bytes() for p in shipped} == shipped


@pytest.mark.model
def test_lone_surrogate_in_chat_input_is_answered(tmp_path, embedder):
    """The chat path: analysis, retrieval (jieba + the real model's tokenizer) and the offline answer."""
    from conftest import small_index
    from yuqi.answer import input_problem, prepare, stream_answer
    from yuqi.service import Service

    settings = small_index(tmp_path, embedder)
    retriever = Service(settings, embedder).retriever()
    question = "催收说已立案\ud800，明天上门，是真的吗\udfff"
    assert input_problem(question) is None
    prepared = prepare(question, retriever, settings)
    final = [p for kind, p in stream_answer(prepared, settings) if kind == "final"]
    assert final and final[0].text


# --- issue 25: ids and fields validated before the run ---

@pytest.mark.parametrize("bad, words", [
    ({**GOOD, "verdict": "scma"}, ('unknown "verdict"', "'scma'", "did you mean 'scam'")),
    ({**GOOD, "verdict": 3}, ('unknown "verdict"',)),
    ({**GOOD, "threats": ["lawsuit", "lawsiut"]}, ("unknown threat id", "'lawsiut'")),
    ({"id": "g", "query": "会坐牢吗", "glod": ["中华人民共和国刑法#第二百六十六条"]}, ("unknown field 'glod'", "did you mean 'gold'")),
    ({**GOOD, "gold": ["![x](http://evil.example/t.png)"]}, ('"gold" holds',)),
    ({**GOOD, "gold": ["刑法#第一条`<img src=x>`"]}, ('"gold" holds',)),
], ids=["verdict-typo", "verdict-int", "threat-typo", "field-typo", "gold-image", "gold-markup"])
def test_unknown_ids_fields_and_markup_are_refused_before_the_run(tmp_path, bad, words):
    s = write_set(tmp_path, [json.dumps(GOOD, ensure_ascii=False), json.dumps(bad, ensure_ascii=False)])
    one_error(run_eval(tmp_path, "--set", str(s)), "set.jsonl:2", *words)


def test_the_project_sets_and_a_feedback_export_still_load(tmp_path):
    from eval.sets import load_sets
    from yuqi.feedback import export_eval_items, save_feedback

    sets = sorted((ROOT / "eval").glob("*.jsonl")) + sorted((ROOT / "tests" / "data").glob("*holdout*.jsonl"))
    assert len(load_sets(sets)) > 300
    save_feedback(tmp_path, question="催收说要上门", answer="……", rating=-1, reason="结论不对",
                  refs=["中华人民共和国刑法#第二百六十六条"], verdict="scam", threats=["visit"])
    save_feedback(tmp_path, question="会坐牢吗", answer="……", rating=1, refs=["中华人民共和国刑法#第二百六十六条"],
                  verdict="exaggerated", threats=["criminal"])
    exported = tmp_path / "fb.jsonl"
    exported.write_text(export_eval_items(tmp_path), encoding="utf-8")
    assert len(load_sets([exported])) == 2
