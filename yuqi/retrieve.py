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
import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from yuqi import adapter as query_adapter
from yuqi.documents import Chunk, Hit
from yuqi.embed import Embedder
from yuqi.index import BuiltIndex, load_vectors
from yuqi.textnorm import normalize_for_search, tokenize_zh

RRF_K = 60
POOL = 60  # candidates taken from each signal before fusion
BOOST_WEIGHT = 2.0
BASIS_PER_CARD = 2  # statutes a retrieved card brings along: its first two 依据 (measured 1–6, see README)
APP_MODE = "hybrid+expansion"
MODES = ("bm25", "dense", "hybrid", "rrf+expansion", APP_MODE, "hybrid+rerank")
RANKER_FILE = Path(__file__).resolve().parent / "data" / "ranker.json"
# The order of the columns `features` returns; ranker.json names them, so a stale file is caught.
FEATURES = ("dense", "dense_gap", "bm25", "dense_exp_gap", "bm25_exp", "pointed", "chapter_gap",
            "rank_dense", "rank_bm25", "rank_dense_exp", "rank_bm25_exp", "official")


@lru_cache(maxsize=1)
def ranker_weights() -> np.ndarray:
    data = json.loads(RANKER_FILE.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{RANKER_FILE} was trained on other features; run python -m eval.tune_ranker")
    return np.asarray(data["weights"], dtype=np.float32)


def official_prior() -> float:
    """What the ranker adds to a passage of a law or regulation over an article or card otherwise alike."""
    return float(ranker_weights()[FEATURES.index("official")])


def is_official(chunk: Chunk) -> bool:
    """Official legal text (a law's or regulation's 条, or a short regulation kept whole), not an
    article or knowledge card written about the law."""
    return chunk.kind == "statute" or chunk.meta.get("origin") == "regulation"


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
        self.chapter_of = _chapters(index.chunks)
        self.official = _official(index.chunks)
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
        return _top(self._dense_scores(vec), k)

    def _dense_scores(self, vec: np.ndarray) -> np.ndarray:
        return self.vectors @ np.asarray(vec, dtype=np.float32).reshape(-1)

    def _bm25_scores(self, query: str) -> np.ndarray:
        tokens = [t for t in tokenize_zh(query) if t in self.vocab]
        if not tokens or not self.chunks:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return np.asarray(self.index.bm25.get_scores(tokens), dtype=np.float32)

    def sparse(self, query: str, k: int = POOL) -> list[tuple[int, float]]:
        return [(i, s) for i, s in _top(self._bm25_scores(query), k) if s > 0]

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
        sig = self._signals(query, expansion if uses_analysis else "", boost if uses_analysis else (), query_vec,
                            adapted=mode in (APP_MODE, "hybrid+rerank"))
        if not uses_analysis:
            sig["pointed"] = []  # plain hybrid stays the two-retriever baseline
        if mode == APP_MODE or (mode == "hybrid+rerank" and self.reranker):
            cand, X = features(sig, self.chapter_of, self.official)
            scores = X @ ranker_weights()
            fused = with_basis(sorted(zip(cand.tolist(), scores.tolist()), key=lambda kv: (-kv[1], kv[0])), self.basis)
        else:
            lists = [_top(sig["dense"], POOL), _top(sig["bm25"], POOL)]
            weights = [1.0, 1.0]
            if uses_analysis and expansion:
                lists += [_top(sig["bm25_exp"], POOL), _top(sig["dense_exp"], POOL)]
                weights += [1.0, 1.0]
            if sig["pointed"]:
                lists.append([(i, 1.0) for i in sig["pointed"]])
                weights.append(BOOST_WEIGHT)
            fused = rrf(lists, weights)
        hits = self._fused_hits(fused, sig, max(k, 30) if self.reranker else k)
        if self.reranker and mode == "hybrid+rerank":
            hits = self._rerank(query, hits)[:k]
        return hits[:k]

    def _signals(self, query: str, expansion: str, boost: tuple[str, ...], query_vec, adapted: bool = True) -> dict:
        """Every chunk's score under each signal for one query (one forward pass for both texts).
        `adapted`: dense scores through the query adapter (the app's mode); the baselines stay plain."""
        expanded = f"{query} {normalize_for_search(expansion)}" if expansion.strip() else ""
        if query_vec is None:
            vecs = self.embedder.encode_queries([query, expanded] if expanded else [query])
        else:
            vecs = [query_vec] + (list(self.embedder.encode_queries([expanded])) if expanded else [])
        cosine = dense = self._dense_scores(vecs[0])
        # Only for questions the analysis found no threat in: the map was fitted on real legal questions,
        # and on pasted collection messages it pulled them off the statutes the analysis points to
        # (messages_dev hit@5 0.90 -> 0.78 with it).
        if adapted and self.adapter is not None and not expanded:
            vecs = self.adapter(np.stack(vecs))
            dense = self._dense_scores(vecs[0])
        bm25 = self._bm25_scores(query)
        pointed = [self.index.by_ref[r][0] for r in (*boost, *named_refs(query)) if r in self.index.by_ref]
        return {
            # `cosine` is the plain query's: hits report it, and the decline threshold was set on it.
            "dense": dense, "cosine": cosine, "bm25": bm25, "pointed": list(dict.fromkeys(pointed)),
            "dense_exp": self._dense_scores(vecs[1]) if expanded else dense,
            "bm25_exp": self._bm25_scores(expanded) if expanded else bm25,
        }

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


def _top(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    k = min(k, len(scores))
    if k <= 0:
        return []
    part = np.argpartition(-scores, k - 1)[:k]
    part = part[np.lexsort((part, -scores[part]))]  # by score, ties by position: deterministic
    return [(int(i), float(scores[i])) for i in part]


def _chapters(chunks: list[Chunk]) -> np.ndarray:
    """A group id per chunk: its chapter (document + heading)."""
    chap: dict[tuple[str, str], int] = {}
    return np.asarray([chap.setdefault((c.doc_id, c.heading), len(chap)) for c in chunks], dtype=np.int64)


def _official(chunks: list[Chunk]) -> np.ndarray:
    return np.asarray([is_official(c) for c in chunks], dtype=np.float32)


def _group_max(x: np.ndarray, groups: np.ndarray) -> np.ndarray:
    out = np.full(int(groups.max()) + 1 if len(groups) else 0, -np.inf, dtype=np.float32)
    np.maximum.at(out, groups, x)
    return out[groups]


def _rank_weight(x: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(x), dtype=np.float32)
    ranks[np.argsort(-x, kind="stable")] = np.arange(len(x), dtype=np.float32)
    return 1.0 / np.log2(ranks + 2.0)


def features(sig: dict, chapter_of: np.ndarray, official: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(candidate chunk ids, one row of FEATURES each).

    Scores are taken relative to the query's best (cosines of one query sit in a
    narrow band whose level varies per query; BM25 is unbounded). The chapter
    feature carries the neighbourhood: the right 条 usually sits in the chapter
    whose best article the question matches. A whole-law version of it was
    dropped: it learned "stay in the law of the best match" from STARD (mostly
    民法典) and pushed a regulation's article (the interest cap) out of the top 5.
    `official` lets the ranker prefer the law's own text over an article or card that
    paraphrases it (real questions' gold is the 条; cards still reach the answer, see
    `yuqi.answer.prepare`).
    """
    d, de, b, be = sig["dense"], sig["dense_exp"], sig["bm25"], sig["bm25_exp"]
    cand = {i for s in (d, de, b, be) for i, _ in _top(s, POOL)} | set(sig["pointed"])
    cand = np.fromiter(sorted(cand), dtype=np.int64)
    pointed = np.zeros(len(d), dtype=np.float32)
    pointed[sig["pointed"]] = 1.0
    top_d = float(d.max())
    cols = [
        d, d - top_d, b / max(float(b.max()), 1e-9), de - float(de.max()), be / max(float(be.max()), 1e-9), pointed,
        _group_max(d, chapter_of) - top_d,
        _rank_weight(d), _rank_weight(b), _rank_weight(de), _rank_weight(be), official,
    ]
    return cand, np.stack([c[cand] for c in cols], axis=1).astype(np.float32)


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
