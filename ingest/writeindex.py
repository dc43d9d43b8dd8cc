"""Writing a build: vectors (reused, cached or embedded), the self-describing manifest, the files."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from ingest.casebank import bank_texts, embed_bank_cached
from yuqi.analysis.bank import BANK_DIR
from yuqi.answer import known
from yuqi import index as ix
from yuqi.documents import Chunk, text_hash
from yuqi.embed import Embedder, EmbeddingCache, cache_path, embed_cached, query_key
from yuqi.errors import storage_error
from yuqi.manifest import library_versions, tokenizer_identity
from yuqi.settings import Settings

Progress = Callable[[str, int, int], None]


def write_index(
    settings: Settings, embedder: Embedder, chunks: list[Chunk], docs: dict[str, dict],
    reuse: dict[str, np.ndarray], progress: Progress | None, started: float,
) -> tuple[str, int]:
    texts = [ix.search_text(c) for c in chunks]
    cases, bank_counts = bank_texts(settings.corpus_dir)
    hashes = [text_hash(t) for t in texts]
    vectors, embedded = _vectors(texts, hashes, settings, embedder, reuse, progress)
    embed_bank_cached(settings, embedder, cases)  # into the cache, apart from the corpus's vectors
    _known_sentences(settings, embedder)
    counts = {
        "docs": len(docs), "chunks": len(chunks),
        "statute_chunks": sum(c.kind == "statute" for c in chunks),
        "article_chunks": sum(c.kind == "article" for c in chunks),
        **bank_counts,
    }
    manifest = ix.Manifest(
        embed_model=embedder.name, model_fingerprint=embedder.fingerprint, dim=embedder.dim,
        chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap, corpus_hash=ix.corpus_hash(chunks),
        built_at=_now(), counts=counts, build_seconds=round(time.perf_counter() - started, 2),
        tokenizer=tokenizer_identity(), versions=library_versions(),
    )
    if progress:
        progress("index", 0, 1)
    build = ix.write_build(settings.index_dir, chunks, vectors, docs, manifest)
    if progress:
        progress("index", 1, 1)
    return build.name, embedded


def _known_sentences(settings: Settings, embedder: Embedder) -> None:
    """Query vectors of our own wording for the support check (yuqi.answer.known), in the same cache:
    a cache that cannot be written costs answer time later, never the build."""
    import sqlite3

    try:
        cache = EmbeddingCache(cache_path(settings.cache_dir), query_key(embedder.fingerprint))
        try:
            known.store(embedder, cache, settings.corpus_dir / BANK_DIR)
        finally:
            cache.close()
    except (sqlite3.Error, OSError):
        pass


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S")


def _vectors(
    texts: list[str], hashes: list[str], settings: Settings, embedder: Embedder,
    reuse: dict[str, np.ndarray], progress: Progress | None,
) -> tuple[np.ndarray, int]:
    """Vectors from the live build, the shared cache, or the model (only for new text)."""
    import sqlite3

    try:
        cache = EmbeddingCache(cache_path(settings.cache_dir), embedder.fingerprint)
        try:
            if reuse:
                cache.put({h: reuse[h] for h in hashes if h in reuse})
            step = (lambda d, t: progress("embed", d, t)) if progress else None
            return embed_cached(texts, embedder, cache, step)
        finally:
            cache.close()
    except sqlite3.OperationalError as exc:  # "database or disk is full", read-only cache dir
        raise storage_error(OSError(0, str(exc), str(cache_path(settings.cache_dir))), "写入向量缓存") from None
    except OSError as exc:
        raise storage_error(exc, "写入向量缓存") from None
