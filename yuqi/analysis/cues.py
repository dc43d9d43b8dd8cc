"""All cues of a text: structural extraction + lexicon matches, with injected
instructions isolated so they can never feed threats or the verdict."""

from __future__ import annotations

import bisect
import re

from yuqi.textnorm import ARTICLE, CJK, normalize_for_rules

from .extract import structural_cues
from .lexicon import cue_patterns
from .model import Cue

_RISK_KINDS = {"payment_demand", "personal_account", "fee_demand", "bank_card", "account_name", "url_unknown",
               "insult", "intimidation", "fact:pay_link", "fact:press_key", "fact:bail_fee", "fact:paid_repair",
               "fact:fee", "fact:pay", "fact:collect_agent", "fact:send_info", "fact:download", "fact:threat_safety"}
# Sentence ends: structure, not wording (a cue's sentence is the span between two of them).
SENTENCE_END = re.compile(r"[。！!？?\n]")
# Structural kinds that can claim the same digits; earlier wins an overlap.
_DIGIT_PRIORITY = ("case_number", "url_official", "url_unknown", "bank_card", "phone_court",
                   "phone_hotline", "phone_service", "phone_personal", "phone_landline", "amount")


def lexicon_cues(norm: str, original: str) -> list[Cue]:
    out: list[Cue] = []
    for kind, pattern, label in cue_patterns():
        for m in pattern.finditer(norm):
            if m.end() > m.start():
                out.append(Cue(kind, original[m.start():m.end()], m.start(), m.end(), label))
    return out


# One line of a pasted citation list: list marker, law name (《…》 or the index's 民法典# form),
# article number, the rest of the line.
_CITATION_LINE = re.compile(rf"[ \t]?(\[\d{{1,3}}\]|\d{{1,3}}[.、)]|[-*•])?[ \t]?(《[^》\n]{{2,30}}》|[{CJK}]{{2,20}}法#)"
                            rf"{ARTICLE}[^\n]{{0,40}}(\n|$)")


def _citation_lines_end(norm: str, pos: int) -> int:
    """A fake citation list continues over following lines that look like list items."""
    while pos < len(norm) and (m := _CITATION_LINE.match(norm, pos)) and m.end() > pos:
        pos = m.end()
    return pos


def _sentence_span(norm: str, bounds: list[int], start: int, end: int) -> tuple[int, int]:
    """bounds: sorted end offsets of sentence terminators (position after the mark)."""
    i = bisect.bisect_right(bounds, start) - 1
    left = bounds[i] if i >= 0 else 0
    j = bisect.bisect_right(bounds, end)
    return left, (bounds[j] if j < len(bounds) else len(norm))


def injection_spans(norm: str, cues: list[Cue]) -> list[tuple[int, int]]:
    """Merged, sorted spans: whole sentences around injection cues, plus fake citation lines."""
    bounds = [m.end() for m in SENTENCE_END.finditer(norm)]
    spans = []
    for cue in cues:
        if cue.kind != "injection":
            continue
        left, right = _sentence_span(norm, bounds, cue.start, cue.end)
        if cue.label == "伪造的引用列表":
            right = _citation_lines_end(norm, right)
        spans.append((left, right))
    merged: list[tuple[int, int]] = []
    for left, right in sorted(spans):
        if merged and left <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(right, merged[-1][1]))
        else:
            merged.append((left, right))
    return merged


def _inside(cue: Cue, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    i = bisect.bisect_right(starts, cue.start) - 1
    near = spans[max(i, 0):i + 2]
    return any(cue.start < r and cue.end > l for l, r in near)


def _resolve_digits(cues: list[Cue], size: int) -> list[Cue]:
    """Higher-priority structural cues claim their characters first."""
    rank = {k: i for i, k in enumerate(_DIGIT_PRIORITY)}
    taken = bytearray(size)
    kept: list[Cue] = []
    for cue in sorted((c for c in cues if c.kind in rank), key=lambda c: (rank[c.kind], c.start)):
        if not any(taken[cue.start:cue.end]):
            taken[cue.start:cue.end] = b"\x01" * (cue.end - cue.start)
            kept.append(cue)
    return kept + [c for c in cues if c.kind not in rank]


def _drop_nested(cues: list[Cue]) -> list[Cue]:
    """Same-kind cues nested inside a longer one add nothing to the highlight."""
    reach: dict[str, int] = {}
    kept: list[Cue] = []
    # dict.fromkeys, not set: on a tie the entry listed first in the data wins, the same on every run
    # (set order changed with the hash seed, and with it the label 堵你 was shown under).
    for cue in sorted(dict.fromkeys(cues), key=lambda c: (c.start, -(c.end - c.start), c.kind)):
        if reach.get(cue.kind, -1) < cue.end:
            kept.append(cue)
            reach[cue.kind] = cue.end
    return kept


def extract_cues(text: str) -> tuple[Cue, ...]:
    norm = normalize_for_rules(text)
    cues = structural_cues(norm, text) + lexicon_cues(norm, text)
    spans = injection_spans(norm, cues)
    starts = [left for left, _ in spans]
    # Injected text may not feed threats or a reassuring verdict, but a payment demand or a
    # threat hidden inside it still counts: it can only move the verdict toward caution.
    cues = [c for c in cues if c.kind == "injection" or c.kind in _RISK_KINDS or not _inside(c, spans, starts)]
    cues = _drop_nested(_resolve_digits(cues, len(text)))
    return tuple(sorted(cues, key=lambda c: (c.start, c.end, c.kind)))
