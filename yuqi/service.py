"""One model and one index per process, shared by every session, swapped on rebuild.

A session takes a `Retriever` at the start of a question and keeps it until the
answer is done, so it always answers from one complete build even while an
ingest swaps in a new one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from yuqi import index as ix
from yuqi.embed import Embedder
from yuqi.errors import IndexMissing
from yuqi.retrieve import Retriever, load_reranker
from yuqi.settings import Settings


class Service:
    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        self.settings = settings
        # The model the live index was built with (its manifest), else the configured one.
        self.embedder = embedder or Embedder(ix.live_model(settings.index_dir) or settings.embed_model, settings.cache_dir)
        self.reranker = load_reranker(settings.reranker)
        self._lock = threading.Lock()
        self._retriever: Retriever | None = None

    def retriever(self) -> Retriever:
        """The retriever over the live build, reloaded when `index/current` moved."""
        live = ix.current_build_id(self.settings.index_dir)
        current = self._retriever
        if current is not None and current.index.build_id == live:
            return current
        with self._lock:
            if self._retriever is None or self._retriever.index.build_id != live:
                s = self.settings
                built = ix.load_build(s.index_dir, self.embedder.name, fingerprint=self.embedder.fingerprint)
                self._retriever = Retriever(built, self.embedder, self.reranker)
            return self._retriever

    def ensure_index(self, progress: Callable[[str, int, int], None] | None = None) -> bool:
        """Build the default index on first start; True if a build was needed."""
        if ix.current_build(self.settings.index_dir) is not None:
            return False
        from ingest.pipeline import build

        try:
            build(self.settings, self.embedder, progress)
        except IndexMissing:  # pragma: no cover - a concurrent first start finished first
            pass
        return True

    def stats(self) -> dict:
        r = self.retriever()
        m = r.index.manifest
        return {"build": r.index.build_id, "built_at": m.built_at, **m.counts, "model": m.embed_model, "dim": m.dim}
