"""Our own wording as the support check embeds it, encoded once per model when the index is built.

The claims the support check embeds are mostly sentences of our data: advice and red-flag
wording of the analysis (yuqi/analysis/data), the answer's wording (yuqi/answer/*.json) and the
case bank's summaries. `sentences` lists each in the forms a claim takes in an answer (a list
line "- …", a clause after a boundary, a headline's "…。**"), normalised as the check normalises
a claim. Ingest stores their query vectors in the embedding cache under `query_key(fingerprint)`
(yuqi.embed); yuqi.answer.sentvec reads them. A form that never occurs costs one row; a claim
not listed here is simply encoded when asked. Nothing written here comes from a message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from yuqi.documents import text_hash
from yuqi.textnorm import normalize_for_search

HERE = Path(__file__).resolve().parent
ANALYSIS_DATA = HERE.parent / "analysis" / "data"
# Model weights, regexes, host and court tables: no sentence of an answer.
NOT_WORDING = {"verdict_model.json", "prototypes.json", "semantic_thresholds.json", "court_codes.json",
               "court_hosts.json", "casenum.json"}
PIECE = re.compile(r"[^。！？；\n]+[。！？；]?")  # the boundaries a claim is cut at (yuqi.answer.support)
PATTERN = re.compile(r"\(\?|\[\^|\\[dswbpDSW]|\{|\|")  # a regex or a format template, not a sentence
HAN = re.compile(r"[\u4e00-\u9fff]")
BATCH = 256


def _strings(obj) -> Iterator[str]:
    if isinstance(obj, dict):
        for k, v in obj.items():
            if not str(k).startswith("_"):  # "_doc": notes for maintainers
                yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)
    elif isinstance(obj, str):
        yield obj


def _json_texts() -> list[str]:
    files = [p for p in sorted(ANALYSIS_DATA.glob("*.json")) + sorted(HERE.glob("*.json")) if p.name not in NOT_WORDING]
    return [s for p in files for s in _strings(json.loads(p.read_text(encoding="utf-8")))]


def _bank_texts(bank_dir: Path | None) -> list[str]:
    if bank_dir is None:
        return []
    from yuqi.analysis.bank import bank

    cases, families = bank(bank_dir)
    return [c.why for c in cases] + [x for f in families.values() for x in (f.what, f.reaches, f.decisive, f.todo)]


def _sentences(texts: list[str]) -> list[str]:
    return list(dict.fromkeys(s for s in texts if len(s) >= 6 and HAN.search(s) and not PATTERN.search(s)))


def sentences(bank_dir: Path | None = None) -> list[str]:
    """The claim forms of our wording, normalised as the support check encodes a claim: the last
    piece before a marker, that piece closing a bold headline ("…。**"), and a whole advice line as
    a list item ("- …"; the bank's summaries are never list lines)."""
    forms: dict[str, None] = {}
    for texts, listed in ((_sentences(_json_texts()), True), (_sentences(_bank_texts(bank_dir)), False)):
        for text in texts:
            pieces = [m.group(0).strip() for m in PIECE.finditer(text) if m.group(0).strip()]
            last = pieces[-1] if pieces else ""
            whole = [f"- {last}"] if listed and len(pieces) == 1 else []
            for form in (last, f"{last.rstrip('。！？；')}。**", *whole):
                forms[normalize_for_search(form)] = None
    return [s for s in forms if s.strip()]


def store(encoder, cache, bank_dir: Path | None = None) -> int:
    """Query vectors of `sentences` into `cache` (an EmbeddingCache under query_key), encoding only
    what it lacks; returns how many were encoded."""
    texts = sentences(bank_dir)
    hashes = [text_hash(t) for t in texts]
    have = cache.get(hashes)
    todo = [i for i, h in enumerate(hashes) if h not in have]
    for start in range(0, len(todo), BATCH):
        part = todo[start:start + BATCH]
        vecs = encoder.encode_queries([texts[i] for i in part])
        cache.put({hashes[i]: v for i, v in zip(part, vecs)})
    return len(todo)
