""""The article exists" is not "it applies": crimes collectors claim a debtor committed.

When a citation of an article that defines a crime (data/claims.json) sits in a
sentence that names that crime or asserts liability, the check result carries
the article's conditions and why ordinary default does not meet them.
"""

from __future__ import annotations

from bisect import bisect_right

import json
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "claims.json"
_SENTENCE_END = re.compile(r"[。！？!?\n；;]")


@dataclass(frozen=True)
class Claim:
    id: str
    crime: str
    names: tuple[str, ...]
    refs: tuple[str, ...]
    conditions: str
    why_not: str
    basis: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        """One line for a page or CLI: 条文存在，但……"""
        return f"条文存在，但构成{self.crime}需要：{self.conditions}{self.why_not}"


@lru_cache(maxsize=1)
def _data() -> tuple[tuple[str, ...], tuple[Claim, ...]]:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    claims = tuple(
        Claim(c["id"], c["crime"], tuple(c["names"]), tuple(c["refs"]), c["conditions"], c["why_not"],
              tuple(c.get("basis", ())))
        for c in raw["claims"])
    return tuple(raw["cues"]), claims


def claims() -> tuple[Claim, ...]:
    return _data()[1]


def _sentence(text: str, start: int, end: int, ends: list[int] | None = None) -> str:
    """The sentence around a citation (a parenthesised citation belongs to the sentence it closes).
    `ends`: the text's sentence ends, found once per text (a search back from every citation
    made a text with many citations quadratic)."""
    if ends is None:
        ends = sentence_ends(text)
    i = bisect_right(ends, start) - 1
    left = ends[i] if i >= 0 else 0
    right = _SENTENCE_END.search(text, end)
    return text[left:right.start() if right else len(text)]


def sentence_ends(text: str) -> list[int]:
    return [m.end() for m in _SENTENCE_END.finditer(text)]


def claim_for(text: str, start: int, end: int, ref: str | None, ends: list[int] | None = None) -> Claim | None:
    """The claim a citation of `ref` backs in `text`, if its sentence asserts one."""
    if not ref:
        return None
    cues, table = _data()
    sentence = _sentence(text, start, end, ends)
    outside = sentence.replace(text[start:end], "")  # the citation itself says 刑法, not 罪
    for claim in table:
        if ref in claim.refs and (any(n in outside for n in claim.names) or any(c in outside for c in cues)):
            return claim
    return None


def attach_claims(text: str, results: list) -> list:
    """CheckResults with `claim` set where the text asserts the crime the article defines."""
    out = []
    ends = sentence_ends(text) if results else []
    for r in results:
        ref = r.current_ref if r.status in ("verified", "outdated", "renumbered") else None
        claim = claim_for(text, r.citation.start, r.citation.end, ref, ends)
        out.append(replace(r, claim=claim) if claim else r)
    return out
