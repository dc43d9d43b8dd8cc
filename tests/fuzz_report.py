"""How often invisible characters, full-width forms and spaces move a decision (docs/notes-hostile.md).

    PYTHONPATH=. python tests/fuzz_report.py [N]

The same edits as tests/test_fuzz_invisible.py, drawn with a fixed seed: N (default 600) real
messages, each disguised, and the count of those whose verdict/threats, masking or links moved.
Without PYTHONPATH=. an installed copy of yuqi is measured instead (that is how "before" was taken).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_fuzz_invisible import INVISIBLE, SPACES, links, masked, messages  # noqa: E402
from yuqi.analysis import analyze  # noqa: E402
from yuqi.textnorm import has_cjk  # noqa: E402


def disguise(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 6)):
        kind, at = rng.choice(["invisible", "wide", "space"]), rng.randint(0, len(chars))
        if kind == "invisible":
            chars.insert(at, rng.choice(INVISIBLE))
        elif kind == "wide":
            ascii_at = [i for i, c in enumerate(chars) if "!" <= c <= "~"]
            if ascii_at:
                i = ascii_at[at % len(ascii_at)]
                chars[i] = chr(ord(chars[i]) + 0xFEE0)
        else:
            pairs = [i for i in range(1, len(chars)) if has_cjk(chars[i - 1]) and has_cjk(chars[i])]
            if pairs:
                chars.insert(pairs[at % len(pairs)], rng.choice(SPACES))
    return "".join(chars)


def main(n: int = 600) -> dict[str, int]:
    rng, msgs = random.Random(25), messages()
    moved = {"verdict": 0, "mask": 0, "links": 0}
    for _ in range(n):
        text = rng.choice(msgs)
        fuzzed = disguise(text, rng)
        a, b = analyze(text), analyze(fuzzed)
        moved["verdict"] += (a.verdict, a.threats) != (b.verdict, b.threats)
        moved["mask"] += masked(text) != masked(fuzzed)
        moved["links"] += links(text) != links(fuzzed)
    return moved


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 600
    print(count, main(count))
