"""Paraphrase-robust cues: clause vectors against prototype statements per fact kind.

Optional: `analyze(text, encoder=None)` runs only the rule layer. With an encoder
(`encode_queries(list[str]) -> normalised rows`, like yuqi.embed.Embedder), every
clause the rule layer left without a fact of that kind is encoded in ONE batch
(capped) and compared with the cached prototype vectors; a clause above the kind's
calibrated threshold becomes a cue `fact:<kind>` spanning the clause exactly.
"""

from __future__ import annotations

import re
import threading
import weakref
from typing import Any

import numpy as np

from yuqi.textnorm import normalize_for_rules

from .lexicon import _load
from .model import Cue

MAX_CLAUSES = 8
_MIN_CHARS = 4
# Clauses split at punctuation: structure, not wording.
_CLAUSE = re.compile(r"[^。！!？?；;，,\n…]+")
# Keyed by the encoder object itself (weakly), so a new model never reuses stale vectors.
_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def prototypes() -> dict[str, list[str]]:
    return _load("prototypes.json")["kinds"]


def thresholds() -> dict[str, float]:
    return dict(_load("semantic_thresholds.json")["thresholds"])


def _prototype_matrix(encoder: Any) -> tuple[list[str], np.ndarray]:
    """(kind per row, vectors); encoded once per encoder object."""
    with _LOCK:
        if encoder not in _CACHE:
            kinds = [k for k, texts in prototypes().items() for _ in texts]
            texts = [t for ts in prototypes().values() for t in ts]
            _CACHE[encoder] = (kinds, np.asarray(encoder.encode_queries(texts), dtype=np.float32))
        return _CACHE[encoder]


def clauses(text: str) -> list[tuple[int, int]]:
    """Clause spans of the original text (offsets shared with the normalised text), longest first, capped."""
    norm = normalize_for_rules(text)
    spans = [(m.start(), m.end()) for m in _CLAUSE.finditer(norm) if len(m.group().strip()) >= _MIN_CHARS]
    spans = sorted(spans, key=lambda s: s[1] - s[0], reverse=True)[:MAX_CLAUSES]
    return sorted(spans)


def clause_scores(text: str, encoder: Any) -> list[tuple[int, int, dict[str, float]]]:
    """Per clause: best cosine per kind (one encode call for all clauses)."""
    spans = clauses(text)
    if not spans:
        return []
    kinds, protos = _prototype_matrix(encoder)
    vecs = np.asarray(encoder.encode_queries([text[a:b] for a, b in spans]), dtype=np.float32)
    sims = vecs @ protos.T
    out = []
    for (a, b), row in zip(spans, sims):
        best: dict[str, float] = {}
        for kind, s in zip(kinds, row):
            best[kind] = max(best.get(kind, -1.0), float(s))
        out.append((a, b, best))
    return out


def semantic_cues(text: str, rule_cues: tuple[Cue, ...], encoder: Any) -> tuple[Cue, ...]:
    limits = thresholds()
    have = {c.kind for c in rule_cues}
    out = []
    for a, b, best in clause_scores(text, encoder):
        for kind, score in best.items():
            if f"fact:{kind}" in have or score < limits.get(kind, 2.0):
                continue
            out.append(Cue(f"fact:{kind}", text[a:b], a, b, f"语义相近：{kind}", f"semantic:{score:.3f}"))
    return tuple(out)
