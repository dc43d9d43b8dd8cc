"""Calibrate the semantic layer's per-kind thresholds on the TUNING half only.

Every prototype kind pushes toward caution (scam/illegal/exaggerated), so a clause
from an item whose gold verdict is plausible or none (either reading) must stay below
the threshold: threshold = max such similarity + margin, never below a floor.
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


def calibrate(path: Path, encoder) -> dict:
    safe_max: dict[str, float] = {k: 0.0 for k in prototypes()}
    risky_max: dict[str, float] = {k: 0.0 for k in prototypes()}
    for item in load(path):
        if half_of(item.domain) != "tune":
            continue
        safe = {item.verdict, item.verdict_alt} & {None, "plausible"} and item.verdict in (None, "plausible")
        for _, _, best in clause_scores(item.query, encoder):
            for kind, s in best.items():
                table = safe_max if safe else risky_max
                table[kind] = max(table[kind], s)
    limits = {k: round(max(FLOOR, safe_max[k] + MARGIN), 4) for k in safe_max}
    return {"_doc": f"Calibrated on the tuning half of {path.name}: max cosine of any clause of a plausible/none item "
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
