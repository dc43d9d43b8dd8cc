"""Mismatch counts of tests/test_fuzz_invisible.py's edits on 600 seeded draws (docs/notes-hostile.md figures).

    PYTHONPATH=. python tests/fuzz_report.py
"""
import random, sys, json
sys.path.insert(0, "tests")
from test_fuzz_invisible import messages, INVISIBLE, SPACES, masked, links
from yuqi.analysis import analyze
from yuqi.textnorm import has_cjk
rng = random.Random(25)
msgs = messages()
def disguise(text, kinds):
    chars = list(text)
    for _ in range(rng.randint(1, 6)):
        kind = rng.choice(kinds); at = rng.randint(0, len(chars))
        if kind == "invisible": chars.insert(at, rng.choice(INVISIBLE))
        elif kind == "wide":
            a = [i for i, c in enumerate(chars) if "!" <= c <= "~"]
            if a: i = a[at % len(a)]; chars[i] = chr(ord(chars[i]) + 0xFEE0)
        else:
            p = [i for i in range(1, len(chars)) if has_cjk(chars[i-1]) and has_cjk(chars[i])]
            if p: chars.insert(p[at % len(p)], rng.choice(SPACES))
    return "".join(chars)
N = 600
res = {"verdict": 0, "mask": 0, "links": 0}
for _ in range(N):
    t = rng.choice(msgs); f = disguise(t, ["invisible", "wide", "space"])
    a, b = analyze(t), analyze(f)
    res["verdict"] += (a.verdict, a.threats) != (b.verdict, b.threats)
    res["mask"] += masked(t) != masked(f)

    res["links"] += links(t) != links(f)
print(N, res)
