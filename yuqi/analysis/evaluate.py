"""Analysis-only evaluation over a labelled jsonl, split by source domain.

`python -m yuqi.analysis.evaluate --set FILE [--model]` prints verdict accuracy
(verdict_alt counts as right), threat micro-F1, scam recall and the per-kind
confusion for the tuning half, the held-out half and the whole set.

Split rule (deterministic, documented in /work/notes/verdicts.md): the source's
registered domain (host without "www."/"m.", last two labels, three for
*.com.cn/*.gov.cn style hosts; the whole `source` string when it holds no URL)
is hashed with md5; an even first byte puts every item of that domain in the
tuning half, an odd one in the held-out half. All items of one domain stay on
one side, so a page's wording cannot leak across the split.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from .score import threat_scores

_URL = re.compile(r"https?://([^/\s)]+)")
_SECOND_LEVEL = {"com.cn", "gov.cn", "org.cn", "net.cn", "edu.cn"}


@dataclass(frozen=True)
class Item:
    id: str
    query: str
    threats: tuple[str, ...]
    verdict: str | None
    verdict_alt: str | None
    domain: str


def source_domain(source: str) -> str:
    m = _URL.search(source or "")
    if not m:
        return (source or "").strip()[:40]
    labels = m.group(1).lower().split(":")[0].split(".")
    keep = 3 if ".".join(labels[-2:]) in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def half_of(domain: str) -> str:
    return "tune" if hashlib.md5(domain.encode("utf-8")).digest()[0] % 2 == 0 else "held"


def load(path: Path) -> list[Item]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            items.append(Item(d["id"], d["query"], tuple(d.get("threats") or ()), d.get("verdict"),
                              d.get("verdict_alt"), source_domain(d.get("source", d["id"]))))
    return items


def _right(item: Item, pred: str | None) -> bool:
    return pred == item.verdict or (item.verdict_alt is not None and pred == item.verdict_alt)


def metrics(rows: list[tuple[Item, str | None, tuple[str, ...]]]) -> dict:
    n = len(rows)
    right = sum(_right(i, v) for i, v, _ in rows)
    scams = [(i, v) for i, v, _ in rows if i.verdict == "scam"]
    threats = threat_scores((i.threats, t) for i, _, t in rows)
    confusion: dict[str, dict[str, int]] = {}
    for i, v, _ in rows:
        row = confusion.setdefault(i.verdict or "none", {})
        row[v or "none"] = row.get(v or "none", 0) + 1
    per = threats["per_type"]
    return {
        "n": n, "verdict_accuracy": right / n if n else 0.0,
        "threat_micro_f1": threats["micro"]["f1"],
        "scam_recall": sum(v == "scam" for _, v in scams) / len(scams) if scams else 1.0,
        "scam_called_safe": sum(v in (None, "plausible") for _, v in scams),
        "contacts_recall": per.get("contacts", {}).get("recall", 0.0),
        "court_sms_recall": per.get("court_sms", {}).get("recall", 0.0),
        "confusion": confusion,
    }


def run(path: Path, encoder=None, verbose: bool = False) -> dict:
    from . import analyze

    rows, times = [], []
    for item in load(path):
        t0 = time.perf_counter()
        a = analyze(item.query, encoder=encoder)
        times.append(time.perf_counter() - t0)
        rows.append((item, a.verdict, a.threats))
        if verbose and (not _right(item, a.verdict) or set(a.threats) != set(item.threats)):
            print(f"  {item.id} [{half_of(item.domain)}] gold={item.verdict}/{item.verdict_alt} pred={a.verdict} "
                  f"gold_t={list(item.threats)} pred_t={list(a.threats)} | {item.query[:50]}")
    out = {h: metrics([r for r in rows if half_of(r[0].domain) == h]) for h in ("tune", "held")}
    out["whole"] = metrics(rows)
    times.sort()
    out["p50_ms"] = 1000 * times[len(times) // 2] if times else 0.0
    return out


def _encoder():
    from yuqi.embed import Embedder
    from yuqi.settings import load_settings

    s = load_settings()
    return Embedder(s.embed_model, s.cache_dir)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="analysis-only verdict/threat evaluation")
    ap.add_argument("--set", required=True, type=Path)
    ap.add_argument("--model", action="store_true", help="also run the semantic layer with the real model")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    encoder = _encoder() if args.model else None
    result = run(args.set, encoder, args.verbose)
    for half in ("tune", "held", "whole"):
        m = result[half]
        print(f"{half:5s} n={m['n']:3d} acc={m['verdict_accuracy']:.3f} threatF1={m['threat_micro_f1']:.3f} "
              f"scam_rec={m['scam_recall']:.3f} scam_safe={m['scam_called_safe']} "
              f"contacts={m['contacts_recall']:.2f} court_sms={m['court_sms_recall']:.2f}")
    print("confusion (whole, gold -> pred):", json.dumps(result["whole"]["confusion"], ensure_ascii=False))
    print(f"p50 analysis {result['p50_ms']:.1f} ms")
    if encoder is not None:
        print("layer gains:", json.dumps(layer_gains(args.set, encoder), ensure_ascii=False))
    return 0



def layer_gains(path: Path, encoder) -> dict[str, dict[str, int]]:
    """Per fact kind: items where the rule layer found it, and items the semantic layer added."""
    from .cues import extract_cues
    from .semantic import semantic_cues

    gains: dict[str, dict[str, int]] = {}
    for item in load(path):
        rules = extract_cues(item.query)
        for c in rules:
            if c.kind.startswith("fact:"):
                gains.setdefault(c.kind[5:], {"rule": 0, "semantic_added": 0})["rule"] += 1
        for c in semantic_cues(item.query, rules, encoder):
            gains.setdefault(c.kind[5:], {"rule": 0, "semantic_added": 0})["semantic_added"] += 1
    return gains


if __name__ == "__main__":
    raise SystemExit(main())
