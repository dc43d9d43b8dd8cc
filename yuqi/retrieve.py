"""Hybrid retrieval: exact dense search (FAISS) + BM25 over jieba tokens, fused by RRF.

Reciprocal rank fusion needs no score calibration between the two retrievers,
which matters here: e5 cosines sit in a narrow band while BM25 scores are
unbounded. An optional cross-encoder reranks the fused head.
"""

from __future__ import annotations

import numpy as np

from yuqi.documents import Chunk, Hit
from yuqi.embed import Embedder
from yuqi.index import BuiltIndex
from yuqi.textnorm import normalize_for_search, tokenize_zh

RRF_K = 60
POOL = 60  # candidates taken from each retriever before fusion
BOOST_WEIGHT = 2.0
MODES = ("bm25", "dense", "hybrid", "hybrid+expansion", "hybrid+rerank")


class Retriever:
    def __init__(self, index: BuiltIndex, embedder: Embedder, reranker=None):
        self.index = index
        self.embedder = embedder
        self.reranker = reranker
        self.vocab = index.bm25.vocab_dict or {}

    @property
    def chunks(self) -> list[Chunk]:
        return self.index.chunks

    def dense(self, query: str, k: int = POOL) -> list[tuple[int, float]]:
        if not self.chunks or not query.strip():
            return []
        return self._dense_search(self.embedder.encode_queries([query])[0], k)

    def _dense_search(self, vec: np.ndarray, k: int) -> list[tuple[int, float]]:
        q = np.ascontiguousarray(vec.reshape(1, -1), dtype=np.float32)
        scores, ids = self.index.dense.search(q, min(k, len(self.chunks)))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def sparse(self, query: str, k: int = POOL) -> list[tuple[int, float]]:
        tokens = [t for t in tokenize_zh(query) if t in self.vocab]
        if not tokens or not self.chunks:
            return []
        scores = self.index.bm25.get_scores(tokens)
        top = np.argsort(-scores)[:k]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def search(
        self, query: str, k: int = 10, mode: str = "hybrid", expansion: str = "", boost: tuple[str, ...] = ()
    ) -> list[Hit]:
        """`expansion` (extra query words) and `boost` (reference strings the message analysis
        points to) only apply in the +expansion/+rerank modes; each enters the fusion as one list."""
        query = normalize_for_search(query)
        if mode == "dense":
            return self._hits(self.dense(query, k), k, dense=True)
        if mode == "bm25":
            return self._hits(self.sparse(query, k), k, dense=False)
        if expansion and mode in ("hybrid+expansion", "hybrid+rerank") and self.chunks:
            expanded = f"{query} {normalize_for_search(expansion)}"
            vecs = self.embedder.encode_queries([query, expanded])  # one forward pass for both
            lists = [self._dense_search(vecs[0], POOL), self.sparse(query),
                     self.sparse(expanded), self._dense_search(vecs[1], POOL)]
        else:
            lists = [self.dense(query), self.sparse(query)]
        if boost and mode in ("hybrid+expansion", "hybrid+rerank"):
            lists.append([(self.index.by_ref[r][0], 1.0) for r in boost if r in self.index.by_ref])
        # The analysis' statutes carry the weight of both retrievers: they are the legal mapping of
        # the message's threats, which neither lexical nor dense matching sees in a short SMS.
        weights = [1.0] * len(lists)
        if boost and mode in ("hybrid+expansion", "hybrid+rerank"):
            weights[-1] = BOOST_WEIGHT
        fused = rrf(lists, weights)
        hits = self._fused_hits(fused, lists, max(k, 30) if self.reranker else k)
        if self.reranker and mode == "hybrid+rerank":
            hits = self._rerank(query, hits)[:k]
        return hits[:k]

    def _hits(self, ranked: list[tuple[int, float]], k: int, dense: bool) -> list[Hit]:
        out = []
        for r, (i, s) in enumerate(ranked[:k], 1):
            out.append(Hit(self.chunks[i], s, r, dense=s if dense else None, sparse=None if dense else s))
        return out

    def _fused_hits(self, fused: list[tuple[int, float]], lists, k: int) -> list[Hit]:
        dense_scores = dict(lists[0])
        sparse_scores = dict(lists[1])
        return [
            Hit(self.chunks[i], s, r, dense=dense_scores.get(i), sparse=sparse_scores.get(i))
            for r, (i, s) in enumerate(fused[:k], 1)
        ]

    def _rerank(self, query: str, hits: list[Hit]) -> list[Hit]:
        pairs = [(query, h.chunk.text) for h in hits]
        scores = self.reranker.predict(pairs)
        order = np.argsort(-np.asarray(scores))
        return [Hit(hits[i].chunk, float(scores[i]), r, hits[i].dense, hits[i].sparse) for r, i in enumerate(order, 1)]

    def best_dense(self, query: str) -> float:
        """Cosine of the nearest chunk: the relevance signal behind declining to answer."""
        top = self.dense(normalize_for_search(query), 1)
        return top[0][1] if top else 0.0

    def fetch(self, refs: list[str]) -> list[Chunk]:
        """Chunks for given reference strings (first piece of each), skipping unknown ones."""
        return [self.chunks[self.index.by_ref[r][0]] for r in refs if r in self.index.by_ref]


def rrf(lists: list[list[tuple[int, float]]], weights: list[float] | None = None) -> list[tuple[int, float]]:
    scores: dict[int, float] = {}
    for li, ranked in enumerate(lists):
        w = weights[li] if weights else 1.0
        for rank, (i, _) in enumerate(ranked, 1):
            scores[i] = scores.get(i, 0.0) + w / (RRF_K + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def load_reranker(name: str):
    """A sentence-transformers CrossEncoder, or None when not configured."""
    if not name:
        return None
    from sentence_transformers import CrossEncoder

    return CrossEncoder(name, device="cpu")
