"""`python -m eval.tune_ranker [--set FILE ...]`: fit the app's ranker on the tuning halves only.

A logistic model over `yuqi.ranker.FEATURES`, one row per candidate chunk,
label 1 when the chunk is one of the item's gold references. Only the items
`eval.runner.half` puts in "tune" are read, so the held-out halves stay unseen;
the project's own sets (eval/*.jsonl) are never used for fitting. Run after
`python -m eval.tune_adapter`: dense features come through the query adapter. Writes
yuqi/data/ranker.json (weights in raw feature units, so serving is one dot product).
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np

from eval.devsets import dev_sets, live_service
from eval.runner import half
from eval.sets import load_items

L2 = 1e-3
STEPS = 600
RATE = 0.5


def rows(items, retriever) -> tuple[np.ndarray, np.ndarray]:
    from yuqi.analysis import analyze
    from yuqi.ranker import features
    from yuqi.textnorm import normalize_for_search

    xs, ys = [], []
    for it in items:
        a = analyze(it.query)
        sig = retriever._signals(normalize_for_search(it.query), a.expansion, a.refs, None)
        cand, X = features(sig, retriever.chapter_of, retriever.official)
        gold = set(it.gold)
        xs.append(X)
        ys.append(np.array([float(retriever.chunks[i].ref in gold or retriever.chunks[i].doc_id in gold) for i in cand]))
    return np.concatenate(xs), np.concatenate(ys)


def out_of_fold_rows(items, retriever, folds: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """`rows` with each item's dense scores read through an adapter fitted without it.

    The shipped adapter was fitted on these very items, so their adapted dense scores look far
    better than a new question's would; a ranker fitted on them would trust dense too much.
    """
    from eval.tune_adapter import fit as fit_adapter, training_rows
    from yuqi.adapter import QueryAdapter

    shipped = retriever.adapter
    if shipped is None:
        return rows(items, retriever)
    xs, ys = [], []
    for k in range(folds):
        others = [it for j, it in enumerate(items) if j % folds != k and it.set in shipped.info.get("dev_sets", ())]
        _, Q, golds = training_rows(others, retriever)
        fold = retriever.with_adapter(QueryAdapter(fit_adapter(Q, golds, retriever.vectors), shipped.model, {}))
        X, y = rows(items[k::folds], fold)
        xs.append(X)
        ys.append(y)
    return np.concatenate(xs), np.concatenate(ys)


def fit(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Class-balanced logistic regression by gradient descent on standardised features.

    The intercept is dropped from the result: ranking only needs the direction.
    """
    mu, sd = X.mean(0), X.std(0) + 1e-9
    Z = (X - mu) / sd
    w, b = np.zeros(Z.shape[1]), 0.0
    weight = np.where(y > 0, (len(y) - y.sum()) / max(y.sum(), 1.0), 1.0)
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-(Z @ w + b)))
        g = (p - y) * weight
        w -= RATE * (Z.T @ g / len(y) + L2 * w)
        b -= RATE * g.mean()
    return w / sd


def main(argv: list[str] | None = None) -> int:
    sets = dev_sets("python -m eval.tune_ranker", __doc__, argv)
    if not sets:
        return 2
    from yuqi.ranker import FEATURES, RANKER_FILE

    retriever = live_service().retriever()
    known = {c.ref for c in retriever.chunks} | {c.doc_id for c in retriever.chunks}
    items = [it for s in sets for it in load_items(s) if half(it) == "tune" and any(g in known for g in it.gold)]
    X, y = out_of_fold_rows(items, retriever)
    w = fit(X, y)
    RANKER_FILE.write_text(json.dumps({
        "features": list(FEATURES), "weights": [round(float(v), 6) for v in w],
        "trained_on": [f"{s.name} (tune half)" for s in sets], "items": len(items), "rows": int(len(y)),
        "positives": int(y.sum()), "trained_at": time.strftime("%Y-%m-%d"),
    }, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(items)} items, {len(y)} candidates ({int(y.sum())} gold) → {RANKER_FILE}")
    for name, v in zip(FEATURES, w * X.std(0)):
        print(f"  {name:<16}{v:+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
