"""Whole texts: check every citation in one, summarise, and clean generated answers.

People quote our citations to collectors and courts, so an article we cannot
confirm is never shown as fact: it is flagged in place.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

from yuqi.citations.check import CheckResult, check
from yuqi.citations.claims import attach_claims
from yuqi.citations.names import resolve_name
from yuqi.citations.parse import find_citations
from yuqi.citations.sources import StatuteSource
from yuqi.citations.status import ANY_FLAG, FLAG_OLD_QUOTE, FLAG_UNVERIFIED, STATUSES, flag

_MARKER = re.compile(r"[\[［](\d+(?:\s*[,，、]\s*\d+)*)[\]］]")


@dataclass(frozen=True)
class CleanedAnswer:
    text: str
    removed_markers: list[str]
    flagged: list[CheckResult]
    notes: list[str]


def check_text(text: str, source: StatuteSource, as_of: str | None = None) -> list[CheckResult]:
    """Check every citation in `text` (`as_of`: the date of its numbering, see `check`).
    A quote showing old numbering for one citation also marks unquoted citations of
    the same article as outdated; a citation backing a claimed crime gets that claim."""
    results = [check(c, source, as_of) for c in find_citations(text, resolve=_resolver(source))]
    moved = {_cited_ref(r): r for r in results if r.status == "outdated"}
    out = []
    for r in results:
        old = moved.get(_cited_ref(r))
        if old and r.status in ("verified", "renumbered") and r.citation.quote is None:
            r = replace(old, citation=r.citation, readings=r.readings)
        out.append(r)
    return attach_claims(text, out)


def _cited_ref(r: CheckResult) -> str | None:
    title = r.citation.law_title or (r.current_ref or "").partition("#")[0]
    return f"{title}#{r.citation.article_no}" if title and r.citation.article_no else None


def _resolver(source: StatuteSource) -> Callable[[str], str | None]:
    # titles only the source holds (ingested files) first, then the shared alias table
    return lambda name: source.resolve(name) or resolve_name(name)


def summarize(results: list[CheckResult]) -> str:
    """'引用7处：核验6处，1处为修订前编号'."""
    if not results:
        return "未发现法条引用"
    counts = Counter(r.status for r in results)
    parts = [st.summary.format(n=counts[sid]) for sid, st in STATUSES.items() if counts[sid]]
    return f"引用{len(results)}处：" + "，".join(parts)


def _strip_markers(text: str, n_passages: int) -> tuple[str, list[str]]:
    removed: list[str] = []

    def fix(m: re.Match[str]) -> str:
        nums = re.split(r"\s*[,，、]\s*", m.group(1))
        keep = [x for x in nums if 1 <= int(x) <= n_passages]
        removed.extend(f"[{x}]" for x in nums if x not in keep)
        if len(keep) == len(nums):
            return m.group(0)
        return f"[{','.join(keep)}]" if keep else ""

    return _MARKER.sub(fix, text), removed


def _flag_for(r: CheckResult, allowed: set[str]) -> str | None:
    if r.status == "verified":
        return None if r.current_ref in allowed else FLAG_UNVERIFIED
    if r.status == "renumbered":
        if r.citation.ref in allowed:
            return None  # today's article of that number is the passage shown
        if r.current_ref not in allowed:
            return FLAG_UNVERIFIED
    current = (r.current_ref or "").partition("#")[2]
    return flag(r.status, current)


def _note_for(r: CheckResult) -> str:
    if r.note:
        return r.note
    return f"{r.citation.raw}不在检索到的条文中，未核验"


def clean_answer(text: str, n_passages: int, allowed_refs: set[str], source: StatuteSource,
                 old_numbers: frozenset[str] | set[str] = frozenset()) -> CleanedAnswer:
    """Drop [n] markers that point at no passage; flag in place every cited
    article that is not both existing and among the retrieved ones. `old_numbers`:
    citations as written inside retrieved dated passages (see ground.passage_old_numbers);
    repeated in a quote, they are labelled as old numbering rather than "unverified"."""
    text, removed = _strip_markers(text, n_passages)
    inserts: dict[int, list[str]] = {}
    flagged: list[CheckResult] = []
    notes: list[str] = []
    for r in check_text(text, source):
        mark = _flag_for(r, allowed_refs)
        if mark is None:
            continue
        if r.citation.raw in old_numbers and r.status in ("verified", "renumbered", "outdated", "dated"):
            mark = FLAG_OLD_QUOTE
        flagged.append(r)
        note = _note_for(r)
        if note not in notes:
            notes.append(note)
        end = r.citation.end
        if ANY_FLAG.match(text, end):
            continue  # already flagged by an earlier pass: keep cleaning idempotent
        if mark not in inserts.setdefault(end, []):
            inserts[end].append(mark)
    for end in sorted(inserts, reverse=True):
        text = text[:end] + "".join(inserts[end]) + text[end:]
    return CleanedAnswer(text, removed, flagged, notes)
