"""Recall of yuqi.pii on tests/data/pii_cases.jsonl and how often it masks text with no personal data.

    python tests/pii_report.py      (YUQI_SHARED_DIR=/path/to/shared when it is not ../shared)

A gold span counts as found only when every character of it is masked (a half-masked
number still leaks). Splits: dev (written first, rules tuned on it), tuned (written
second; first measured untuned, then tuned on), fresh (written last, never tuned on).
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from yuqi.pii import find_spans  # noqa: E402

CASES = ROOT / "tests" / "data" / "pii_cases.jsonl"
REAL = Path(os.environ.get("YUQI_SHARED_DIR") or ROOT.parent / "shared") / "eval-real"  # ../shared beside the clone
GROUPS = {"身份证": "numbers", "银行卡": "numbers", "手机号": "numbers", "姓名": "names", "地址": "addresses"}


def load_cases(split: str | None = None) -> list[dict]:
    items = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [i for i in items if split in (None, i["split"])]


def recall(items: list[dict]) -> tuple[Counter, Counter, list[tuple[str, str]]]:
    total, found, misses = Counter(), Counter(), []
    for item in items:
        covered = {i for s, e, label in find_spans(item["text"]) if label for i in range(s, e)}
        for span in item["spans"]:
            group = GROUPS.get(span["label"], span["label"])
            total[group] += 1
            if all(i in covered for i in range(span["start"], span["end"])):
                found[group] += 1
            else:
                misses.append((item["id"], span["value"]))
    return total, found, misses


def masked_share(texts: list[str]) -> tuple[int, list[str]]:
    """Texts (with no personal data in them) where anything at all was masked."""
    hits = [t for t in texts if any(label for _, _, label in find_spans(t))]
    return len(hits), hits


def real_texts(name: str) -> list[str]:
    path = REAL / name
    if not path.is_file():
        return []
    return [json.loads(line)["query"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    for split in ("dev", "tuned", "fresh", None):
        items = load_cases(split)
        total, found, misses = recall(items)
        figures = ", ".join(f"{g} {found[g]}/{total[g]} = {found[g] / total[g]:.3f}" for g in sorted(total))
        print(f"{split or 'all'} ({len(items)} items): {figures}; missed: {misses}")
    clean = [i["text"] for i in load_cases() if not i["spans"]]
    print("negatives in the set masked: %d/%d" % (masked_share(clean)[0], len(clean)))
    for name in ("messages_dev.jsonl", "stard_dev.jsonl"):
        texts = real_texts(name)
        n, hits = masked_share(texts)
        print(f"eval-real/{name}: {n}/{len(texts)} texts masked {hits}")


if __name__ == "__main__":
    main()
