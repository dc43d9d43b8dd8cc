"""A deterministic stand-in for the embedding model, for plumbing tests.

Character unigrams and bigrams are hashed into a small vector and normalised, so
texts that share wording are near each other: enough for index, ingest, page and
concurrency tests to retrieve something sensible without loading e5 (~2 s and
~500 MB per process). Quality claims are never tested with it: those tests carry
the `model` marker and use the real `Embedder`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

FAKE_MODEL = "fake-hash-64"


class FakeEmbedder:
    name = FAKE_MODEL
    dim = 64

    def __init__(self) -> None:
        self.calls = 0  # texts encoded, so tests can assert that caching avoided work

    @property
    def fingerprint(self) -> str:
        return f"{self.name}|v1"

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str], progress=None) -> np.ndarray:
        out = self._encode(texts)
        if progress:
            progress(len(texts), len(texts))
        return out

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            grams = list(text) + [text[i:i + 2] for i in range(len(text) - 1)]
            for g in grams:
                h = int.from_bytes(hashlib.blake2b(g.encode("utf-8"), digest_size=4).digest(), "little")
                out[row, h % self.dim] += 1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else out[row]
            if not norm:
                out[row, 0] = 1.0  # empty text: any unit vector keeps FAISS inner products finite
        return out
