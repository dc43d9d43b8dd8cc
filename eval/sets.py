"""Eval sets, read strictly: one clear error naming the line, never a silently wrong run.

A set is JSONL, one item per line: {"id", "query", "gold": [refs…], "threats"?, "verdict"?,
"topic"?}. Duplicate ids (which would overwrite each other's results), wrong types (a
string where a list belongs is otherwise split into characters), lone surrogates
(which crash the tokenizer later), verdict and threat ids the analysis does not know
("scma" ran the whole set, then crashed with a KeyError), unknown fields ("glod" left
gold empty) and gold refs carrying markup are refused before anything runs.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

from eval.runner import BadEvalFile, Item
from yuqi.textnorm import has_lone_surrogate

SHAPE = '{"id": "...", "query": "...", "gold": ["<ref>", ...]}'
# Every field an eval item may carry: the contract, the dev sets' notes, feedback exports.
FIELDS = ("id", "query", "gold", "threats", "verdict", "topic", "source", "kind", "why", "verdict_alt",
          "note", "answer_refs", "answer_threats", "answer_verdict")
# A reference is "<title>#<第X条>" or a document id: never Markdown, HTML or a line break.
BAD_REF = re.compile(r"[\n\r`<>]|!\[|\]\(")


def load_sets(paths: list[Path]) -> list[Item]:
    """Every item of every set; an id used twice (in one set or across sets) is an error."""
    items: list[Item] = []
    where: dict[str, str] = {}
    for path in paths:
        for n, item in load_set(path):
            here = f"{path}:{n}"
            if item.id in where:
                raise BadEvalFile(f"{here}: duplicate id {item.id!r} (first at {where[item.id]}); ids must be unique")
            where[item.id] = here
            items.append(item)
    return items


def load_items(path: Path) -> list[Item]:
    """One set's items, read as strictly as `python -m eval` reads them."""
    return [item for _, item in load_set(path)]


def load_set(path: Path) -> list[tuple[int, Item]]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise BadEvalFile(f"cannot read eval set {path}: {exc}") from None
    out = []
    for n, line in enumerate(lines, 1):
        if line.strip():
            try:
                out.append((n, _item(line, path.stem)))
            except ValueError as exc:
                raise BadEvalFile(f"{path}:{n}: {exc}; expected {SHAPE}") from None
    return out


def _item(line: str, set_name: str) -> Item:
    try:
        d = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg})") from None
    if not isinstance(d, dict):
        raise ValueError(f"an item must be a JSON object, not {type(d).__name__}")
    _no_surrogates(d)
    _known_fields(d)
    if isinstance(d.get("id"), bool) or not isinstance(d.get("id"), (str, int)) or str(d.get("id")).strip() == "":
        raise ValueError(f'"id" must be a non-empty string or number, got {d.get("id")!r}')
    if not isinstance(d.get("query"), str) or not d["query"].strip():
        raise ValueError('"query" must be a non-empty string')
    gold = d.get("gold", [])
    if not isinstance(gold, list) or not all(isinstance(g, str) for g in gold):
        raise ValueError(f'"gold" must be a list of reference strings, got {type(gold).__name__} {gold!r}'[:200])
    bad = next((g for g in gold if not g.strip() or BAD_REF.search(g) or len(g) > 300), None)
    if bad is not None:
        raise ValueError(f'"gold" holds {bad[:60]!r}, not a reference ("<title>#<第X条>" or a document id)')
    threats = d.get("threats")
    if threats is not None and (not isinstance(threats, list) or not all(isinstance(t, str) for t in threats)):
        raise ValueError('"threats" must be a list of threat ids or null')
    _known_ids(threats or [], d.get("verdict"))
    if not isinstance(d.get("topic", ""), str):
        raise ValueError('"topic" must be a string')
    return Item(
        id=str(d["id"]), query=d["query"], gold=list(gold), threats=list(threats) if threats is not None else None,
        verdict=d.get("verdict"), has_verdict="verdict" in d, set=set_name, topic=d.get("topic", ""),
        source=str(d.get("source") or ""),  # the dev-set split keeps one web domain on one side
    )


def _known_fields(d: dict) -> None:
    for key in d:
        if key not in FIELDS:
            near = difflib.get_close_matches(str(key), FIELDS, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise ValueError(f"unknown field {str(key)[:40]!r}{hint}; fields: {', '.join(FIELDS)}")


def _known_ids(threats: list[str], verdict) -> None:
    from yuqi.analysis import THREAT_IDS, VERDICT_IDS

    if verdict is not None and verdict not in VERDICT_IDS:
        near = difflib.get_close_matches(str(verdict), VERDICT_IDS, n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise ValueError(f'unknown "verdict" {str(verdict)[:40]!r}{hint}; one of {", ".join(VERDICT_IDS)} or null')
    unknown = [t for t in threats if t not in THREAT_IDS]
    if unknown:
        raise ValueError(f'unknown threat id {unknown[0][:40]!r}; one of {", ".join(THREAT_IDS)}')


def _no_surrogates(value, field: str = "") -> None:
    if isinstance(value, str):
        if has_lone_surrogate(value):
            raise ValueError(f'"{field or "item"}" contains a lone surrogate (an invalid character, e.g. \\ud800)')
    elif isinstance(value, dict):
        for k, v in value.items():
            _no_surrogates(k, field)
            _no_surrogates(v, k if not field else f"{field}.{k}")
    elif isinstance(value, list):
        for v in value:
            _no_surrogates(v, field)
