"""Retrieval: exact dense search + BM25 over jieba tokens, fused by a small learned ranker.

The app's mode (`hybrid+expansion`) scores every candidate that any signal puts
near the top (dense and BM25 on the question and on the analysis-expanded
question, the statutes the analysis points to, articles the question names)
with a linear model over a few features (yuqi/data/ranker.json, trained by
`python -m eval.tune_ranker` on the tuning halves of the real dev sets only).
Equal-weight RRF (`hybrid`, `rrf+expansion`) stays as a baseline: on real
questions it ranked below dense search alone, because BM25's list carries as
much weight as the much better dense list.
"""

from __future__ import annotations

import copy

import numpy as np

from yuqi import adapter as query_adapter
from yuqi.documents import Chunk, Hit
from yuqi.embed import Embedder
from yuqi.index import BuiltIndex, load_vectors
from yuqi.ranker import POOL, chapters, features, official_flags, ranker_weights, top_scores
from yuqi.textnorm import normalize_for_search, tokenize_zh

RRF_K = 60
BOOST_WEIGHT = 2.0
BASIS_PER_CARD = 2  # statutes a retrieved card brings along: its first two 依据 (measured 1–6, see README)
APP_MODE = "hybrid+expansion"
MODES = ("bm25", "dense", "hybrid", "rrf+expansion", APP_MODE, "hybrid+rerank")
def _single_thread_blas() -> None:
    """Keep OpenBLAS to one thread for the process.

    The dense scores are one small mat-vec (chunks x 384). With OpenBLAS' default two threads
    on two cores, its workers keep spinning after that call and starve the next query
    encoding in torch: measured 110 ms instead of 18 ms per query on this machine.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")


class Retriever:
    def __init__(self, index: BuiltIndex, embedder: Embedder, reranker=None):
        self.index = index
        self.embedder = embedder
        self.reranker = reranker
        self.vocab = index.bm25.vocab_dict or {}
        self.vectors = load_vectors(index)  # exact scores for every chunk: a few MB, < 1 ms per query
        _single_thread_blas()
        self.chapter_of = chapters(index.chunks)
        self.official = official_flags(index.chunks)
        self.basis = _card_basis(index)
        # The app's mode reads dense scores through the query adapter fitted for this model (if any);
        # `dense` mode and the decline threshold keep the plain cosine they were measured with.
        self.adapter = query_adapter.load(embedder.name, int(self.vectors.shape[1])) if len(self.vectors) else None

    def with_adapter(self, adapter: query_adapter.QueryAdapter | None) -> Retriever:
        """This retriever reading dense scores through another map (eval's cross-fitting); a copy,
        so the app's shared retriever never changes under a chat session while its eval page runs."""
        other = copy.copy(self)
        other.adapter = adapter
        return other

    @property
    def chunks(self) -> list[Chunk]:
        return self.index.chunks

    def encode(self, query: str) -> np.ndarray:
        return self.embedder.encode_queries([normalize_for_search(query)])[0]

    def dense(self, query: str, k: int = POOL, query_vec: np.ndarray | None = None) -> list[tuple[int, float]]:
        if not self.chunks or not query.strip():
            return []
        vec = self.embedder.encode_queries([query])[0] if query_vec is None else query_vec
        return top_scores(self._dense_scores(vec), k)

    def _dense_scores(self, vec: np.ndarray) -> np.ndarray:
        return self.vectors @ np.asarray(vec, dtype=np.float32).reshape(-1)

    def _bm25_scores(self, query: str) -> np.ndarray:
        tokens = [t for t in tokenize_zh(query) if t in self.vocab]
        if not tokens or not self.chunks:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return np.asarray(self.index.bm25.get_scores(tokens), dtype=np.float32)

    def sparse(self, query: str, k: int = POOL) -> list[tuple[int, float]]:
        return [(i, s) for i, s in top_scores(self._bm25_scores(query), k) if s > 0]

    def search(
        self, query: str, k: int = 10, mode: str = APP_MODE, expansion: str = "", boost: tuple[str, ...] = (),
        query_vec: np.ndarray | None = None,
    ) -> list[Hit]:
        """`expansion` (extra query words) and `boost` (reference strings the message analysis points
        to) apply in the app's mode, +rerank and rrf+expansion. `query_vec` is the query already
        encoded (`encode`), so the answer path embeds a question once."""
        query = normalize_for_search(query)
        if not self.chunks or not query.strip():
            return []
        if mode == "bm25":
            return self._hits(self.sparse(query, k), k, dense=False)
        if mode == "dense":
            return self._hits(self.dense(query, k, query_vec), k, dense=True)
        uses_analysis = mode in (APP_MODE, "rrf+expansion", "hybrid+rerank")
        learned = mode == APP_MODE or (mode == "hybrid+rerank" and self.reranker is not None)
        sig = self._signals(query, expansion if uses_analysis else "", boost if uses_analysis else (), query_vec,
                            adapted=mode in (APP_MODE, "hybrid+rerank"), dense_expansion=uses_analysis and not learned)
        if not uses_analysis:
            sig["pointed"] = []  # plain hybrid stays the two-retriever baseline
        if learned:
            cand, X = features(sig, self.chapter_of, self.official)
            scores = X @ ranker_weights()
            fused = with_basis(sorted(zip(cand.tolist(), scores.tolist()), key=lambda kv: (-kv[1], kv[0])), self.basis)
        else:
            lists = [top_scores(sig["dense"], POOL), top_scores(sig["bm25"], POOL)]
            weights = [1.0, 1.0]
            if uses_analysis and expansion:
                lists += [top_scores(sig["bm25_exp"], POOL), top_scores(sig["dense_exp"], POOL)]
                weights += [1.0, 1.0]
            if sig["pointed"]:
                lists.append([(i, 1.0) for i in sig["pointed"]])
                weights.append(BOOST_WEIGHT)
            fused = rrf(lists, weights)
        hits = self._fused_hits(fused, sig, max(k, 30) if self.reranker else k)
        if self.reranker and mode == "hybrid+rerank":
            hits = self._rerank(query, hits)[:k]
        return hits[:k]

    def _signals(self, query: str, expansion: str, boost: tuple[str, ...], query_vec, adapted: bool = True,
                 dense_expansion: bool = False) -> dict:
        """Every chunk's score under each signal for one query.
        `adapted`: dense scores through the query adapter (the app's mode); the baselines stay plain.
        `dense_expansion`: also embed query + expansion (the old RRF baseline only). The ranker reads
        the expansion through BM25 alone: its dense twin cost a second e5 pass per message (about
        25 ms of the 50 ms budget) for messages_dev MRR@10 0.611 vs 0.622, stard_dev unchanged."""
        expanded = f"{query} {normalize_for_search(expansion)}" if expansion.strip() else ""
        vec = self.embedder.encode_queries([query])[0] if query_vec is None else query_vec
        cosine = dense = self._dense_scores(vec)
        # Only for questions the analysis found no threat in: the map was fitted on real legal questions,
        # and on pasted collection messages it pulled them off the statutes the analysis points to
        # (messages_dev hit@5 0.90 -> 0.78 with it).
        if adapted and self.adapter is not None and not expanded:
            dense = self._dense_scores(self.adapter(vec[None, :])[0])
        bm25 = self._bm25_scores(query)
        pointed = [self.index.by_ref[r][0] for r in (*boost, *named_refs(query)) if r in self.index.by_ref]
        sig = {
            # `cosine` is the plain query's: hits report it, and the decline threshold was set on it.
            "dense": dense, "cosine": cosine, "bm25": bm25, "pointed": list(dict.fromkeys(pointed)),
            "bm25_exp": self._bm25_scores(expanded) if expanded else bm25,
        }
        if dense_expansion:
            sig["dense_exp"] = self._dense_scores(self.embedder.encode_queries([expanded])[0]) if expanded else dense
        return sig

    def _hits(self, ranked: list[tuple[int, float]], k: int, dense: bool) -> list[Hit]:
        out = []
        for r, (i, s) in enumerate(ranked[:k], 1):
            out.append(Hit(self.chunks[i], s, r, dense=s if dense else None, sparse=None if dense else s))
        return out

    def _fused_hits(self, fused: list[tuple[int, float]], sig: dict, k: int) -> list[Hit]:
        return [
            Hit(self.chunks[i], s, r, dense=float(sig["cosine"][i]), sparse=float(sig["bm25"][i]))
            for r, (i, s) in enumerate(fused[:k], 1)
        ]

    def _rerank(self, query: str, hits: list[Hit]) -> list[Hit]:
        pairs = [(query, h.chunk.text) for h in hits]
        scores = self.reranker.predict(pairs)
        order = np.argsort(-np.asarray(scores))
        return [Hit(hits[i].chunk, float(scores[i]), r, hits[i].dense, hits[i].sparse) for r, i in enumerate(order, 1)]

    def best_dense(self, query: str, query_vec: np.ndarray | None = None) -> float:
        """Cosine of the nearest chunk: the relevance signal behind declining to answer."""
        top = self.dense(normalize_for_search(query), 1, query_vec)
        return top[0][1] if top else 0.0

    def fetch(self, refs: list[str]) -> list[Chunk]:
        """Chunks for given reference strings (first piece of each), skipping unknown ones."""
        return [self.chunks[self.index.by_ref[r][0]] for r in refs if r in self.index.by_ref]


def _card_basis(index: BuiltIndex) -> dict[int, list[int]]:
    """Chunk → the chunks of the statutes its knowledge card rests on (the card's 依据, first BASIS_PER_CARD)."""
    out: dict[int, list[int]] = {}
    for i, chunk in enumerate(index.chunks):
        refs = (index.docs.get(chunk.doc_id) or {}).get("basis") or ()
        targets = [index.by_ref[r][0] for r in refs[:BASIS_PER_CARD] if r in index.by_ref]
        if targets:
            out[i] = targets
    return out


def with_basis(ranked: list[tuple[int, float]], basis: dict[int, list[int]]) -> list[tuple[int, float]]:
    """A retrieved knowledge card brings its main statutes right after it.

    The cards are our own plain-language answers, each resting on a few checked articles; when a
    card matches, those articles are the law the question turns on, even when their own wording
    (“借款人应当按照约定的期限返还借款”) shares little with how a frightened person asks."""
    out: list[tuple[int, float]] = []
    seen: set[int] = set()
    for i, score in ranked:
        for j in (i, *basis.get(i, ())):
            if j not in seen:
                seen.add(j)
                out.append((j, score))
    return out


def named_refs(query: str) -> list[str]:
    """References the question itself names ("民法典第五百六十三条"), as `<title>#<第X条>`."""
    if "条" not in query:
        return []
    from yuqi.citations import find_citations

    return [f"{c.law_title}#{c.article_no}" for c in find_citations(query) if c.law_title and c.article_no]


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
