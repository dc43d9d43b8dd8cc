"""Calibrate the semantic layer's per-kind thresholds on the TUNING half only.

Each prototype kind stands for one gold label (POSITIVE below). A clause of a tuning item
that does not carry that label must stay below the kind's threshold:
threshold = max such similarity + margin, never below a floor. The held-out half is
never read here.
`python -m yuqi.analysis.calibrate --set FILE` writes data/semantic_thresholds.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .evaluate import _encoder, half_of, load
from .semantic import clause_scores, prototypes

MARGIN = 0.01
FLOOR = 0.86  # e5 cosines of unrelated Chinese sentences sit around 0.75–0.85


POSITIVE = {
    "threat_safety": lambda i: i.verdict == "illegal", "insult": lambda i: i.verdict == "illegal",
    "publish": lambda i: "contacts" in i.threats, "contact_third": lambda i: "contacts" in i.threats,
    "visit": lambda i: "visit" in i.threats, "freeze": lambda i: "preservation" in i.threats,
    "account_cancel": lambda i: i.verdict == "scam", "paid_repair": lambda i: i.verdict == "scam",
    "pay": lambda i: i.verdict == "scam", "suspect": lambda i: "criminal" in i.threats,
}


def calibrate(path: Path, encoder) -> dict:
    safe_max: dict[str, float] = {k: 0.0 for k in prototypes()}
    risky_max: dict[str, float] = {k: 0.0 for k in prototypes()}
    for item in load(path):
        if half_of(item.domain) != "tune":
            continue
        for _, _, best in clause_scores(item.query, encoder):
            for kind, s in best.items():
                table = risky_max if POSITIVE[kind](item) else safe_max
                table[kind] = max(table[kind], s)
    limits = {k: round(max(FLOOR, safe_max[k] + MARGIN), 4) for k in safe_max}
    return {"_doc": f"Calibrated on the tuning half of {path.name}: max cosine of any clause of an item without the kind's label "
                    f"+ {MARGIN}, floor {FLOOR}. safe_max/risky_max are the figures it came from.",
            "thresholds": limits, "safe_max": safe_max, "risky_max": risky_max}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", required=True, type=Path)
    args = ap.parse_args(argv)
    result = calibrate(args.set, _encoder())
    out = Path(__file__).parent / "data" / "semantic_thresholds.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
