"""Pure scoring functions shared by tests and the eval."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .model import THREAT_IDS, VERDICT_IDS

VERDICT_CLASSES: tuple[str, ...] = (*VERDICT_IDS, "none")


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "support": tp + fn}


def threat_scores(pairs: Iterable[tuple[Sequence[str], Sequence[str]]]) -> dict:
    """pairs of (gold threats, predicted threats) -> per-type and micro P/R/F1.

    An item with no gold and no predicted threats adds nothing (true negatives
    do not enter precision/recall).
    """
    counts = {t: [0, 0, 0] for t in THREAT_IDS}
    for gold, pred in pairs:
        g, p = set(gold), set(pred)
        for t in g | p:
            c = counts.setdefault(t, [0, 0, 0])
            c[0] += t in g and t in p
            c[1] += t in p and t not in g
            c[2] += t in g and t not in p
    per_type = {t: _prf(*c) for t, c in counts.items()}
    tp, fp, fn = (sum(c[i] for c in counts.values()) for i in range(3))
    return {"per_type": per_type, "micro": _prf(tp, fp, fn)}


def verdict_scores(pairs: Iterable[tuple[str | None, str | None]]) -> dict:
    """pairs of (gold, predicted) verdicts (None = "none") -> accuracy and confusion[gold][pred]."""
    confusion = {g: {p: 0 for p in VERDICT_CLASSES} for g in VERDICT_CLASSES}
    total = correct = 0
    for gold, pred in pairs:
        g, p = gold or "none", pred or "none"
        confusion.setdefault(g, {k: 0 for k in VERDICT_CLASSES}).setdefault(p, 0)
        confusion[g][p] += 1
        total += 1
        correct += g == p
    return {"accuracy": correct / total if total else 0.0, "n": total, "confusion": confusion}
