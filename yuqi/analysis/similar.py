"""Nearest real cases of the bank for a message, by the app's own embeddings.

The bank's vectors are query vectors from the shared embedding cache (ingest embeds the
bank when it builds, so serving reads them from SQLite, not the model); the message's
vector is its query vector, the same one retrieval uses (Embedder memoises it), so the
bank adds vectors, not forward passes.
"""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import numpy as np

from yuqi.textnorm import normalize_for_search

from .bank import Case, bank, page_key

SHOW_MIN = 0.86  # a case is shown as similar only above this cosine (unrelated Chinese texts sit near 0.80)
SHOW_MAX = 3
_LOCK = threading.Lock()
_VECTORS: dict[tuple[str, int], np.ndarray] = {}
# What an evaluation hides from the bank while it scores one item: the item's own page, and the
# same text found elsewhere (a dev item is in the bank; judged on itself it would measure memory).
_HIDDEN: ContextVar[tuple[frozenset[str], str]] = ContextVar("yuqi_bank_hidden", default=(frozenset(), ""))
_URL = re.compile(r"https?://\S+")


@contextmanager
def hidden_from_bank(source: str, text: str = ""):
    """Within this block the bank acts as if it held no case from `source`'s page nor `text` itself."""
    pages = frozenset(page_key(u.rstrip(")],;")) for u in _URL.findall(source or ""))
    token = _HIDDEN.set((pages, normalize_for_search(text).strip()))
    try:
        yield
    finally:
        _HIDDEN.reset(token)


@dataclass(frozen=True)
class SimilarCase:
    case: Case
    score: float
    family_name: str
    shown_as: str


def case_texts(cases: tuple[Case, ...]) -> list[str]:
    return [normalize_for_search(c.text) for c in cases]


def bank_vectors(encoder, cases: tuple[Case, ...]) -> np.ndarray:
    """Query vectors of the bank, from the embedding cache where ingest left them.

    A case is compared with a message, text with text, so both sides carry the query prompt: on the
    bank, grouped by page, query-query neighbours beat query-passage ones (README, case bank)."""
    key = (encoder.fingerprint, hash(tuple(c.id for c in cases)))
    with _LOCK:
        if key not in _VECTORS:
            _VECTORS[key] = embed_bank(encoder, case_texts(cases))
        return _VECTORS[key]


def embed_bank(encoder, texts: list[str], cache_dir=None) -> np.ndarray:
    """Query vectors for `texts`, encoding only what the cache lacks (ingest fills it at build time)."""
    from yuqi.embed import embed_cached

    return embed_cached(texts, encoder, _TolerantCache(encoder, cache_dir), encode=encoder.encode_queries)[0]


class _TolerantCache:
    """The query-vector cache, opened per call: one that cannot be read or written costs time, never the answer."""

    def __init__(self, encoder, cache_dir) -> None:
        self.encoder, self.cache_dir = encoder, cache_dir

    def get(self, hashes):
        return self._io(lambda c: c.get(hashes)) or {}

    def put(self, vectors) -> None:
        self._io(lambda c: c.put(vectors))

    def _io(self, op):
        import sqlite3

        from yuqi.embed import EmbeddingCache, cache_path, query_key
        from yuqi.settings import load_settings

        try:
            cache = EmbeddingCache(cache_path(self.cache_dir or load_settings().cache_dir),
                                   query_key(self.encoder.fingerprint))
            try:
                return op(cache)
            finally:
                cache.close()
        except (sqlite3.Error, OSError):
            return None


def message_vector(encoder, text: str) -> np.ndarray:
    return np.asarray(encoder.encode_queries([normalize_for_search(text)])[0], dtype=np.float32)


def similarities(encoder, text: str, cases: tuple[Case, ...] | None = None):
    """(cosine to every case, the cases, the message's vector); nothing is encoded without a bank."""
    cases = bank()[0] if cases is None else cases
    if not cases:
        return np.zeros(0, dtype=np.float32), cases, None
    vec = message_vector(encoder, text)
    sims = bank_vectors(encoder, cases) @ vec
    pages, own = _HIDDEN.get()
    if pages or own:
        hide = [c.page in pages or (own and normalize_for_search(c.text).strip() == own) for c in cases]
        sims = np.where(hide, -np.inf, sims).astype(np.float32)
    return sims, cases, vec


def nearest(sims: np.ndarray, cases: tuple[Case, ...], verdict: str | None) -> tuple[SimilarCase, ...]:
    """Up to three close cases that agree with the verdict shown (a look-alike of another kind would confuse)."""
    families = bank()[1]
    out = []
    for i in np.argsort(-sims)[: SHOW_MAX * 4]:
        case = cases[i]
        if sims[i] < SHOW_MIN or len(out) == SHOW_MAX:
            break
        if case.right(verdict):
            fam = families.get(case.family)
            out.append(SimilarCase(case, float(sims[i]), fam.name if fam else case.family, fam.shown_as if fam else ""))
    return tuple(out)
