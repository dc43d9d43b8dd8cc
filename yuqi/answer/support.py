"""Is each cited sentence true to its passage? Check, then move or drop the marker.

A claim is the clause a run of [n] markers closes (or, for a list line that
opens with its marker, the rest of the line). It is supported by a passage when
enough of its normalised CJK bigrams occur in the passage, or when it is
semantically close (cosine of the loaded embedder) and shares some wording.
Thresholds are data (wording.json → support) measured on the eval sets; see
/work/notes/answers.md for the figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from yuqi.answer.sentvec import sentence_vectors
from yuqi.answer.types import Passage, Support, SupportStats
from yuqi.answer.wording import wording
from yuqi.textnorm import CJK, normalize_for_search

RUN = re.compile(r"(?:\[\d+\])+")
NUM = re.compile(r"\[(\d+)\]")
# Placeholder the composer puts after product wording: "cite the passage that says this, if any".
AUTO = "⟦cite⟧"
BOUNDARY = re.compile(r"[。！？；\n]")
KEEP = re.compile(f"[{CJK}0-9a-z]")


def _norm(text: str) -> str:
    text = normalize_for_search(re.sub(r"\*\*|《|》|“|”", "", text)).lower()
    return "".join(KEEP.findall(text))


def grams(text: str) -> frozenset[str]:
    t = _norm(text)
    return frozenset(t[i:i + 2] for i in range(len(t) - 1))


@lru_cache(maxsize=1024)  # ~15 KB a chunk; an answer reads ≤ 10 chunks, most of them again in the next
def corpus_grams(text: str) -> frozenset[str]:
    """`grams` of corpus text (a passage with its label, an article's sentence, a title), kept across
    answers: keyed by the text itself, so changed text is another entry. Never the person's text."""
    return grams(text)


def passage_grams(passage: Passage) -> frozenset[str]:
    return corpus_grams(f"{passage.chunk.label}{passage.chunk.text}")


def lexical(claim: str, passage: Passage, g: frozenset[str] | None = None) -> float:
    """Share of the claim's bigrams (`g`, when already computed) found in the passage (its label
    counts: "《刑法》第X条规定")."""
    g = grams(claim) if g is None else g
    if not g:
        return 0.0
    return len(g & passage_grams(passage)) / len(g)


@dataclass(frozen=True)
class Claim:
    start: int  # the claim text is text[start:end]; the marker run follows at end..run_end
    end: int
    run_start: int
    run_end: int
    numbers: tuple[int, ...]
    auto: bool = False


def claims(text: str) -> list[Claim]:
    """Every marker run (or AUTO placeholder) with the clause it closes."""
    out: list[Claim] = []
    pattern = re.compile(rf"{RUN.pattern}|{re.escape(AUTO)}")
    prev = 0
    for m in pattern.finditer(text):
        nums = tuple(int(n) for n in NUM.findall(m.group(0)))
        start, end = _clause(text, prev, m.start())
        if end - start < 4:  # "- [3] 《刑法》…": the marker opens the line
            start, end = m.end(), _line_end(text, m.end())
        out.append(Claim(start, end, m.start(), m.end(), nums, auto=m.group(0) == AUTO))
        prev = m.end()
    return out


def _clause(text: str, prev: int, pos: int) -> tuple[int, int]:
    end = pos
    body = text[:end].rstrip("。！？；，、 *")
    cut = max((m.end() for m in BOUNDARY.finditer(body)), default=0)
    start = max(cut, prev)
    if len(_norm(text[start:end])) < 6:  # "…，[1]" after a short tail: take the whole sentence
        start = cut
    return start, end


def _line_end(text: str, pos: int) -> int:
    nl = text.find("\n", pos)
    return len(text) if nl < 0 else nl


class Scorer:
    """Lexical and (when an encoder is loaded) semantic support of claims by passages.

    `own`: the person's text, so that sentences quoting it are never kept with our wording's
    vectors (yuqi.answer.sentvec); None keeps none that quotes anything."""

    def __init__(self, passages: list[Passage], encoder=None, own: str | None = None):
        self.passages = {p.n: p for p in passages}
        self.encoder = encoder if all(p.vec is not None for p in passages) else None
        self.own = own
        self.t = wording()["support"]

    def judge(self, sentences: list[str], cited: list[tuple[int, ...]] | None = None) -> list[dict[int, Support]]:
        """For each sentence, its Support against every passage. The embedder runs only for
        sentences whose cited passages (all of them, when `cited` is None or empty) fail lexically
        and that some passage could support by meaning: below the lexical floor everywhere, no
        cosine can make a passage support it, so its row keeps `semantic` None (nothing else differs)."""
        lex = [{n: lexical(s, p, g) for n, p in self.passages.items()} for s, g in zip(sentences, map(grams, sentences))]
        cited = cited or [()] * len(sentences)
        need = [i for i, row in enumerate(lex) if self._meaning_counts(row, cited[i])]
        sims = self._cosines([sentences[i] for i in need])
        sem_of = dict(zip(need, sims)) if sims is not None else {}
        out = []
        for i, s in enumerate(sentences):
            row = {}
            for n in self.passages:
                sem = sem_of[i][n] if i in sem_of else None
                row[n] = Support(s, n, round(lex[i][n], 3), None if sem is None else round(sem, 3), self._ok(lex[i][n], sem))
            out.append(row)
        return out

    def _meaning_counts(self, row: dict[int, float], cited: tuple[int, ...]) -> bool:
        """Could a cosine change this sentence's outcome? Its cited passages (or, uncited, all) do not
        all support it lexically, and some passage reaches the floor under which meaning never counts."""
        failing = not cited or any(row.get(n, 0.0) < self.t["lexical"] for n in cited)
        return failing and any(v >= self.t["lexical_floor"] for v in row.values())

    def _ok(self, lex: float, sem: float | None) -> bool:
        if lex >= self.t["lexical"]:
            return True
        return sem is not None and sem >= self.t["semantic"] and lex >= self.t["lexical_floor"]

    def _cosines(self, sentences: list[str]) -> list[dict[int, float]] | None:
        if self.encoder is None or not sentences or not self.passages:
            return None
        # One forward pass for the sentences not known yet; passages compare by their index vectors.
        q = sentence_vectors(self.encoder, [normalize_for_search(s) for s in sentences], self.own)
        return [{n: float(np.dot(v, p.vec)) for n, p in self.passages.items()} for v in q]


def _best(row: dict[int, Support], exclude: set[int]) -> int | None:
    ok = [s for n, s in row.items() if s.supported and n not in exclude]
    if not ok:
        return None
    return max(ok, key=lambda s: (s.lexical + 0.5 * (s.semantic or 0.0), -s.n)).n


def repair(text: str, passages: list[Passage], encoder=None,
           own: str | None = None) -> tuple[str, list[Support], SupportStats, list[str]]:
    """Keep supported markers, move unsupported ones to the passage that says it, else drop them.

    `own`: the person's text (see Scorer). Returns (text, final supports, stats, markers naming no passage)."""
    found = claims(text)
    if not found:
        return text.replace(AUTO, ""), [], SupportStats(), []
    table = Scorer(passages, encoder, own).judge([text[c.start:c.end] for c in found], [c.numbers for c in found])
    parts, supports, last = [], [], 0
    raw = ok = moved = removed = added = 0
    dangling: list[str] = []
    for c, row in zip(found, table):
        keep = [n for n in dict.fromkeys(c.numbers) if n in row and row[n].supported]
        raw += len(c.numbers)
        ok += len(keep)
        dangling += [f"[{n}]" for n in c.numbers if n not in row]
        new = keep
        if not keep:
            best = _best(row, set())
            new = [best] if best is not None else []
            if c.auto:
                added += bool(new)
            else:
                moved += bool(new) and len(c.numbers)
                removed += len(c.numbers) - (1 if new else 0)
        else:
            removed += len(set(c.numbers)) - len(keep)
        parts += [text[last:c.run_start], "".join(f"[{n}]" for n in sorted(new))]
        supports += [row[n] for n in new]
        last = c.run_end
    parts.append(text[last:])
    return "".join(parts), supports, SupportStats(raw, ok, moved, removed, added), dangling


def renumber(text: str, passages: list[Passage]) -> tuple[str, list[Passage]]:
    """Passages in the order the answer first cites them, numbered 1, 2, 3 … with no gaps."""
    order = list(dict.fromkeys(int(n) for n in NUM.findall(text) if any(p.n == int(n) for p in passages)))
    rest = [p.n for p in passages if p.n not in order]
    new_no = {old: i for i, old in enumerate(order + rest, 1)}
    by_n = {p.n: p for p in passages}
    renumbered = [replace(by_n[old], n=new_no[old]) for old in order + rest]
    def run(m: re.Match) -> str:
        nums = sorted({new_no.get(int(n), int(n)) for n in NUM.findall(m.group(0))})
        return "".join(f"[{n}]" for n in nums)

    return RUN.sub(run, text), renumbered
