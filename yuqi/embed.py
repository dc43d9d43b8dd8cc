"""Sentence embeddings with a content-addressed cache.

Vectors are cached by (model, text hash) in SQLite, so re-ingesting unchanged
text costs nothing and a full rebuild only embeds what is new.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from yuqi.documents import text_hash
from yuqi.errors import ModelUnavailable
from yuqi.textnorm import scrub

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # weights come from disk, never from a hub
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

Progress = Callable[[int, int], None]
_RECENT = 32  # query vectors remembered per model (a few sessions' last messages)


@runtime_checkable
class Encoder(Protocol):
    """What the index, retrieval and analysis need from an embedding model.

    `Embedder` is the real one; tests inject a deterministic fake for plumbing.
    Rows come back L2-normalised, so inner product is cosine.
    """

    name: str
    dim: int

    @property
    def fingerprint(self) -> str: ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray: ...


class Embedder:
    """A sentence-transformers model with query/passage prompts where it has them."""

    def __init__(self, name: str, cache_dir: Path, batch_size: int = 32):
        from yuqi.e5model import resolve_model

        self.name = name
        self.path = resolve_model(name, cache_dir)
        self.cache_dir = cache_dir
        self._known: EmbeddingCache | bool | None = None  # opened on first use (yuqi.answer.sentvec)
        self.batch_size = batch_size
        self._lock = threading.Lock()  # one model shared by every session of the app
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # its English "Loading weights" bar on every start; loading takes 1-2 s
            self.model = SentenceTransformer(self.path, device="cpu")
        except (OSError, ValueError) as exc:
            raise ModelUnavailable(f"无法加载向量模型 {name}：{exc}") from exc
        dim_of = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(dim_of())
        prompts = getattr(self.model, "prompts", {}) or {}
        self._query_prompt = "query" if "query" in prompts else None
        self._passage_prompt = "passage" if "passage" in prompts else None

    @property
    def fingerprint(self) -> str:
        """What the manifest records: the setting and the resolved model directory."""
        return f"{self.name}|{Path(self.path).name}"

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if len(texts) != 1:
            return self._encode(texts, self._query_prompt, None)
        # The analysis (nearest cases) and retrieval read the same message: one forward pass serves both.
        with self._lock:
            hit = self._recent.get(texts[0])
        if hit is None:
            hit = self._encode(texts, self._query_prompt, None)
            with self._lock:
                self._recent[texts[0]] = hit
                while len(self._recent) > _RECENT:
                    self._recent.popitem(last=False)
        return hit.copy()

    def encode_passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        return self._encode(list(texts), self._passage_prompt, progress)

    def known_queries(self, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """Query vectors ingest stored for our own wording (yuqi.answer.known), by text hash; {} when
        the cache cannot be read (it costs time, not correctness)."""
        with self._lock:
            try:
                if self._known is None:
                    self._known = EmbeddingCache(cache_path(self.cache_dir), query_key(self.fingerprint))
                return self._known.get(list(hashes)) if self._known else {}
            except (sqlite3.Error, OSError):
                self._known = False  # not tried again by this process
                return {}

    def _encode(self, texts: list[str], prompt: str | None, progress: Progress | None) -> np.ndarray:
        texts = [scrub(t) for t in texts]  # the tokenizer raises on lone surrogates; every caller is covered here
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Sorting by length keeps padding low in every batch (statute articles vary 20–2,000 chars).
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        block = self.batch_size * 4
        for start in range(0, len(order), block):
            ids = order[start:start + block]
            with self._lock:
                vecs = self.model.encode(
                    [texts[i] for i in ids], prompt_name=prompt, batch_size=self.batch_size,
                    normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False,
                )
            out[ids] = vecs
            if progress:
                progress(min(start + block, len(texts)), len(texts))
        return out


class EmbeddingCache:
    """(model fingerprint, text hash) → float32 vector, in one SQLite file."""

    def __init__(self, path: Path, fingerprint: str):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fingerprint = fingerprint
        self.db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        self.db.execute("CREATE TABLE IF NOT EXISTS vec (model TEXT, hash TEXT, v BLOB, PRIMARY KEY (model, hash))")

    def get(self, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(hashes), 500):
            part = list(hashes[i:i + 500])
            marks = ",".join("?" * len(part))
            rows = self.db.execute(
                f"SELECT hash, v FROM vec WHERE model = ? AND hash IN ({marks})", [self.fingerprint, *part]
            )
            found.update((h, np.frombuffer(v, dtype=np.float32)) for h, v in rows)
        return found

    def put(self, items: dict[str, np.ndarray]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO vec VALUES (?, ?, ?)",
                [(self.fingerprint, h, v.astype(np.float32).tobytes()) for h, v in items.items()],
            )

    def close(self) -> None:
        self.db.close()


def embed_cached(
    texts: Sequence[str], embedder: Encoder, cache: EmbeddingCache | None, progress: Progress | None = None,
    encode: Callable[[list[str]], np.ndarray] | None = None,
) -> tuple[np.ndarray, int]:
    """Vectors for `texts` (passage vectors unless `encode` says otherwise, e.g. `encode_queries`),
    embedding only cache misses; returns (matrix, n_embedded)."""
    hashes = [text_hash(t) for t in texts]
    known = cache.get(hashes) if cache else {}
    missing = sorted({h: i for i, h in enumerate(hashes) if h not in known}.values())
    if missing:
        todo = [texts[i] for i in missing]
        vecs = encode(todo) if encode else embedder.encode_passages(todo, progress)
        new = {hashes[i]: v for i, v in zip(missing, vecs)}
        if cache:
            cache.put(new)
        known.update(new)
    elif progress:
        progress(len(texts), len(texts))
    mat = np.stack([known[h] for h in hashes]) if texts else np.zeros((0, embedder.dim), np.float32)
    return mat.astype(np.float32), len(missing)


def cache_path(cache_dir: Path) -> Path:
    return cache_dir / "embeddings.sqlite"


def query_key(fingerprint: str) -> str:
    """The cache's model key for query-prompt vectors: apart from the same text's passage vector."""
    return f"{fingerprint}|query"
