"""What the learned verdict reads: the rule layer's facts, the nearest real cases, the message vector and its characters.

Every feature is a named float; the names are the fitted model's vocabulary (data/verdict_model.json),
so a feature the model was never fitted on is simply not read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from yuqi.textnorm import normalize_for_rules

from .bank import Case
from .model import Analysis

K = 8  # neighbours read per message
TAU = 0.02  # softmax temperature over cosines: e5 cosines of related texts differ by hundredths
# The message vector itself as features, scaled so L2 treats it like the binary facts (cross-validated
# by page on the bank: 0 → 0.720, 1 → 0.729, 3 → 0.746 verdict accuracy on the development folds).
EMB_WEIGHT = 3.0
# Characters and character pairs, each read only if it occurs on at least two source pages of the training
# bank: wording shared by independent sources, not one page's story. The vector is L2-normalised, then scaled
# like EMB_WEIGHT. Repeated grouped CV on the development folds (5 page-hash seeds, see README):
# without 0.722; pairs and triples 0.760; single characters alone 0.767; single and pairs 0.772.
NGRAM_SIZES = (1, 2)
NGRAM_MIN_PAGES = 2
NGRAM_WEIGHT = 3.0
NGRAM = "ng:"


def label_of(verdict: str | None) -> str:
    return verdict or "none"


def rule_features(a: Analysis) -> dict[str, float]:
    """What the rule layer read, as named binary features."""
    f: dict[str, float] = {"bias:rule_" + (a.verdict or "none"): 1.0}
    for r in a.reasons:
        if r.key:
            f["flag:" + r.key] = 1.0
    for t in a.threats:
        f["threat:" + t] = 1.0
    facts = a.facts
    f["speaker:" + facts.speaker] = 1.0
    if facts.addressee == "third_party":
        f["addressee:third_party"] = 1.0
    for group in ("claims", "demands", "channel", "conduct", "context"):
        for fact in getattr(facts, group):
            f[f"{group}:{fact.kind}"] = 1.0
    for c in facts.case_numbers:
        f["case_number:" + ("valid" if c.valid else "bad")] = 1.0
    if a.is_message:
        f["is_message"] = 1.0
    if any(c.kind == "injection" for c in a.cues):
        f["injection"] = 1.0
    return f


def neighbour_features(sims: np.ndarray, cases: tuple[Case, ...], k: int = K) -> dict[str, float]:
    """Similarity-weighted labels of the k nearest cases (sims: cosine to every case, -inf = excluded)."""
    if not len(cases) or not np.isfinite(sims).any():
        return {}
    top = np.argsort(-sims)[:k]
    top = top[np.isfinite(sims[top])]
    w = np.exp((sims[top] - sims[top[0]]) / TAU)
    w /= w.sum()
    f = {"knn:max_sim": float(sims[top[0]])}
    for weight, i in zip(w, top):
        case = cases[i]
        f["knn:" + label_of(case.verdict)] = f.get("knn:" + label_of(case.verdict), 0.0) + float(weight)
        for t in case.threats:
            f["knn_threat:" + t] = f.get("knn_threat:" + t, 0.0) + float(weight)
    return f


def char_grams(text: str) -> frozenset[str]:
    t = normalize_for_rules(text)
    return frozenset(t[i:i + n] for n in NGRAM_SIZES for i in range(len(t) - n + 1))


def ngram_vocab(cases: Iterable[Case]) -> frozenset[str]:
    """The n-grams that occur on at least NGRAM_MIN_PAGES distinct source pages of these cases."""
    pages: dict[str, set[str]] = defaultdict(set)
    for c in cases:
        for g in char_grams(c.text):
            pages[g].add(c.page)
    return frozenset(g for g, p in pages.items() if len(p) >= NGRAM_MIN_PAGES)


def ngram_features(text: str, vocab: frozenset[str]) -> dict[str, float]:
    found = char_grams(text) & vocab
    if not found:
        return {}
    value = NGRAM_WEIGHT / np.sqrt(len(found))
    return {NGRAM + g: value for g in found}


def features(a: Analysis, sims: np.ndarray | None, cases: tuple[Case, ...], vec: np.ndarray | None = None,
             vocab: frozenset[str] = frozenset()) -> dict[str, float]:
    f = rule_features(a)
    if sims is not None:
        f.update(neighbour_features(sims, cases))
    if vec is not None:
        f.update({f"emb:{j}": float(v) * EMB_WEIGHT for j, v in enumerate(vec)})
    f.update(ngram_features(a.text, vocab))
    return f
