"""One citation module for every text we touch: parse statute references,
check them against the statutes we hold, and sanitise generated answers.

People quote our citations to collectors and courts, so an article we cannot
confirm is never shown as fact: it is flagged in place.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

from yuqi.cite_check import CheckResult, best_match, bigrams, check, containment, match_text
from yuqi.cite_numerals import article_label, canonical_article, cn_to_int, int_to_cn, resolve_name
from yuqi.cite_parse import Citation, find_citations
from yuqi.cite_sources import CombinedSource, LawsDb, MemoryStatutes, StatuteSource, parse_statute_markdown

__all__ = [
    "Citation", "CheckResult", "CleanedAnswer", "CombinedSource", "LawsDb", "MemoryStatutes",
    "StatuteSource", "article_label", "best_match", "bigrams", "canonical_article", "check",
    "check_text", "clean_answer", "cn_to_int", "containment", "find_citations", "int_to_cn",
    "match_text", "parse_statute_markdown", "summarize",
]

FLAG_UNVERIFIED = "（⚠未核验）"
FLAG_MISSING = "（⚠该条不存在）"
FLAG_REPEALED = "（⚠已失效）"
_MARKER = re.compile(r"[\[［](\d+(?:\s*[,，、]\s*\d+)*)[\]］]")
_ANY_FLAG = re.compile(r"（(?:⚠[^）\n]{0,30}|现行为[^）\n]{0,30})）")


@dataclass(frozen=True)
class CleanedAnswer:
    text: str
    removed_markers: list[str]
    flagged: list[CheckResult]
    notes: list[str]


def check_text(text: str, source: StatuteSource) -> list[CheckResult]:
    """Check every citation in `text`. A quote showing old numbering for one
    citation also marks unquoted citations of the same article as outdated."""
    results = [check(c, source) for c in find_citations(text, resolve=_resolver(source))]
    moved = {_cited_ref(r): r for r in results if r.status == "outdated"}
    out = []
    for r in results:
        old = moved.get(_cited_ref(r))
        if old and r.status == "verified" and r.citation.quote is None:
            r = replace(old, citation=r.citation)
        out.append(r)
    return out


def _cited_ref(r: CheckResult) -> str | None:
    title = r.citation.law_title or (r.current_ref or "").partition("#")[0]
    return f"{title}#{r.citation.article_no}" if title and r.citation.article_no else None


def _resolver(source: StatuteSource) -> Callable[[str], str | None]:
    # titles only the source holds (ingested files) first, then the shared alias table
    return lambda name: source.resolve(name) or resolve_name(name)


_SUMMARY = (
    ("verified", "核验{n}处"),
    ("outdated", "{n}处为修订前编号"),
    ("not_found", "{n}处条文不存在"),
    ("quote_mismatch", "{n}处引文与条文不符"),
    ("repealed", "{n}处所引法律已失效"),
    ("unknown_law", "{n}处未收录无法核验"),
    ("garbled", "{n}处条号无法识别"),
)


def summarize(results: list[CheckResult]) -> str:
    """'引用7处：核验6处，1处为修订前编号'."""
    if not results:
        return "未发现法条引用"
    counts = Counter(r.status for r in results)
    parts = [fmt.format(n=counts[s]) for s, fmt in _SUMMARY if counts[s]]
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
    if r.status == "outdated":
        return f"（现行为{r.current_ref.partition('#')[2]}）" if r.current_ref else FLAG_UNVERIFIED
    if r.status == "not_found":
        return FLAG_MISSING
    if r.status == "repealed":
        return FLAG_REPEALED
    if r.status == "verified" and r.current_ref in allowed:
        return None
    return FLAG_UNVERIFIED


def _note_for(r: CheckResult) -> str:
    if r.note:
        return r.note
    return f"{r.citation.raw}不在检索到的条文中，未核验"


def clean_answer(text: str, n_passages: int, allowed_refs: set[str], source: StatuteSource) -> CleanedAnswer:
    """Drop [n] markers that point at no passage; flag in place every cited
    article that is not both existing and among the retrieved ones."""
    text, removed = _strip_markers(text, n_passages)
    inserts: dict[int, list[str]] = {}
    flagged: list[CheckResult] = []
    notes: list[str] = []
    for r in check_text(text, source):
        flag = _flag_for(r, allowed_refs)
        if flag is None:
            continue
        flagged.append(r)
        note = _note_for(r)
        if note not in notes:
            notes.append(note)
        end = r.citation.end
        if _ANY_FLAG.match(text, end):
            continue  # already flagged by an earlier pass: keep cleaning idempotent
        if flag not in inserts.setdefault(end, []):
            inserts[end].append(flag)
    for end in sorted(inserts, reverse=True):
        text = text[:end] + "".join(inserts[end]) + text[end:]
    return CleanedAnswer(text, removed, flagged, notes)
