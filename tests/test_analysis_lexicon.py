"""The analysis rules live in data: every key and cue kind the code names must exist there,
and every pattern must compile, so a renamed key fails here and not in front of a user."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from yuqi.analysis import lexicon
from yuqi.analysis.extract import EXTRACTORS
from yuqi.analysis.semantic import prototypes

ROOT = Path(__file__).resolve().parent.parent
CODE = sorted((ROOT / "yuqi" / "analysis").glob("*.py"))
DATA = ROOT / "yuqi" / "analysis" / "data"


def _trees() -> list[tuple[str, ast.Module]]:
    return [(p.name, ast.parse(p.read_text(encoding="utf-8"))) for p in CODE]


def _literals(call: ast.Call) -> list[str] | None:
    args = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return args if len(args) == len(call.args) else None


def _calls(name: str) -> list[tuple[str, list[str]]]:
    """(module, literal args) of every call to `name` (or a one-line wrapper that passes its key on)."""
    out = []
    for mod, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == name:
                if (args := _literals(node)) is not None:
                    out.append((mod, args))
    return out


def _structure_keys() -> list[tuple[str, str]]:
    """Keys read as structure()["k"] or data["k"] where data = structure()."""
    out = []
    for mod, tree in _trees():
        for fn in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
            names = {t.id for n in ast.walk(fn) if isinstance(n, ast.Assign)
                     and isinstance(n.value, ast.Call) and getattr(n.value.func, "id", None) == "structure"
                     for t in n.targets if isinstance(t, ast.Name)}
            for node in ast.walk(fn):
                if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
                    base = node.value
                    direct = isinstance(base, ast.Call) and getattr(base.func, "id", None) == "structure"
                    if direct or (isinstance(base, ast.Name) and base.id in names):
                        out.append((mod, node.slice.value))
    return out


def test_code_finds_its_rules_by_name() -> None:
    structure = lexicon.structure()
    named = _calls("rule") + [(m, ["message_shape", k]) for m, (k,) in _calls("_shape")] \
        + [(m, ["reported_message", k]) for m, (k,) in _calls("_reported")]
    missing = [(m, a) for m, a in named if len(a) == 2 and a[1] not in structure.get(a[0], {})]
    missing += [(m, k) for m, (k,) in _calls("reading_rule") if k not in lexicon.facts_data()["reading"]]
    missing += [(m, k) for m, k in _structure_keys() if k not in structure]
    assert len(named) >= 10 and len(_structure_keys()) >= 10  # the scan still sees the code
    assert missing == []


def _emitted_kinds() -> set[str]:
    """Every cue kind the data can produce (rules and semantic prototypes) and extract.py emits."""
    kinds = {k for k, _, _ in lexicon.cue_patterns()}
    kinds |= {f"fact:{k}" for k in prototypes()}  # the semantic layer's cues
    for _, tree in [t for t in _trees() if t[0] == "extract.py"]:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_cue":
                kind = node.args[1]
                if isinstance(kind, ast.Constant):
                    kinds.add(kind.value)
    # _phone_kind / _host_kind return these kinds as values
    kinds |= {"phone_court", "phone_hotline", "phone_service", "phone_personal", "phone_landline",
              "url_official", "url_unknown"}
    return kinds


def test_every_prefixed_cue_kind_in_code_exists_in_data() -> None:
    kinds = _emitted_kinds()
    named = {node.value for _, tree in _trees() for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str)
             and re.fullmatch(r"(fact|threat):[a-z_]+", node.value)}
    assert named and sorted(named - kinds) == []


@pytest.mark.parametrize("table", ["_RISK_KINDS", "_DIGIT_PRIORITY"])
def test_cue_kind_tables_name_real_kinds(table: str) -> None:
    from yuqi.analysis import cues

    assert sorted(set(getattr(cues, table)) - _emitted_kinds()) == []


def test_every_extractor_kind_is_covered() -> None:
    assert len(EXTRACTORS) >= 8 and {"sender", "case_number", "amount", "deadline"} <= _emitted_kinds()


def _patterns(data: object, key: str = "") -> list[str]:
    if isinstance(data, dict):
        return [p for k, v in data.items() if k != "_doc" for p in _patterns(v, k)]
    if isinstance(data, list):
        return [p for v in data for p in _patterns(v, key)]
    return [data] if isinstance(data, str) else []


def _pattern_strings() -> list[str]:
    out = _patterns(lexicon.structure()) + _patterns(lexicon.facts_data()["reading"])
    out += _patterns(lexicon.advice()["topics"])
    for name in ("threats.json", "conduct.json", "facts.json"):
        text = json.loads((DATA / name).read_text(encoding="utf-8"))
        out += [e["pattern"] for v in text.values() if isinstance(v, list) for e in v if "pattern" in e]
    return out


def test_every_pattern_in_the_data_compiles() -> None:
    strings = _pattern_strings()
    assert len(strings) > 150
    broken = []
    for s in strings:
        try:
            lexicon.compiled(s)
        except re.error as e:
            broken.append((s[:40], str(e)))
    assert broken == []


def test_data_uses_the_shared_chinese_class_and_article_grammar() -> None:
    spelled = [p.name for p in DATA.glob("*.json") if re.search(r"\\\\u4e00|第\[零", p.read_text(encoding="utf-8"))]
    assert spelled == []
    assert lexicon.compiled("[{cjk}]{2,20}法#{article}").fullmatch("治安管理处罚法#第二百九十三条之一")


def test_cue_labels_do_not_depend_on_the_hash_seed():
    import os
    import subprocess
    import sys

    from yuqi.settings import ROOT

    code = "from yuqi.analysis.cues import extract_cues; print([(c.kind, c.label) for c in extract_cues('再不还钱就堵你家门口，小心点')])"
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                           env={**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONPATH": str(ROOT)}).stdout
            for seed in range(6)}
    assert len(outs) == 1 and "堵你" not in outs and next(iter(outs)).strip() not in ("", "[]"), outs
