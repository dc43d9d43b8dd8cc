"""Query vectors of an answer's sentences: one forward pass per answer, known sentences encoded once.

The support check embeds the claims that fail lexically. Most of them are our own wording
(advice lines of the analysis, knowledge-card lines, case-bank summaries): their vectors do
not depend on the person's message, so they are kept in-process, keyed by the encoder's
fingerprint and a hash of the exact text encoded (a changed sentence is a new key; another
model never reads this model's vectors). Ingest stores the vectors of our wording's sentences
(yuqi.answer.known) so that a fresh process starts with them. What is left is encoded in one batch.

A sentence that carries the person's own words (a quoted span found in their text, or any
run of RUN characters shared with it) is encoded every time and never kept: per new message
the product really does that work, and no text of a message outlives its answer here.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from yuqi.documents import text_hash
from yuqi.normalizer import scrub
from yuqi.textnorm import CJK, normalize_for_search

MEMO_MAX = 4096  # sentences kept per process (a few MB of float32 rows); our wording is ~1,000
RUN = 6  # characters in a row shared with the person's text: their words, not ours
QUOTED = re.compile(r"[“「『‘\"']([^”」』’\"']+)[”」』’\"']")
KEEP = re.compile(f"[{CJK}0-9a-z]")

_memo: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_lock = threading.Lock()


def _flat(text: str) -> str:
    return "".join(KEEP.findall(normalize_for_search(text).lower()))


def carries_own_words(sentence: str, own: str | None) -> bool:
    """Does the sentence quote the person? Without their text (`own` None) any quotation counts."""
    spans = [_flat(m.group(1)) for m in QUOTED.finditer(sentence)]
    if own is None:
        return bool(spans)
    mine = _flat(own)
    if any(s and s in mine for s in spans):
        return True
    flat = _flat(sentence)
    return (bool(flat) and flat in mine) or any(flat[i:i + RUN] in mine for i in range(len(flat) - RUN + 1))


def _key(encoder) -> str | None:
    """The model identity vectors are kept under; an encoder that cannot name its model keeps none."""
    fp = getattr(encoder, "fingerprint", None)
    return fp if isinstance(fp, str) and fp else None


def sentence_vectors(encoder, texts: Sequence[str], own: str | None = None) -> np.ndarray:
    """encoder.encode_queries(texts), rows in order, with one call for the texts not already known."""
    texts = list(texts)
    model = _key(encoder)
    # Hashed as the model reads them: a lone surrogate cannot be UTF-8 encoded (the encoder scrubs it too).
    keys = [(model, text_hash(scrub(t))) if model else None for t in texts]
    rows: dict[int, np.ndarray] = {}
    with _lock:
        for i, k in enumerate(keys):
            if k is not None and k in _memo:
                _memo.move_to_end(k)
                rows[i] = _memo[k]
    new = [i for i in range(len(texts)) if i not in rows]
    if new and model:
        stored = _stored(encoder, [keys[i][1] for i in new])
        _remember([(keys[i], stored[keys[i][1]]) for i in new if keys[i][1] in stored])
        rows.update((i, stored[keys[i][1]]) for i in new if keys[i][1] in stored)
        new = [i for i in new if i not in rows]
    if new:
        vecs = np.asarray(encoder.encode_queries([texts[i] for i in new]), dtype=np.float32)
        rows.update(zip(new, vecs))
        _remember([(keys[i], vecs[j]) for j, i in enumerate(new) if keys[i] and not carries_own_words(texts[i], own)])
    if not texts:
        return np.zeros((0, getattr(encoder, "dim", 0)), dtype=np.float32)
    return np.stack([rows[i] for i in range(len(texts))])


def _stored(encoder, hashes: list[str]) -> dict[str, np.ndarray]:
    """What ingest stored for our wording under this model (yuqi.answer.known), if the encoder reads a store."""
    read = getattr(encoder, "known_queries", None)
    return read(hashes) if read is not None else {}


def _remember(items: list[tuple[tuple[str, str], np.ndarray]]) -> None:
    with _lock:
        for k, v in items:
            _memo[k] = v.copy()
        while len(_memo) > MEMO_MAX:
            _memo.popitem(last=False)


def forget() -> None:
    """Drop every kept vector (tests; a bench that wants a cold start)."""
    with _lock:
        _memo.clear()
